package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.RestartTorture;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The restart torture (after Open vSwitch's {@code ovsdb_torture_test}) on the packaged appliance:
 * {@link RestartTorture} with 10 D-Bus client processes looping {@code CreateBridge} / {@code AddPort} /
 * {@code DeletePort} on {@code org.openvswitch.ovsdb} while a private ovsdb-server and a private dbus-daemon are each
 * restarted N times (system property {@code torture.restarts}, default 3 here; the benchmark suite {@code torture}
 * runs 20).
 *
 * <p>What must hold afterwards (the precise rules are in {@link RestartTorture}'s comment and docs/operations.md,
 * "Restart torture"): the replica equals {@code ovsdb-client dump}; a call answered with success has its row (unless
 * a later successful delete removed it), its event on the bus exactly once, and its D-Bus signal exactly once when
 * the whole call ran on one run of dbus-daemon that the signal monitor watched (a signal sent while the bus is down is
 * lost, as on any D-Bus bus); no signal or event is ever duplicated; a call answered with an error, or never
 * delivered, changed nothing; every bus name the appliance owned is owned again after every restart. The recovery
 * times and counts are printed, not asserted.
 */
class RestartTortureEndToEndTest {
    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private final int restarts = Integer.getInteger("torture.restarts", 3);
    private Leftovers before;
    private ShortTempDir dir;

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() {
        dir.close();
        before.assertNoneSince();
    }

    @Test
    void everyAnsweredCallIsInTheDatabaseOnTheBusAndSignalledOnceAcrossRestarts() throws Exception {
        RestartTorture.Result r = RestartTorture.run(dist, dir.path(), restarts, 10, Duration.ofMillis(1500), System.out);
        System.out.println("restart torture, " + restarts + " restarts each:\n" + r.table());
        r.violations().stream().limit(200).forEach(v -> System.out.println("violation: " + v));

        assertThat(r.names()).as("bus names owned before the torture").contains(RestartTorture.OVSDB_NAME,
                "dev.ovs.PortAgent1");
        assertThat(r.violations()).as("violations of the restart guarantees (%d, the first 30 shown)",
                r.violations().size()).satisfiesAnyOf(v -> assertThat(v).isEmpty(),
                v -> assertThat(v.subList(0, Math.min(30, v.size()))).isEmpty());
        // it did torture: calls succeeded, and calls failed while a daemon was away
        assertThat(r.count(RestartTorture.Outcome.OK)).isPositive();
        assertThat(r.calls().size()).isGreaterThan((int) r.count(RestartTorture.Outcome.OK));
        assertThat(r.restarts()).hasSize(2 * restarts);
        assertThat(r.checkedSignals()).isPositive();
        assertThat(r.events()).isPositive();
    }
}
