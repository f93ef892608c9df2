package dev.ovs.itests.dbus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.framework.HostIsolation;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * The ovsdb and dbus-export bundles hot-swapped in a running Felix while a D-Bus client loops
 * {@code BridgeExists} against a real ovsdb-server through a real dbus-daemon: answers resume after
 * every update, no call ever returns a wrong answer, failures during a swap are only the documented
 * {@code Unavailable} (the well-known name never vanishes: the old revision's connection hands it over, its
 * objects replaced by placeholders answering Unavailable; at most an UnknownObject in the instant a placeholder
 * is swapped for the real object), and the JVM's thread and fd counts return to their baseline.
 */
@ExtendWith(HostIsolation.Check.class)
class OvsdbDbusHotSwapTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int UPDATES_EACH = 5;
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
        ovsdb.vsctl("add-br", "br-hot");
        Frameworks.configure(context, "dev.ovs.bus", new Hashtable<>(Map.of("socket", "", "heartbeat.seconds", 0)));
        Frameworks.configure(context, "dev.ovs.ovsdb", new Hashtable<>(Map.of("remote", ovsdb.remote())));
        Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", dbus.address())));
    }

    @AfterEach
    void tearDown() {
        // point the components away from the daemons before they stop
        try {
            Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", "unix:path=/nonexistent")));
            Frameworks.configure(context, "dev.ovs.ovsdb", new Hashtable<>(Map.of("remote", "unix:/nonexistent")));
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

    @Test
    void answersResumeAfterEveryUpdateWithNoWrongAnswerAndNoLeak() throws Exception {
        try (DBusConnection client = DBusConnectionBuilder.forAddress(dbus.address()).build()) {
            OvsdbClientView ovs = client.getRemoteObject(NAME, PATH, OvsdbClientView.class);
            Frameworks.eventually(() -> "BridgeExists answers true (last: " + lastFailure + ")", WAIT,
                    () -> answers(ovs));

            AtomicBoolean run = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            AtomicLong wrong = new AtomicLong();
            Map<String, Long> failures = new ConcurrentHashMap<>();
            Thread loop = new Thread(() -> {
                while (run.get()) {
                    try {
                        if (ovs.BridgeExists("br-hot")) {
                            ok.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                        }
                    } catch (DBusExecutionException e) {
                        failures.merge(errorName(e), 1L, Long::sum);
                    } catch (RuntimeException e) {
                        failures.merge(e.getClass().getName(), 1L, Long::sum);
                    }
                }
            }, "itest-bridge-exists-loop");
            loop.start();
            try {
                // warm-up swap of each, then the baseline
                swap("dev.ovs.ovsdb", ovs);
                swap("dev.ovs.dbus", ovs);
                // dev.ovs.dbus's connection runs method calls on a fixed pool of 4 whose threads
                // start lazily, one per call until it is full: let it fill before the baseline
                long okNow = ok.get();
                Frameworks.eventually("20 answers after the warm-up swaps", WAIT, () -> ok.get() >= okNow + 20);
                System.gc();
                int threads = Frameworks.threads();
                int fds = Frameworks.fds();
                List<String> fdsBefore = Frameworks.fdTargets();
                for (int i = 0; i < UPDATES_EACH; i++) {
                    swap("dev.ovs.ovsdb", ovs);
                    swap("dev.ovs.dbus", ovs);
                }
                long okEnd = ok.get();
                Frameworks.eventually("20 answers after the last swap", WAIT, () -> ok.get() >= okEnd + 20);
                Frameworks.eventually("threads back to " + threads + " (now " + Frameworks.threads() + ")", WAIT,
                        () -> Frameworks.threads() <= threads + 1); // +1: the client loop's dbus-java reply thread may vary
                Frameworks.eventually("fds back to " + fds + " (now " + Frameworks.fds() + "; new: "
                        + Frameworks.fdTargets().stream().filter(t -> !fdsBefore.contains(t)).toList() + ")", WAIT,
                        () -> {
                            System.gc();
                            return Frameworks.fds() <= fds;
                        });
            } finally {
                run.set(false);
                loop.join(10_000);
            }
            assertThat(wrong.get()).as("wrong answers").isZero();
            assertThat(ok.get()).isPositive();
            assertThat(failures.keySet()).as("failures during swaps: " + failures).allSatisfy(type ->
                    assertThat(type).matches("org\\.freedesktop\\.DBus\\.Error\\.(UnknownObject"
                            + "|UnknownMethod)" // the instant between unexporting a placeholder and exporting
                            + "|.*: (the OVSDB service .* is not available right now.*" // Unavailable: no VSwitch
                            + "|the service at /org/openvswitch/ovsdb is being replaced.*" // Unavailable: placeholder
                            + "|BridgeExists: (not connected|closed): .*)")); // old client closing, new one connecting
        }
    }

    private void swap(String bsn, OvsdbClientView ovs) throws Exception {
        Bundle b = Frameworks.bundle(context, bsn);
        Frameworks.update(b);
        assertThat(b.getState()).isEqualTo(Bundle.ACTIVE);
        Frameworks.eventually(() -> "answers resume after updating " + bsn + " (last: " + lastFailure + ")", WAIT,
                () -> answers(ovs));
    }

    /**
     * The D-Bus error name of a failed call as far as this client can tell: dbus-java maps the bus's
     * standard errors to classes under {@code org.freedesktop.dbus.errors}; other names arrive as a plain
     * DBusExecutionException whose message is the server's text.
     */
    private static String errorName(DBusExecutionException e) {
        String cls = e.getClass().getName();
        if (cls.startsWith("org.freedesktop.dbus.errors.")) {
            return "org.freedesktop.DBus.Error." + e.getClass().getSimpleName();
        }
        String msg = String.valueOf(e.getMessage());
        return cls + ": " + (msg.length() > 100 ? msg.substring(0, 100) : msg);
    }

    /** The last failure of {@link #answers}, for the assertion messages. */
    private volatile String lastFailure = "none";

    private boolean answers(OvsdbClientView ovs) {
        try {
            boolean b = ovs.BridgeExists("br-hot");
            lastFailure = "answered " + b;
            return b;
        } catch (RuntimeException notYet) {
            lastFailure = notYet.toString();
            return false;
        }
    }
}
