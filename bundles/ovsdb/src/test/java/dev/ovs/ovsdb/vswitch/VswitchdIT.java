package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.internal.VSwitchImpl;
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
                OvsdbClient c = OvsdbClient.connect(ClientOptions.of(ovs.db().remote()))) {
            Replica r = c.replica(VSwitch.DB, VSwitchImpl.replicaSpec());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            VSwitch vs = new VSwitchImpl(c, r, true, 20000);
            vs.addBridge("wbr0", BridgeOptions.NONE.withDatapathType("netdev"), false);
            // applied: ovs-vswitchd has created the bridge's local port and assigned it an OpenFlow port
            assertThat(vs.iface("wbr0").orElseThrow().ofport()).isEqualTo(65534L);
            vs.addPort("wbr0", "wp1", PortOptions.NONE.withInterfaceType("internal").withTag(10), false);
            InterfaceInfo i = vs.iface("wp1").orElseThrow();
            assertThat(i.ofport()).isNotNull().isPositive();
            assertThat(i.error()).isNull();
            assertThat(ns.exec("ip", "-o", "link", "show", "wp1")).contains("wp1");
            Long cur = r.rows(VSwitch.DB).iterator().next().getLong("cur_cfg");
            Long next = r.rows(VSwitch.DB).iterator().next().getLong("next_cfg");
            assertThat(cur).isEqualTo(next);
            vs.deletePort("wbr0", "wp1", false);
            assertThat(ovs.appctl("dpif/show")).doesNotContain("wp1");
            vs.deleteBridge("wbr0", false);
            assertThat(ovs.vsctl("list-br")).doesNotContain("wbr0");
        }
    }

    @Test
    void tcpRemote() {
        try (ShortTempDir dir = ShortTempDir.create(); OvsdbServer db = OvsdbServer.start(null, dir.path(), true);
                OvsdbClient c = OvsdbClient.connect(ClientOptions.of("tcp:127.0.0.1:" + db.tcpPort()))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).isTrue();
            assertThat(c.listDbs().join()).contains("Open_vSwitch");
            VSwitch vs = VSwitch.create(c, true, 5000);
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            vs.addBridge("tb0", null, false);
            assertThat(db.vsctl("list-br").trim()).isEqualTo("tb0");
            assertThat(vs.listBridges()).isEqualTo(List.of("tb0"));
        }
    }
}
