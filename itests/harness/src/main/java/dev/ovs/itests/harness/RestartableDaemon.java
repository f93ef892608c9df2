package dev.ovs.itests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shape every daemon of the harness shares ({@link DbusDaemon}, {@link OvsdbServer}, ovs-vswitchd in
 * {@link Ovs}, {@link Networkd}, the API service of {@link Podman}): one foreground process tracked by PID
 * ({@link Daemon}) with a fixed command line, log file and readiness probe, which can be stopped and started
 * again on the same files and sockets any number of times.
 *
 * <ul>
 * <li>{@link #start()}: deletes a stale endpoint socket, starts the command ({@link #command()},
 * {@link #environment()}, log {@link #log()}), then polls every 50 ms until the endpoint socket
 * ({@link #socket()}, when there is one) exists and {@link #answers()} is true, at most {@link #readyTimeout()};
 * then {@link #afterReady()}. If it does not get ready, the process is stopped and the
 * {@link IllegalStateException} carries the tail of its log.</li>
 * <li>{@link #stop()}: SIGTERM to the PID, SIGKILL after {@link Daemon#STOP_GRACE} (also to descendants it
 * left); files are kept. {@link #restart()}: stop, then start (a new PID, the same files).</li>
 * <li>{@link #close()}: stop, then delete the files of {@link #files()}. Idempotent.</li>
 * </ul>
 * Subclasses are not thread-safe: one test thread starts and stops a daemon.
 */
public abstract class RestartableDaemon implements AutoCloseable {
    private final String label;
    private final Netns ns;
    private final Path log;
    private final Duration readyTimeout;
    private Daemon daemon;

    /**
     * @param label        short name for messages and the process registry, e.g. {@code "dbus-daemon"}
     * @param ns           network namespace to run in, or null for the caller's
     * @param log          file receiving stdout and stderr (appended)
     * @param readyTimeout how long {@link #start()} waits for {@link #answers()}
     */
    protected RestartableDaemon(String label, Netns ns, Path log, Duration readyTimeout) {
        this.label = label;
        this.ns = ns;
        this.log = log;
        this.readyTimeout = readyTimeout;
    }

    /** @return program and arguments (the program is resolved with {@link Tools#require(String)}) */
    protected abstract List<String> command();

    /** @return extra environment variables of the process; none by default */
    protected Map<String, String> environment() {
        return Map.of();
    }

    /**
     * @return the socket file the daemon listens on (deleted before each start, awaited after it), or null
     *         when readiness is only {@link #answers()}
     */
    public abstract Path socket();

    /**
     * The readiness probe, called after {@link #socket()} exists; exceptions count as "not yet".
     *
     * @return whether the daemon answers requests
     */
    protected abstract boolean answers();

    /** @return what {@link #answers()} checks, for messages (e.g. {@code "ListNames on DIR/bus.sock"}) */
    protected abstract String readiness();

    /** Runs once {@link #answers()} is true (further waits, e.g. a TCP listener); nothing by default. */
    protected void afterReady() {
    }

    /** @return the files {@link #close()} deletes (sockets, configuration, pidfiles, the log) */
    protected abstract List<Path> files();

    /** @return how long {@link #start()} waits */
    public final Duration readyTimeout() {
        return readyTimeout;
    }

    /** @return the network namespace, or null for the caller's */
    public final Netns netns() {
        return ns;
    }

    /** @return the log file (stdout and stderr of every start, appended) */
    public final Path log() {
        return log;
    }

    /**
     * Starts the daemon and waits until it is ready (see the class comment).
     *
     * @throws IllegalStateException if it is already running, exits early or is not ready in time (the
     *                               message has the log tail)
     * @throws java.io.UncheckedIOException if the process cannot be started
     */
    public void start() {
        if (running()) {
            throw new IllegalStateException(label + " already running: " + daemon);
        }
        Path s = socket();
        if (s != null) {
            try {
                Files.deleteIfExists(s);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot delete the stale socket " + s, e);
            }
        }
        daemon = Daemon.start(label, ns, command(), environment(), log);
        try {
            daemon.awaitReady(readiness(), readyTimeout, () -> (s == null || Files.exists(s)) && answers());
            afterReady();
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /** Stops the process by PID (SIGTERM, then SIGKILL); its files stay. Idempotent. */
    public void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** {@link #stop()} then {@link #start()}: a new PID on the same files; clients must reconnect. */
    public void restart() {
        stop();
        start();
    }

    /** @return whether the process is running */
    public boolean running() {
        return daemon != null && daemon.alive();
    }

    /**
     * @return the PID of the current process
     * @throws IllegalStateException if it was never started
     */
    public long pid() {
        return daemon().pid();
    }

    /**
     * @return the tracked process of the last {@link #start()}
     * @throws IllegalStateException if it was never started
     */
    public Daemon daemon() {
        if (daemon == null) {
            throw new IllegalStateException(label + " was never started");
        }
        return daemon;
    }

    /** Stops the process by PID and deletes {@link #files()}. Idempotent. */
    @Override
    public void close() {
        stop();
        for (Path p : files()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
