package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replacement grace of the whiteboard exporter against a real dbus-daemon, checked with gdbus/busctl: a
 * service that goes away (its bundle is updated) leaves a placeholder that answers the interface's
 * Unavailable error while the well-known name stays owned; its successor takes over path and name without
 * the name ever being released; without a successor the name is released when the grace is over.
 */
class ReplacementGraceIT {
    private static final String PATH = "/dev/ovs/test/Echo1";
    private static final String NAME = "dev.ovs.test.Echo1";

    /** Same member as TestEcho under another interface name, errors in a declared namespace. */
    @DBusInterfaceName("dev.ovs.Agent1")
    @ErrorNamespace("dev.ovs.Agent1.Error")
    public interface AgentLike extends DBusInterface {
        /** @param text anything @return text */
        String Echo(String text);
    }

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
        bus.close();
        dir.close();
    }

    private String call(String dest, String path, String method, String arg) {
        try {
            return Cmd.run(List.of("gdbus", "call", "--address", bus.address(), "--dest", dest, "--object-path", path,
                    "--method", method, arg), Duration.ofSeconds(30)).trim();
        } catch (Cmd.Failed f) {
            return "FAILED " + f.stderr();
        }
    }

    private boolean hasOwner(String name) {
        return bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "NameHasOwner", "s", name).trim().equals("b true");
    }

    @Test
    void successorTakesOverPathAndNameWhileCallsSeeUnavailable() throws Exception {
        component = new DbusConnectionComponent(bus.address(), 30_000);
        Exporter ex = component.exporter();
        assertThat(ex.add(1, "b", new EchoImpl(PATH, "v1"), PATH, NAME).state()).isEqualTo(State.EXPORTED);
        assertThat(call(NAME, PATH, NAME + ".Echo", "x")).isEqualTo("('v1:x',)");

        ex.remove(1); // bundle update: the old service goes away
        assertThat(ex.heldPaths()).containsExactly(PATH);
        assertThat(hasOwner(NAME)).as("name kept").isTrue();
        assertThat(call(NAME, PATH, NAME + ".Echo", "x"))
                .contains("dev.ovs.test.Echo1.Error.Unavailable").contains("being replaced");
        assertThat(bus.busctl("introspect", NAME, PATH, NAME)).contains(".Echo");

        assertThat(Fallbacks.count(component.connection().orElseThrow()))
                .as("the placeholder is exported, not left as a dbus-java fallback").isZero();
        assertThat(ex.add(2, "b", new EchoImpl(PATH, "v2"), PATH, NAME).state()).isEqualTo(State.EXPORTED);
        assertThat(ex.heldPaths()).isEmpty();
        assertThat(Fallbacks.count(component.connection().orElseThrow()))
                .as("no fallback left after the takeover (dbus-java's removeFallback removes nothing)").isZero();
        assertThat(call(NAME, PATH, NAME + ".Echo", "x")).isEqualTo("('v2:x',)");
        assertThat(hasOwner(NAME)).isTrue();

        // the name is counted once: removing the successor without grace left (close) releases it
        component.close();
        component = null;
        assertThat(hasOwner(NAME)).isFalse();
    }

    @Test
    void thePlaceholderAnswersInTheNamespaceTheInterfaceDeclares() {
        component = new DbusConnectionComponent(bus.address(), 30_000);
        Exporter ex = component.exporter();
        assertThat(ex.add(5, "c", new PortsImpl(), PortsImpl.PATH, null).state()).isEqualTo(State.EXPORTED);
        ex.remove(5);
        assertThat(call(component.uniqueName().orElseThrow(), PortsImpl.PATH, "dev.ovs.test.Ports1.Get", "p1"))
                .contains("GDBus.Error:dev.ovs.test.Switch1.Error.Unavailable: the service at " + PortsImpl.PATH
                        + " is being replaced");
    }

    @Test
    void withoutSuccessorTheNameIsReleasedWhenTheGraceIsOver() throws Exception {
        component = new DbusConnectionComponent(bus.address(), 500);
        Exporter ex = component.exporter();
        AgentLike agent = new AgentLike() {
            @Override
            public String Echo(String text) {
                return text;
            }

            @Override
            public String getObjectPath() {
                return "/dev/ovs/Agent1";
            }
        };
        assertThat(ex.add(1, "b", agent, "/dev/ovs/Agent1", "dev.ovs.Agent1").state())
                .isEqualTo(State.EXPORTED);
        ex.remove(1);
        assertThat(call("dev.ovs.Agent1", "/dev/ovs/Agent1", "dev.ovs.Agent1.Echo", "x"))
                .contains("dev.ovs.Agent1.Error.Unavailable");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (hasOwner("dev.ovs.Agent1") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(hasOwner("dev.ovs.Agent1")).as("released after the grace").isFalse();
        assertThat(ex.heldPaths()).isEmpty();
        assertThat(call(component.uniqueName().orElseThrow(), "/dev/ovs/Agent1", "dev.ovs.Agent1.Echo", "x"))
                .contains("FAILED");
    }

    @Test
    void theNextConnectionTakesTheNamesOverFromAHandedOverOne() throws Exception {
        DbusConnectionComponent old = new DbusConnectionComponent(bus.address(), 10_000);
        try {
            assertThat(old.exporter().add(1, "b", new EchoImpl(PATH, "v1"), PATH, NAME).state())
                    .isEqualTo(State.EXPORTED);
            String oldOwner = old.uniqueName().orElseThrow();
            old.handOver(); // dev.ovs.dbus deactivated while the framework runs (bundle update)
            assertThat(hasOwner(NAME)).as("name kept while no successor").isTrue();
            assertThat(call(NAME, PATH, NAME + ".Echo", "x")).contains("dev.ovs.test.Echo1.Error.Unavailable");

            component = new DbusConnectionComponent(bus.address(), 10_000); // the updated bundle's
            assertThat(component.exporter().add(1, "b", new EchoImpl(PATH, "v2"), PATH, NAME).state())
                    .as("REPLACE_EXISTING takes the name from the handed-over connection").isEqualTo(State.EXPORTED);
            String newOwner = component.uniqueName().orElseThrow();
            assertThat(bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "GetNameOwner", "s", NAME).trim()).isEqualTo("s \"" + newOwner + "\"");
            assertThat(call(NAME, PATH, NAME + ".Echo", "x")).isEqualTo("('v2:x',)");
            // the old connection closes by itself once it owns nothing
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (bus.busctl("list", "--no-pager").contains(oldOwner + " ") && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(bus.busctl("list", "--no-pager")).doesNotContain(oldOwner + " ");
        } finally {
            old.close();
        }
    }

    @Test
    void aNameHeldElsewhereIsAskedForAgainUntilItIsFree() throws Exception {
        try (org.freedesktop.dbus.connections.impl.DBusConnection other =
                org.freedesktop.dbus.connections.impl.DBusConnectionBuilder.forAddress(bus.address()).withShared(false)
                        .build()) {
            other.requestBusName(NAME);
            component = new DbusConnectionComponent(bus.address(), 5_000);
            Exporter ex = component.exporter();
            assertThat(ex.add(1, "b", new EchoImpl(PATH, "v1"), PATH, NAME).state()).isEqualTo(State.NAME_CONFLICT);
            other.releaseBusName(NAME);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ex.status(1).state() != State.EXPORTED && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(ex.status(1).state()).as("name acquired by the retry").isEqualTo(State.EXPORTED);
            assertThat(call(NAME, PATH, NAME + ".Echo", "x")).isEqualTo("('v1:x',)");
        }
    }

    @Test
    void aServiceOfAnUninstalledBundleGoesAtOnceOthersAreStillHeld() {
        component = new DbusConnectionComponent(bus.address(), 30_000);
        Exporter ex = component.exporter();
        assertThat(ex.add(1, 42, "gone", new EchoImpl(PATH, "v1"), PATH, NAME).state()).isEqualTo(State.EXPORTED);
        assertThat(ex.add(2, 43, "updated", new PortsImpl(), PortsImpl.PATH, "dev.ovs.test.Ports1").state())
                .isEqualTo(State.EXPORTED);
        ex.remove(1); // bundle 42 stopping: uninstall or update, not known yet
        ex.remove(2);
        assertThat(ex.heldPaths()).containsExactlyInAnyOrder(PATH, PortsImpl.PATH);
        assertThat(hasOwner(NAME)).isTrue();

        ex.bundleUninstalled(42); // no successor is coming: no grace
        assertThat(ex.heldPaths()).containsExactly(PortsImpl.PATH);
        assertThat(hasOwner(NAME)).as("released at once").isFalse();
        assertThat(call(component.uniqueName().orElseThrow(), PATH, NAME + ".Echo", "x")).contains("FAILED")
                .contains("UnknownObject");
        assertThat(hasOwner("dev.ovs.test.Ports1")).as("another bundle's placeholder stays for its successor").isTrue();
        ex.bundleUninstalled(7); // unrelated
        assertThat(ex.heldPaths()).containsExactly(PortsImpl.PATH);
    }

    @Test
    void noGraceUnexportsAtOnce() {
        component = new DbusConnectionComponent(bus.address());
        Exporter ex = component.exporter();
        ex.add(1, "b", new EchoImpl(PATH, "v1"), PATH, NAME);
        ex.remove(1);
        assertThat(ex.heldPaths()).isEmpty();
        assertThat(hasOwner(NAME)).isFalse();
    }
}
