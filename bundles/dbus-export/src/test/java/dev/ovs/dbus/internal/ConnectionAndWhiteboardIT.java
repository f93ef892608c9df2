package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbusjava.InlineDispatch;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection component and the whiteboard exporter against a real dbus-daemon, checked with busctl/gdbus. */
class ConnectionAndWhiteboardIT {
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

        // the one mapping (DbusErrors.map), names on the wire as gdbus prints them
        assertThat(echo("invalid")).contains("GDBus.Error:" + DbusErrors.INVALID_ARGS + ": text: must not be 'invalid'");
        assertThat(echo("notfound")).contains("GDBus.Error:dev.ovs.test.Echo1.Error.NotFound: Echo: no such thing");
        assertThat(echo("wrapped")).contains("GDBus.Error:dev.ovs.test.Echo1.Error.Timeout: Echo: too slow");
        assertThat(echo("custom")).contains("GDBus.Error:dev.ovs.test.Custom.Error.Odd: odd");
        assertThat(echo("npe")).contains("GDBus.Error:dev.ovs.test.Echo1.Error.Failed: Echo: java.lang.NullPointerException: boom");
        assertThat(echo("iae")).as("no message is parsed: an untyped IllegalArgumentException is a failure")
                .contains("GDBus.Error:dev.ovs.test.Echo1.Error.Failed: Echo: java.lang.IllegalArgumentException: text: untyped");

        // removal unexports and releases the name
        component.exporter().remove(1);
        assertThat(bus.busctl("list", "--no-pager")).doesNotContain("dev.ovs.test.Echo1");
        assertThat(component.exports()).isEmpty();
    }

    private String echo(String text) {
        return gdbusCall("dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "dev.ovs.test.Echo1.Echo", text);
    }

    private String ports(String method, String... args) {
        return gdbusCall("dev.ovs.test.Ports1", PortsImpl.PATH, "dev.ovs.test.Ports1." + method, args);
    }

    @Test
    void theInterfaceDeclaresItsErrorNamespaceAndIntrospectionShowsNoPatchbayAnnotations() {
        component = new DbusConnectionComponent(bus.address());
        assertThat(component.export(new PortsImpl(), PortsImpl.PATH, "dev.ovs.test.Ports1").state())
                .isEqualTo(State.EXPORTED);
        assertThat(ports("Get", "nosuch")).contains("GDBus.Error:dev.ovs.test.Switch1.Error.NotFound: Get: no port nosuch");
        assertThat(ports("Get", "p1")).contains("('one',)");
        String xml = bus.busctl("introspect", "--xml-interface", "dev.ovs.test.Ports1", PortsImpl.PATH);
        assertThat(xml).contains("<method name=\"Set\" >").doesNotContain("ReadOnly").doesNotContain("NonBlocking");
    }

    @Test
    void authorizersSeeSenderMemberAndReadOnlyBeforeTheMemberRuns() throws Exception {
        component = new DbusConnectionComponent(bus.address());
        PortsImpl impl = new PortsImpl();
        component.export(impl, PortsImpl.PATH, "dev.ovs.test.Ports1");
        List<DbusCall> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        dev.ovs.dbus.DbusAuthorizer readOnlyOnly = call -> {
            seen.add(call);
            return call.readOnly();
        };
        component.addAuthorizer(readOnlyOnly);

        assertThat(ports("Set", "p2", "two")).contains("GDBus.Error:" + DbusErrors.ACCESS_DENIED
                + ": dev.ovs.test.Ports1.Set: not permitted for uid 0 (:1.");
        assertThat(impl.ports).as("the member did not run").doesNotContainKey("p2");
        assertThat(ports("Get", "p1")).contains("('one',)");
        // a @NonBlocking member, answered on the reader thread, is checked there too
        long inlineBefore = component.inlineDispatch().orElseThrow().inlineCalls();
        assertThat(ports("ListPorts")).contains("(['p1'],)");
        assertThat(component.inlineDispatch().orElseThrow().inlineCalls()).isEqualTo(inlineBefore + 1);
        assertThat(seen).extracting(DbusCall::member).containsExactly("Set", "Get", "ListPorts");
        assertThat(seen).extracting(DbusCall::readOnly).containsExactly(false, true, true);
        assertThat(seen).allSatisfy(c -> {
            assertThat(c.sender()).startsWith(":1.");
            assertThat(c.objectPath()).isEqualTo(PortsImpl.PATH);
            assertThat(c.interfaceName()).isEqualTo("dev.ovs.test.Ports1");
        });
        // Introspectable and Peer are answered by dbus-java without asking
        bus.busctl("call", "dev.ovs.test.Ports1", PortsImpl.PATH, "org.freedesktop.DBus.Peer", "Ping");
        assertThat(seen).hasSize(3);

        // an authorizer that fails refuses (fail closed)
        dev.ovs.dbus.DbusAuthorizer broken = call -> {
            throw new IllegalStateException("policy store away");
        };
        component.addAuthorizer(broken);
        assertThat(ports("Get", "p1")).contains(DbusErrors.ACCESS_DENIED);
        component.removeAuthorizer(broken);
        component.removeAuthorizer(readOnlyOnly);
        ports("Set", "p2", "two");
        assertThat(impl.ports).containsEntry("p2", "two");
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
        InlineDispatch d = component.inlineDispatch().orElseThrow();
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
