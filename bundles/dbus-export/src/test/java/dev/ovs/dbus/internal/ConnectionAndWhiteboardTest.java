package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbusjava.InlineDispatch;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection component and the whiteboard exporter against a real dbus-daemon, checked with busctl/gdbus. */
class ConnectionAndWhiteboardTest {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
    }

    @AfterEach
    void tearDown() {
        if (component != null) {
            component.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private String gdbusCall(String dest, String path, String method, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest",
                dest, "--object-path", path, "--method", method));
        argv.addAll(List.of(args));
        try {
            return Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return "FAILED " + f.stderr();
        }
    }

    @Test
    void exportsWhiteboardObjectsWithNamesAndStableErrorNames() {
        component = new DbusConnectionComponent(bus.address());
        assertThat(component.isConnected()).isTrue();
        ExportStatus st = component.exporter().add(1, "test", new EchoImpl("/dev/ovs/test/Echo1", "a"),
                "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1");
        assertThat(st.state()).isEqualTo(State.EXPORTED);

        assertThat(bus.busctl("introspect", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1"))
                .containsPattern("\\.Echo\\s+method\\s+s\\s+s");
        assertThat(bus.busctl("call", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1", "Echo", "s",
                "hi").trim()).isEqualTo("s \"a:hi\"");

        assertThat(gdbusCall("dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1.Echo", "invalid"))
                .contains("GDBus.Error:" + DbusErrors.INVALID_ARGS + ": text: must not be 'invalid'");
        assertThat(gdbusCall("dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1.Echo", "notfound"))
                .contains("GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: no such thing");
        assertThat(gdbusCall("dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1.Echo", "agent"))
                .contains("GDBus.Error:dev.ovs.PortAgent1.Error.Unavailable: agent away");

        // removal unexports and releases the name
        component.exporter().remove(1);
        assertThat(bus.busctl("list", "--no-pager")).doesNotContain("dev.ovs.test.Echo1");
        assertThat(component.exports()).isEmpty();
    }

    @Test
    void collisionsAreReportedNotThrown() {
        component = new DbusConnectionComponent(bus.address());
        Exporter ex = component.exporter();
        assertThat(ex.add(1, "a", new EchoImpl("/x/One", "one"), "/x/One", "dev.ovs.test.A").state())
                .isEqualTo(State.EXPORTED);
        // same path: waits
        assertThat(ex.add(2, "b", new EchoImpl("/x/One", "two"), "/x/One", null).state())
                .isEqualTo(State.PATH_CONFLICT);
        // invalid properties and non-DBusInterface objects
        assertThat(ex.add(3, "c", new EchoImpl("/x", "c"), "not/a/path", null).state()).isEqualTo(State.INVALID);
        assertThat(ex.add(4, "c", new EchoImpl("/x", "c"), "/x/Four", "no-dots").state()).isEqualTo(State.INVALID);
        assertThat(ex.add(5, "c", "a string", "/x/Five", null).state()).isEqualTo(State.INVALID);
        assertThat(ex.add(6, "c", new EchoImpl("/x", "c"), 42, null).message()).contains("dbus.object.path");
        // the first leaves: the second takes the path over
        ex.remove(1);
        assertThat(ex.status(2).state()).isEqualTo(State.EXPORTED);
        String unique = component.uniqueName().orElseThrow();
        assertThat(bus.busctl("call", unique, "/x/One", "dev.ovs.test.Echo1", "Echo", "s", "q").trim())
                .isEqualTo("s \"two:q\"");
    }

    @Test
    void nameOwnedByAnotherConnectionIsANameConflict() throws Exception {
        DbusConnectionComponent other = new DbusConnectionComponent(bus.address());
        try {
            assertThat(other.exporter().add(1, "o", new EchoImpl("/x/O", "o"), "/x/O", "dev.ovs.test.Taken").state())
                    .isEqualTo(State.EXPORTED);
            component = new DbusConnectionComponent(bus.address());
            ExportStatus st = component.exporter().add(7, "m", new EchoImpl("/x/M", "m"), "/x/M", "dev.ovs.test.Taken");
            assertThat(st.state()).isEqualTo(State.NAME_CONFLICT);
            assertThat(st.message()).contains("dev.ovs.test.Taken");
            // still reachable under the unique name
            String unique = component.uniqueName().orElseThrow();
            assertThat(bus.busctl("call", unique, "/x/M", "dev.ovs.test.Echo1", "Echo", "s", "u").trim())
                    .isEqualTo("s \"m:u\"");
        } finally {
            other.close();
        }
    }

    @Test
    void busRestartReacquiresNamesAndReexports() throws Exception {
        component = new DbusConnectionComponent(bus.address());
        component.exporter().add(1, "test", new EchoImpl("/dev/ovs/test/Echo1", "r"), "/dev/ovs/test/Echo1",
                "dev.ovs.test.Echo1");
        long before = component.connectCount();
        bus.restart();
        await("reconnect", () -> component.connectCount() > before && component.isConnected());
        assertThat(component.exporter().status(1).state()).isEqualTo(State.EXPORTED);
        assertThat(bus.busctl("call", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1", "Echo", "s",
                "again").trim()).isEqualTo("s \"r:again\"");
        // the new connection answers Peer.Ping on its reader thread again (inline dispatch re-installed)
        InlineDispatch d = BusConnector.inlineDispatch(component.connection().orElseThrow());
        assertThat(d.installed()).as("refusal: %s", d.refusal()).isTrue();
        bus.busctl("call", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "org.freedesktop.DBus.Peer", "Ping");
        assertThat(d.inlineCalls()).isEqualTo(1);
    }

    @Test
    void startsWithoutBusAndConnectsWhenItAppears() throws Exception {
        bus.stop();
        component = new DbusConnectionComponent(bus.address());
        assertThat(component.isConnected()).isFalse();
        assertThat(component.exporter().add(1, "t", new EchoImpl("/p/Q", "q"), "/p/Q", "dev.ovs.test.Q").state())
                .isEqualTo(State.PENDING);
        bus.start();
        await("connect", component::isConnected);
        await("export", () -> component.exporter().status(1).state() == State.EXPORTED);
        assertThat(bus.busctl("call", "dev.ovs.test.Q", "/p/Q", "dev.ovs.test.Echo1", "Echo", "s", "x").trim())
                .isEqualTo("s \"q:x\"");
    }

    @Test
    void closeLeavesNoThreads() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        component = new DbusConnectionComponent(bus.address());
        component.exporter().add(1, "t", new EchoImpl("/p/Q", "q"), "/p/Q", "dev.ovs.test.Q");
        bus.busctl("call", "dev.ovs.test.Q", "/p/Q", "dev.ovs.test.Echo1", "Echo", "s", "x");
        component.close();
        component = null;
        await("threads end", () -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive()).noneMatch(t -> !t.getName().startsWith("process reaper")));
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).collect(Collectors.toList())).allMatch(n -> n.startsWith("process reaper"));
        assertThatThrownBy(() -> bus.busctl("call", "dev.ovs.test.Q", "/p/Q", "dev.ovs.test.Echo1", "Echo", "s", "x"))
                .isInstanceOf(Cmd.Failed.class);
    }

    /** {@code dbus:status} ({@link DbusCommands}). */
    @Test
    void statusShowsConnectionInlineDispatchAndEveryExport() throws Exception {
        component = new DbusConnectionComponent(bus.address());
        await("connected", component::isConnected);
        component.exporter().add(7, "b.one", new EchoImpl("/dev/ovs/test/Echo1", "a"), "/dev/ovs/test/Echo1",
                "dev.ovs.test.Echo1");
        component.exporter().add(8, "b.two", new EchoImpl("/dev/ovs/test/Echo1", "b"), "/dev/ovs/test/Echo1", null);
        bus.busctl("call", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "org.freedesktop.DBus.Peer", "Ping");

        String status = new DbusCommands(component, component).status();
        String unique = component.uniqueName().orElseThrow();
        assertThat(status).contains("connection: " + bus.address() + " — connected as " + unique
                + " (connections made: 1, signals dropped while disconnected: 0)");
        assertThat(status).contains("inline dispatch: on — 1 calls answered on the reader thread; taken off it: none");
        assertThat(status).contains("exports: 2");
        assertThat(status).contains("  /dev/ovs/test/Echo1  dev.ovs.test.Echo1  EXPORTED  service 7 of b.one\n");
        assertThat(status).containsPattern("  /dev/ovs/test/Echo1  -  PATH_CONFLICT  service 8 of b.two  \\(.+\\)\n");

        bus.stop();
        await("disconnected", () -> !component.isConnected());
        assertThat(new DbusCommands(component, component).status()).contains("— not connected")
                .contains("inline dispatch: — (no connection)");
    }
}
