package dev.ovs.examples.vlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.Setpriv;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example's own D-Bus policy ({@code dev.ovs.Vlan1.conf}, shipped next to its pom) included into a
 * system-like test bus (real dbus-daemon), the object exported by root against a real ovsdb-server: an
 * unprivileged uid (65534, via setpriv) may introspect and call {@code Get} but not the setters; root may;
 * only root may own {@code dev.ovs.Vlan1}.
 */
class ShippedPolicyIT {
    static final Path POLICY = Path.of("dev.ovs.Vlan1.conf").toAbsolutePath();

    private ShortTempDir dir;
    private OvsdbServer ovsdb;
    private OvsdbClient client;
    private DbusDaemon bus;
    private DbusConnectionComponent dbus;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(POLICY).exists();
        dir = ShortTempDir.create();
        java.nio.file.Files.createDirectories(dir.resolve("ovs"));
        java.nio.file.Files.createDirectories(dir.resolve("dbus"));
        ovsdb = OvsdbServer.start(null, dir.resolve("ovs"));
        client = OvsdbClients.connect(ClientOptions.of(ovsdb.remote()));
        VSwitch vs = VSwitches.create(client, true, 5000);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
        vs.addBridge("pbr0", null, true);
        vs.addPort("pbr0", "pp1", PortOptions.NONE, true);
        bus = DbusDaemon.startSystemLike(dir.resolve("dbus"), "<include>" + POLICY + "</include>");
        // exported as in the appliance: Patchbay's whiteboard exporter (its error mapping), running as root
        dbus = new DbusConnectionComponent(bus.address());
        assertThat(dbus.export(new VlanDbusComponent(vs, null), "/dev/ovs/Vlan1", "dev.ovs.Vlan1").state())
                .isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (dbus != null) {
            dbus.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (client != null) {
            client.close();
        }
        if (ovsdb != null) {
            ovsdb.close();
        }
        dir.close();
    }

    private String asNobody(String... busctlArgs) {
        return bus.busctlAs(Setpriv.nobody(), busctlArgs);
    }

    private static String[] call(String member, String... sigAndArgs) {
        return DbusDaemon.call("dev.ovs.Vlan1", "/dev/ovs/Vlan1", "dev.ovs.Vlan1", member, sigAndArgs);
    }

    @Test
    void unprivilegedMayReadButNotChange() {
        assertThat(asNobody("introspect", "dev.ovs.Vlan1", "/dev/ovs/Vlan1")).contains(".SetAccess");
        assertThat(asNobody(call("Get", "s", "pp1")).trim()).startsWith("(sqaq) \"\"");
        for (String[] c : List.of(call("SetAccess", "sq", "pp1", "5"), call("SetTrunks", "saq", "pp1", "1", "5"),
                call("SetNativeTagged", "sq", "pp1", "5"), call("SetNativeUntagged", "sq", "pp1", "5"),
                call("Clear", "s", "pp1"))) {
            assertThatThrownBy(() -> asNobody(c)).as(String.join(" ", c)).isInstanceOf(Cmd.Failed.class)
                    .satisfies(f -> assertThat(((Cmd.Failed) f).stderr()).containsIgnoringCase("access denied"));
        }
        assertThat(ovsdb.vsctl("get", "Port", "pp1", "tag").trim()).as("denied calls change nothing").isEqualTo("[]");
    }

    @Test
    void rootMayChange() {
        bus.busctl(call("SetAccess", "sq", "pp1", "7"));
        assertThat(ovsdb.vsctl("get", "Port", "pp1", "tag").trim()).isEqualTo("7");
    }

    @Test
    void onlyRootMayOwnTheName() {
        assertThatThrownBy(() -> asNobody("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "RequestName", "su", "dev.ovs.Vlan1", "4")).isInstanceOf(Cmd.Failed.class)
                .satisfies(f -> assertThat(((Cmd.Failed) f).stderr()).containsIgnoringCase("access denied"));
    }
}
