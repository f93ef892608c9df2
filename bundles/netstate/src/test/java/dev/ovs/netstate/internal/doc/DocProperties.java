package dev.ovs.netstate.internal.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.InvalidArgumentException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated documents: every valid one round-trips parse → write → parse; every mutated invalid one is rejected. */
class DocProperties {
    final DocParser parser = new DocParser();
    final DocWriter writer = new DocWriter();

    /** A random valid document: 1..4 bridges with 0..6 ports, interface entries for some ports, absent entries. */
    static Doc randomDoc(Random r) {
        List<Doc.Entry> entries = new ArrayList<>();
        List<String> portNames = new ArrayList<>();
        int nb = 1 + r.nextInt(4);
        int port = 0;
        for (int b = 0; b < nb; b++) {
            String path = "interfaces[" + entries.size() + "]";
            List<Doc.Port> ports = null;
            if (r.nextInt(5) > 0) {
                ports = new ArrayList<>();
                int np = r.nextInt(7);
                for (int i = 0; i < np; i++) {
                    String name = "p" + port++;
                    portNames.add(name);
                    ports.add(new Doc.Port(path + ".bridge.port[" + i + "]", name, r.nextBoolean() ? vlan(r) : null,
                            r.nextInt(4) == 0 ? ids(r) : null));
                }
            }
            String dp = switch (r.nextInt(4)) {
                case 0 -> null;
                case 1 -> "";
                case 2 -> "netdev";
                default -> "system";
            };
            String fm = switch (r.nextInt(4)) {
                case 0 -> null;
                case 1 -> "";
                case 2 -> "secure";
                default -> "standalone";
            };
            entries.add(new Doc.Bridge(path, "br" + b, false, dp, fm, ports, r.nextBoolean() ? ids(r) : null));
        }
        for (String p : portNames) {
            if (r.nextInt(3) == 0) {
                continue;
            }
            String path = "interfaces[" + entries.size() + "]";
            Long mtu = r.nextBoolean() ? Long.valueOf(68 + r.nextInt(9000)) : null;
            Map<String, String> ids = r.nextBoolean() ? ids(r) : null;
            Doc.IngressPolicing el = r.nextInt(3) == 0 ? ingressPolicing(r) : null;
            entries.add(switch (r.nextInt(4)) {
                case 0 -> new Doc.Iface(path, p, Doc.Iface.ETHERNET, false, "", null, mtu, ids, el);
                case 1 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "patch", Map.of("peer", "peer" + r.nextInt(99)), mtu, ids,
                        el);
                case 2 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, r.nextBoolean() ? "vxlan" : "geneve",
                        Map.of("remote_ip", "192.0.2." + r.nextInt(255), "key", String.valueOf(r.nextInt(1000))), mtu, ids, el);
                default -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "internal", Map.of(), mtu, ids, el);
            });
        }
        for (int i = 0; i < r.nextInt(3); i++) {
            String path = "interfaces[" + entries.size() + "]";
            entries.add(r.nextBoolean() ? new Doc.Bridge(path, "gone" + i, true, null, null, null, null)
                    : new Doc.Iface(path, "gone" + i, Doc.Iface.OVS_INTERFACE, true, null, null, null, null));
        }
        return new Doc(entries);
    }

    /** An {@code ingress-policing} with rate and burst anywhere in 0..2^32-1, the bounds included. */
    static Doc.IngressPolicing ingressPolicing(Random r) {
        long[] edges = {0, 1, 4294967295L};
        long rate = r.nextBoolean() ? edges[r.nextInt(edges.length)] : (r.nextLong() & 0xffffffffL);
        long burst = r.nextBoolean() ? edges[r.nextInt(edges.length)] : (r.nextLong() & 0xffffffffL);
        return new Doc.IngressPolicing(rate, burst);
    }

    static Doc.Vlan vlan(Random r) {
        String[] modes = {null, "access", "trunk", "native-tagged", "native-untagged", "dot1q-tunnel"};
        TreeSet<Long> trunks = new TreeSet<>();
        int n = r.nextInt(4) == 0 ? r.nextInt(40) : 0;
        long base = r.nextInt(4000);
        for (int i = 0; i < n; i++) {
            trunks.add(r.nextBoolean() ? base + i : (long) r.nextInt(4096));
        }
        return new Doc.Vlan(modes[r.nextInt(modes.length)], r.nextBoolean() ? Long.valueOf(r.nextInt(4096)) : null, trunks);
    }

    static Map<String, String> ids(Random r) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] values = {"x", "10", "true", "null", "yes", "a b", "é", "-1", "1.5", "'q'", "#c", ": x", ""};
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            m.put("k" + r.nextInt(9), r.nextInt(6) == 0 ? null : values[r.nextInt(values.length)]);
        }
        return m;
    }

    @Provide
    Arbitrary<Doc> docs() {
        return Arbitraries.randomValue(DocProperties::randomDoc);
    }

    @Property(tries = 300)
    void roundTrip(@ForAll("docs") Doc d) {
        String text = writer.write(d);
        assertThat(parser.parse(text)).as(text).isEqualTo(d);
    }

    record Mutated(String yaml, String what) {
    }

    @Provide
    Arbitrary<Mutated> invalid() {
        return Arbitraries.randomValue(r -> mutate(randomDoc(r), r));
    }

    /** Applies one mutation that breaks one rule of the document format. */
    static Mutated mutate(Doc d, Random r) {
        ObjectNode root = DocWriter.tree(d);
        ArrayNode list = (ArrayNode) root.get("interfaces");
        List<ObjectNode> bridges = new ArrayList<>();
        List<ObjectNode> ports = new ArrayList<>();
        for (JsonNode e : list) {
            if (e.path("type").asText().equals("ovs-bridge") && !e.path("state").asText().equals("absent")) {
                bridges.add((ObjectNode) e);
                for (JsonNode p : e.path("bridge").path("port")) {
                    ports.add((ObjectNode) p);
                }
            }
        }
        ObjectNode any = (ObjectNode) list.get(r.nextInt(list.size()));
        String[] badNames = {"", "x".repeat(16 + r.nextInt(10)), "a/b", "a b", "a:b", ".", ".."};
        String what;
        switch (r.nextInt(20)) {
            case 0 -> {
                any.put("name", badNames[r.nextInt(badNames.length)]);
                what = "bad name";
            }
            case 1 -> {
                any.put("type", r.nextBoolean() ? "ovs-port" : "Ethernet");
                what = "bad type";
            }
            case 2 -> {
                any.put("state", r.nextBoolean() ? "down" : "present");
                what = "bad state";
            }
            case 3 -> {
                any.put("colour", "blue");
                what = "unknown key";
            }
            case 4 -> {
                ObjectNode copy = any.deepCopy();
                list.add(copy);
                what = "duplicate name";
            }
            case 5 -> {
                if (ports.isEmpty()) {
                    any.putNull("type");
                    what = "missing type";
                } else {
                    ObjectNode p = ports.get(r.nextInt(ports.size()));
                    p.putObject("vlan").put("tag", r.nextBoolean() ? 4096 + r.nextInt(100000) : -1 - r.nextInt(10));
                    what = "tag out of range";
                }
            }
            case 6 -> {
                if (ports.isEmpty()) {
                    any.remove("name");
                    what = "missing name";
                } else {
                    ObjectNode p = ports.get(r.nextInt(ports.size()));
                    p.putObject("vlan").put("mode", r.nextBoolean() ? "acess" : "Trunk");
                    what = "bad mode";
                }
            }
            case 7 -> {
                if (ports.isEmpty()) {
                    any.put("name", 12);
                    what = "name not a string";
                } else {
                    ObjectNode p = ports.get(r.nextInt(ports.size()));
                    p.putObject("vlan").putArray("trunk-tags").addObject().put("id", 4096 + r.nextInt(1000));
                    what = "trunk out of range";
                }
            }
            case 8 -> {
                ObjectNode b = bridges.get(r.nextInt(bridges.size()));
                b.putObject("bridge").putObject("options").put("fail-mode", r.nextBoolean() ? "open" : "SECURE");
                what = "bad fail-mode";
            }
            case 9 -> {
                ObjectNode b = bridges.get(r.nextInt(bridges.size()));
                b.putObject("bridge").putObject("options").put("datapath", r.nextBoolean() ? "net dev" : "x".repeat(65));
                what = "bad datapath";
            }
            case 10 -> {
                ObjectNode b = bridges.get(r.nextInt(bridges.size()));
                b.withObjectProperty("bridge").put("port", "p1");
                what = "port not a list";
            }
            case 11 -> {
                ObjectNode b = bridges.get(r.nextInt(bridges.size()));
                ArrayNode pl = b.withObjectProperty("bridge").withArrayProperty("port");
                pl.addObject().put("name", "dup");
                pl.addObject().put("name", "dup");
                what = "port listed twice";
            }
            case 12 -> {
                ObjectNode i = list.addObject();
                i.put("name", "m" + r.nextInt(100));
                i.put("type", "ovs-interface");
                i.put("mtu", r.nextBoolean() ? r.nextInt(68) : 65536 + r.nextInt(100000));
                what = "mtu out of range";
            }
            case 19 -> {
                ObjectNode i = list.addObject();
                i.put("name", "q" + r.nextInt(100));
                i.put("type", r.nextBoolean() ? "ovs-interface" : "ethernet");
                ObjectNode el = i.putObject("ingress-policing");
                long bad = r.nextBoolean() ? -1 - r.nextInt(1000) : 4294967296L + r.nextInt(1000);
                switch (r.nextInt(3)) {
                    case 0 -> el.put("rate-kbps", bad);
                    case 1 -> el.put("rate-kbps", 1000).put("burst-kb", bad);
                    default -> el.put("burst-kb", 100);
                }
                what = "ingress-policing out of range or without rate-kbps";
            }
            case 14 -> {
                containerPort(root, r).put("vlan", r.nextBoolean() ? 4096 + r.nextInt(10000) : -1 - r.nextInt(10));
                what = "container port vlan out of range";
            }
            case 15 -> {
                containerPort(root, r).put("ipv4", r.nextBoolean() ? "10.0.0." + (256 + r.nextInt(100)) + "/24" : "10.0.0.1/33");
                what = "container port bad address";
            }
            case 16 -> {
                containerPort(root, r).remove("bridge");
                what = "container port without bridge";
            }
            case 17 -> {
                ObjectNode v = list.addObject();
                v.put("name", "vl" + r.nextInt(100));
                v.put("type", "vlan");
                v.putObject("vlan").put("base-iface", "eth0").put("id", r.nextBoolean() ? 4095 + r.nextInt(10000) : -1);
                what = "vlan link id out of range";
            }
            case 18 -> {
                ObjectNode v = list.addObject();
                v.put("name", "vl" + r.nextInt(100));
                v.put("type", "vlan");
                if (r.nextBoolean()) {
                    v.putObject("vlan").put("id", 5);
                }
                what = "vlan link without vlan or base-iface";
            }
            default -> {
                ObjectNode i = list.addObject();
                i.put("name", "t" + r.nextInt(100));
                i.put("type", "ovs-interface");
                i.putObject("tunnel").put("type", r.nextBoolean() ? "vxlan" : "ipip").putObject("options").put("key", "1");
                what = "tunnel without remote_ip or unknown type";
            }
        }
        try {
            return new Mutated(new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).writeValueAsString(root), what);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid {@code container-ports} entry added to the document, to be broken by the caller. */
    static ObjectNode containerPort(ObjectNode root, Random r) {
        ObjectNode c = root.withArrayProperty("container-ports").addObject();
        c.put("container", "netns:c" + r.nextInt(1000));
        c.put("interface", "eth" + r.nextInt(10));
        c.put("bridge", "br0");
        c.put("ipv4", "10.1." + r.nextInt(250) + "." + (1 + r.nextInt(250)) + "/24");
        return c;
    }

    @Property(tries = 300)
    void mutatedDocumentsAreRejectedWithAPath(@ForAll("invalid") Mutated m) {
        assertThatThrownBy(() -> parser.parse(m.yaml())).as(m.what() + "\n" + m.yaml())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).matches("(interfaces|container-ports)\\[.*");
                    assertThat(e.rule()).isNotBlank();
                    assertThat(e.getMessage()).isEqualTo(e.argument() + ": " + e.rule());
                });
    }
}
