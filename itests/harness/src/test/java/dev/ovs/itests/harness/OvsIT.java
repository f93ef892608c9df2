package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** ovsdb-server and ovs-vswitchd start in a fresh namespace, answer, and leave nothing behind. */
class OvsIT {

    @Test
    void ovsdbServerAnswersRestartsAndIsCleanedUp() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        long pid;
        String nsName;
        Path dir;
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create();
                OvsdbServer db = OvsdbServer.start(ns, tmp.path(), true)) {
            dir = tmp.path();
            nsName = ns.name();
            assertThat(ns.path()).exists();
            assertThat(db.client("list-dbs")).contains("Open_vSwitch").contains("_Server");
            assertThat(db.remote()).isEqualTo("unix:" + tmp.resolve("db.sock"));
            assertThat(db.tcpPort()).isEqualTo(6640);
            // TCP is reachable inside the namespace only
            assertThat(ns.exec("ovsdb-client", "list-dbs", "tcp:127.0.0.1:6640")).contains("Open_vSwitch");
            assertThat(ns.pids()).contains(db.pid());
            db.vsctl("add-br", "br0");
            assertThat(db.vsctl("list-br")).contains("br0");
            pid = db.pid();
            db.restart();
            assertThat(db.pid()).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(pid)).isEmpty();
            assertThat(db.vsctl("list-br")).as("same db file after restart").contains("br0");
            pid = db.pid();
        }
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(Path.of("/run/netns", nsName)).doesNotExist();
        assertThat(dir).doesNotExist();
        before.assertNoneSince();
    }

    @Test
    void hostNamespaceServerWithTcpAddedAtRuntime() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create(); OvsdbServer db = OvsdbServer.start(null, tmp.path())) {
            assertThat(db.tcpPort()).isEqualTo(-1);
            db.withTcp();
            assertThat(db.tcpPort()).isPositive();
            assertThat(Cmd.run("ovsdb-client", "list-dbs", "tcp:127.0.0.1:" + db.tcpPort())).contains("Open_vSwitch");
            db.restart();
            assertThat(Cmd.run("ovsdb-client", "list-dbs", "tcp:127.0.0.1:" + db.tcpPort())).contains("Open_vSwitch");
        }
        before.assertNoneSince();
    }

    @Test
    void vswitchdBridgeWithVethPort() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        long vsPid;
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create(); Ovs ovs = Ovs.start(ns, tmp.path())) {
            vsPid = ovs.vswitchd().pid();
            ovs.addBridge("br0");
            assertThat(ns.exec("ip", "-o", "link", "show", "br0")).contains("br0");
            ns.addVeth("pbt0", "pbt1");
            ovs.vsctl("add-port", "br0", "pbt0");
            String show = ovs.vsctl("show");
            assertThat(show).contains("Bridge br0").contains("datapath_type: netdev").contains("Port pbt0");
            assertThat(ovs.vsctl("get", "Interface", "pbt0", "ofport").trim()).isNotEqualTo("-1");
            assertThat(ovs.appctl("dpif/show")).contains("pbt0");
            assertThat(Files.exists(Path.of("/sys/class/net/pbt0"))).as("veth not on the host").isFalse();
            assertThat(Leftovers.hostVeths()).doesNotContain("pbt0", "pbt1");
            // restart of vswitchd alone: a new process on the same database re-creates the datapath port
            ovs.vswitchd().restart();
            assertThat(ProcessHandle.of(vsPid)).isEmpty();
            assertThat(ovs.vswitchd().pid()).isNotEqualTo(vsPid);
            assertThat(ovs.appctl("dpif/show")).contains("pbt0");
            vsPid = ovs.vswitchd().pid();
        }
        assertThat(ProcessHandle.of(vsPid)).isEmpty();
        before.assertNoneSince();
    }

    @Test
    void netdevBridgeForwardsPacketsBetweenNamespaces() {
        Tools.requireRoot();
        Tools.require("ping");
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create(); Netns a = Netns.create();
                Netns b = Netns.create(); Ovs ovs = Ovs.start(ns, tmp.path())) {
            ovs.addBridge("br0");
            ns.addVeth("pa0", "pa1");
            ns.addVeth("pb0", "pb1");
            ns.moveLink("pa1", a);
            ns.moveLink("pb1", b);
            a.exec("ip", "addr", "add", "10.214.0.1/24", "dev", "pa1");
            b.exec("ip", "addr", "add", "10.214.0.2/24", "dev", "pb1");
            ovs.vsctl("add-port", "br0", "pa0", "--", "add-port", "br0", "pb0");
            assertThat(a.exec(java.time.Duration.ofSeconds(20), "ping", "-c", "2", "-W", "5", "10.214.0.2"))
                    .contains("2 received");
            assertThat(ovs.appctl("fdb/show", "br0")).contains(" 1 ").contains(" 2 ");
        }
        before.assertNoneSince();
    }

    @Test
    void ovsRefusesHostNamespace() {
        assertThatThrownBy(() -> Ovs.start(null, Path.of("/tmp"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ns");
    }
}
