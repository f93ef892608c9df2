package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.TestOvsdb;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VSwitch mirrors, QoS, queues and ingress policing against a real ovsdb-server, cross-checked with ovs-vsctl. */
class MirrorQosIT {
    static TestOvsdb server;
    static OvsdbClient client;
    static VSwitch vs;

    @BeforeAll
    static void up() throws Exception {
        server = TestOvsdb.start();
        client = OvsdbClients.connect(ClientOptions.of(server.remote()));
        Replica replica = client.replica(VSwitch.DB, VSwitches.replicaTables());
        assertThat(replica.awaitSynced(Duration.ofSeconds(10))).isTrue();
        vs = new VSwitchImpl(client, replica, true, 5000);
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static ErrorKind kindOf(Throwable t) {
        return ((OvsdbException) t).kind();
    }

    static String uuidOf(String table, String name) throws Exception {
        return server.vsctl("get", table, name, "_uuid").trim();
    }

    static long rows(String table) throws Exception {
        return server.vsctl("--columns=_uuid", "list", table).lines().filter(l -> l.startsWith("_uuid")).count();
    }

    /** The whole database as ovs-vsctl lists it, to show a refused call changed nothing. */
    static String state() throws Exception {
        StringBuilder b = new StringBuilder();
        for (String t : List.of("Bridge", "Port", "Interface", "Mirror", "QoS", "Queue")) {
            b.append(server.vsctl("list", t));
        }
        return b.toString();
    }

    static void refusedUnchanged(ThrowingCallable call, Class<? extends Throwable> type, String message) throws Exception {
        String before = state();
        assertThatThrownBy(call).isInstanceOf(type).hasMessageContaining(message);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void mirrorsLikeOvsVsctl() throws Exception {
        vs.addBridge("mb0", null, false);
        for (String p : List.of("mp1", "mp2", "mp3", "mp4")) {
            vs.addPort("mb0", p, null, false);
        }
        vs.addBridge("mb1", null, false);
        vs.addPort("mb1", "other1", null, false);
        UUID m0 = vs.addMirror("mb0", MirrorSpec.ports("m0", Set.of("mp1"), Set.of("mp1", "mp2"), "mp3")
                .withSelectVlan(Set.of(VlanTag.of(10), VlanTag.of(20))).withExternalIds(Map.of("owner", "test")), false);
        // ovs-vsctl sees the row and the bridge's reference
        assertThat(server.vsctl("list", "Mirror")).contains("name                : m0");
        assertThat(server.vsctl("get", "Mirror", "m0", "_uuid").trim()).isEqualTo(m0.toString());
        assertThat(server.vsctl("get", "Bridge", "mb0", "mirrors").trim()).isEqualTo("[" + m0 + "]");
        assertThat(server.vsctl("get", "Mirror", "m0", "select_src_port").trim()).isEqualTo("[" + uuidOf("Port", "mp1") + "]");
        assertThat(server.vsctl("get", "Mirror", "m0", "output_port").trim()).isEqualTo(uuidOf("Port", "mp3"));
        assertThat(server.vsctl("get", "Mirror", "m0", "select_vlan").trim()).isEqualTo("[10, 20]");
        assertThat(server.vsctl("get", "Mirror", "m0", "select_all", "external_ids:owner").trim()).isEqualTo("false\ntest");
        MirrorInfo info = vs.listMirrors("mb0").get(0);
        assertThat(info.selectSrcPort()).containsExactly("mp1");
        assertThat(info.selectDstPort()).containsExactly("mp1", "mp2");
        assertThat(info.outputPort()).isEqualTo("mp3");
        assertThat(info.selectVlan()).containsExactly(VlanTag.of(10), VlanTag.of(20));
        assertThat(info.outputVlan()).isNull();
        assertThat(info.bridge()).isEqualTo("mb0");
        // a second mirror: everything, to an RSPAN VLAN
        UUID m1 = vs.addMirror("mb0", MirrorSpec.all("m1", null).withOutputVlan(VlanTag.of(99)), false);
        assertThat(server.vsctl("get", "Mirror", "m1", "select_all", "output_vlan").trim()).isEqualTo("true\n99");
        assertThat(vs.listMirrors("mb0")).extracting(MirrorInfo::name).containsExactly("m0", "m1");
        assertThat(vs.listMirrors("mb0").get(1).outputVlan()).isEqualTo(VlanTag.of(99));
        // may-exist / duplicates
        assertThat(vs.addMirror("mb0", MirrorSpec.all("m1", "mp4"), true)).isEqualTo(m1);
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.all("m1", "mp4"), false), OvsdbException.class, "already has a mirror");
        // bad input: nothing sent, nothing changed
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.all("", "mp4"), false), IllegalArgumentException.class, "mirror: name");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.ports("m2", Set.of(), Set.of(), "mp4"), false),
                IllegalArgumentException.class, "selects nothing");
        refusedUnchanged(() -> vs.addMirror("mb0", new MirrorSpec("m2", true, null, null, null, "mp4", VlanTag.of(5), null), false),
                IllegalArgumentException.class, "exactly one of output_port and output_vlan");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.all("m2", null), false), IllegalArgumentException.class, "exactly one");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.all("m2", null).withOutputVlan(VlanTag.of(0)), false),
                IllegalArgumentException.class, "output_vlan: must be 1..4095");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.ports("m2", Set.of("bad/name"), Set.of(), "mp4"), false),
                IllegalArgumentException.class, "select_src_port");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.ports("m2", Set.of("nosuch"), Set.of(), "mp4"), false),
                OvsdbException.class, "has no port named 'nosuch'");
        refusedUnchanged(() -> vs.addMirror("mb0", MirrorSpec.ports("m2", Set.of("other1"), Set.of(), "mp4"), false),
                OvsdbException.class, "has no port named 'other1'"); // a port of another bridge
        refusedUnchanged(() -> vs.addMirror("nosuchbr", MirrorSpec.all("m2", "mp4"), false), OvsdbException.class, "no bridge");
        // a mirror made by ovs-vsctl is listed; deleting removes the reference and the row (Mirror is not a root table)
        server.vsctl("--", "--id=@p", "get", "Port", "mp2", "--", "--id=@m", "create", "Mirror", "name=vsm", "select_all=true",
                "output_port=@p", "--", "add", "Bridge", "mb0", "mirrors", "@m");
        assertThat(vs.listMirrors("mb0")).extracting(MirrorInfo::name).containsExactly("m0", "m1", "vsm");
        vs.deleteMirror("mb0", "m0", false);
        vs.deleteMirror("mb0", "vsm", false);
        assertThat(server.vsctl("--columns=name", "list", "Mirror")).doesNotContain("m0").doesNotContain("vsm").contains("m1");
        assertThat(server.vsctl("get", "Bridge", "mb0", "mirrors").trim()).isEqualTo("[" + m1 + "]");
        assertThatThrownBy(() -> vs.deleteMirror("mb0", "m0", false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.deleteMirror("mb0", "m0", true);
        assertThatThrownBy(() -> vs.listMirrors("nosuchbr")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.deleteBridge("mb0", false);
        assertThat(rows("Mirror")).isZero();
    }

    @Test
    void qosAndQueuesLeaveNoOrphans() throws Exception {
        vs.addBridge("qb0", null, true);
        vs.addPort("qb0", "qp1", null, false);
        vs.addPort("qb0", "qp2", null, false);
        long qos0 = rows("QoS");
        long queue0 = rows("Queue");
        QosSpec spec = new QosSpec("linux-htb", Map.of("max-rate", "10000000"),
                Map.of(0L, QueueSpec.rates(1_000_000L, 10_000_000L), 1L, new QueueSpec(10, Map.of("max-rate", "5000000"), Map.of())),
                Map.of("owner", "test"));
        UUID q = vs.setQos("qp1", spec);
        assertThat(server.vsctl("get", "Port", "qp1", "qos").trim()).isEqualTo(q.toString());
        assertThat(server.vsctl("list", "QoS")).contains("linux-htb").contains("max-rate=\"10000000\"");
        assertThat(server.vsctl("get", "QoS", q.toString(), "type", "other_config:max-rate").trim()).isEqualTo("linux-htb\n\"10000000\"");
        assertThat(server.vsctl("list", "Queue")).contains("min-rate=\"1000000\"").contains("dscp                : 10");
        assertThat(rows("QoS")).isEqualTo(qos0 + 1);
        assertThat(rows("Queue")).isEqualTo(queue0 + 2);
        QosInfo info = vs.qos("qp1").orElseThrow();
        assertThat(info.type()).isEqualTo("linux-htb");
        assertThat(info.queues()).containsOnlyKeys(0L, 1L);
        assertThat(info.queues().get(1L).dscp()).isEqualTo(10L);
        assertThat(info.queues().get(0L).otherConfig()).containsEntry("max-rate", "10000000");
        assertThat(info.ports()).containsExactly("qp1");
        // replacing destroys the old QoS and its queues in the same transaction
        UUID q2 = vs.setQos("qp1", QosSpec.htb(2_000_000));
        assertThat(q2).isNotEqualTo(q);
        assertThat(rows("QoS")).isEqualTo(qos0 + 1);
        assertThat(rows("Queue")).isEqualTo(queue0 + 1);
        // queues: add, replace (old Queue row destroyed), delete
        UUID qu5 = vs.setQueue("qp1", 5, QueueSpec.rates(null, 100_000L));
        assertThat(server.vsctl("get", "QoS", q2.toString(), "queues:5").trim()).isEqualTo(qu5.toString());
        assertThat(rows("Queue")).isEqualTo(queue0 + 2);
        UUID qu5b = vs.setQueue("qp1", 5, QueueSpec.rates(null, 200_000L));
        assertThat(rows("Queue")).isEqualTo(queue0 + 2);
        assertThat(server.vsctl("get", "Queue", qu5b.toString(), "other_config:max-rate").trim()).isEqualTo("\"200000\"");
        vs.deleteQueue("qp1", 5, false);
        assertThat(rows("Queue")).isEqualTo(queue0 + 1);
        assertThat(vs.qos("qp1").orElseThrow().queues()).containsOnlyKeys(0L);
        assertThatThrownBy(() -> vs.deleteQueue("qp1", 5, false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.deleteQueue("qp1", 5, true);
        assertThatThrownBy(() -> vs.setQueue("qp2", 1, QueueSpec.rates(null, 1L))).hasMessageContaining("has no QoS")
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        // bad input: nothing sent, nothing changed
        refusedUnchanged(() -> vs.setQos("qp1", new QosSpec("linux-bogus", null, null, null)), IllegalArgumentException.class, "qos: type");
        refusedUnchanged(() -> vs.setQos("qp1", new QosSpec("linux-htb", Map.of("max-rate", "fast"), null, null)),
                IllegalArgumentException.class, "max-rate must be a non-negative decimal integer");
        refusedUnchanged(() -> vs.setQos("qp1", new QosSpec("linux-htb", null, Map.of(1L << 32, QueueSpec.rates(null, 1L)), null)),
                IllegalArgumentException.class, "queue number must be 0..4294967295");
        refusedUnchanged(() -> vs.setQos("qp1", new QosSpec("linux-htb", null, Map.of(0L, new QueueSpec(64, null, null)), null)),
                IllegalArgumentException.class, "dscp must be 0..63");
        refusedUnchanged(() -> vs.setQueue("qp1", -1, QueueSpec.rates(null, 1L)), IllegalArgumentException.class, "queue number");
        refusedUnchanged(() -> vs.setQos("bad/port", QosSpec.htb(1)), IllegalArgumentException.class, "port: must not contain");
        refusedUnchanged(() -> vs.setQos("nosuchport", QosSpec.htb(1)), OvsdbException.class, "no port named");
        // a QoS shared with another port (set by ovs-vsctl) survives clearing one of them
        server.vsctl("set", "Port", "qp2", "qos=" + q2);
        assertThat(vs.qos("qp1").orElseThrow().ports()).containsExactly("qp1", "qp2");
        assertThat(vs.clearQos("qp1", false)).isTrue();
        assertThat(server.vsctl("get", "Port", "qp1", "qos").trim()).isEqualTo("[]");
        assertThat(rows("QoS")).isEqualTo(qos0 + 1);
        assertThat(vs.clearQos("qp2", false)).isTrue();
        // no orphans: like ovs-vsctl clear Port qos -- destroy QoS -- destroy Queue
        assertThat(rows("QoS")).isEqualTo(qos0);
        assertThat(rows("Queue")).isEqualTo(queue0);
        assertThat(vs.clearQos("qp2", false)).isFalse();
        assertThat(vs.qos("qp2")).isEmpty();
        assertThatThrownBy(() -> vs.clearQos("nosuchport", false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        assertThat(vs.clearQos("nosuchport", true)).isFalse();
    }

    @Test
    void ingressPolicingInKbits() throws Exception {
        vs.addBridge("ib0", null, true);
        vs.addPort("ib0", "ip1", null, false);
        vs.setIngressPolicing("ip1", 10_000, 1_000);
        assertThat(server.vsctl("get", "Interface", "ip1", "ingress_policing_rate", "ingress_policing_burst").trim()).isEqualTo("10000\n1000");
        refusedUnchanged(() -> vs.setIngressPolicing("ip1", -1, 0), IllegalArgumentException.class, "ingress_policing_rate");
        refusedUnchanged(() -> vs.setIngressPolicing("ip1", 1, 1L << 32), IllegalArgumentException.class, "ingress_policing_burst");
        refusedUnchanged(() -> vs.setIngressPolicing("nosuch", 1, 1), OvsdbException.class, "no interface named");
        vs.setIngressPolicing("ip1", 0, 0);
        assertThat(server.vsctl("get", "Interface", "ip1", "ingress_policing_rate").trim()).isEqualTo("0");
    }

    /**
     * Two clients (each with its own replica) add the same mirror name to one bridge at the same moment, 20
     * times: the Bridge.mirrors verify makes the slower one fail, resync, see the name and report
     * AlreadyExists. Without the guard both inserts would commit and the bridge would have two mirrors of
     * that name.
     */
    @Test
    void concurrentSameNameMirrorIsCreatedOnce() throws Exception {
        vs.addBridge("rb0", null, true);
        vs.addPort("rb0", "rp1", null, true);
        try (OvsdbClient c2 = OvsdbClients.connect(ClientOptions.of(server.remote()))) {
            Replica r2 = c2.replica(VSwitch.DB, VSwitches.replicaTables());
            assertThat(r2.awaitSynced(Duration.ofSeconds(10))).isTrue();
            VSwitch vs2 = new VSwitchImpl(c2, r2, false, 5000);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 20; round++) {
                    String name = "race" + round;
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                    List<java.util.concurrent.Future<String>> f = new java.util.ArrayList<>();
                    for (VSwitch v : List.of(vs, vs2)) {
                        f.add(pool.submit(() -> {
                            start.await();
                            try {
                                v.addMirror("rb0", MirrorSpec.all(name, "rp1"), false);
                                return "ok";
                            } catch (OvsdbException e) {
                                return e.kind().toString();
                            }
                        }));
                    }
                    List<String> outcomes = new java.util.ArrayList<>();
                    for (var x : f) {
                        outcomes.add(x.get(30, java.util.concurrent.TimeUnit.SECONDS));
                    }
                    assertThat(outcomes).as(name).containsExactlyInAnyOrder("ok", "AlreadyExists");
                    assertThat(server.vsctl("--columns=name", "list", "Mirror").lines().filter(l -> l.trim().endsWith(": " + name)))
                            .as(name).hasSize(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(vs.listMirrors("rb0")).hasSize(20);
        vs.deleteBridge("rb0", false);
    }
}
