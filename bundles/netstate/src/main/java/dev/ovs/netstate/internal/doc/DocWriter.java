package dev.ovs.netstate.internal.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Writes a {@link Doc} as YAML in the format {@link DocParser} reads: {@code parse(write(d))} equals
 * {@code d} (paths aside). Given fields are written, fields that are null (not given) are left out; an explicit
 * {@code null} of the document ({@link Doc.Iface#mtuCleared()}, {@link Doc.ContainerPort#cleared()}, a container
 * port's {@code vlan: null}, an {@code external_ids} key to remove) is written as {@code null}. Trunk
 * VLANs are written as {@code id} entries and {@code id-range} for runs of three or more. Thread-safe.
 */
public final class DocWriter {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final ObjectMapper yaml;

    /** Creates a writer (no {@code ---} document start, strings quoted only where YAML needs it). */
    public DocWriter() {
        YAMLFactory f = YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR).build();
        this.yaml = new ObjectMapper(f);
    }

    /**
     * @param d the document
     * @return YAML text
     */
    public String write(Doc d) {
        try {
            return yaml.writeValueAsString(tree(d));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }

    /**
     * @param d the document
     * @return the document as a JSON tree ({@code {"interfaces": [...]}})
     */
    public static ObjectNode tree(Doc d) {
        ObjectNode root = F.objectNode();
        ArrayNode list = root.putArray("interfaces");
        // entries in the order of their paths: the Open vSwitch entries and the vlan links are kept apart in a Doc
        List<Map.Entry<Integer, ObjectNode>> ordered = new ArrayList<>();
        Map<String, Doc.Link> ips = new java.util.HashMap<>();
        for (Doc.Link l : d.links()) {
            if (!l.kind().equals(Doc.Link.VLAN) && !l.absent()) {
                ips.put(l.path() + " " + l.name(), l);
            }
        }
        for (Doc.Entry e : d.interfaces()) {
            ObjectNode o = F.objectNode();
            ordered.add(Map.entry(index(e.path(), ordered.size()), o));
            o.put("name", e.name());
            if (e instanceof Doc.Bridge b) {
                o.put("type", "ovs-bridge");
                o.put("state", b.absent() ? "absent" : "up");
                if (b.absent()) {
                    continue;
                }
                ObjectNode br = F.objectNode();
                if (b.datapath() != null || b.failMode() != null) {
                    ObjectNode opts = br.putObject("options");
                    if (b.datapath() != null) {
                        opts.put("datapath", b.datapath());
                    }
                    if (b.failMode() != null) {
                        opts.put("fail-mode", b.failMode());
                    }
                }
                if (b.ports() != null) {
                    ArrayNode pl = br.putArray("port");
                    for (Doc.Port p : b.ports()) {
                        pl.add(port(p));
                    }
                }
                if (!br.isEmpty()) {
                    o.set("bridge", br);
                }
                ovsDb(o, b.externalIds());
            } else if (e instanceof Doc.Iface i) {
                o.put("type", i.kind());
                o.put("state", i.absent() ? "absent" : "up");
                if (i.absent()) {
                    continue;
                }
                if (i.mtu() != null) {
                    o.put("mtu", i.mtu());
                } else if (i.mtuCleared()) {
                    o.putNull("mtu");
                }
                if (i.ingressPolicing() != null) {
                    ObjectNode el = o.putObject("ingress-policing");
                    el.put("rate-kbps", i.ingressPolicing().rateKbps());
                    if (i.ingressPolicing().burstKb() != 0) {
                        el.put("burst-kb", i.ingressPolicing().burstKb());
                    }
                }
                if ("patch".equals(i.ovsType())) {
                    o.putObject("patch").put("peer", i.options().get("peer"));
                } else if (i.ovsType() != null && DocParser.TUNNEL_TYPES.contains(i.ovsType())) {
                    ObjectNode t = o.putObject("tunnel");
                    t.put("type", i.ovsType());
                    ObjectNode opts = t.putObject("options");
                    new java.util.TreeMap<>(i.options()).forEach(opts::put);
                }
                ovsDb(o, i.externalIds());
                Doc.Link l = ips.get(i.path() + " " + i.name());
                if (l != null) {
                    ip(o, "ipv4", l.ipv4());
                    ip(o, "ipv6", l.ipv6());
                }
            }
        }
        for (Doc.Link l : d.links()) {
            if (!l.kind().equals(Doc.Link.VLAN)) {
                continue;
            }
            ObjectNode o = F.objectNode();
            ordered.add(Map.entry(index(l.path(), ordered.size()), o));
            o.put("name", l.name());
            o.put("type", Doc.Link.VLAN);
            o.put("state", l.absent() ? "absent" : "up");
            if (!l.absent()) {
                ObjectNode v = o.putObject("vlan");
                v.put("base-iface", l.vlanBase());
                v.put("id", l.vlanId());
                ip(o, "ipv4", l.ipv4());
                ip(o, "ipv6", l.ipv6());
            }
        }
        ordered.sort(Map.Entry.comparingByKey());
        ordered.forEach(e -> list.add(e.getValue()));
        if (!d.routes().isEmpty()) {
            ArrayNode rl = root.putObject("routes").putArray("config");
            for (Doc.Route r : d.routes()) {
                ObjectNode o = rl.addObject();
                o.put("destination", r.destination());
                putIf(o, "next-hop-address", r.nextHopAddress());
                o.put("next-hop-interface", r.nextHopInterface());
                if (r.metric() != null) {
                    o.put("metric", r.metric());
                }
                if (r.absent()) {
                    o.put("state", "absent");
                }
            }
        }
        if (!d.containerPorts().isEmpty()) {
            ArrayNode cl = root.putArray("container-ports");
            for (Doc.ContainerPort c : d.containerPorts()) {
                ObjectNode o = cl.addObject();
                o.put("container", c.container());
                o.put("interface", c.iface());
                if (c.bridge() != null) {
                    o.put("bridge", c.bridge());
                }
                o.put("state", c.absent() ? "absent" : "up");
                if (c.absent()) {
                    continue;
                }
                if (c.vlanGiven()) {
                    if (c.vlan() == null) {
                        o.putNull("vlan");
                    } else {
                        o.put("vlan", c.vlan());
                    }
                }
                putIf(o, "ipv4", c.ipv4());
                putIf(o, "ipv6", c.ipv6());
                putIf(o, "mac", c.mac());
                if (c.mtu() != null) {
                    o.put("mtu", c.mtu());
                }
                putIf(o, "gateway", c.gateway());
                for (String k : Doc.ContainerPort.SETTINGS) {
                    if (c.cleared().contains(k)) {
                        o.putNull(k);
                    }
                }
            }
        }
        return root;
    }

    /** @return N of a path {@code interfaces[N]}, or {@code fallback} for another path */
    private static int index(String path, int fallback) {
        if (path != null && path.startsWith("interfaces[") && path.endsWith("]")) {
            try {
                return Integer.parseInt(path.substring("interfaces[".length(), path.length() - 1));
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static void ip(ObjectNode o, String key, Doc.Ip ip) {
        if (ip == null) {
            return;
        }
        ObjectNode n = o.putObject(key);
        n.put("enabled", ip.enabled());
        n.put("dhcp", ip.dhcp());
        if (!ip.addresses().isEmpty()) {
            ArrayNode a = n.putArray("address");
            for (String cidr : ip.addresses()) {
                int slash = cidr.indexOf('/');
                ObjectNode x = a.addObject();
                x.put("ip", cidr.substring(0, slash));
                x.put("prefix-length", Integer.parseInt(cidr.substring(slash + 1)));
            }
        }
    }

    private static void putIf(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    private static ObjectNode port(Doc.Port p) {
        ObjectNode o = F.objectNode();
        o.put("name", p.name());
        if (p.vlan() != null) {
            ObjectNode v = o.putObject("vlan");
            if (p.vlan().mode() != null) {
                v.put("mode", p.vlan().mode());
            }
            if (p.vlan().tag() != null) {
                v.put("tag", p.vlan().tag());
            }
            if (!p.vlan().trunks().isEmpty()) {
                v.set("trunk-tags", trunks(p.vlan().trunks()));
            }
        }
        ovsDb(o, p.externalIds());
        return o;
    }

    private static ArrayNode trunks(SortedSet<Long> ids) {
        ArrayNode a = F.arrayNode();
        List<Long> l = new ArrayList<>(ids);
        int i = 0;
        while (i < l.size()) {
            int j = i;
            while (j + 1 < l.size() && l.get(j + 1) == l.get(j) + 1) {
                j++;
            }
            if (j - i >= 2) {
                ObjectNode r = a.addObject().putObject("id-range");
                r.put("min", l.get(i));
                r.put("max", l.get(j));
            } else {
                for (int k = i; k <= j; k++) {
                    a.addObject().put("id", l.get(k));
                }
            }
            i = j + 1;
        }
        return a;
    }

    private static void ovsDb(ObjectNode o, Map<String, String> externalIds) {
        if (externalIds == null) {
            return;
        }
        ObjectNode ids = o.putObject("ovs-db").putObject("external_ids");
        List<String> keys = new ArrayList<>(externalIds.keySet());
        java.util.Collections.sort(keys);
        for (Iterator<String> it = keys.iterator(); it.hasNext();) {
            String k = it.next();
            String v = externalIds.get(k);
            if (v == null) {
                ids.putNull(k);
            } else {
                ids.put(k, v);
            }
        }
    }
}
