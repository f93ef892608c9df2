package dev.ovs.bench;

import dev.ovs.itests.harness.RestartTorture;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The torture suite: {@link RestartTorture} (the scenario of {@code RestartTortureEndToEndTest}) at full size, on the
 * packaged appliance: 10 D-Bus client processes while ovsdb-server and dbus-daemon are each restarted N times
 * (system property {@code torture.restarts} or env TORTURE_RESTARTS, default 20; CI runs 3). No peer: the figures
 * are the recovery times (p50, max) and the call, event and signal counts. The suite fails (after printing the
 * table and the first violations) if any guarantee of {@link RestartTorture} was broken.
 */
final class TortureBench {
    private final Path dist;
    private final int restarts;

    TortureBench(Path dist) {
        this.dist = dist;
        this.restarts = Integer.parseInt(System.getProperty("torture.restarts",
                System.getenv().getOrDefault("TORTURE_RESTARTS", "20")));
        if (restarts < 1) {
            throw new IllegalArgumentException("torture.restarts: must be >= 1, got " + restarts);
        }
    }

    /**
     * @return the markdown table
     * @throws Exception if the appliance or a daemon cannot be started, or a guarantee was broken (message: the
     *                   first violations)
     */
    String run() throws Exception {
        RestartTorture.Result r;
        try (ShortTempDir dir = ShortTempDir.create()) {
            r = RestartTorture.run(dist, dir.path(), restarts, 10, Duration.ofMillis(1500), System.err);
        }
        String table = "### torture: " + restarts + " restarts each of ovsdb-server and dbus-daemon, 10 D-Bus client "
                + "processes\n\n" + r.table();
        if (!r.violations().isEmpty()) {
            System.out.println(table);
            throw new IllegalStateException(r.violations().size() + " violations, first: "
                    + String.join("\n", r.violations().subList(0, Math.min(20, r.violations().size()))));
        }
        return table;
    }
}
