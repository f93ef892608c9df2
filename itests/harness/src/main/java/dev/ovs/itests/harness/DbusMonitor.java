package dev.ovs.itests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code gdbus monitor --address ADDR --dest NAME} on a {@link DbusDaemon} as a tracked child process
 * ({@link Daemon}): an independent view of the signals a bus name emits. Its output (one line per signal,
 * e.g. {@code /org/openvswitch/ovsdb: org.openvswitch.ovsdb.BridgeAdded ('br0',)}) goes to a log file in the
 * given directory, line-buffered ({@code stdbuf -oL}). {@link #start} returns once gdbus is subscribed.
 */
public final class DbusMonitor implements AutoCloseable {
    private static final Duration SUBSCRIBED = Duration.ofSeconds(20);
    private static final Duration AWAIT_LINE = Duration.ofSeconds(30);

    private final Daemon daemon;

    private DbusMonitor(Daemon daemon) {
        this.daemon = daemon;
    }

    /**
     * @param bus  the bus
     * @param dir  where the log file goes
     * @param dest the bus name whose signals to watch (gdbus follows its owner)
     * @return the monitor, subscribed
     */
    public static DbusMonitor start(DbusDaemon bus, Path dir, String dest) {
        Path log = dir.resolve("gdbus-monitor-" + System.nanoTime() + ".log");
        Daemon d = Daemon.start("gdbus-monitor", null,
                List.of(Tools.require("stdbuf").toString(), "-oL", Tools.require("gdbus").toString(), "monitor",
                        "--address", bus.address(), "--dest", dest), Map.of(), log);
        DbusMonitor m = new DbusMonitor(d);
        // gdbus prints "Monitoring signals from all objects owned by ..." once its match rule is in place
        d.awaitReady("gdbus monitor subscribed", SUBSCRIBED, () -> m.output().contains("Monitoring"));
        return m;
    }

    /** @return everything gdbus printed so far */
    public String output() {
        try {
            return Files.exists(daemon.log()) ? Files.readString(daemon.log()) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * @param needle text the line must contain
     * @return the first line of the output containing it, waiting up to 30 s
     * @throws AssertionError with the whole output if no such line appears
     * @throws InterruptedException if interrupted while waiting
     */
    public String awaitLine(String needle) throws InterruptedException {
        long end = System.nanoTime() + AWAIT_LINE.toNanos();
        while (System.nanoTime() < end) {
            for (String l : output().split("\n")) {
                if (l.contains(needle)) {
                    return l;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + needle + "' from gdbus monitor; got:\n" + output());
    }

    /** Stops gdbus (by PID). */
    @Override
    public void close() {
        daemon.close();
    }
}
