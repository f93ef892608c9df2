package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing (DS deactivation) and handing over (bundle update) while the bus daemon does not answer: a real
 * dbus-daemon stopped with SIGSTOP, so the socket stays open and no reply ever comes (a bus that died without the
 * connection noticing). Releasing or re-requesting each bus name with a blocking call would wait dbus-java's reply
 * timeout (20 s) per name; the component must return while the daemon is still stopped.
 */
class DeadBusCloseIT {
    private static final String NAME = "dev.ovs.test.Echo1";
    private static final String NAME2 = "dev.ovs.test.Echo2";

    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;
    private boolean stopped;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
    }

    @AfterEach
    void tearDown() {
        if (stopped) {
            Cmd.run("kill", "-CONT", Long.toString(bus.pid()));
        }
        if (component != null) {
            component.close();
        }
        bus.close();
        dir.close();
    }

    private void exportTwoNames() {
        assertThat(component.exporter().add(1, "b", new EchoImpl("/dev/ovs/test/Echo1", "v1"), "/dev/ovs/test/Echo1",
                NAME).state()).isEqualTo(State.EXPORTED);
        assertThat(component.exporter().add(2, "b", new EchoImpl("/dev/ovs/test/Echo2", "v1"), "/dev/ovs/test/Echo2",
                NAME2).state()).isEqualTo(State.EXPORTED);
        assertThat(bus.busctl("list", "--no-pager")).contains(NAME, NAME2);
    }

    private void stopDaemon() {
        Cmd.run("kill", "-STOP", Long.toString(bus.pid()));
        stopped = true;
    }

    /** Runs {@code r} and tells whether it returned while the daemon was still stopped (it is never resumed here). */
    private boolean returnsWhileStopped(Runnable r) throws InterruptedException {
        Thread t = new Thread(r, "dead-bus-close");
        t.setDaemon(true);
        t.start();
        // well below the 20 s one blocking ReleaseName / RequestName waits for its reply; two names: 40 s
        t.join(TimeUnit.SECONDS.toMillis(15));
        return !t.isAlive();
    }

    @Test
    void closeReturnsWhileTheBusDoesNotAnswer() throws Exception {
        component = new DbusConnectionComponent(bus.address(), 0);
        exportTwoNames();
        stopDaemon();
        DbusConnectionComponent c = component;
        component = null;
        assertThat(returnsWhileStopped(c::close)).as("close() returned with the bus stopped").isTrue();
    }

    @Test
    void handOverReturnsWhileTheBusDoesNotAnswer() throws Exception {
        component = new DbusConnectionComponent(bus.address(), 10_000);
        exportTwoNames();
        stopDaemon();
        assertThat(returnsWhileStopped(component::handOver)).as("handOver() returned with the bus stopped").isTrue();
    }
}
