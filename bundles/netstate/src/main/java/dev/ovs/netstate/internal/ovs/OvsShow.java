package dev.ovs.netstate.internal.ovs;

import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.doc.DocParser;
import dev.ovs.ovsdb.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The current Open vSwitch configuration as a {@link Doc}: every bridge (datapath, fail mode, external_ids,
 * its ports except the local one, with VLAN columns and external_ids), then the interfaces of those ports
 * sorted by name: internal ({@code ovs-interface}), patch ({@code patch.peer}), tunnels ({@code tunnel}), and
 * system interfaces ({@code ethernet}) only when they have an {@code mtu_request} or external_ids. Interfaces
 * of other types (dpdk, tap, ...) appear only as ports. Container ports (their interface has
 * {@code external_ids:container_id} and {@code container_iface}) are left out: they are shown under
 * {@code container-ports}. Applying the result changes nothing.
 */
public final class OvsShow {
    private OvsShow() {
    }

    /**
     * @param s the snapshot
     * @return the document
     */
    public static Doc show(OvsSnapshot s) {
        List<Doc.Entry> entries = new ArrayList<>();
        Set<String> shownPorts = new TreeSet<>();
        for (Map.Entry<String, Row> e : s.bridges.entrySet()) {
            String name = e.getKey();
            Row b = e.getValue();
            String path = "interfaces[" + entries.size() + "]";
            List<Doc.Port> ports = new ArrayList<>();
            TreeMap<String, Row> byName = new TreeMap<>();
            for (Object u : b.getSet("ports")) {
                Row p = s.byUuid.get(u);
                if (p != null && !p.getString("name").equals(name) && !containerPort(s, p)) {
                    byName.put(p.getString("name"), p);
                }
            }
            for (Row p : byName.values()) {
                String pn = p.getString("name");
                shownPorts.add(pn);
                ports.add(new Doc.Port(path + ".bridge.port[" + ports.size() + "]", pn, vlan(p), ids(p)));
            }
            String dp = b.getString("datapath_type");
            String fm = b.getString("fail_mode");
            entries.add(new Doc.Bridge(path, name, false, dp == null || dp.isEmpty() ? null : dp,
                    fm == null || fm.isEmpty() ? null : fm, ports, ids(b)));
        }
        for (Map.Entry<String, Row> e : s.ifaces.entrySet()) {
            String name = e.getKey();
            Row i = e.getValue();
            String port = s.ifacePort.get(name);
            if (port == null || !shownPorts.contains(port)) {
                continue; // a bridge's local interface, or not attached
            }
            String type = i.getString("type");
            type = type == null ? "" : type;
            Map<String, String> options = i.getMap("options");
            Long mtu = i.getLong("mtu_request");
            Map<String, String> ids = ids(i);
            Doc.IngressPolicing limit = ingressPolicing(i);
            String path = "interfaces[" + entries.size() + "]";
            if (type.equals("internal")) {
                entries.add(new Doc.Iface(path, name, Doc.Iface.OVS_INTERFACE, false, "internal", Map.of(), mtu, ids, limit));
            } else if (type.equals("patch") && options.containsKey("peer") && options.size() == 1) {
                entries.add(new Doc.Iface(path, name, Doc.Iface.OVS_INTERFACE, false, "patch", Map.copyOf(options), mtu, ids,
                        limit));
            } else if (DocParser.TUNNEL_TYPES.contains(type) && options.containsKey("remote_ip")) {
                entries.add(new Doc.Iface(path, name, Doc.Iface.OVS_INTERFACE, false, type, Map.copyOf(options), mtu, ids,
                        limit));
            } else if (type.isEmpty() && (mtu != null || ids != null || limit != null)) {
                entries.add(new Doc.Iface(path, name, Doc.Iface.ETHERNET, false, "", null, mtu, ids, limit));
            }
        }
        return new Doc(entries);
    }

    /**
     * A container port (ovs-docker's or the port agent's: its interface has {@code external_ids:container_id} and
     * {@code container_iface}) is shown under {@code container-ports}, not as a bridge port.
     */
    static boolean containerPort(OvsSnapshot s, Row port) {
        return OvsPlanner.containerOf(s, port) != null;
    }

    private static Map<String, String> ids(Row r) {
        Map<String, String> m = r.getMap("external_ids");
        return m.isEmpty() ? null : new TreeMap<>(m);
    }

    /** {@code ingress_policing_rate}/{@code _burst} as {@code ingress-policing}; null when both are 0 (no policing). */
    private static Doc.IngressPolicing ingressPolicing(Row i) {
        Long rate = i.getLong("ingress_policing_rate");
        Long burst = i.getLong("ingress_policing_burst");
        long r = rate == null ? 0 : rate;
        long b = burst == null ? 0 : burst;
        return r == 0 && b == 0 ? null : new Doc.IngressPolicing(r, b);
    }

    private static Doc.Vlan vlan(Row p) {
        String mode = p.getString("vlan_mode");
        Long tag = p.getLong("tag");
        Set<Long> trunks = p.getSet("trunks");
        if (mode == null && tag == null && trunks.isEmpty()) {
            return null;
        }
        return new Doc.Vlan(mode, tag, new TreeSet<>(trunks));
    }
}
