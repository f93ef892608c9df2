package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VSwitch against a real ovsdb-server, cross-checked with ovs-vsctl. */
class VSwitchIT {
    static TestOvsdb server;
    static OvsdbClient client;
    static Replica replica;
    static VSwitch vs;

    @BeforeAll
    static void up() throws Exception {
        server = TestOvsdb.start();
        client = OvsdbClients.connect(ClientOptions.of(server.remote()));
        replica = client.replica(VSwitch.DB, VSwitches.replicaTables());
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

    @Test
    void bridgesLikeOvsVsctl() throws Exception {
        vs.addBridge("vb0", new BridgeOptions("netdev", "secure", Map.of("owner", "test"), Map.of("hwaddr", "02:00:00:00:00:01")), false);
        assertThat(server.vsctl("br-exists", "vb0")).isEmpty();
        assertThat(server.vsctl("get", "Bridge", "vb0", "datapath_type", "fail_mode", "external_ids:owner").trim())
                .isEqualTo("netdev\nsecure\ntest");
        assertThat(server.vsctl("list-ports", "vb0")).isEmpty();
        assertThat(vs.bridgeExists("vb0")).isTrue();
        assertThat(vs.bridge("vb0").orElseThrow().ports()).containsExactly("vb0");
        assertThatThrownBy(() -> vs.addBridge("vb0", null, false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.AlreadyExists));
        vs.addBridge("vb0", null, true); // --may-exist
        // created by ovs-vsctl, seen by us; and an add-br racing with it is refused by the wait guard
        server.vsctl("add-br", "vb1");
        assertThat(vs.listBridges()).contains("vb0", "vb1");
        assertThatThrownBy(() -> vs.addBridge("vb1", null, false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.AlreadyExists));
        vs.deleteBridge("vb1", false);
        assertThat(server.vsctl("list-br")).doesNotContain("vb1");
        assertThatThrownBy(() -> vs.deleteBridge("vb1", false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.deleteBridge("vb1", true); // --if-exists
        assertThat(vs.bridgeExists("nosuch")).isFalse();
    }

    @Test
    void portsAndInterfaces() throws Exception {
        vs.addBridge("pb0", null, true);
        vs.addPort("pb0", "pp1", PortOptions.NONE.withTag(VlanTag.of(100)).withVlanMode(VlanMode.ACCESS)
                .withInterfaceType("internal").withMtuRequest(1400).withInterfaceExternalIds(Map.of("container_id", "c1", "container_iface", "eth0")), false);
        vs.addPort("pb0", "pp2", PortOptions.NONE.withTrunks(Set.of(VlanTag.of(10), VlanTag.of(20))), false);
        server.vsctl("add-port", "pb0", "pp3", "--", "set", "Interface", "pp3", "type=patch", "options:peer=pp4");
        assertThat(vs.listPorts("pb0")).containsExactly("pp1", "pp2", "pp3");
        assertThat(server.vsctl("list-ports", "pb0").trim()).isEqualTo("pp1\npp2\npp3");
        assertThat(server.vsctl("get", "Port", "pp1", "tag", "vlan_mode").trim()).isEqualTo("100\naccess");
        assertThat(server.vsctl("get", "Port", "pp2", "trunks").trim()).isEqualTo("[10, 20]");
        assertThat(server.vsctl("get", "Interface", "pp1", "type", "mtu_request").trim()).isEqualTo("internal\n1400");
        PortInfo p1 = vs.port("pp1").orElseThrow();
        assertThat(p1.bridge()).isEqualTo("pb0");
        assertThat(p1.tag()).isEqualTo(VlanTag.of(100));
        assertThat(p1.vlanMode()).isEqualTo(VlanMode.ACCESS);
        assertThat(vs.port("pp2").orElseThrow().trunks()).containsExactly(VlanTag.of(10), VlanTag.of(20));
        assertThat(p1.interfaces()).containsExactly("pp1");
        assertThat(vs.iface("pp3").orElseThrow().options()).containsEntry("peer", "pp4");
        assertThat(vs.findInterfaces(Map.of("container_id", "c1"))).extracting(InterfaceInfo::name).containsExactly("pp1");
        assertThat(vs.findInterfaces(Map.of("container_id", "c1")).get(0).port()).isEqualTo("pp1");
        // duplicates
        assertThatThrownBy(() -> vs.addPort("pb0", "pp1", null, false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.AlreadyExists));
        vs.addPort("pb0", "pp1", null, true);
        vs.addBridge("pb1", null, true);
        assertThatThrownBy(() -> vs.addPort("pb1", "pp1", null, true)).hasMessageContaining("on bridge 'pb0'")
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.AlreadyExists));
        assertThatThrownBy(() -> vs.addPort("nosuchbr", "pp9", null, false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        // set columns, typed
        vs.setPortColumn("pp1", "tag", 200L);
        assertThat(server.vsctl("get", "Port", "pp1", "tag").trim()).isEqualTo("200");
        vs.setPortColumn("pp1", "tag", null);
        assertThat(server.vsctl("get", "Port", "pp1", "tag").trim()).isEqualTo("[]");
        vs.setInterfaceColumn("pp2", "external_ids", Map.of("a", "1"));
        vs.updateMapColumn("Interface", "pp2", "external_ids", Map.of("b", "2", "a", "3"), Set.of());
        assertThat(server.vsctl("get", "Interface", "pp2", "external_ids").trim()).isEqualTo("{a=\"3\", b=\"2\"}");
        vs.updateMapColumn("Interface", "pp2", "external_ids", Map.of(), Set.of("a"));
        assertThat(server.vsctl("get", "Interface", "pp2", "external_ids").trim()).isEqualTo("{b=\"2\"}");
        assertThatThrownBy(() -> vs.setPortColumn("pp1", "tag", 4096L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Port.tag");
        assertThatThrownBy(() -> vs.setPortColumn("pp1", "vlan_mode", "bogus")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vs.setPortColumn("pp1", "nosuch", 1L)).hasMessageContaining("unknown column");
        assertThatThrownBy(() -> vs.setPortColumn("nosuchport", "tag", 1L)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        // delete
        vs.deletePort("pb0", "pp2", false);
        server.vsctl("del-port", "pp3");
        assertThat(vs.listPorts("pb0")).containsExactly("pp1");
        assertThatThrownBy(() -> vs.deletePort("pb1", "pp1", false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.deletePort("pb1", "pp1", true);
        vs.deletePort(null, "pp1", false);
        assertThat(server.vsctl("list-ports", "pb0")).isEmpty();
        assertThatThrownBy(() -> vs.deletePort(null, "pp1", false)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        assertThatThrownBy(() -> vs.deletePort("pb0", "pb0", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void controllers() throws Exception {
        vs.addBridge("cb0", null, true);
        vs.setControllers("cb0", List.of("tcp:127.0.0.1:6653", "ptcp:6654"));
        assertThat(server.vsctl("get-controller", "cb0").trim()).isEqualTo("ptcp:6654\ntcp:127.0.0.1:6653");
        assertThat(vs.controllers("cb0")).containsExactly("ptcp:6654", "tcp:127.0.0.1:6653");
        server.vsctl("set-controller", "cb0", "unix:/tmp/x.sock");
        assertThat(vs.controllers("cb0")).containsExactly("unix:/tmp/x.sock");
        vs.setControllers("cb0", List.of());
        assertThat(server.vsctl("get-controller", "cb0").trim()).isEmpty();
        assertThat(server.vsctl("--columns=target", "list", "Controller").trim()).isEmpty(); // old rows collected
        assertThatThrownBy(() -> vs.setControllers("cb0", List.of(" "))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vs.controllers("nosuch")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
    }

    @Test
    void badNamesRejectedBeforeSending() throws Exception {
        String before = server.dumpJson();
        for (String bad : new String[] {"", "sixteen-bytes-xx", "a/b", "a b", "tab\t", "nl\n", "a:b", "..", "ünïcödé-lóng"}) {
            assertThatThrownBy(() -> vs.addBridge(bad, null, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bridge:");
            assertThatThrownBy(() -> vs.addPort("vb0", bad, null, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("port:");
        }
        assertThatThrownBy(() -> vs.addPort("x", "y", PortOptions.NONE.withTag(VlanTag.of(5000)), false))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("tag: must be 0..4095, got 5000");
        assertThatThrownBy(() -> vs.addPort("x", "y", PortOptions.NONE.withMtuRequest(0), false))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("mtu_request: must be 1..65535, got 0");
        assertThatThrownBy(() -> vs.addBridge("x", BridgeOptions.NONE.withFailMode("bogus"), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fail_mode");
        assertThatThrownBy(() -> vs.transact("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vs.transact("[\"Open_vSwitch\", 1]")).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.dumpJson().replaceAll("\"_version\"[^]]*]", "")).isNotNull();
        assertThat(strip(server.dumpJson())).isEqualTo(strip(before));
    }

    static String strip(String dump) {
        return dump.replaceAll("\\[\"uuid\",\"[0-9a-f-]+\"\\]", "U");
    }

    @Test
    void rawTransactAndNoNPlusOne() throws Exception {
        String res = vs.transact("[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[],\"columns\":[\"name\"]}]");
        assertThat(res).startsWith("[{\"rows\":");
        assertThatThrownBy(() -> vs.transact("[\"NoDb\",{\"op\":\"comment\",\"comment\":\"x\"}]"))
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.NotFound));
        vs.addBridge("nb0", null, true);
        for (int i = 0; i < 50; i++) {
            vs.addPort("nb0", "np" + i, null, true);
        }
        // listPorts is answered from the replica: no request at all goes to the server
        server.stopServer();
        try {
            // VSwitch refuses when disconnected (Unavailable) rather than serving stale data silently
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (client.isConnected() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(replica.byName("Port", "np49")).isPresent();
            assertThatThrownBy(() -> vs.listPorts("nb0")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(ErrorKind.Unavailable));
        } finally {
            server.startServer();
        }
        assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
        assertThat(replica.awaitSynced(Duration.ofSeconds(10))).isTrue();
        assertThat(vs.listPorts("nb0")).hasSize(50);
        vs.deleteBridge("nb0", false);
        assertThat(List.of(server.vsctl("list-br").split("\n"))).doesNotContain("nb0");
    }
}
