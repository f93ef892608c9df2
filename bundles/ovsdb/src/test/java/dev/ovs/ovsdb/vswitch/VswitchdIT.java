package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With ovs-vswitchd (userspace datapath, private network namespace from the harness): each VSwitch call
 * returns only after ovs-vswitchd applied it (next_cfg/cur_cfg); and the TCP remote.
 */
class VswitchdIT {

    @Test
    void waitsForVswitchdLikeOvsVsctl() {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            Replica r = c.replica(VSwitch.DB, VSwitches.replicaTables());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            VSwitch vs = new VSwitchImpl(c, r, true, 20000);
            vs.addBridge("wbr0", BridgeOptions.NONE.withDatapathType("netdev"), false);
            // applied: ovs-vswitchd has created the bridge's local port and assigned it an OpenFlow port
            assertThat(vs.iface("wbr0").orElseThrow().ofport()).isEqualTo(65534L);
            vs.addPort("wbr0", "wp1", PortOptions.NONE.withInterfaceType("internal").withTag(VlanTag.of(10)), false);
            InterfaceInfo i = vs.iface("wp1").orElseThrow();
            assertThat(i.ofport()).isNotNull().isPositive();
            assertThat(i.error()).isNull();
            assertThat(ns.exec("ip", "-o", "link", "show", "wp1")).contains("wp1");
            // typed column changes return once ovs-vswitchd applied them: the device has the requested MTU
            vs.setInterfaceMtuRequest("wp1", 1400);
            assertThat(ns.exec("ip", "-o", "link", "show", "wp1")).contains(" mtu 1400 ");
            vs.setPortVlan("wp1", VlanMode.ACCESS, VlanTag.of(20), null);
            assertThat(ovs.vsctl("get", "Port", "wp1", "vlan_mode", "tag").trim()).isEqualTo("access\n20");
            Long cur = r.rows(VSwitch.DB).iterator().next().getLong("cur_cfg");
            Long next = r.rows(VSwitch.DB).iterator().next().getLong("next_cfg");
            assertThat(cur).isEqualTo(next);
            vs.deletePort("wbr0", "wp1", false);
            assertThat(ovs.appctl("dpif/show")).doesNotContain("wp1");
            vs.deleteBridge("wbr0", false);
            assertThat(ovs.vsctl("list-br")).doesNotContain("wbr0");
        }
    }

    /** odp port number of a port, from "  name ofport/odpport: (type)" lines of ovs-appctl dpif/show. */
    static String odpPort(Ovs ovs, String port) {
        for (String l : ovs.appctl("dpif/show").lines().toList()) {
            String t = l.trim();
            if (t.startsWith(port + " ")) {
                return t.substring(t.indexOf('/') + 1, t.indexOf(':'));
            }
        }
        throw new AssertionError("no " + port + " in dpif/show");
    }

    /**
     * Mirror, QoS and ingress policing applied by ovs-vswitchd (wait mode): the mirror changes the datapath
     * actions ovs-vswitchd computes for a packet from the selected port (ofproto/trace), the linux-htb QoS is a
     * tc qdisc on the tap device, ingress policing a tc ingress qdisc; cleared, they are gone again.
     */
    @Test
    void mirrorAndQosAppliedByVswitchd() {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            Replica r = c.replica(VSwitch.DB, VSwitches.replicaTables());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            VSwitch vs = new VSwitchImpl(c, r, true, 20000);
            vs.addBridge("mbr0", BridgeOptions.NONE.withDatapathType("netdev"), false);
            vs.addPort("mbr0", "mp1", PortOptions.NONE.withInterfaceType("internal").withTag(VlanTag.of(10)), false);
            vs.addPort("mbr0", "mp2", PortOptions.NONE.withInterfaceType("internal").withTag(VlanTag.of(10)), false);
            vs.addPort("mbr0", "mp3", PortOptions.NONE.withInterfaceType("internal").withTag(VlanTag.of(20)), false);
            String mp3 = odpPort(ovs, "mp3");
            String flow = "in_port=mp1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff";
            String before = ovs.appctl("ofproto/trace", "mbr0", flow);
            String actionsBefore = before.substring(before.indexOf("Datapath actions:"));
            assertThat(actionsBefore).doesNotContainPattern("[:,] ?" + mp3 + "(,|$|\\s)");
            vs.addMirror("mbr0", MirrorSpec.ports("tap", java.util.Set.of("mp1"), java.util.Set.of(), "mp3"), false);
            String after = ovs.appctl("ofproto/trace", "mbr0", flow);
            assertThat(after.substring(after.indexOf("Datapath actions:"))).as(after).containsPattern("[:,] ?" + mp3 + "(,|$|\\s)");
            vs.deleteMirror("mbr0", "tap", false);
            String gone = ovs.appctl("ofproto/trace", "mbr0", flow);
            assertThat(gone.substring(gone.indexOf("Datapath actions:"))).doesNotContainPattern("[:,] ?" + mp3 + "(,|$|\\s)");
            // QoS on the tap device of an internal port of the userspace datapath: tc htb
            vs.setQos("mp1", QosSpec.htb(5_000_000));
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "mp1")).contains("htb");
            assertThat(ovs.appctl("qos/show", "mp1")).contains("linux-htb").contains("max-rate: 5000000");
            vs.setIngressPolicing("mp1", 1000, 100);
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "mp1")).contains("ingress");
            vs.setIngressPolicing("mp1", 0, 0);
            vs.clearQos("mp1", false);
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "mp1")).doesNotContain("htb").doesNotContain("ingress");
            assertThat(ovs.vsctl("--columns=_uuid", "list", "QoS").trim()).isEmpty();
            assertThat(ovs.vsctl("--columns=_uuid", "list", "Queue").trim()).isEmpty();
        }
    }

    @Test
    void tcpRemote() {
        try (ShortTempDir dir = ShortTempDir.create(); OvsdbServer db = OvsdbServer.start(null, dir.path(), true);
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of("tcp:127.0.0.1:" + db.tcpPort()))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).isTrue();
            assertThat(c.listDbs().join()).contains("Open_vSwitch");
            VSwitch vs = VSwitches.create(c, true, 5000);
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            vs.addBridge("tb0", null, false);
            assertThat(db.vsctl("list-br").trim()).isEqualTo("tb0");
            assertThat(vs.listBridges()).isEqualTo(List.of("tb0"));
        }
    }
}
