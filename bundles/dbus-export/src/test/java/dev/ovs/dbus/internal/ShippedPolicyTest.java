package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy file shipped in the distribution ({@code share/dbus-1/system.d/org.openvswitch.ovsdb.conf}),
 * included into a system-like test bus: an unprivileged uid (65534, via setpriv) may introspect and call the
 * read-only members but not the mutating ones; root may call everything; only root may own the name.
 */
class ShippedPolicyTest {
    static final Path POLICY = Path.of("../../distribution/src/main/dist/share/dbus-1/system.d/org.openvswitch.ovsdb.conf")
            .toAbsolutePath().normalize();

    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;
    private final List<String> calls = new ArrayList<>();

    @BeforeEach
    void setUp() {
        assertThat(POLICY).exists();
        dir = ShortTempDir.create();
        bus = DbusDaemon.startSystemLike(dir.path(), "<include>" + POLICY + "</include>");
        component = new DbusConnectionComponent(bus.address());
        SwitchOps fake = new SwitchOps() {
            private void rec(String s) {
                synchronized (calls) {
                    calls.add(s);
                }
            }

            @Override public void createBridge(String b) { rec("createBridge " + b); }
            @Override public void deleteBridge(String b) { rec("deleteBridge " + b); }
            @Override public void addPort(String b, String p) { rec("addPort"); }
            @Override public void deletePort(String b, String p) { rec("deletePort"); }
            @Override public boolean bridgeExists(String b) { rec("bridgeExists " + b); return false; }
            @Override public List<String> listBridges() { rec("listBridges"); return List.of(); }
            @Override public List<String> listBridgePorts(String b) { rec("listBridgePorts"); return List.of(); }
            @Override public String transact(String p) { rec("transact"); return "[]"; }
        };
        assertThat(component.exporter().add(1, "dev.ovs.dbus", new OvsdbObject(() -> fake), OvsdbBus.OBJECT_PATH,
                OvsdbBus.BUS_NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        component.close();
        bus.close();
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

    private String[] call(String member, String... sigAndArgs) {
        List<String> a = new ArrayList<>(List.of("call", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE,
                member));
        a.addAll(List.of(sigAndArgs));
        return a.toArray(String[]::new);
    }

    @Test
    void unprivilegedMayReadButNotMutate() {
        assertThat(asNobody(call("BridgeExists", "s", "br0")).trim()).isEqualTo("b false");
        assertThat(asNobody(call("ListBridges")).trim()).isEqualTo("as 0");
        assertThat(asNobody(call("ListBridgePorts", "s", "br0")).trim()).isEqualTo("as 0");
        assertThat(asNobody("introspect", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH)).contains(".CreateBridge");
        calls.clear();

        for (String[] c : List.of(call("CreateBridge", "s", "br-x"), call("DeleteBridge", "s", "br-x"),
                call("AddPort", "ss", "br-x", "p"), call("DeletePort", "ss", "br-x", "p"),
                call("Transact", "s", "[\"Open_vSwitch\"]"))) {
            Cmd.Failed f = asNobodyFails(c);
            assertThat(f.stderr()).as(String.join(" ", c)).containsIgnoringCase("access denied");
        }
        assertThat(calls).as("denied calls never reach the object").isEmpty();
    }

    @Test
    void rootMayMutate() {
        bus.busctl(call("CreateBridge", "s", "br-x"));
        assertThat(calls).containsExactly("createBridge br-x");
    }

    @Test
    void onlyRootMayOwnTheName() {
        // root (this JVM) owns org.openvswitch.ovsdb: setUp asserted EXPORTED, not NAME_CONFLICT
        assertThat(component.exporter().status(1).state()).isEqualTo(State.EXPORTED);
        // RequestName as nobody (flags 4 = DO_NOT_QUEUE) is refused by the bus
        Cmd.Failed f = asNobodyFails("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "RequestName", "su", "dev.ovs.PortAgent1", "4");
        assertThat(f.stderr()).containsIgnoringCase("access denied");
    }
}
