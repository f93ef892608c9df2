package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.doc.DocWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 generated documents (bridges, ports, VLANs, interface types, MTUs set and cleared, ingress policing, external_ids,
 * removals) on a generated starting state, against real ovsdb-server and ovs-vswitchd: each is applied with a confirm
 * timeout and rolled back, and the database must equal its before-image (ovsdb-client dump without volatile columns). A
 * refused document must leave it unchanged; so must a failed apply, which is allowed only of one kind
 * ({@link #allowedFailure}: a port on a kernel device that does not exist), any other fails the test with the document and
 * the message. Seeded ({@code -Dnetstate.seed}): a failure names its seed.
 */
class RandomDocumentsIT {
    static RealOvs real;
    static final int DOCUMENTS = Integer.getInteger("netstate.documents", 200);

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
    }

    @AfterAll
    static void down() {
        if (real != null) {
            real.close();
        }
    }

    /** The one kind of failed apply a valid generated document may have; see {@link #allowedFailure}. */
    static final String NO_DEVICE = "apply failed: no such kernel device";
    static final Pattern NO_DEVICE_MESSAGE = Pattern.compile(
            "apply failed: interface (\\S+): ovs-vswitchd: could not open network device \\1 \\(No such device\\); rolled back");

    /**
     * Checks that a failed apply of a valid generated document is of the one allowed kind, else fails the test with the
     * document and the message. Allowed: a {@code bridge.port} without an {@code ovs-interface} entry is a port on a
     * kernel device, and the generator leaves out a tenth of the interface entries of the ports it lists; the network
     * state does not check the kernel's devices (docs/state.md, Interfaces), so ovs-vswitchd's {@code error} fails the
     * apply ({@code Failed}, "could not open network device X (No such device)"). The named interface must be such a
     * new port of the document, and the device must really be missing in ovs-vswitchd's namespace.
     *
     * @param before the database before the apply ({@link RealOvs#dump()})
     * @return the outcome's name, {@link #NO_DEVICE}
     */
    static String allowedFailure(Doc d, Map<String, Map<String, String>> before, NetStateException e, String why) {
        String what = why + "\napply failed (" + e.kind() + "): " + e.getMessage();
        assertThat(e.kind()).as(what).isEqualTo(dev.ovs.base.ErrorKind.Failed);
        Matcher m = NO_DEVICE_MESSAGE.matcher(String.valueOf(e.getMessage()));
        assertThat(m.matches()).as(what + "\n(the only failure allowed: a port on a kernel device that does not exist)").isTrue();
        String name = m.group(1);
        boolean listed = d.interfaces().stream().anyMatch(x -> x instanceof Doc.Bridge b && b.ports() != null
                && b.ports().stream().anyMatch(p -> p.name().equals(name)));
        boolean kernel = d.interfaces().stream().noneMatch(x -> x instanceof Doc.Iface i && i.name().equals(name)
                && !i.absent() && i.ovsType() != null && !i.ovsType().isEmpty());
        assertThat(listed && kernel).as(what + "\n(" + name + " is no port on a kernel device of the document)").isTrue();
        assertThat(before).as(what + "\n(" + name + " was an interface before)").doesNotContainKey("Interface:" + name);
        assertThatThrownBy(() -> real.ns.exec("ip", "link", "show", name)).as(what + "\n(the device exists)")
                .isInstanceOf(dev.ovs.itests.harness.Cmd.Failed.class);
        return NO_DEVICE;
    }

    /** A random document over small name pools, so that it creates, changes, moves and removes. */
    static Doc randomDoc(Random r) {
        return randomDoc(r, false);
    }

    /**
     * @param policing whether internal interfaces may get an {@code ingress-policing} (draws more from {@code r}, so
     *                 the documents of a seed differ from those without)
     */
    static Doc randomDoc(Random r, boolean policing) {
        List<Doc.Entry> entries = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ports.add("rp" + i);
        }
        Collections.shuffle(ports, r);
        int next = 0;
        List<String> listed = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            int dice = r.nextInt(6);
            if (dice == 0) {
                continue;
            }
            String path = "interfaces[" + entries.size() + "]";
            if (dice == 1) {
                entries.add(new Doc.Bridge(path, "rb" + b, true, null, null, null, null));
                continue;
            }
            List<Doc.Port> pl = null;
            if (r.nextBoolean()) {
                pl = new ArrayList<>();
                for (int k = r.nextInt(4); k > 0 && next < ports.size(); k--) {
                    String p = ports.get(next++);
                    listed.add(p);
                    pl.add(new Doc.Port(path + ".bridge.port[" + pl.size() + "]", p, r.nextBoolean() ? vlan(r) : null,
                            r.nextInt(4) == 0 ? ids(r) : null));
                }
            }
            entries.add(new Doc.Bridge(path, "rb" + b, false, r.nextInt(3) == 0 ? "netdev" : null,
                    switch (r.nextInt(4)) {
                        case 0 -> "secure";
                        case 1 -> "standalone";
                        case 2 -> "";
                        default -> null;
                    }, pl, r.nextInt(3) == 0 ? ids(r) : null));
        }
        for (String p : listed) {
            if (r.nextInt(10) == 0) {
                continue; // a port on a kernel device that does not exist: ovs-vswitchd refuses it
            }
            String path = "interfaces[" + entries.size() + "]";
            int diceMtu = r.nextInt(6); // mtu given (1/2), given as null (1/6: cleared), not given
            Long mtu = diceMtu < 3 ? Long.valueOf(1280 + r.nextInt(8000)) : null;
            entries.add(switch (r.nextInt(5)) {
                case 0 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "geneve",
                        Map.of("remote_ip", "192.0.2." + (1 + r.nextInt(250))), null, ids(r));
                case 1 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "vxlan",
                        Map.of("remote_ip", "198.51.100." + (1 + r.nextInt(250)), "key", String.valueOf(r.nextInt(1000))), null, null);
                default -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "internal", Map.of(), mtu, r.nextBoolean() ? ids(r) : null,
                        policing && r.nextInt(3) == 0 ? new Doc.IngressPolicing(r.nextInt(3) * 1000L * r.nextInt(100), r.nextInt(2) * 100L) : null,
                        diceMtu == 3);
            });
        }
        for (int i = next; i < ports.size(); i++) {
            if (r.nextInt(8) == 0) {
                entries.add(new Doc.Iface("interfaces[" + entries.size() + "]", ports.get(i), Doc.Iface.OVS_INTERFACE, true, null,
                        null, null, null));
            }
        }
        return new Doc(entries);
    }

    static Doc.Vlan vlan(Random r) {
        String[] modes = {null, "access", "trunk", "native-untagged", "native-tagged"};
        TreeSet<Long> trunks = new TreeSet<>();
        for (int i = r.nextInt(3) == 0 ? r.nextInt(6) : 0; i > 0; i--) {
            trunks.add((long) r.nextInt(4095));
        }
        return new Doc.Vlan(modes[r.nextInt(modes.length)], r.nextBoolean() ? Long.valueOf(r.nextInt(4095)) : null, trunks);
    }

    static Map<String, String> ids(Random r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            m.put("k" + r.nextInt(4), r.nextInt(5) == 0 ? null : "v" + r.nextInt(100));
        }
        return m;
    }

    /**
     * Applies and commits a random starting state; a refusal or an allowed failure ({@link #allowedFailure}) is counted
     * in {@code outcomes}, any other failure fails the test naming {@code why} and the document.
     */
    static void applyStart(NetStateEngine engine, DocWriter writer, Doc start, Map<String, Integer> outcomes, String why)
            throws Exception {
        var dump0 = real.dump();
        try {
            engine.apply(writer.write(start), 0, "start");
        } catch (dev.ovs.base.InvalidArgumentException e) {
            outcomes.merge("start state refused", 1, Integer::sum);
        } catch (NetStateException e) {
            outcomes.merge("start state: " + allowedFailure(start, dump0, e, why + "\n" + writer.write(start)), 1, Integer::sum);
        }
    }

    /** Applies and commits a document that must apply; a failure names {@code why} (seed, document, before). */
    static void applyOrFail(NetStateEngine engine, String doc, String why) {
        try {
            engine.apply(doc, 0, "random");
        } catch (RuntimeException e) {
            throw new AssertionError(why + "\n" + e, e);
        }
    }

    /** Documents of {@link #withContainerPortsAndTheOldShow}: {@code -Dnetstate.documents.ports}, default 20 (CI). */
    static final int PORT_DOCUMENTS = Integer.getInteger("netstate.documents.ports", 20);

    /** {@link #randomDoc} plus {@code container-ports} on three containers (two interfaces each): attach, change, detach. */
    static Doc randomDocWithPorts(Random r, List<dev.ovs.itests.harness.Netns> containers) {
        Doc base = randomDoc(r);
        List<Doc.ContainerPort> cps = new ArrayList<>();
        for (dev.ovs.itests.harness.Netns c : containers) {
            for (String iface : List.of("eth1", "eth2")) {
                int dice = r.nextInt(4);
                if (dice == 0) {
                    continue;
                }
                String path = "container-ports[" + cps.size() + "]";
                String ref = "netns:" + c.name();
                if (dice == 1) {
                    cps.add(new Doc.ContainerPort(path, ref, iface, true, null, null, null, null, null, null, false, null));
                    continue;
                }
                boolean tagged = r.nextBoolean();
                String bridge = "rb" + r.nextInt(4);
                int subnet = r.nextInt(4);
                // each setting given, given as null (cleared), or not given
                java.util.Set<String> cleared = new TreeSet<>();
                String ipv4 = null;
                int dice4 = r.nextInt(8);
                if (dice4 < 6) {
                    ipv4 = "10.70." + subnet + "." + (1 + r.nextInt(250)) + "/24";
                } else if (dice4 == 6) {
                    cleared.add("ipv4");
                }
                String gateway = null;
                int diceGw = r.nextInt(6);
                if (diceGw == 0 && ipv4 != null) {
                    gateway = "10.70." + subnet + ".254";
                } else if (diceGw == 1) {
                    cleared.add("gateway");
                }
                Long mtu = null;
                int diceMtu = r.nextInt(6);
                if (diceMtu == 0) {
                    mtu = 1280L + r.nextInt(8000);
                } else if (diceMtu == 1) {
                    cleared.add("mtu");
                }
                String mac = null;
                int diceMac = r.nextInt(6);
                if (diceMac == 0) {
                    mac = String.format("02:00:00:70:%02x:%02x", cps.size(), r.nextInt(256));
                } else if (diceMac == 1) {
                    cleared.add("mac");
                }
                cps.add(new Doc.ContainerPort(path, ref, iface, false, bridge, ipv4, null, mac, mtu, gateway, tagged,
                        tagged ? Long.valueOf(1 + r.nextInt(4094)) : null, cleared));
            }
        }
        return new Doc(base.interfaces(), cps);
    }

    /**
     * The database (container ports' random host port names replaced by {@code cport:<container>/<interface>}) and each
     * container's IPv4 addresses, links (name and MTU) and IPv4 routes.
     */
    static Map<String, String> state(List<dev.ovs.itests.harness.Netns> containers) throws Exception {
        Map<String, String> alias = new LinkedHashMap<>();
        for (dev.ovs.portagent.ContainerPort p : real.agent.listPorts()) {
            alias.put(p.port(), "cport:" + p.containerId() + "/" + p.containerIface());
        }
        Map<String, Map<String, String>> dump = new TreeMap<>();
        for (var row : real.dump().entrySet()) {
            Map<String, String> cols = new TreeMap<>();
            for (var c : row.getValue().entrySet()) {
                String v = c.getValue();
                for (var a : alias.entrySet()) {
                    v = v.replace(a.getKey(), a.getValue());
                }
                if (v.startsWith("set[@") && v.endsWith("]")) {
                    v = "set" + new TreeSet<>(List.of(v.substring(4, v.length() - 1).split(", ")));
                }
                cols.put(c.getKey(), v);
            }
            String key = row.getKey();
            for (var a : alias.entrySet()) {
                key = key.replace(a.getKey(), a.getValue());
            }
            dump.put(key, cols);
        }
        Map<String, String> m = new TreeMap<>();
        m.put("ovsdb", dump.toString());
        for (dev.ovs.itests.harness.Netns c : containers) {
            m.put(c.name(), c.exec("ip", "-o", "-4", "addr", "show").lines().map(l -> l.replaceAll("^\\d+: ", "").replaceAll("\\\\.*$", "")
                    .trim()).sorted().toList() + " " + c.exec("ip", "-o", "link", "show").lines().map(l -> l.replaceAll("^\\d+: ", "")
                    .replaceAll("^([^:@]*)[:@].* (mtu \\d+).*$", "$1 $2")).sorted().toList() + " " + c.exec("ip", "-4", "route", "show")
                    .lines().map(String::trim).sorted().toList());
        }
        return m;
    }

    /**
     * The old {@code Show()}'s entries made explicit where a partial document would leave the newer value alone:
     * {@code fail-mode}/{@code datapath} {@code ""} where the old one had none, an empty {@code vlan} where the old
     * port had none, {@code mtu: null} where the old interface had no {@code mtu}, and a null value (remove) for each
     * {@code external_ids} key the old entry did not have.
     *
     * @return the entries
     */
    private static List<Doc.Entry> restored(Doc old, Doc now) {
        Map<String, Doc.Entry> byName = new java.util.HashMap<>();
        Map<String, Doc.Port> nowPorts = new java.util.HashMap<>(); // by name, on whichever bridge they are now
        now.interfaces().forEach(e -> {
            byName.put(e.name(), e);
            if (e instanceof Doc.Bridge b && b.ports() != null) {
                b.ports().forEach(p -> nowPorts.put(p.name(), p));
            }
        });
        List<Doc.Entry> out = new ArrayList<>();
        for (Doc.Entry e : old.interfaces()) {
            Doc.Entry n = byName.get(e.name());
            if (e instanceof Doc.Bridge ob && n instanceof Doc.Bridge nb) {
                List<Doc.Port> ports = ob.ports() == null ? null : ob.ports().stream().map(p -> {
                    Doc.Port np = nowPorts.get(p.name());
                    Doc.Vlan vlan = p.vlan() == null && np != null && np.vlan() != null
                            ? new Doc.Vlan(null, null, new TreeSet<>()) : p.vlan();
                    return new Doc.Port(p.path(), p.name(), vlan, restoredIds(p.externalIds(), np == null ? null : np.externalIds()));
                }).toList();
                e = new Doc.Bridge(ob.path(), ob.name(), false, ob.datapath() == null && nb.datapath() != null ? "" : ob.datapath(),
                        ob.failMode() == null && nb.failMode() != null ? "" : ob.failMode(), ports,
                        restoredIds(ob.externalIds(), nb.externalIds()));
            } else if (e instanceof Doc.Iface oi && n instanceof Doc.Iface ni && !oi.absent()) {
                e = new Doc.Iface(oi.path(), oi.name(), oi.kind(), false, oi.ovsType(), oi.options(), oi.mtu(),
                        restoredIds(oi.externalIds(), ni.externalIds()), oi.ingressPolicing(), oi.mtu() == null && ni.mtu() != null);
            }
            out.add(e);
        }
        return out;
    }

    /**
     * The old {@code Show()}'s container ports, with {@code vlan: null} (no tag) where the old port had no tag and the
     * port has one now, and {@code ipv4}/{@code ipv6}/{@code mac}/{@code mtu}/{@code gateway} {@code null} where the old
     * port had no such setting and the port has one now (a partial document leaves a setting it does not give alone).
     *
     * @return the ports
     */
    private static List<Doc.ContainerPort> restoredPorts(Doc old, Doc now) {
        Map<String, Doc.ContainerPort> byKey = new java.util.HashMap<>();
        now.containerPorts().forEach(c -> byKey.put(c.key(), c));
        List<Doc.ContainerPort> out = new ArrayList<>();
        for (Doc.ContainerPort o : old.containerPorts()) {
            Doc.ContainerPort n = byKey.get(o.key());
            if (n == null || o.absent() || n.absent()) {
                out.add(o);
                continue;
            }
            java.util.Set<String> cleared = new TreeSet<>();
            Map<String, Object> was = dev.ovs.netstate.internal.ports.Attachment.of(o).fields();
            dev.ovs.netstate.internal.ports.Attachment.of(n).fields().forEach((k, v) -> {
                if (v != null && was.get(k) == null) {
                    cleared.add(k);
                }
            });
            boolean clearTag = o.vlan() == null && n.vlan() != null;
            out.add(new Doc.ContainerPort(o.path(), o.container(), o.iface(), false, o.bridge(), o.ipv4(), o.ipv6(), o.mac(), o.mtu(),
                    o.gateway(), clearTag || o.vlanGiven(), o.vlan(), cleared));
        }
        return out;
    }

    /** {@code old}'s keys, plus a null value (remove) for each key of {@code now} that {@code old} does not have. */
    private static Map<String, String> restoredIds(Map<String, String> old, Map<String, String> now) {
        if (now == null || (old != null && old.keySet().containsAll(now.keySet()))) {
            return old;
        }
        Map<String, String> m = old == null ? new TreeMap<>() : new TreeMap<>(old);
        now.keySet().forEach(k -> m.putIfAbsent(k, null));
        return m;
    }

    /**
     * With container ports: apply with a confirm timeout and roll back → the start (database, container addresses,
     * links and routes); apply and commit, then apply the old {@code Show()} (made explicit: {@code null} for each
     * {@code mtu}, container port setting and tag the old state did not have, {@code state: absent} for what the
     * document created, which a partial document leaves alone otherwise; the bridges it created in a second document)
     * → the start. Seeded; size {@code -Dnetstate.documents.ports} (CI 20; the benchmark module's fuzz suite runs more).
     */
    @Test
    void withContainerPortsAndTheOldShow() throws Exception {
        long seed = Long.getLong("netstate.seed", System.nanoTime());
        Random r = new Random(seed);
        DocWriter writer = new DocWriter();
        dev.ovs.netstate.internal.doc.DocParser parser = new dev.ovs.netstate.internal.doc.DocParser();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<dev.ovs.itests.harness.Netns> containers = new ArrayList<>();
        if (real.agent == null) {
            real.startAgent();
        }
        NetStateEngine engine = real.engine();
        try {
            for (int i = 0; i < 3; i++) {
                containers.add(dev.ovs.itests.harness.Netns.create());
            }
            for (int i = 0; i < PORT_DOCUMENTS; i++) {
                if (i % 10 == 0) {
                    for (dev.ovs.portagent.ContainerPort p : real.agent.listPorts()) {
                        real.agent.deletePort(p.bridge(), p.containerIface(), p.containerId(), "test");
                    }
                    for (String b : real.vsctl("list-br").lines().toList()) {
                        real.vsctl("--if-exists", "del-br", b);
                    }
                    Doc start = randomDocWithPorts(r, containers);
                    applyStart(engine, writer, start, outcomes, "seed " + seed + " start state " + i);
                }
                Map<String, String> before = state(containers);
                var dump0 = real.dump();
                String show0 = engine.show();
                Doc generated = randomDocWithPorts(r, containers);
                String doc = writer.write(generated);
                String why = "seed " + seed + " document " + i + "\n" + doc + "\nbefore:\n" + show0;
                String id;
                try {
                    id = engine.apply(doc, 600, "random");
                } catch (dev.ovs.base.InvalidArgumentException e) {
                    outcomes.merge("refused", 1, Integer::sum);
                    assertThat(state(containers)).as(why + " (refused)").isEqualTo(before);
                    continue;
                } catch (NetStateException e) {
                    assertThat(state(containers)).as(why + "\n(failed apply: " + e.getMessage() + ")").isEqualTo(before);
                    outcomes.merge(allowedFailure(generated, dump0, e, why), 1, Integer::sum);
                    continue;
                }
                if (engine.checkpoint(id).orElseThrow().state() == Checkpoint.State.COMMITTED) {
                    outcomes.merge("no changes", 1, Integer::sum);
                    continue;
                }
                engine.rollback(id, "random");
                assertThat(state(containers)).as(why + " (rolled back)").isEqualTo(before);
                // the same document committed, then the old Show() with what the document created marked absent
                applyOrFail(engine, doc, why + "\n(applied again and committed)");
                Doc old = parser.parse(show0);
                Doc now = parser.parse(engine.show());
                java.util.Set<String> had = new java.util.HashSet<>();
                old.interfaces().forEach(e -> {
                    had.add(e.name());
                    if (e instanceof Doc.Bridge b && b.ports() != null) {
                        b.ports().forEach(p -> had.add(p.name()));
                    }
                });
                List<Doc.Entry> entries = restored(old, now);
                java.util.Set<String> gone = new java.util.LinkedHashSet<>();
                List<Doc.Entry> newBridges = new ArrayList<>();
                for (Doc.Entry e : now.interfaces()) {
                    if (!had.contains(e.name()) && e instanceof Doc.Bridge) {
                        newBridges.add(new Doc.Bridge("interfaces[" + newBridges.size() + "]", e.name(), true, null, null, null, null));
                        gone.add(e.name());
                    }
                }
                for (Doc.Entry e : now.interfaces()) {
                    List<String> names = new ArrayList<>(List.of(e.name()));
                    if (e instanceof Doc.Bridge b && b.ports() != null && !gone.contains(b.name())) {
                        b.ports().forEach(p -> names.add(p.name()));
                    }
                    for (String n : names) {
                        if (!had.contains(n) && !gone.contains(n) && !(e instanceof Doc.Bridge b && b.name().equals(n)) && gone.add(n)) {
                            entries.add(new Doc.Iface("interfaces[" + entries.size() + "]", n, Doc.Iface.OVS_INTERFACE, true, null, null,
                                    null, null));
                        }
                    }
                }
                List<Doc.ContainerPort> cps = restoredPorts(old, now);
                java.util.Set<String> hadPorts = new java.util.HashSet<>();
                old.containerPorts().forEach(c -> hadPorts.add(c.key()));
                for (Doc.ContainerPort c : now.containerPorts()) {
                    if (!hadPorts.contains(c.key())) {
                        cps.add(new Doc.ContainerPort("container-ports[" + cps.size() + "]", c.container(), c.iface(), true, null, null, null,
                                null, null, null, false, null));
                    }
                }
                // two documents: a container port cannot leave a bridge that the same document removes
                String back = writer.write(new Doc(entries, cps, old.links(), old.routes()));
                applyOrFail(engine, back, why + "\n(the old Show applied)\n" + back);
                if (!newBridges.isEmpty()) {
                    back += "---\n" + writer.write(new Doc(newBridges));
                    applyOrFail(engine, writer.write(new Doc(newBridges)), why + "\n(the old Show applied, then the new bridges removed)\n"
                            + back);
                }
                assertThat(state(containers)).as(why + " (the old Show applied)\n" + back).isEqualTo(before);
                outcomes.merge("rolled back, and restored by the old Show", 1, Integer::sum);
            }
        } finally {
            engine.close();
            for (dev.ovs.itests.harness.Netns c : containers) {
                c.close();
            }
        }
        System.out.println("random documents with container ports (seed " + seed + "): " + outcomes);
        // about half the documents are refused (a container port on a bridge the document removes or that does not exist)
        // or change nothing; every other one must make the whole round trip, and at least a tenth of them must change something
        assertThat(outcomes.getOrDefault("rolled back, and restored by the old Show", 0)).as("many documents change something")
                .isGreaterThanOrEqualTo(Math.max(1, PORT_DOCUMENTS / 10));
    }

    @Test
    void applyThenRollbackRestoresTheBeforeImage() throws Exception {
        long seed = Long.getLong("netstate.seed", System.nanoTime());
        Random r = new Random(seed);
        DocWriter writer = new DocWriter();
        Map<String, Integer> outcomes = new TreeMap<>();
        NetStateEngine engine = real.engine();
        try {
            for (int i = 0; i < DOCUMENTS; i++) {
                if (i % 20 == 0) {
                    // a new random starting state, committed
                    for (String b : real.vsctl("list-br").lines().toList()) {
                        real.vsctl("--if-exists", "del-br", b);
                    }
                    Doc start = randomDoc(r, true);
                    applyStart(engine, writer, start, outcomes, "seed " + seed + " start state " + i);
                }
                var before = real.dump();
                Doc generated = randomDoc(r, true);
                String doc = writer.write(generated);
                long t0 = System.nanoTime();
                if (Boolean.getBoolean("netstate.trace")) {
                    System.out.println("document " + i + ":\n" + doc);
                }
                String id;
                try {
                    id = engine.apply(doc, 600, "random");
                } catch (dev.ovs.base.InvalidArgumentException e) {
                    outcomes.merge("refused: " + e.rule().replaceAll("'[^']*'", "_"), 1, Integer::sum);
                    assertThat(real.dump()).as("seed " + seed + " document " + i + " (refused)\n" + doc).isEqualTo(before);
                    continue;
                } catch (NetStateException e) {
                    if (Boolean.getBoolean("netstate.trace")) {
                        System.out.println(i + " failed after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e.getMessage());
                        if (e.kind() == dev.ovs.base.ErrorKind.Timeout) {
                            System.out.println("before: " + engine.show() + "\ndocument:\n" + doc);
                        }
                    }
                    assertThat(real.dump()).as("seed " + seed + " document " + i + " (failed apply: " + e.getMessage() + ")\n" + doc)
                            .isEqualTo(before);
                    outcomes.merge(allowedFailure(generated, before, e, "seed " + seed + " document " + i + "\n" + doc), 1, Integer::sum);
                    continue;
                }
                Checkpoint cp = engine.checkpoint(id).orElseThrow();
                if (cp.state() == Checkpoint.State.COMMITTED) {
                    outcomes.merge("no changes", 1, Integer::sum);
                    assertThat(real.dump()).isEqualTo(before);
                    continue;
                }
                long t1 = System.nanoTime();
                engine.rollback(id, "random");
                if (Boolean.getBoolean("netstate.trace")) {
                    System.out.println(i + " apply " + (t1 - t0) / 1_000_000 + " ms, rollback " + (System.nanoTime() - t1) / 1_000_000 + " ms");
                }
                outcomes.merge("applied and rolled back", 1, Integer::sum);
                assertThat(real.dump()).as("seed " + seed + " document " + i + "\n" + doc).isEqualTo(before);
            }
        } finally {
            engine.close();
        }
        System.out.println("random documents (seed " + seed + "): " + outcomes);
        assertThat(outcomes.getOrDefault("applied and rolled back", 0)).as("most documents change something")
                .isGreaterThan(DOCUMENTS / 2);
    }
}
