package dev.ovs.examples.vlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusError;
import dev.ovs.examples.vlan.dbus.Vlan1;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.types.UInt16;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VlanManager and the Vlan1 object against a real ovsdb-server, checked with ovs-vsctl. */
class VlanManagerTest {
    static ShortTempDir dir;
    static OvsdbServer server;
    static OvsdbClient client;
    static VSwitch vs;
    static VlanManager vlan;

    @BeforeAll
    static void up() {
        dir = ShortTempDir.create();
        server = OvsdbServer.start(null, dir.path());
        client = OvsdbClients.connect(ClientOptions.of(server.remote()));
        vs = VSwitches.create(client, true, 5000);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
        vs.addBridge("vbr0", null, true);
        vs.addPort("vbr0", "vp1", PortOptions.NONE, true);
        vs.addPort("vbr0", "vp2", PortOptions.NONE, true);
        vlan = new VlanManager(vs, null);
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private static String col(String port, String c) {
        return server.vsctl("get", "Port", port, c).trim();
    }

    @Test
    void modesAsSeenByOvsVsctl() {
        vlan.setAccess("vp1", 100);
        assertThat(col("vp1", "tag")).isEqualTo("100");
        assertThat(col("vp1", "vlan_mode")).isEqualTo("access");
        assertThat(col("vp1", "trunks")).isEqualTo("[]");
        assertThat(vlan.get("vp1")).isEqualTo(new VlanManager.VlanConfig("vp1", "access", 100, List.of()));

        vlan.setTrunks("vp1", List.of(30, 10, 20, 10));
        assertThat(col("vp1", "tag")).isEqualTo("[]");
        assertThat(col("vp1", "vlan_mode")).isEqualTo("trunk");
        assertThat(col("vp1", "trunks")).isEqualTo("[10, 20, 30]");

        vlan.setNativeTagged("vp1", 5);
        assertThat(col("vp1", "vlan_mode")).isEqualTo("native-tagged");
        assertThat(col("vp1", "tag")).isEqualTo("5");
        assertThat(col("vp1", "trunks")).isEqualTo("[10, 20, 30]");
        vlan.setNativeUntagged("vp1", 0);
        assertThat(col("vp1", "vlan_mode")).isEqualTo("native-untagged");
        assertThat(col("vp1", "tag")).isEqualTo("0");
        assertThat(vlan.get("vp1")).isEqualTo(new VlanManager.VlanConfig("vp1", "native-untagged", 0, List.of(10, 20, 30)));

        vlan.clear("vp1");
        assertThat(col("vp1", "tag")).isEqualTo("[]");
        assertThat(col("vp1", "vlan_mode")).isEqualTo("[]");
        assertThat(col("vp1", "trunks")).isEqualTo("[]");
        assertThat(vlan.get("vp1")).isEqualTo(new VlanManager.VlanConfig("vp1", "", VlanManager.NO_TAG, List.of()));
    }

    @Test
    void badInputChangesNothing() {
        vlan.setAccess("vp2", 7);
        String before = server.vsctl("list", "Port", "vp2");
        assertThatThrownBy(() -> vlan.setAccess("vp2", 4096)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tag:");
        assertThatThrownBy(() -> vlan.setAccess("vp2", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vlan.setTrunks("vp2", List.of(1, 5000))).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tags:");
        assertThatThrownBy(() -> vlan.setAccess("a-very-long-port-name", 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> vlan.setAccess("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vlan.setAccess("nosuch", 1)).isInstanceOf(OvsdbException.class)
                .satisfies(t -> assertThat(((OvsdbException) t).kind()).isEqualTo(ErrorKind.NotFound));
        assertThat(server.vsctl("list", "Port", "vp2")).isEqualTo(before);
    }

    @Test
    void dbusObjectMapsErrors() {
        VlanDbusComponent o = new VlanDbusComponent(vs, null);
        o.SetAccess("vp2", new UInt16(42));
        Vlan1.VlanState s = o.Get("vp2");
        assertThat(s.mode).isEqualTo("access");
        assertThat(s.tag.intValue()).isEqualTo(42);
        o.SetTrunks("vp2", new UInt16[] {new UInt16(3), new UInt16(4)});
        assertThat(o.Get("vp2").trunks).extracting(UInt16::intValue).containsExactly(3, 4);
        assertThatThrownBy(() -> o.SetAccess("vp2", new UInt16(4096)))
                .satisfies(t -> assertThat(((DbusError) t).errorName()).isEqualTo("org.freedesktop.DBus.Error.InvalidArgs"));
        assertThatThrownBy(() -> o.Clear("nosuch"))
                .satisfies(t -> assertThat(((DbusError) t).errorName()).isEqualTo("org.openvswitch.ovsdb.Error.NotFound"));
        assertThat(col("vp2", "trunks")).isEqualTo("[3, 4]");
        assertThatThrownBy(() -> new VlanDbusComponent(null, null).Get("vp2"))
                .satisfies(t -> assertThat(((DbusError) t).errorName()).isEqualTo("org.openvswitch.ovsdb.Error.Unavailable"));
    }
}
