package dev.ovs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the suites: percentiles of nanosecond samples, formatting, processes, heap. */
final class Stats {
    private Stats() {
    }

    /**
     * @param nanos samples in nanoseconds (not modified)
     * @param p     percentile 0..100 (nearest rank)
     * @return the percentile in microseconds
     */
    static double percentileMicros(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))] / 1000.0;
    }

    /** @return "12.3" for microsecond values, with one decimal below 100 and none above */
    static String us(double micros) {
        return micros < 100 ? String.format("%.1f", micros) : String.format("%.0f", micros);
    }

    /** @return a per-second rate with thousands separators */
    static String rate(double perSecond) {
        return perSecond >= 100 ? String.format("%,.0f", perSecond) : String.format("%.1f", perSecond);
    }

    /** @return heap in use after full collections, bytes */
    static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, m.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** @return VmRSS of a process, KiB */
    static long rssKb(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Output and exit code of a finished process. */
    record Exec(int code, String out) {
    }

    /**
     * Runs a command to completion (stderr merged into stdout).
     *
     * @throws IllegalStateException if it does not finish within the timeout (it is killed)
     */
    static Exec exec(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
        }
        reader.join(5000);
        return new Exec(p.exitValue(), new String(out[0] == null ? new byte[0] : out[0], StandardCharsets.UTF_8));
    }

    /** Like {@link #exec} but a non-zero exit is an {@link IllegalStateException} with the output. */
    static String run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Exec e = exec(cmd, timeoutSeconds);
        if (e.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + e.code() + "): " + e.out());
        }
        return e.out();
    }
}
