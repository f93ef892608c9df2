package dev.ovs.netstate.internal.ovs;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.doc.DocParser;
import dev.ovs.ovsdb.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a document into {@link RowTarget}s for the Open_vSwitch database (ovs-vswitchd.conf.db(5)):
 * <ul>
 * <li>{@code ovs-bridge}: Bridge {@code datapath_type}, {@code fail_mode}, {@code external_ids} keys; a new
 * bridge gets its local Port and internal Interface of the same name (like {@code ovs-vsctl add-br});</li>
 * <li>{@code bridge.port[]}: Port on that bridge (created, or moved from another bridge) with
 * {@code vlan_mode}, {@code tag}, {@code trunks}, {@code external_ids} keys; a new port gets an Interface of
 * the same name (type from its {@code interfaces[]} entry, else "" = a kernel device);</li>
 * <li>{@code ovs-interface}/{@code ethernet}: Interface {@code type}, {@code options}, {@code mtu_request} (emptied by
 * {@code mtu: null}),
 * {@code ingress_policing_rate} and {@code ingress_policing_burst} ({@code ingress-policing}), {@code external_ids} keys
 * (an {@code ethernet} entry that gives only {@code ipv4}/{@code ipv6} and is no port is a systemd-networkd link
 * only: no target);</li>
 * <li>{@code state: absent}: the bridge, or the port of that name, is removed (not a bridge with container ports, nor a
 * container's host port: their veth pairs would stay behind).</li>
 * </ul>
 * Targets come in the order bridges, ports, interfaces.
 */
public final class OvsPlanner {
    private OvsPlanner() {
    }

    /**
     * @param d                   validated document
     * @param s                   current state
     * @param defaultDatapathType datapath_type for new bridges that name none ("" or null: the column stays empty)
     * @return the targets
     * @throws InvalidArgumentException for an interface entry that names no port of the document or the database,
     *                                  an absent entry that names a non-port interface or a container's host port, or
     *                                  an absent bridge that carries container ports
     */
    public static List<RowTarget> plan(Doc d, OvsSnapshot s, String defaultDatapathType) {
        List<RowTarget> bridges = new ArrayList<>();
        List<RowTarget> ports = new ArrayList<>();
        List<RowTarget> ifaces = new ArrayList<>();
        Map<String, Doc.Iface> ifaceEntries = new HashMap<>();
        Set<String> listedPorts = new HashSet<>();
        // ethernet entries that only give ipv4/ipv6: links of systemd-networkd, an OVS port only when there is one
        Set<String> linkOnly = new HashSet<>();
        for (Doc.Link l : d.links()) {
            if (!l.absent() && l.kind().equals(Doc.Iface.ETHERNET)) {
                linkOnly.add(l.name());
            }
        }
        for (Doc.Entry e : d.interfaces()) {
            if (e instanceof Doc.Iface i) {
                ifaceEntries.put(i.name(), i);
            } else if (e instanceof Doc.Bridge b && b.ports() != null) {
                b.ports().forEach(p -> listedPorts.add(p.name()));
            }
        }
        Set<String> newPorts = new HashSet<>();
        for (Doc.Entry e : d.interfaces()) {
            if (!(e instanceof Doc.Bridge b)) {
                continue;
            }
            if (b.absent()) {
                refuseContainerPorts(s, b);
                bridges.add(RowTarget.absent("Bridge", b.name(), b.path()));
                continue;
            }
            Map<String, Object> cols = new LinkedHashMap<>();
            if (b.datapath() != null) {
                cols.put("datapath_type", b.datapath());
            }
            if (b.failMode() != null) {
                cols.put("fail_mode", opt(b.failMode().isEmpty() ? null : b.failMode()));
            }
            Map<String, Object> create = new LinkedHashMap<>();
            if (b.datapath() == null && defaultDatapathType != null && !defaultDatapathType.isEmpty()) {
                create.put("datapath_type", defaultDatapathType);
            }
            bridges.add(new RowTarget("Bridge", b.name(), true, null, false, cols, keys(b.externalIds()), create, b.path()));
            if (s.row("Bridge", b.name()) == null) {
                // ovs-vsctl add-br: the bridge's local port and internal interface
                ports.add(new RowTarget("Port", b.name(), true, b.name(), false, Map.of(), Map.of(), Map.of(), b.path()));
                ifaces.add(new RowTarget("Interface", b.name(), true, b.name(), false, Map.of("type", "internal"), Map.of(),
                        Map.of(), b.path()));
            }
            if (b.ports() == null) {
                continue;
            }
            for (Doc.Port p : b.ports()) {
                Map<String, Object> pc = new LinkedHashMap<>();
                if (p.vlan() != null) {
                    pc.put("vlan_mode", opt(p.vlan().mode()));
                    pc.put("tag", opt(p.vlan().tag()));
                    pc.put("trunks", Set.copyOf(p.vlan().trunks()));
                }
                ports.add(new RowTarget("Port", p.name(), true, b.name(), true, pc, keys(p.externalIds()), Map.of(), p.path()));
                if (s.row("Port", p.name()) == null) {
                    if (s.row("Interface", p.name()) != null) {
                        throw new InvalidArgumentException(p.path() + ".name", "'" + p.name() + "' is an interface of port '"
                                + s.parent("Interface", p.name()) + "'; a port of that name cannot be created");
                    }
                    newPorts.add(p.name());
                    if (!ifaceEntries.containsKey(p.name())) {
                        // a port on an existing kernel device (ovs-vsctl add-port BR DEV)
                        ifaces.add(new RowTarget("Interface", p.name(), true, p.name(), false, Map.of("type", ""), Map.of(),
                                Map.of(), p.path()));
                    }
                }
            }
        }
        for (Doc.Entry e : d.interfaces()) {
            if (!(e instanceof Doc.Iface i)) {
                continue;
            }
            if (i.absent()) {
                if (s.row("Port", i.name()) == null && s.row("Interface", i.name()) != null) {
                    throw new InvalidArgumentException(i.path() + ".name", "'" + i.name() + "' is an interface of port '"
                            + s.parent("Interface", i.name()) + "', not a port; remove that port");
                }
                Row port = s.row("Port", i.name());
                String owner = port == null ? null : containerOf(s, port);
                if (owner != null) {
                    throw new InvalidArgumentException(i.path() + ".name", "'" + i.name() + "' is the host port of " + owner
                            + ": removing it would leave its veth pair behind; detach it with a container-ports entry (state: absent)");
                }
                ports.add(RowTarget.absent("Port", i.name(), i.path()));
                continue;
            }
            boolean exists = s.row("Interface", i.name()) != null;
            if (!exists && !listedPorts.contains(i.name()) && linkOnly.contains(i.name()) && i.mtu() == null
                    && i.externalIds() == null && i.ingressPolicing() == null) {
                continue;
            }
            if (!exists && !listedPorts.contains(i.name())) {
                throw new InvalidArgumentException(i.path() + ".name", "'" + i.name()
                        + "' is not a port of any bridge: list it in a bridge's bridge.port");
            }
            Map<String, Object> ic = new LinkedHashMap<>();
            ic.put("type", i.ovsType());
            if (i.options() != null) {
                ic.put("options", Map.copyOf(i.options()));
            }
            if (i.mtu() != null) {
                ic.put("mtu_request", opt(i.mtu()));
            } else if (i.mtuCleared() && exists) {
                // mtu: null: no mtu_request (ovs-vswitchd's default); a new interface has none anyway
                ic.put("mtu_request", opt(null));
            }
            if (i.ingressPolicing() != null) {
                ic.put("ingress_policing_rate", i.ingressPolicing().rateKbps());
                ic.put("ingress_policing_burst", i.ingressPolicing().burstKb());
            }
            ifaces.add(new RowTarget("Interface", i.name(), true, i.name(), false, ic, keys(i.externalIds()), Map.of(), i.path()));
        }
        List<RowTarget> all = new ArrayList<>(bridges);
        all.addAll(ports);
        all.addAll(ifaces);
        refuseDuplicateTunnels(s, all, defaultDatapathType);
        return all;
    }

    /**
     * Two tunnel interfaces of the same type with the same endpoints ({@link #matched}) on bridges of one datapath type share one
     * datapath, where ovs-vswitchd refuses the second one ("could not add network device ... (File exists)"): the
     * apply would fail half-way. Checked on the state after the document (the database's interfaces, with the
     * document's removals, moves, new bridges and datapath types applied); only a conflict that a tunnel the document
     * creates, changes, or moves to another bridge or datapath type takes part in is refused (a pair already in the database is ovs-vswitchd's to report).
     *
     * @throws InvalidArgumentException at the document's tunnel entry ({@code interfaces[N].tunnel}), naming the other
     *                                  tunnel
     */
    private static void refuseDuplicateTunnels(OvsSnapshot s, List<RowTarget> targets, String defaultDatapathType) {
        Map<String, String> datapath = new HashMap<>(); // bridge -> datapath_type after ("" = system)
        s.bridges.forEach((n, r) -> datapath.put(n, r.getString("datapath_type")));
        Map<String, String> portBridge = new HashMap<>(s.portBridge);
        Map<String, String> ifacePort = new HashMap<>(s.ifacePort);
        Map<String, Object[]> tunnel = new HashMap<>(); // interface -> {type, options}
        s.ifaces.forEach((n, r) -> tunnel.put(n, new Object[] {r.getString("type"), r.getMap("options")}));
        Map<String, String> docPath = new HashMap<>(); // tunnel interfaces the document creates or changes
        Map<String, String> changedPath = new HashMap<>(); // "Port:P" moved, "Bridge:B" with another datapath type
        for (RowTarget t : targets) {
            switch (t.table()) {
                case "Bridge" -> {
                    if (!t.present()) {
                        datapath.remove(t.name());
                    } else if (t.columns().containsKey("datapath_type")) {
                        String was = datapath.put(t.name(), (String) t.columns().get("datapath_type"));
                        if (was != null && !was.equals(t.columns().get("datapath_type"))) {
                            changedPath.put("Bridge:" + t.name(), t.path()); // its tunnels move to another datapath
                        }
                    } else if (!datapath.containsKey(t.name())) {
                        datapath.put(t.name(), t.createColumns().containsKey("datapath_type")
                                ? (String) t.createColumns().get("datapath_type") : defaultDatapathType);
                    }
                }
                case "Port" -> {
                    if (!t.present()) {
                        portBridge.remove(t.name());
                    } else {
                        String was = portBridge.put(t.name(), t.parent());
                        if (was != null && !was.equals(t.parent())) {
                            changedPath.put("Port:" + t.name(), t.path()); // a port moving to another bridge
                        }
                    }
                }
                case "Interface" -> {
                    Object[] was = tunnel.get(t.name());
                    Object type = t.columns().getOrDefault("type", was == null ? "" : was[0]);
                    Object options = t.columns().getOrDefault("options", was == null ? Map.of() : was[1]);
                    tunnel.put(t.name(), new Object[] {type, options});
                    ifacePort.putIfAbsent(t.name(), t.parent());
                    boolean changes = was == null || !was[0].equals(type) || !was[1].equals(options);
                    if (changes && DocParser.TUNNEL_TYPES.contains(String.valueOf(type))) {
                        docPath.put(t.name(), t.path()); // a new tunnel, or one the document changes
                    }
                }
                default -> {
                }
            }
        }
        Map<List<Object>, String> seen = new HashMap<>();
        for (String name : new java.util.TreeSet<>(tunnel.keySet())) {
            Object[] ti = tunnel.get(name);
            String bridge = portBridge.get(ifacePort.get(name));
            if (!DocParser.TUNNEL_TYPES.contains(String.valueOf(ti[0])) || bridge == null || !datapath.containsKey(bridge)) {
                continue; // no tunnel, or removed with its port or bridge
            }
            String dp = datapath.get(bridge);
            List<Object> key = List.of(dp == null || dp.isEmpty() ? "system" : dp, ti[0], matched(ti[1]));
            String other = seen.putIfAbsent(key, name);
            if (other == null) {
                continue;
            }
            String mine = whereChanged(name, docPath, changedPath, portBridge, ifacePort) != null ? name
                    : whereChanged(other, docPath, changedPath, portBridge, ifacePort) != null ? other : null;
            if (mine != null) {
                String theirs = mine.equals(name) ? other : name;
                throw new InvalidArgumentException(whereChanged(mine, docPath, changedPath, portBridge, ifacePort), "'" + mine
                        + "' would be a second " + ti[0] + " tunnel with the endpoints of '" + theirs + "' " + key.get(2) + " in the "
                        + key.get(0) + " datapath, which ovs-vswitchd refuses; give it another remote_ip, local_ip, key or dst_port");
            }
        }
    }

    /**
     * The options by which ovs-vswitchd tells tunnels of one type apart in a datapath (ofproto/tunnel.c, the match of
     * a tunnel port: remote and local IP, input key, destination port, packet type); others (ttl, tos, csum, ...) do
     * not make a second tunnel distinct. {@code in_key} defaults to {@code key}, and that to 0.
     */
    private static Map<String, String> matched(Object options) {
        @SuppressWarnings("unchecked")
        Map<String, String> o = (Map<String, String>) options;
        Map<String, String> m = new java.util.TreeMap<>();
        for (String k : List.of("remote_ip", "local_ip", "dst_port", "packet_type")) {
            if (o.containsKey(k)) {
                m.put(k, o.get(k));
            }
        }
        m.put("in_key", o.getOrDefault("in_key", o.getOrDefault("key", "0")));
        return m;
    }

    /**
     * @return the document path by which the document creates, changes, moves or re-datapaths tunnel {@code name}
     *         ({@code interfaces[N].tunnel}, a {@code bridge.port[M]} that moves its port, or the bridge entry whose
     *         datapath changes), or null if the document leaves it as it is
     */
    private static String whereChanged(String name, Map<String, String> docPath, Map<String, String> changedPath,
            Map<String, String> portBridge, Map<String, String> ifacePort) {
        if (docPath.containsKey(name)) {
            return docPath.get(name) + ".tunnel";
        }
        String port = ifacePort.get(name);
        String moved = changedPath.get("Port:" + port);
        return moved != null ? moved : changedPath.get("Bridge:" + portBridge.get(port));
    }

    /**
     * A bridge the document removes must carry no container port: deleting the bridge deletes their Port and Interface
     * rows but not their veth pairs, so the containers would keep their interfaces (with addresses and routes) on a
     * host end that is no port any more, and attaching that container interface again fails (the name exists).
     *
     * @throws InvalidArgumentException naming the bridge entry and the container ports on it
     */
    private static void refuseContainerPorts(OvsSnapshot s, Doc.Bridge b) {
        Row br = s.row("Bridge", b.name());
        if (br == null) {
            return;
        }
        List<String> owners = new ArrayList<>();
        for (Object u : br.getSet("ports")) {
            Row p = s.byUuid.get(u);
            String owner = p == null ? null : containerOf(s, p);
            if (owner != null) {
                owners.add(owner + " (host port " + p.getString("name") + ")");
            }
        }
        if (!owners.isEmpty()) {
            java.util.Collections.sort(owners);
            throw new InvalidArgumentException(b.path(), "bridge '" + b.name() + "' carries the container port" + (owners.size() == 1 ? " "
                    : "s ") + String.join(", ", owners) + ": removing it would leave their veth pairs behind; detach them first "
                    + "(container-ports entries with state: absent, in an apply of their own)");
        }
    }

    /**
     * @return {@code container 'C' interface 'I'} when the port is a container port (its interface has
     *         {@code external_ids:container_id} and {@code container_iface}, {@link OvsShow#containerPort}), else null
     */
    static String containerOf(OvsSnapshot s, Row port) {
        for (Object u : port.getSet("interfaces")) {
            Row i = s.byUuid.get(u);
            if (i != null) {
                Map<String, String> ids = i.getMap("external_ids");
                if (ids.containsKey("container_id") && ids.containsKey("container_iface")) {
                    return "container '" + ids.get("container_id") + "' interface '" + ids.get("container_iface") + "'";
                }
            }
        }
        return null;
    }

    /** An optional (0..1) column value: the empty set or a one-element set. */
    static Set<Object> opt(Object v) {
        return v == null ? Set.of() : Set.of(v);
    }

    private static Map<String, Map<String, String>> keys(Map<String, String> externalIds) {
        if (externalIds == null || externalIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("external_ids", new LinkedHashMap<>(externalIds));
        return m;
    }
}
