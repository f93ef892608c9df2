package dev.ovs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** One line describing when and where the figures were taken: date, CPU model and count, memory, JVM, load. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String cpu = "unknown CPU";
        long memKb = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        } catch (IOException ignored) {
            // keep the defaults
        }
        String load = "?";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException ignored) {
            // keep "?"
        }
        return String.format("Measured %s on %d × %s, %.0f GiB RAM, Java %s; load average %s at the start (the machine "
                + "is shared: other builds may run at the same time).", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0, System.getProperty("java.version"), load);
    }
}
