package dev.ovs.ovsdb.dbus.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.dbus.OvsdbBus;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy file shipped in the distribution ({@code share/dbus-1/system.d/org.openvswitch.ovsdb.conf}),
 * included into a system-like test bus, in front of the real face on a real ovsdb-server: an unprivileged uid
 * (65534, via setpriv) may introspect and call the read-only members but not the mutating ones (ovs-vsctl
 * shows nothing changed); the same uid in group {@code patchbay} (known only to the bus daemon: harness) may call the
 * mutating ones; root may call everything; only root may own the names.
 */
class ShippedPolicyIT {
    static final Path POLICY = Path.of("../../distribution/src/main/dist/share/dbus-1/system.d/org.openvswitch.ovsdb.conf")
            .toAbsolutePath().normalize();

    /** gid of group patchbay in the bus daemon's private /etc/group (harness). */
    static final long PATCHBAY_GID = 64001;

    private ShortTempDir dir;
    private OvsdbServer ovsdb;
    private DbusDaemon bus;
    private OvsdbClient client;
    private DbusConnectionComponent dbus;
    private OvsdbDbusComponent face;
    private ExportStatus export;

    @BeforeEach
    void setUp() {
        assertThat(POLICY).exists();
        dir = ShortTempDir.create();
        ovsdb = OvsdbServer.start(null, dir.path());
        bus = DbusDaemon.startSystemLike(dir.path(), "<include>" + POLICY + "</include>",
                java.util.Map.of("patchbay", PATCHBAY_GID));
        client = OvsdbClients.connect(ClientOptions.of(ovsdb.remote()));
        VSwitch vs = VSwitches.create(client, false, 1000);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(20))).isTrue();
        dbus = new DbusConnectionComponent(bus.address());
        face = new OvsdbDbusComponent(vs, dbus);
        export = dbus.export(face, OvsdbBus.OBJECT_PATH, OvsdbBus.BUS_NAME);
        assertThat(export.state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        face.close();
        dbus.close();
        client.close();
        bus.close();
        ovsdb.close();
        dir.close();
    }

    private Cmd.Failed asNobodyFails(String... busctlArgs) {
        try {
            asNobody(busctlArgs);
        } catch (Cmd.Failed f) {
            return f;
        }
        throw new AssertionError("expected busctl " + String.join(" ", busctlArgs) + " to be denied");
    }

    private String asNobody(String... busctlArgs) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "busctl", "--address=" + bus.address(), "--timeout=20"));
        argv.addAll(List.of(busctlArgs));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    private static String[] call(String member, String... sigAndArgs) {
        List<String> a = new ArrayList<>(List.of("call", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE,
                member));
        a.addAll(List.of(sigAndArgs));
        return a.toArray(String[]::new);
    }

    @Test
    void unprivilegedMayReadButNotMutate() {
        ovsdb.vsctl("add-br", "br0");
        ovsdb.vsctl("add-port", "br0", "p0");
        assertThat(asNobody(call("ListBridgePorts", "s", "br0")).trim()).isEqualTo("as 1 \"p0\"");
        assertThat(asNobody(call("BridgeExists", "s", "br0")).trim()).isEqualTo("b true");
        assertThat(asNobody(call("ListBridges")).trim()).isEqualTo("as 1 \"br0\"");
        assertThat(asNobody("introspect", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH)).contains(".CreateBridge");
        String before = ovsdb.vsctl("show");

        for (String[] c : List.of(call("CreateBridge", "s", "br-x"), call("DeleteBridge", "s", "br0"),
                call("AddPort", "ss", "br0", "p"), call("DeletePort", "ss", "br0", "p0"),
                call("Transact", "s", "[\"Open_vSwitch\",{\"op\":\"delete\",\"table\":\"Bridge\",\"where\":[]}]"))) {
            Cmd.Failed f = asNobodyFails(c);
            assertThat(f.stderr()).as(String.join(" ", c)).containsIgnoringCase("access denied");
        }
        assertThat(ovsdb.vsctl("show")).as("denied calls changed nothing").isEqualTo(before);
    }

    @Test
    void aMemberOfGroupPatchbayMayMutate() {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--groups=" + PATCHBAY_GID, "busctl", "--address=" + bus.address(), "--timeout=20"));
        argv.addAll(List.of(call("CreateBridge", "s", "br-g")));
        Cmd.run(argv, Duration.ofSeconds(30));
        assertThat(ovsdb.vsctl("list-br").lines().toList()).containsExactly("br-g");
    }

    @Test
    void rootMayMutate() {
        bus.busctl(call("CreateBridge", "s", "br-x"));
        assertThat(ovsdb.vsctl("list-br").lines().toList()).containsExactly("br-x");
    }

    @Test
    void onlyRootMayOwnTheNames() {
        // root (this JVM) owns org.openvswitch.ovsdb: setUp asserted EXPORTED, not NAME_CONFLICT
        assertThat(dbus.exports()).extracting(ExportStatus::state).containsExactly(State.EXPORTED);
        // RequestName as nobody (flags 4 = DO_NOT_QUEUE) is refused by the bus
        for (String name : List.of("org.openvswitch.ovsdb", "dev.ovs.PortAgent1")) {
            Cmd.Failed f = asNobodyFails("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "RequestName", "su", name, "4");
            assertThat(f.stderr()).as(name).containsIgnoringCase("access denied");
        }
    }
}
