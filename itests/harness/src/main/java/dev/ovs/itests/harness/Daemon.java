package dev.ovs.itests.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One long-running child process started (not daemonized: no {@code --detach}) and tracked by the
 * harness. stdout and stderr go to a log file. {@link #close()} sends SIGTERM to <em>its own PID</em>,
 * waits up to {@link #STOP_GRACE}, then SIGKILL, then also stops any descendants it left behind
 * (again by PID). Never kills by name.
 *
 * <p>When started through {@link Netns#wrap(String...)} the PID is the daemon's own: {@code ip netns
 * exec} {@code execve}s the command without forking.
 */
public final class Daemon implements AutoCloseable {
    /** Time between SIGTERM and SIGKILL: 5 seconds. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String label;
    private final List<String> argv;
    private final Path log;
    private final String netns;
    private final Process process;

    private Daemon(String label, List<String> argv, Path log, String netns, Process process) {
        this.label = label;
        this.argv = argv;
        this.log = log;
        this.netns = netns;
        this.process = process;
    }

    /**
     * Starts a background process.
     *
     * @param label short name for messages (e.g. {@code "ovsdb-server"})
     * @param ns    network namespace to run in, or {@code null} for the caller's namespace
     * @param argv  program and arguments (the program is resolved with {@link Tools#require(String)})
     * @param env   extra environment variables
     * @param log   file that receives stdout and stderr (appended; parent directory must exist)
     * @return the running daemon, registered for cleanup
     * @throws IllegalArgumentException if argv is empty
     * @throws UncheckedIOException     if the process cannot be started
     */
    public static Daemon start(String label, Netns ns, List<String> argv, Map<String, String> env, Path log) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("argv: must contain at least the program name");
        }
        List<String> cmd = new ArrayList<>(argv);
        cmd.set(0, Tools.require(argv.get(0)).toString());
        if (ns != null) {
            cmd = ns.wrap(cmd.toArray(String[]::new));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        try {
            Daemon d = new Daemon(label, List.copyOf(cmd), log, ns == null ? null : ns.name(), pb.start());
            Registry.add(d);
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + label + ": " + String.join(" ", cmd), e);
        }
    }

    /** @return the PID of the started process */
    public long pid() {
        return process.pid();
    }

    /** @return whether the process is still running */
    public boolean alive() {
        return process.isAlive();
    }

    /** @return the log file (stdout + stderr) */
    public Path log() {
        return log;
    }

    /** @return the network namespace name, if started in one */
    public Optional<String> netns() {
        return Optional.ofNullable(netns);
    }

    /** @return the full command line as started */
    public List<String> argv() {
        return argv;
    }

    /**
     * Last lines of the log, for error messages.
     *
     * @param lines maximum number of lines
     * @return the tail, or a note if unreadable
     */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    /**
     * Polls {@code ready} every 50 ms until it returns true.
     *
     * @param what    description for the error message
     * @param timeout maximum wait
     * @param ready   readiness probe; exceptions count as "not yet"
     * @throws IllegalStateException if the process exits or the timeout passes; the message includes
     *                               the log tail
     */
    public void awaitReady(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(label + " exited with " + process.exitValue() + " before " + what
                        + "; command: " + String.join(" ", argv) + "\n--- log tail ---\n" + logTail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + " not ready (" + what + ") within " + timeout
                        + "; last error: " + last + "\n--- log tail ---\n" + logTail(30));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + label, e);
            }
        }
    }

    /**
     * Stops the process: SIGTERM, wait {@link #STOP_GRACE}, SIGKILL; then the same for descendants
     * it left. Idempotent.
     */
    @Override
    public void close() {
        try {
            List<ProcessHandle> kids = process.descendants().toList();
            stop(process);
            for (ProcessHandle k : kids) {
                stop(k);
            }
        } finally {
            Registry.remove(this);
        }
    }

    /**
     * Stops this JVM's child: SIGTERM, wait up to {@link #STOP_GRACE}, SIGKILL, wait again. Waits on the
     * {@link Process} itself, not on its {@link ProcessHandle}: the handle's exit future can complete before the
     * {@code Process} has recorded the exit, and {@link #alive()} (so {@link RestartableDaemon#start()} right after
     * a stop) would still see it running.
     */
    private static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops one process by PID: SIGTERM, wait up to {@link #STOP_GRACE}, SIGKILL.
     *
     * @param h process handle
     */
    static void stop(ProcessHandle h) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            h.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e2) {
                // cannot do more
            }
        }
    }

    @Override
    public String toString() {
        return label + "[pid " + pid() + (netns == null ? "" : ", netns " + netns) + "]";
    }
}
