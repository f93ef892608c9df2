package dev.ovs.bench;

import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.shell.AdminClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hot-swap soak (issue 8): while a client in another process ({@link SoakClient}) loops
 * {@code org.openvswitch.ovsdb.BridgeExists} on an existing bridge and {@code dev.ovs.PortAgent1.ListPorts},
 * every core bundle of the packaged appliance (sandbox mode) is updated N times through one admin-socket
 * connection ({@code update ID}; reconnected after each update of {@code dev.ovs.shell}). N = system property
 * {@code soak.n} or env {@code SOAK_N}, default 100. Measures failed calls and the unavailability window per swap
 * (from the client's log), wrong answers, the error names seen, and the appliance JVM's threads, open fds, heap
 * and metaspace after GC before and after.
 */
final class SoakBench {
    static final List<String> CORE = List.of("dev.ovs.bus", "dev.ovs.ovsdb", "dev.ovs.dbus", "dev.ovs.portagent",
            "dev.ovs.networkd", "dev.ovs.shell");
    private static final String BRIDGE = "br-soak";
    private static final long GAP_MS = 250;
    private final Path dist;
    private final int n;
    /** The bundles swapped: system property {@code soak.bundles} or env SOAK_BUNDLES (comma-separated), default {@link #CORE}. */
    private final List<String> swapped;
    private String shellLost;

    SoakBench(Path dist) {
        this.dist = dist;
        this.n = Integer.parseInt(System.getProperty("soak.n", System.getenv().getOrDefault("SOAK_N", "100")));
        String only = System.getProperty("soak.bundles", System.getenv().getOrDefault("SOAK_BUNDLES", ""));
        this.swapped = only.isBlank() ? CORE : List.of(only.trim().split("\\s*,\\s*"));
        if (!CORE.containsAll(swapped)) {
            throw new IllegalArgumentException("soak.bundles: only core bundles " + CORE + ", got " + swapped);
        }
        if (n < 1) {
            throw new IllegalArgumentException("soak.n: must be >= 1, got " + n);
        }
    }

    private record Swap(String bundle, long start, long end, int status, String err) {
    }

    private record Proc(int threads, int fds, String heap, List<String> fdTargets, List<String> threadNames) {
    }

    /** What is in {@code after} and not in {@code before} (multiset difference), counted: "name × n, ...". */
    private static String added(List<String> before, List<String> after) {
        Map<String, Integer> count = new TreeMap<>();
        after.forEach(x -> count.merge(x, 1, Integer::sum));
        before.forEach(x -> count.merge(x, -1, Integer::sum));
        StringBuilder b = new StringBuilder();
        count.forEach((k, v) -> {
            if (v > 0) {
                b.append(b.length() == 0 ? "" : ", ").append('`').append(k).append('`').append(v > 1 ? " × " + v : "");
            }
        });
        return b.length() == 0 ? "none" : b.toString();
    }

    String run() throws Exception {
        try (ShortTempDir tmp = ShortTempDir.create()) {
            return measure(tmp.resolve("sbx"), tmp.resolve("client.log"), tmp.resolve("stop"));
        }
    }

    private String measure(Path dir, Path clientLog, Path stop) throws Exception {
        List<Swap> swaps = new ArrayList<>();
        Proc before = null;
        Proc after;
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<String> ends = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Sandbox sbx = new Sandbox(dist, dir, null)) {
            String addr = sbx.dbusAddress();
            Stats.run(List.of("ovs-vsctl", "--db=" + sbx.ovsDb(), "--no-wait", "add-br", BRIDGE), 30);
            awaitBusctl(sbx, "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "BridgeExists", "b true",
                    "s", BRIDGE);
            awaitBusctl(sbx, "dev.ovs.PortAgent1", "/dev/ovs/PortAgent1", "dev.ovs.PortAgent1", "ListPorts", "as");
            Path sock = dir.resolve("state/admin.sock");
            sbx.await("admin socket", 60, () -> Files.exists(sock));
            AdminClient admin = AdminClient.connect(sock);
            try {
                String lb = exec(admin, "lb -s")[0];
                Pattern p = Pattern.compile("^\\s*(\\d+)\\s*\\|[^|]*\\|[^|]*\\|\\s*([^\\s|(]+)", Pattern.MULTILINE);
                Matcher m = p.matcher(lb);
                while (m.find()) {
                    if (CORE.contains(m.group(2))) {
                        ids.put(m.group(2), Integer.parseInt(m.group(1)));
                    }
                }
                if (ids.size() != CORE.size()) {
                    throw new IllegalStateException("lb -s: core bundles not all found (" + ids + "):\n" + lb);
                }
                long pid = sbx.appliancePid();
                Files.deleteIfExists(stop);
                Process client = new ProcessBuilder(DbusBench.javaBin(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", "-cp",
                        DbusBench.clientClassPath(), SoakClient.class.getName(), addr, BRIDGE, clientLog.toString(), stop.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolveSibling("client.out").toFile())
                        .redirectInput(new File("/dev/null")).start();
                try {
                    sbx.await("soak client ready", 60, () -> readLines(clientLog).stream().filter(l -> l.startsWith("R ")).count() == 2);
                    // baseline in the steady state: one warm-up update of each core bundle (not counted) while the
                    // client calls, so that lazily started pool threads (dbus-java's 4 method-call threads) and
                    // first-time work are in the baseline, not mistaken for leaks
                    for (String b : swapped) {
                        try {
                            exec(admin, "update " + ids.get(b));
                        } catch (IOException e) {
                            // the shell's own update closes this connection
                        }
                        if (b.equals("dev.ovs.shell")) {
                            admin.close();
                            admin = reconnect(sbx, sock);
                            if (admin == null) {
                                throw new IllegalStateException("warm-up: the admin socket did not come back after updating dev.ovs.shell");
                            }
                        }
                        Thread.sleep(GAP_MS);
                        sbx.await("client calls answering again after the warm-up update of " + b, 60, () -> !openFailure(clientLog));
                    }
                    Thread.sleep(5000);
                    before = proc(pid);
                    for (String b : swapped) {
                        for (int i = 0; i < n; i++) {
                            long s = SoakClient.nowMicros();
                            int status;
                            String err = "";
                            try {
                                String[] r = exec(admin, "update " + ids.get(b));
                                status = Integer.parseInt(r[2]);
                                err = r[1];
                            } catch (IOException e) {
                                // updating the shell bundle closes the admin connection running the command
                                status = b.equals("dev.ovs.shell") ? 0 : -1;
                                err = b.equals("dev.ovs.shell") ? "" : e.toString();
                            }
                            if (b.equals("dev.ovs.shell")) {
                                admin.close();
                                AdminClient again = reconnect(sbx, sock);
                                if (again == null) {
                                    shellLost = String.format("after update %d of dev.ovs.shell the admin socket did not come back "
                                            + "within 30 s (the shell bundle cannot update itself through its own socket); its "
                                            + "remaining swaps were not run", i + 1);
                                    swaps.add(new Swap(b, s, SoakClient.nowMicros(), -1, "admin socket gone"));
                                    admin = null;
                                    break;
                                }
                                admin = again;
                            }
                            long e = SoakClient.nowMicros();
                            swaps.add(new Swap(b, s, e, status, err.strip()));
                            Thread.sleep(GAP_MS);
                            sbx.await("client calls answering again after update of " + b, 60, () -> !openFailure(clientLog));
                        }
                        System.err.printf("soak: %s updated %d times (%.0f s so far)%n", b, n, (System.nanoTime() - t0) / 1e9);
                    }
                } finally {
                    Files.writeString(stop, "stop");
                    if (!client.waitFor(60, TimeUnit.SECONDS)) {
                        client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                for (String l : readLines(clientLog)) {
                    if (l.startsWith("E ")) {
                        ends.add(l);
                    }
                }
                Thread.sleep(5000);
                after = proc(pid);
            } finally {
                if (admin != null) {
                    admin.close();
                }
            }
        }
        return table(swaps, readLines(clientLog), before, after, ends, (System.nanoTime() - t0) / 1e9);
    }

    /** @return a connection that answers {@code echo ok}, or null if none within 30 s */
    private static AdminClient reconnect(Sandbox sbx, Path sock) throws Exception {
        AdminClient[] c = new AdminClient[1];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        sbx.await("admin socket back after shell update", 60, () -> {
            if (System.nanoTime() > deadline) {
                return true;
            }
            try {
                AdminClient a = AdminClient.connect(sock);
                String[] r = exec(a, "echo ok");
                if (r[0].contains("ok")) {
                    c[0] = a;
                    return true;
                }
                a.close();
            } catch (IOException | RuntimeException e) {
                // not listening yet
            }
            return false;
        });
        return c[0];
    }

    /** @return {stdout, stderr, status} */
    private static String[] exec(AdminClient a, String cmd) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int st = a.execute(cmd, out, err);
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), Integer.toString(st)};
    }

    private static void awaitBusctl(Sandbox sbx, String dest, String path, String iface, String member, String prefix,
            String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("busctl", "--address=" + sbx.dbusAddress(), "call", dest, path, iface, member));
        cmd.addAll(List.of(args));
        sbx.await(dest + " answering " + member, 120, () -> {
            try {
                Stats.Exec e = Stats.exec(cmd, 10);
                return e.code() == 0 && e.out().trim().startsWith(prefix);
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** @return whether some op's last logged event is a failed call (its failure run has not ended yet) */
    private static boolean openFailure(Path log) {
        Map<String, Character> last = new TreeMap<>();
        for (String l : readLines(log)) {
            String[] f = l.split(" ");
            if (f.length >= 2 && !l.endsWith(" ") && "FSWR".indexOf(l.charAt(0)) >= 0) {
                last.put(f[1], l.charAt(0));
            }
        }
        return last.containsValue('F');
    }

    private static Proc proc(long pid) throws Exception {
        // the GC first: its jcmd also starts the JVM's Attach Listener (thread + socket) before anything is counted
        Stats.exec(List.of("jcmd", Long.toString(pid), "GC.run"), 60);
        int threads = -1;
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("Threads:")) {
                threads = Integer.parseInt(l.substring(8).trim());
            }
        }
        String[] fds = new File("/proc/" + pid + "/fd").list();
        Map<String, String> sockets = socketKinds(pid);
        List<String> targets = new ArrayList<>();
        for (String fd : fds == null ? new String[0] : fds) {
            try {
                // sockets by kind (unix + bound path, netlink, tcp), pipes as "pipe", files by path
                String t = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
                Matcher sm = Pattern.compile("^socket:\\[(\\d+)\\]$").matcher(t);
                t = sm.matches() ? "socket " + sockets.getOrDefault(sm.group(1), "?") : t.replaceAll(":\\[\\d+\\]$", "");
                targets.add(t.replaceAll("/version\\d+\\.\\d+/", "/version*/"));
            } catch (IOException gone) {
                // closed meanwhile
            }
        }
        List<String> names = new ArrayList<>();
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        for (File t : tasks == null ? new File[0] : tasks) {
            try {
                names.add(Files.readString(t.toPath().resolve("comm")).strip().replaceAll("\\d+", "N"));
            } catch (IOException gone) {
                // ended meanwhile
            }
        }
        String info = Stats.exec(List.of("jcmd", Long.toString(pid), "GC.heap_info"), 60).out();
        long heap = 0;
        long meta = -1;
        Matcher m = Pattern.compile("(?m)^\\s*(\\S.*?)\\s+(?:total \\d+K, )?used (\\d+)K").matcher(info);
        while (m.find()) {
            if (m.group(1).startsWith("Metaspace")) {
                meta = Long.parseLong(m.group(2));
            } else if (!m.group(1).startsWith("class space")) {
                heap += Long.parseLong(m.group(2));
            }
        }
        return new Proc(threads, fds == null ? -1 : fds.length, String.format("heap %,d KiB, metaspace %,d KiB", heap, meta),
                targets, names);
    }

    /** Socket inode to a description, from /proc/PID/net/{unix,netlink,tcp,tcp6,udp} (the process's namespace). */
    private static Map<String, String> socketKinds(long pid) {
        Map<String, String> kinds = new java.util.HashMap<>();
        for (String table : List.of("unix", "netlink", "tcp", "tcp6", "udp", "udp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/net/" + table));
                for (String l : lines.subList(1, lines.size())) {
                    String[] f = l.trim().split("\\s+");
                    if (table.equals("unix") && f.length >= 7) {
                        kinds.put(f[6], "unix" + (f.length > 7 ? " " + f[7] : ""));
                    } else if (table.equals("netlink") && f.length >= 10) {
                        kinds.put(f[9], "netlink");
                    } else if (f.length >= 10) {
                        kinds.put(f[9], table);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // table not there
            }
        }
        return kinds;
    }

    private String table(List<Swap> swaps, List<String> log, Proc before, Proc after, List<String> ends, double seconds) {
        // failure runs per op: first failed call's send time -> the next success's answer time
        Map<String, Long> runStart = new TreeMap<>();
        List<long[]> windows = new ArrayList<>(); // {start, end}
        List<long[]> fails = new ArrayList<>(); // {t}
        List<long[]> wrongs = new ArrayList<>();
        Map<Integer, Map<String, Integer>> errs = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (String l : log) {
            String[] f = l.split(" ", 6);
            switch (f[0]) {
                case "F" -> {
                    long t = Long.parseLong(f[2]);
                    runStart.putIfAbsent(f[1], t);
                    fails.add(new long[] {t});
                    int k = swapOf(swaps, t);
                    String name = f[1] + ": " + f[4];
                    errs.computeIfAbsent(k, x -> new TreeMap<>()).merge(name, 1, Integer::sum);
                    if (examples.stream().noneMatch(e -> e.startsWith(name + " —"))) {
                        examples.add(name + " — " + (f.length > 5 ? f[5] : ""));
                    }
                }
                case "S" -> {
                    Long s = runStart.remove(f[1]);
                    if (s != null) {
                        windows.add(new long[] {s, Long.parseLong(f[3])});
                    }
                }
                case "W" -> wrongs.add(new long[] {Long.parseLong(f[2])});
                default -> {
                }
            }
        }
        StringBuilder t = new StringBuilder();
        t.append("### Hot-swap soak: core bundles updated while a client in another process keeps calling\n\n");
        t.append(String.format("Packaged appliance in sandbox mode. Client: a second JVM (dbus-java 5.2.0), two threads with one "
                + "connection each, looping blocking calls `org.openvswitch.ovsdb.BridgeExists(\"%s\")` (right answer: true) and "
                + "`dev.ovs.PortAgent1.ListPorts` (right answer: the first answer). Each bundle updated **N = %d** times through one "
                + "admin-socket connection (`update ID`; reconnected after each update of dev.ovs.shell); after each update %d ms "
                + "pause, then wait until both calls answer again. Window = from the first failed call's send to the next "
                + "successful call's answer (per call, max of the two per swap; p50/max over swaps with failures). "
                + "Whole suite %.0f s.%n%n", BRIDGE, n, GAP_MS, seconds));
        t.append("| bundle | swaps | update cmd p50 / max ms | swaps with failed calls | failed calls per swap (mean / max) "
                + "| window p50 / max ms | wrong answers | errors seen (call: name × count) |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
        int totalWrong = 0;
        int badStatus = 0;
        Map<String, String> statusExamples = new TreeMap<>();
        for (String b : swapped) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < swaps.size(); i++) {
                if (swaps.get(i).bundle().equals(b)) {
                    idx.add(i);
                }
            }
            long[] upd = new long[idx.size()];
            List<Long> win = new ArrayList<>();
            int withFail = 0;
            int maxFail = 0;
            int sumFail = 0;
            int wrong = 0;
            Map<String, Integer> e = new TreeMap<>();
            for (int j = 0; j < idx.size(); j++) {
                int k = idx.get(j);
                Swap s = swaps.get(k);
                upd[j] = (s.end() - s.start()) * 1000;
                if (s.status() != 0) {
                    badStatus++;
                    statusExamples.putIfAbsent(b, s.status() + ": " + s.err().lines().findFirst().orElse("(no message)"));
                }
                int fc = 0;
                for (long[] f : fails) {
                    fc += swapOf(swaps, f[0]) == k ? 1 : 0;
                }
                for (long[] w : wrongs) {
                    wrong += swapOf(swaps, w[0]) == k ? 1 : 0;
                }
                long w = 0;
                for (long[] r : windows) {
                    if (swapOf(swaps, r[0]) == k) {
                        w = Math.max(w, r[1] - r[0]);
                    }
                }
                if (fc > 0) {
                    withFail++;
                    win.add(w);
                }
                sumFail += fc;
                maxFail = Math.max(maxFail, fc);
                errs.getOrDefault(k, Map.of()).forEach((name, c) -> e.merge(name, c, Integer::sum));
            }
            totalWrong += wrong;
            long[] wa = win.stream().mapToLong(x -> x * 1000).toArray();
            t.append(String.format("| %s | %d | %.0f / %.0f | %d | %.2f / %d | %s | %d | %s |%n", b, idx.size(),
                    Stats.percentileMicros(upd, 50) / 1000, Stats.percentileMicros(upd, 100) / 1000, withFail,
                    idx.isEmpty() ? 0.0 : (double) sumFail / idx.size(), maxFail,
                    wa.length == 0 ? "—" : String.format("%.0f / %.0f", Stats.percentileMicros(wa, 50) / 1000,
                            Stats.percentileMicros(wa, 100) / 1000), wrong,
                    e.isEmpty() ? "none" : e.toString().replaceAll("[{}]", "").replace("=", " × ")));
        }
        int wrongBefore = 0;
        for (long[] w : wrongs) {
            wrongBefore += swapOf(swaps, w[0]) < 0 ? 1 : 0;
        }
        t.append(String.format("%nAppliance JVM (pid of the launcher's felix.jar child; after `jcmd PID GC.run`, 5 s settle; "
                + "before: after one warm-up update of each core bundle, client calling; after: client stopped):%n%n| | threads | open fds | after GC |%n|---|---:|---:|---|%n| before | %d | %d | %s |%n"
                + "| after %d swaps | %d | %d | %s |%n", before.threads(), before.fds(), before.heap(), swaps.size(), after.threads(),
                after.fds(), after.heap()));
        t.append(String.format("%nClient totals: %s. Wrong answers: %d%s. Update commands with a non-zero status: %d. "
                + "Threads %s baseline (%+d), fds %s baseline (%+d).%n", String.join("; ", ends), totalWrong + wrongBefore,
                totalWrong + wrongBefore == 0 ? "" : " (**NOT 0**)", badStatus,
                after.threads() <= before.threads() ? "at or below" : "NOT back at", after.threads() - before.threads(),
                after.fds() <= before.fds() ? "at or below" : "NOT back at", after.fds() - before.fds()));
        t.append(String.format("New fds after the swaps: %s. New threads (names as /proc shows them, 15 characters, digits as N): %s.%n",
                added(before.fdTargets(), after.fdTargets()), added(before.threadNames(), after.threadNames())));
        Map<String, Integer> notUnavailable = new TreeMap<>();
        errs.values().forEach(m -> m.forEach((name, c) -> {
            if (!name.endsWith(".Error.Unavailable")) {
                notUnavailable.merge(name, c, Integer::sum);
            }
        }));
        t.append(String.format("Failed calls with an error other than the documented `*.Error.Unavailable`: %s.%n",
                notUnavailable.isEmpty() ? "none"
                        : "**" + notUnavailable.toString().replaceAll("[{}]", "").replace("=", " × ") + "**"));
        statusExamples.forEach((b, x) -> t.append("\nFirst non-zero `update` status of ").append(b).append(": ")
                .append(x.replace('|', '/')).append('\n'));
        if (shellLost != null) {
            t.append("\n**dev.ovs.shell: ").append(shellLost).append(".**\n");
        }
        if (!examples.isEmpty()) {
            t.append("\nOne message per error seen:\n\n");
            examples.forEach(x -> t.append("- ").append(x).append('\n'));
        }
        return t.toString();
    }

    /** @return index of the last swap started at or before t (µs), -1 before the first */
    private static int swapOf(List<Swap> swaps, long t) {
        int k = -1;
        for (int i = 0; i < swaps.size() && swaps.get(i).start() <= t; i++) {
            k = i;
        }
        return k;
    }
}
