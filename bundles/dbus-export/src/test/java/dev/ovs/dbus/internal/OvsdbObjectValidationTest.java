package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.OvsdbException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The org.openvswitch.ovsdb object on a real dbus-daemon with a recording fake backend: introspection
 * (busctl), InvalidArgs for bad input on every member before any backend call, Unavailable without a
 * backend, OVSDB error kinds mapped to the pinned error names (gdbus shows the names).
 */
class OvsdbObjectValidationTest {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;
    private final List<String> calls = new ArrayList<>();
    private final AtomicReference<SwitchOps> backend = new AtomicReference<>();

    private final class Recorder implements SwitchOps {
        RuntimeException fail;

        private void rec(String s) {
            synchronized (calls) {
                calls.add(s);
            }
            if (fail != null) {
                throw fail;
            }
        }

        @Override public void createBridge(String b) { rec("createBridge " + b); }
        @Override public void deleteBridge(String b) { rec("deleteBridge " + b); }
        @Override public void addPort(String b, String p) { rec("addPort " + b + " " + p); }
        @Override public void deletePort(String b, String p) { rec("deletePort " + b + " " + p); }
        @Override public boolean bridgeExists(String b) { rec("bridgeExists " + b); return true; }
        @Override public List<String> listBridges() { rec("listBridges"); return List.of("br0", "br1"); }
        @Override public List<String> listBridgePorts(String b) { rec("listBridgePorts " + b); return List.of("p1"); }
        @Override public String transact(String p) { rec("transact"); return "[{}]"; }
    }

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        component = new DbusConnectionComponent(bus.address());
        assertThat(component.exporter().add(1, "dev.ovs.dbus", new OvsdbObject(backend::get), OvsdbBus.OBJECT_PATH,
                OvsdbBus.BUS_NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        component.close();
        bus.close();
        dir.close();
    }

    /** gdbus call; returns stdout, or "ERROR " + stderr (which carries the D-Bus error name). */
    private String gdbus(String method, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest",
                OvsdbBus.BUS_NAME, "--object-path", OvsdbBus.OBJECT_PATH, "--method", OvsdbBus.INTERFACE + "." + method));
        argv.addAll(List.of(args));
        try {
            return Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return "ERROR " + f.stderr();
        }
    }

    @Test
    void introspectionShowsEveryPinnedMemberAndSignature() {
        String out = bus.busctl("introspect", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE);
        assertThat(out).containsPattern("\\.AddPort\\s+method\\s+ss\\s+-")
                .containsPattern("\\.BridgeExists\\s+method\\s+s\\s+b")
                .containsPattern("\\.CreateBridge\\s+method\\s+s\\s+-")
                .containsPattern("\\.DeleteBridge\\s+method\\s+s\\s+-")
                .containsPattern("\\.DeletePort\\s+method\\s+ss\\s+-")
                .containsPattern("\\.ListBridgePorts\\s+method\\s+s\\s+as")
                .containsPattern("\\.ListBridges\\s+method\\s+-\\s+as")
                .containsPattern("\\.Transact\\s+method\\s+s\\s+s")
                .containsPattern("\\.BridgeAdded\\s+signal\\s+s\\s+-")
                .containsPattern("\\.BridgeRemoved\\s+signal\\s+s\\s+-")
                .containsPattern("\\.PortAdded\\s+signal\\s+ss\\s+-")
                .containsPattern("\\.PortRemoved\\s+signal\\s+ss\\s+-");
        // exactly these 12 members on the interface
        long members = out.lines().filter(l -> l.startsWith(".")).count();
        assertThat(members).isEqualTo(12);
    }

    @Test
    void withoutBackendEveryCallIsUnavailable() {
        assertThat(gdbus("BridgeExists", "br0")).contains("org.openvswitch.ovsdb.Error.Unavailable");
        assertThat(gdbus("ListBridges")).contains("org.openvswitch.ovsdb.Error.Unavailable");
        backend.set(new Recorder());
        assertThat(gdbus("BridgeExists", "br0")).contains("(true,)");
        assertThat(gdbus("ListBridges")).contains("(['br0', 'br1'],)");
        assertThat(gdbus("ListBridgePorts", "br0")).contains("(['p1'],)");
        backend.set(null);
        assertThat(gdbus("CreateBridge", "br0")).contains("org.openvswitch.ovsdb.Error.Unavailable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a-name-that-is-too-long", "br/0", "br:0", "br 0", ".", "..", "tab\tx", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"})
    void badNamesAreInvalidArgsOnEveryMemberBeforeAnySideEffect(String bad) {
        backend.set(new Recorder());
        for (String[] call : List.of(
                new String[] {"CreateBridge", bad}, new String[] {"DeleteBridge", bad},
                new String[] {"AddPort", bad, "p1"}, new String[] {"AddPort", "br0", bad},
                new String[] {"DeletePort", bad, "p1"}, new String[] {"DeletePort", "br0", bad},
                new String[] {"BridgeExists", bad}, new String[] {"ListBridgePorts", bad})) {
            String out = gdbus(call[0], java.util.Arrays.copyOfRange(call, 1, call.length));
            assertThat(out).as(String.join(" ", call))
                    .contains("org.freedesktop.DBus.Error.InvalidArgs")
                    .containsAnyOf("bridge: ", "port: ");
        }
        assertThat(calls).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{}", "[]", "[1]", "[\"Open_vSwitch\", 3]", "[\"Open_vSwitch\", {\"no\":1}]"})
    void badTransactJsonIsInvalidArgs(String bad) {
        backend.set(new Recorder());
        assertThat(gdbus("Transact", bad)).contains("org.freedesktop.DBus.Error.InvalidArgs").contains("json: ");
        assertThat(calls).isEmpty();
        assertThat(gdbus("Transact", "[\"Open_vSwitch\", {\"op\": \"comment\", \"comment\": \"x\"}]"))
                .contains("('[{}]',)");
        assertThat(calls).containsExactly("transact");
    }

    @Test
    void ovsdbErrorKindsMapToPinnedNames() {
        Recorder r = new Recorder();
        backend.set(r);
        for (dev.ovs.dbus.DbusErrors.Kind pinned : dev.ovs.dbus.DbusErrors.Kind.values()) { // the pinned names
            ErrorKind k = ErrorKind.valueOf(pinned.name());
            r.fail = new OvsdbException(k, "some error", "details of " + k);
            assertThat(gdbus("CreateBridge", "br0")).as(k.name())
                    .contains("GDBus.Error:org.openvswitch.ovsdb.Error." + k.name() + ": CreateBridge: some error: details of " + k);
        }
        r.fail = new IllegalStateException("kaputt");
        assertThat(gdbus("DeleteBridge", "br0")).contains("org.openvswitch.ovsdb.Error.Failed").contains("kaputt");
        r.fail = new IllegalArgumentException("bridge: rejected by backend");
        assertThat(gdbus("DeleteBridge", "br0")).contains("org.freedesktop.DBus.Error.InvalidArgs: bridge: rejected by backend");
    }

    @Test
    void wrongSignatureIsRejectedByTheBusLayer() {
        backend.set(new Recorder());
        // busctl with an int where a string is expected: no such method/signature; no backend call
        Cmd.Failed f = org.junit.jupiter.api.Assertions.assertThrows(Cmd.Failed.class, () -> bus.busctl("call",
                OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE, "CreateBridge", "i", "5"));
        assertThat(f.stderr()).isNotBlank();
        assertThat(calls).isEmpty();
    }
}
