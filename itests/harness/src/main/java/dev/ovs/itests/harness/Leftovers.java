package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Leftover check: take a {@link #snapshot()} before a test (or suite), call
 * {@link #assertNoneSince()} after it.
 *
 * <p>What counts as a leftover (scoped so that other test runs on the same machine do not cause
 * false alarms):
 * <ul>
 * <li>network namespaces created by this JVM's harness ({@link Netns}) that still exist;</li>
 * <li>veth links in the host namespace ({@code ip -o link show type veth}) that did not exist at the
 * snapshot (tests must never create host links);</li>
 * <li>live (non-zombie) descendant processes of this JVM that did not exist at the snapshot, and any
 * live process whose command line mentions a {@link ShortTempDir} created since the snapshot (e.g.
 * podman's re-parented {@code conmon});</li>
 * <li>mount points in this mount namespace ({@code /proc/self/mountinfo}) that did not exist at the
 * snapshot and lie under {@code /run/netns/pbt-*} of this JVM, a {@link ShortTempDir} of this JVM,
 * {@code /var/lib/containers}, {@code /run/containers} or {@code /run/systemd};</li>
 * <li>{@link ShortTempDir}s created since the snapshot that have not been closed.</li>
 * </ul>
 * Processes are re-checked for up to 5 seconds (exits are asynchronous).
 */
public final class Leftovers {
    private final Set<String> veths;
    private final Set<Long> processes;
    private final Set<String> mounts;
    private final Set<Path> dirs;
    private final Set<Path> allDirs;
    private final boolean scoped;

    private Leftovers(Set<String> veths, Set<Long> processes, Set<String> mounts, Set<Path> dirs) {
        this(veths, processes, mounts, dirs, Registry.allDirs(), false);
    }

    private Leftovers(Set<String> veths, Set<Long> processes, Set<String> mounts, Set<Path> dirs, Set<Path> allDirs,
            boolean scoped) {
        this.allDirs = allDirs;
        this.scoped = scoped;
        this.veths = veths;
        this.processes = processes;
        this.mounts = mounts;
        this.dirs = dirs;
    }

    /**
     * Records the current state.
     *
     * @return the snapshot
     */
    public static Leftovers snapshot() {
        return new Leftovers(hostVeths(), descendants(), mountPoints(), new LinkedHashSet<>(Registry.dirs()));
    }

    /**
     * Asserts that nothing the harness tracks was left behind since {@link #snapshot()}.
     *
     * @throws AssertionError listing every leftover (namespace, link, process with its command line,
     *                        mount point, directory)
     */
    public void assertNoneSince() {
        assertNoneSince(5000);
    }

    void assertNoneSince(long graceMillis) {
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        while (true) {
            problems.clear();
            collect(problems);
            if (problems.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("test harness leftovers:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * Snapshot-free end-of-suite check: everything the harness created in this JVM is gone: no
     * tracked {@link Daemon} alive, no {@link Netns} left, no {@link ShortTempDir} left, no live
     * process mentioning one of those directories, nothing mounted under them or under
     * {@code /run/netns/NAME} of those namespaces. Retries for up to 5 s.
     *
     * @throws AssertionError listing every leftover
     */
    public static void assertHarnessClean() {
        assertHarnessClean(5000);
    }

    static void assertHarnessClean(long graceMillis) {
        Leftovers empty = new Leftovers(hostVeths(), descendants(), Set.of(), Set.of(), Set.of(), true);
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        while (true) {
            problems.clear();
            for (Daemon d : Registry.daemons()) {
                if (d.alive()) {
                    problems.add("daemon " + d + " still running (not closed)");
                }
            }
            empty.collectScoped(problems);
            if (problems.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("test harness leftovers at end of suite:\n  " + String.join("\n  ", problems));
        }
    }

    /** Like collect, but ignores host links and unrelated processes (used with an empty snapshot). */
    private void collectScoped(List<String> problems) {
        List<String> all = new ArrayList<>();
        collect(all);
        for (String p : all) {
            if (!p.startsWith("host veth link") && !(p.startsWith("process ") && !p.startsWith("process mentioning"))) {
                problems.add(p);
            }
        }
    }

    private void collect(List<String> problems) {
        for (String ns : Registry.allNamespaces()) {
            if (Files.exists(Path.of("/run/netns", ns))) {
                problems.add("network namespace " + ns + " still exists");
            }
        }
        for (String l : hostVeths()) {
            if (!veths.contains(l)) {
                problems.add("host veth link " + l + " appeared");
            }
        }
        for (long pid : descendants()) {
            if (!processes.contains(pid)) {
                String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
                problems.add("process " + pid + " still running: " + cmd);
            }
        }
        Set<String> prefixes = new LinkedHashSet<>();
        if (!scoped) {
            prefixes.addAll(List.of("/var/lib/containers", "/run/containers", "/run/systemd"));
        }
        for (String ns : Registry.allNamespaces()) {
            prefixes.add("/run/netns/" + ns);
        }
        for (Path d : Registry.dirs()) {
            prefixes.add(d.toString());
            if (!dirs.contains(d)) {
                problems.add("temp dir " + d + " not deleted (ShortTempDir not closed)");
            }
        }
        for (Path d : Registry.allDirs()) {
            if (!allDirs.contains(d)) {
                for (String proc : processesMentioning(d.toString())) {
                    problems.add("process mentioning " + d + " still running: " + proc);
                }
            }
        }
        for (String m : mountPoints()) {
            if (!mounts.contains(m) && prefixes.stream().anyMatch(p -> m.equals(p) || m.startsWith(p + "/"))) {
                problems.add("mount point " + m + " still mounted");
            }
        }
    }

    static Set<String> hostVeths() {
        Set<String> out = new TreeSet<>();
        for (String line : Cmd.run("ip", "-o", "link", "show", "type", "veth").split("\n")) {
            String[] f = line.split(":\\s+", 3);
            if (f.length >= 2) {
                out.add(f[1].replaceAll("@.*", "").trim());
            }
        }
        return out;
    }

    static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(h -> Podman.running(h.pid())).map(ProcessHandle::pid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Live (non-zombie) processes whose command line contains {@code text}, e.g. podman's conmon,
     * which is re-parented away from this JVM.
     */
    static List<String> processesMentioning(String text) {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit) || !Podman.running(Long.parseLong(n))) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains(text)) {
                        out.add(n + " " + cmd);
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return out;
    }

    static Set<String> mountPoints() {
        try {
            Set<String> out = new TreeSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    out.add(f[4].replace("\\040", " "));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    @Override
    public String toString() {
        return "Leftovers[veths=" + veths.size() + ", processes=" + processes + ", mounts=" + mounts.size() + "]";
    }
}
