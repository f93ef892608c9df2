package dev.ovs.ovsdb.dbus.impl;

import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.DbusDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code gdbus monitor} on a test bus as a tracked child process; its output goes to a log file. */
final class Monitor implements AutoCloseable {
    private final Daemon daemon;

    Monitor(DbusDaemon bus, Path dir, String dest) {
        Path log = dir.resolve("monitor-" + System.nanoTime() + ".log");
        daemon = Daemon.start("gdbus-monitor", null,
                List.of("stdbuf", "-oL", "gdbus", "monitor", "--address", bus.address(), "--dest", dest),
                Map.of(), log);
        // gdbus prints "Monitoring signals from all objects owned by ..." once subscribed
        daemon.awaitReady("gdbus monitor subscribed", Duration.ofSeconds(20), () -> output().contains("Monitoring"));
    }

    String output() {
        try {
            return Files.exists(daemon.log()) ? Files.readString(daemon.log()) : "";
        } catch (IOException e) {
            return "";
        }
    }

    String awaitLine(String needle) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            String out = output();
            for (String l : out.split("\n")) {
                if (l.contains(needle)) {
                    return l;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + needle + "' from gdbus monitor; got:\n" + output());
    }

    @Override
    public void close() {
        daemon.close();
    }
}
