package dev.ovs.bench;

import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.shell.AdminClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appliance start to answering shell (ms, wall clock from process start until {@code lb} over the admin
 * socket returns with every bundle Active) and resident memory (VmRSS, MiB, 2 s after that answer),
 * median of {@link #RUNS} runs each, for:
 * <ol>
 *   <li>the JVM floor: {@code java -version} with the launcher's JVM options (process exit);</li>
 *   <li>the empty Felix runtime: Felix 7 + SCR + Gogo runtime/command + the admin shell bundle only;</li>
 *   <li>the Patchbay appliance: every bundle of {@code bundle/}.</li>
 * </ol>
 */
final class StartupBench {
    private static final int RUNS = 5;
    private static final String JVM_OPTS = "-Xms16m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k "
            + "-XX:ReservedCodeCacheSize=32m -Xshare:auto";
    /**
     * Bundles of the "empty" runtime: what it takes to answer a shell command, nothing of Patchbay's own (the admin
     * shell bundle imports the OSGi Log Service API, which felix.log provides).
     */
    private static final List<String> EMPTY_RUNTIME = List.of("org.apache.felix.scr", "org.osgi.service.component",
            "org.osgi.util.promise", "org.osgi.util.function", "org.apache.felix.gogo.runtime",
            "org.apache.felix.gogo.command", "patchbay-junixsocket", "org.apache.felix.log", "dev.ovs.shell");

    private final Path dist;

    StartupBench(Path dist) {
        this.dist = dist;
    }

    String run() throws Exception {
        long[] floor = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            List<String> cmd = new ArrayList<>(List.of("java"));
            cmd.addAll(Arrays.asList(JVM_OPTS.split(" ")));
            cmd.add("-version");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
            p.waitFor();
            floor[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        Result empty;
        Result full;
        try (ShortTempDir tmp = ShortTempDir.create()) {
            Path emptyHome = emptyRuntime(tmp.resolve("empty"));
            empty = measure(emptyHome, tmp.resolve("s1"));
            full = measure(dist, tmp.resolve("s2"));
        }
        long bundles;
        try (Stream<Path> s = Files.list(dist.resolve("bundle"))) {
            bundles = s.filter(p -> p.toString().endsWith(".jar")).count();
        }
        StringBuilder t = new StringBuilder();
        t.append("### Startup: appliance start to answering shell\n\n");
        t.append("Median of ").append(RUNS).append(" runs; ms from process start until `lb` over the admin socket ")
                .append("answers with every bundle Active; RSS (VmRSS) 2 s later.\n\n");
        t.append("| runtime | bundles | ms to shell (median) | min–max ms | RSS MiB (median) |\n");
        t.append("|---|---:|---:|---:|---:|\n");
        t.append(String.format("| JVM floor (`java -version`, same options) | – | %d | %d–%d | – |%n", median(floor),
                Arrays.stream(floor).min().orElse(0), Arrays.stream(floor).max().orElse(0)));
        t.append(empty.row("empty Felix runtime (Felix + SCR + Gogo + Log + admin shell)", EMPTY_RUNTIME.size()));
        t.append(full.row("**Patchbay appliance**", (int) bundles));
        return t.toString();
    }

    private Path emptyRuntime(Path home) throws IOException {
        for (String d : List.of("bin", "lib", "etc")) {
            copyTree(dist.resolve(d), home.resolve(d));
        }
        Files.createDirectories(home.resolve("bundle"));
        Files.createDirectories(home.resolve("deploy"));
        try (Stream<Path> s = Files.list(dist.resolve("bundle"))) {
            for (Path jar : s.toList()) {
                String name = jar.getFileName().toString();
                if (EMPTY_RUNTIME.stream().anyMatch(b -> name.startsWith(b + "-"))) {
                    Files.copy(jar, home.resolve("bundle").resolve(name));
                }
            }
        }
        return home;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private record Result(long[] ms, long[] rssKb) {
        String row(String name, int bundles) {
            return String.format("| %s | %d | %d | %d–%d | %.1f |%n", name, bundles, median(ms),
                    Arrays.stream(ms).min().orElse(0), Arrays.stream(ms).max().orElse(0), median(rssKb) / 1024.0);
        }
    }

    private Result measure(Path home, Path stateBase) throws Exception {
        long[] ms = new long[RUNS];
        long[] rss = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            Path state = stateBase.resolve("run" + i);
            Path socket = state.resolve("admin.sock");
            Path log = stateBase.resolve("log" + i);
            Files.createDirectories(stateBase);
            Path etc = privateEtc(home, stateBase.resolve("etc" + i), state);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(home.resolve("bin/patchbay").toString(), "run", "--etc", etc.toString(),
                    "--state", state.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(new File("/dev/null")).start();
            try {
                long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    if (System.nanoTime() > deadline || !p.isAlive()) {
                        throw new IllegalStateException("no answer from " + home + ": " + Files.readString(log));
                    }
                    if (Files.exists(socket) && allActive(socket)) {
                        break;
                    }
                    Thread.sleep(5);
                }
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
                Thread.sleep(2000);
                rss[i] = rssKb(p.pid());
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        return new Result(ms, rss);
    }

    /**
     * The home's etc/ with the bus socket in the run's state directory and no OVS or D-Bus to reach, as on
     * a host that has neither: the figure is the appliance's own start, never the host's daemons.
     */
    private static Path privateEtc(Path home, Path etc, Path state) throws IOException {
        copyTree(home.resolve("etc"), etc);
        Files.writeString(etc.resolve("dev.ovs.bus.cfg"), "socket=" + state.resolve("bus.sock") + "\n");
        if (Files.exists(etc.resolve("dev.ovs.ovsdb.cfg"))) {
            Files.writeString(etc.resolve("dev.ovs.ovsdb.cfg"), "remote=unix:" + etc.resolve("no-ovsdb.sock") + "\n");
        }
        if (Files.exists(etc.resolve("dev.ovs.dbus.cfg"))) {
            Files.writeString(etc.resolve("dev.ovs.dbus.cfg"), "address=unix:path=" + etc.resolve("no-bus.sock") + "\n");
        }
        if (Files.exists(etc.resolve("dev.ovs.portagent.cfg"))) {
            Files.writeString(etc.resolve("dev.ovs.portagent.cfg"), "docker.socket=" + etc.resolve("no-docker.sock")
                    + "\nledger.path=" + state.resolve("ledger.jsonl") + "\n");
        }
        return etc;
    }

    private static boolean allActive(Path socket) {
        try (AdminClient c = AdminClient.connect(socket)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (c.execute("lb", out, OutputStream.nullOutputStream()) != 0) {
                return false;
            }
            List<String> rows = out.toString().lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.split("\\|")[1].trim().equals("Active"));
        } catch (IOException e) {
            return false;
        }
    }

    private static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst()
                .orElseThrow();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
