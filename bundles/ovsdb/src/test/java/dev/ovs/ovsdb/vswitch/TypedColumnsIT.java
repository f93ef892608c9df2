package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.TestOvsdb;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The typed Port/Interface/external_ids operations against a real ovsdb-server: ovs-vsctl reads back what
 * each one wrote (ovs-vswitchd.conf.db(5) columns), and VSwitch reads back what ovs-vsctl wrote.
 */
class TypedColumnsIT {
    static TestOvsdb server;
    static OvsdbClient client;
    static VSwitch vs;

    @BeforeAll
    static void up() throws Exception {
        server = TestOvsdb.start();
        client = OvsdbClients.connect(ClientOptions.of(server.remote()));
        vs = VSwitches.create(client, true, 5000);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
        vs.addBridge("tb0", null, false);
        vs.addPort("tb0", "tp1", null, false);
        vs.addPort("tb0", "tp2", null, false);
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

    static String get(String table, String row, String... columns) throws Exception {
        String[] a = new String[3 + columns.length];
        a[0] = "get";
        a[1] = table;
        a[2] = row;
        System.arraycopy(columns, 0, a, 3, columns.length);
        return server.vsctl(a).trim();
    }

    @Test
    void portVlanColumns() throws Exception {
        vs.setPortTag("tp1", VlanTag.of(100));
        assertThat(get("Port", "tp1", "tag")).isEqualTo("100");
        vs.setPortVlanMode("tp1", VlanMode.ACCESS);
        assertThat(get("Port", "tp1", "vlan_mode")).isEqualTo("access");
        vs.setPortTrunks("tp1", Set.of(VlanTag.of(20), VlanTag.of(10), VlanTag.of(4095)));
        assertThat(get("Port", "tp1", "trunks")).isEqualTo("[10, 20, 4095]");
        PortInfo p = vs.port("tp1").orElseThrow();
        assertThat(p.tag()).isEqualTo(VlanTag.of(100));
        assertThat(p.vlanMode()).isEqualTo(VlanMode.ACCESS);
        assertThat(p.trunks()).containsExactly(VlanTag.of(10), VlanTag.of(20), VlanTag.of(4095));
        // clearing: null tag and mode, empty trunks
        vs.setPortTag("tp1", null);
        vs.setPortVlanMode("tp1", null);
        vs.setPortTrunks("tp1", Set.of());
        assertThat(get("Port", "tp1", "tag", "vlan_mode", "trunks")).isEqualTo("[]\n[]\n[]");
        p = vs.port("tp1").orElseThrow();
        assertThat(p.tag()).isNull();
        assertThat(p.vlanMode()).isNull();
        assertThat(p.trunks()).isEmpty();
        // all three in one transaction
        vs.setPortVlan("tp1", VlanMode.NATIVE_UNTAGGED, VlanTag.of(7), Set.of(VlanTag.of(7), VlanTag.of(8)));
        assertThat(get("Port", "tp1", "vlan_mode", "tag", "trunks")).isEqualTo("native-untagged\n7\n[7, 8]");
        vs.setPortVlan("tp1", null, null, null);
        assertThat(get("Port", "tp1", "vlan_mode", "tag", "trunks")).isEqualTo("[]\n[]\n[]");
        // what ovs-vsctl writes, VSwitch reads typed
        server.vsctl("set", "Port", "tp2", "tag=4095", "vlan_mode=dot1q-tunnel", "trunks=0,1");
        p = vs.port("tp2").orElseThrow();
        assertThat(p.tag()).isEqualTo(VlanTag.of(4095));
        assertThat(p.vlanMode()).isEqualTo(VlanMode.DOT1Q_TUNNEL);
        assertThat(p.trunks()).containsExactly(VlanTag.of(0), VlanTag.of(1));
        assertThatThrownBy(() -> vs.setPortTag("nosuchport", VlanTag.of(1))).isInstanceOfSatisfying(OvsdbException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.NotFound));
    }

    @Test
    void interfaceMtuRequest() throws Exception {
        vs.setInterfaceMtuRequest("tp1", 1400);
        assertThat(get("Interface", "tp1", "mtu_request")).isEqualTo("1400");
        assertThat(vs.iface("tp1").orElseThrow().mtuRequest()).isEqualTo(1400L);
        vs.setInterfaceMtuRequest("tp1", null);
        assertThat(get("Interface", "tp1", "mtu_request")).isEqualTo("[]");
        assertThatThrownBy(() -> vs.setInterfaceMtuRequest("tp1", 70000)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("mtu_request: must be 1..65535, got 70000");
        assertThatThrownBy(() -> vs.setInterfaceMtuRequest("nosuchif", 1500)).isInstanceOfSatisfying(OvsdbException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.NotFound));
    }

    @Test
    void externalIdsReplaceOrMerge() throws Exception {
        for (NamedTable t : NamedTable.values()) {
            String row = t == NamedTable.BRIDGE ? "tb0" : "tp2";
            vs.setExternalIds(t, row, Map.of("a", "1", "b", "2"));
            assertThat(get(t.table(), row, "external_ids")).isEqualTo("{a=\"1\", b=\"2\"}");
            // another client adds a key: a merge keeps it, a replace drops it
            server.vsctl("set", t.table(), row, "external_ids:other=x");
            vs.updateExternalIds(t, row, Map.of("b", "3", "c", "4"), Set.of("a"));
            assertThat(get(t.table(), row, "external_ids")).isEqualTo("{b=\"3\", c=\"4\", other=x}");
            vs.setExternalIds(t, row, Map.of("z", "9"));
            assertThat(get(t.table(), row, "external_ids")).isEqualTo("{z=\"9\"}");
            vs.setExternalIds(t, row, null);
            assertThat(get(t.table(), row, "external_ids")).isEqualTo("{}");
        }
        assertThatThrownBy(() -> vs.updateExternalIds(NamedTable.PORT, "tp2", Map.of(), Set.of()))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("put/remove: nothing to change");
        assertThatThrownBy(() -> vs.setExternalIds(NamedTable.BRIDGE, "nosuchbr", Map.of())).isInstanceOfSatisfying(
                OvsdbException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NotFound));
    }
}
