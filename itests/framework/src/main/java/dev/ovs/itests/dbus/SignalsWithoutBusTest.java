package dev.ovs.itests.dbus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.bus.EventBus;
import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.framework.HostIsolation;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.DbusMonitor;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * The D-Bus signals of {@code org.openvswitch.ovsdb} with the event bus switched off ({@code dev.ovs.bus}
 * {@code enabled=false}, DESIGN.md: "Disabled mode: a null bus, and everything still works"): in a real Felix
 * with the bundles of the appliance, a change made by ovs-vsctl on a real ovsdb-server is signalled on a real
 * dbus-daemon, as an independent {@code gdbus monitor} sees it, while a bus subscriber gets nothing.
 */
@ExtendWith(HostIsolation.Check.class)
class SignalsWithoutBusTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NAME = "org.openvswitch.ovsdb";
    private static final String PATH = "/org/openvswitch/ovsdb";

    @InjectBundleContext
    BundleContext context;

    private ShortTempDir dir;
    private OvsdbServer ovsdb;
    private DbusDaemon dbus;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        java.nio.file.Files.createDirectories(dir.resolve("ovs"));
        java.nio.file.Files.createDirectories(dir.resolve("dbus"));
        ovsdb = OvsdbServer.start(null, dir.resolve("ovs"));
        dbus = DbusDaemon.start(dir.resolve("dbus"));
        Frameworks.configure(context, "dev.ovs.bus", new Hashtable<>(Map.of("socket", "", "heartbeat.seconds", 0,
                "enabled", false)));
        Frameworks.configure(context, "dev.ovs.ovsdb", new Hashtable<>(Map.of("remote", ovsdb.remote())));
        Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", dbus.address())));
    }

    @AfterEach
    void tearDown() {
        try {
            Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", "unix:path=/nonexistent")));
            Frameworks.configure(context, "dev.ovs.ovsdb", new Hashtable<>(Map.of("remote", "unix:/nonexistent")));
            Frameworks.configure(context, "dev.ovs.bus", new Hashtable<>(Map.of("socket", "", "heartbeat.seconds", 0)));
        } catch (Exception ignored) {
            // best effort
        }
        if (dbus != null) {
            dbus.close();
        }
        if (ovsdb != null) {
            ovsdb.close();
        }
        dir.close();
    }

    private EventBus currentBus() {
        org.osgi.framework.ServiceReference<EventBus> ref = context.getServiceReference(EventBus.class);
        try {
            return ref == null ? null : context.getService(ref);
        } catch (RuntimeException gone) {
            return null;
        }
    }

    private boolean answers() {
        try {
            return dbus.busctl("call", NAME, PATH, NAME, "ListBridges").startsWith("as ");
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Test
    void ovsVsctlChangesAreSignalledWithTheBusDisabled() throws Exception {
        // the bus component is re-activated with the new configuration: wait for a service that is disabled
        Frameworks.eventually("the event bus is disabled", WAIT, () -> {
            EventBus b = currentBus();
            return b != null && !b.isEnabled();
        });
        AtomicInteger busEvents = new AtomicInteger();
        currentBus().subscribe("ovsdb.>", e -> busEvents.incrementAndGet());
        Frameworks.eventually("org.openvswitch.ovsdb answers on " + dbus.address(), WAIT, this::answers);

        try (DbusMonitor mon = DbusMonitor.start(dbus, dir.path(), NAME)) {
            ovsdb.vsctl("add-br", "br-nobus");
            assertThat(mon.awaitLine(NAME + ".BridgeAdded")).contains("('br-nobus',)");
            ovsdb.vsctl("add-port", "br-nobus", "p-nobus");
            assertThat(mon.awaitLine(NAME + ".PortAdded")).contains("('br-nobus', 'p-nobus')");
            ovsdb.vsctl("del-br", "br-nobus");
            assertThat(mon.awaitLine(NAME + ".BridgeRemoved")).contains("('br-nobus',)");
        }
        assertThat(busEvents.get()).as("the disabled bus delivered nothing").isZero();
    }
}
