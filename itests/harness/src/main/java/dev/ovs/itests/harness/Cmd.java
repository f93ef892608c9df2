package dev.ovs.itests.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived command to completion and captures its output.
 *
 * <p>stdin is empty ({@code /dev/null}); stdout and stderr are read concurrently (no pipe deadlock).
 * A command that exceeds its timeout is killed with SIGKILL (by its own PID only) and reported as a
 * failure. The command's first word is resolved with {@link Tools#require(String)}, so a missing
 * tool skips (or fails under {@code CI=true}).
 */
public final class Cmd {
    /** Default timeout of {@link #run(String...)}: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Cmd() {
    }

    /** Thrown when a command exits non-zero or times out; carries exit code, stdout and stderr. */
    public static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;
        private final String stdout;
        private final String stderr;

        Failed(List<String> argv, int exitCode, String stdout, String stderr, boolean timedOut) {
            super((timedOut ? "command timed out (killed): " : "command failed with exit code " + exitCode + ": ")
                    + String.join(" ", argv) + "\n--- stderr ---\n" + stderr
                    + (stdout.isBlank() ? "" : "\n--- stdout ---\n" + stdout));
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** @return the exit status, or -1 if the command timed out */
        public int exitCode() {
            return exitCode;
        }

        /** @return everything the command wrote to stdout (UTF-8) */
        public String stdout() {
            return stdout;
        }

        /** @return everything the command wrote to stderr (UTF-8) */
        public String stderr() {
            return stderr;
        }
    }

    /**
     * Runs {@code argv} with {@link #DEFAULT_TIMEOUT}.
     *
     * @param argv program and arguments, at least one element
     * @return stdout (UTF-8)
     * @throws Failed                   on non-zero exit or timeout
     * @throws IllegalArgumentException if argv is empty
     */
    public static String run(String... argv) {
        return run(List.of(argv), DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code argv} and waits at most {@code timeout}.
     *
     * @param argv    program and arguments, at least one element
     * @param timeout positive maximum wall time
     * @return stdout (UTF-8)
     * @throws Failed                   on non-zero exit or timeout
     * @throws IllegalArgumentException if argv is empty or timeout is not positive
     */
    public static String run(List<String> argv, Duration timeout) {
        return run(argv, Map.of(), timeout);
    }

    /**
     * Runs {@code argv} with extra environment variables and waits at most {@code timeout}.
     *
     * @param argv    program and arguments, at least one element
     * @param env     variables added to (or replacing in) the inherited environment
     * @param timeout positive maximum wall time
     * @return stdout (UTF-8)
     * @throws Failed                   on non-zero exit or timeout
     * @throws IllegalArgumentException if argv is empty or timeout is not positive
     */
    public static String run(List<String> argv, Map<String, String> env, Duration timeout) {
        Result r = exec(argv, env, timeout);
        if (r.timedOut || r.exitCode != 0) {
            throw new Failed(argv, r.timedOut ? -1 : r.exitCode, r.stdout, r.stderr, r.timedOut);
        }
        return r.stdout;
    }

    /**
     * Runs {@code argv} and returns the exit code instead of throwing on failure.
     *
     * @param argv    program and arguments
     * @param timeout positive maximum wall time
     * @return exit status, or -1 on timeout
     */
    public static int status(List<String> argv, Duration timeout) {
        Result r = exec(argv, Map.of(), timeout);
        return r.timedOut ? -1 : r.exitCode;
    }

    private record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
    }

    private static Result exec(List<String> argv, Map<String, String> env, Duration timeout) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("argv: must contain at least the program name");
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must be positive");
        }
        List<String> cmd = new ArrayList<>(argv);
        cmd.set(0, Tools.require(argv.get(0)).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
        }
        Reader out = new Reader(p.getInputStream());
        Reader err = new Reader(p.getErrorStream());
        out.start();
        err.start();
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            out.join(5000);
            err.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
        return new Result(done ? p.exitValue() : -1, out.text(), err.text(), !done);
    }

    private static final class Reader extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Reader(InputStream in) {
            super("pbt-cmd-reader");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(buf);
            } catch (IOException e) {
                // process gone; keep what we have
            }
        }

        synchronized String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
