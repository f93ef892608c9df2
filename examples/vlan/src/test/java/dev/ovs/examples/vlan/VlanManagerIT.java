package dev.ovs.examples.vlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.examples.vlan.dbus.Vlan1;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VlanManager and the Vlan1 object against a real ovsdb-server (checked with ovs-vsctl); the object exported by
 * Patchbay's whiteboard exporter on a real dbus-daemon (busctl, gdbus).
 */
class VlanManagerIT {
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

    /** gdbus call of dev.ovs.Vlan1 at {@code path} on {@code dest}: its output, or its stderr (error name and message). */
    private static String gdbus(DbusDaemon bus, String dest, String path, String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest", dest,
                "--object-path", path, "--method", "dev.ovs.Vlan1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    @Test
    void dbusObjectWorksAndItsErrorsHaveThePinnedNames() throws Exception {
        try (ShortTempDir d = ShortTempDir.create(); DbusDaemon bus = DbusDaemon.start(d.path())) {
            DbusConnectionComponent dbus = new DbusConnectionComponent(bus.address());
            try {
                assertThat(dbus.export(new VlanDbusComponent(vs, null), Vlan1.OBJECT_PATH, Vlan1.BUS_NAME).state())
                        .isEqualTo(State.EXPORTED);
                String n = Vlan1.BUS_NAME;
                String p = Vlan1.OBJECT_PATH;
                assertThat(bus.busctl("call", n, p, n, "SetAccess", "sq", "vp2", "42")).isBlank();
                assertThat(col("vp2", "tag")).isEqualTo("42");
                assertThat(bus.busctl("call", n, p, n, "Get", "s", "vp2").trim()).isEqualTo("(sqaq) \"access\" 42 0");
                assertThat(bus.busctl("call", n, p, n, "SetTrunks", "saq", "vp2", "2", "3", "4")).isBlank();
                assertThat(col("vp2", "trunks")).isEqualTo("[3, 4]");

                assertThat(gdbus(bus, n, p, "SetAccess", "vp2", "4096"))
                        .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: tag: must be 0..4095, got 4096");
                assertThat(gdbus(bus, n, p, "SetAccess", "a-very-long-port-name", "1"))
                        .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: port: ");
                assertThat(gdbus(bus, n, p, "Clear", "nosuch"))
                        .contains("GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: Clear: ");
                assertThat(col("vp2", "trunks")).as("nothing changed by the failed calls").isEqualTo("[3, 4]");

                assertThat(dbus.export(new VlanDbusComponent(null, null), "/dev/ovs/test/NoVSwitch", null).state())
                        .isEqualTo(State.EXPORTED);
                assertThat(gdbus(bus, dbus.uniqueName().orElseThrow(), "/dev/ovs/test/NoVSwitch", "Get", "vp2"))
                        .contains("GDBus.Error:org.openvswitch.ovsdb.Error.Unavailable: Get: OVSDB (VSwitch service) is not available");
            } finally {
                dbus.close();
            }
        }
    }
}
