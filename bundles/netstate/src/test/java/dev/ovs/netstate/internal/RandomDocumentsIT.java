package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 generated documents (bridges, ports, VLANs, interface types, external_ids, removals) on a generated
 * starting state, against real ovsdb-server and ovs-vswitchd: each is applied with a confirm timeout and rolled
 * back, and the database must equal its before-image (ovsdb-client dump without volatile columns); an apply
 * that fails (ovs-vswitchd refuses something) must leave it unchanged too. Seeded: a failure names its seed.
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

    /** A random document over small name pools, so that it creates, changes, moves and removes. */
    static Doc randomDoc(Random r) {
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
            Long mtu = r.nextBoolean() ? Long.valueOf(1280 + r.nextInt(8000)) : null;
            entries.add(switch (r.nextInt(5)) {
                case 0 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "geneve",
                        Map.of("remote_ip", "192.0.2." + (1 + r.nextInt(250))), null, ids(r));
                case 1 -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "vxlan",
                        Map.of("remote_ip", "198.51.100." + (1 + r.nextInt(250)), "key", String.valueOf(r.nextInt(1000))), null, null);
                default -> new Doc.Iface(path, p, Doc.Iface.OVS_INTERFACE, false, "internal", Map.of(), mtu, r.nextBoolean() ? ids(r) : null);
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
                    try {
                        engine.apply(writer.write(randomDoc(r)), 0, "start");
                    } catch (NetStateException | dev.ovs.base.InvalidArgumentException e) {
                        outcomes.merge("start state refused", 1, Integer::sum);
                    }
                }
                var before = real.dump();
                String doc = writer.write(randomDoc(r));
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
                    outcomes.merge("apply failed: " + e.kind(), 1, Integer::sum);
                    if (Boolean.getBoolean("netstate.trace")) {
                        System.out.println(i + " failed after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e.getMessage());
                        if (e.kind() == dev.ovs.base.ErrorKind.Timeout) {
                            System.out.println("before: " + engine.show() + "\ndocument:\n" + doc);
                        }
                    }
                    assertThat(real.dump()).as("seed " + seed + " document " + i + " (failed apply)\n" + doc).isEqualTo(before);
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
