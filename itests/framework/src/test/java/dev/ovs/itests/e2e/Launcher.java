package dev.ovs.itests.e2e;

import dev.ovs.itests.harness.Appliance;
import dev.ovs.itests.harness.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the end-to-end tests share about a launched appliance: a private etc/, waiting for its shell, stopping it
 * and reading its log.
 */
final class Launcher {
    /** How long {@link #terminate} waits for the appliance to exit after SIGTERM before it sends SIGKILL: 60 s. */
    static final Duration STOP = Duration.ofSeconds(60);

    private Launcher() {
    }

    /**
     * Copies {@code sourceEtc} to {@code dir/etc} with the bus socket in {@code state} and the OVSDB remote
     * and D-Bus address pointing at sockets that do not exist in {@code dir}, so a test never touches the
     * host's /run/patchbay, Open vSwitch or system bus. The directory is made 0755 and its files 0644 whatever
     * the umask: {@code bin/patchbay run} refuses an etc/ writable by group or others (docs/security.md).
     */
    static Path privateEtc(Path sourceEtc, Path dir, Path state) throws IOException {
        return Appliance.privateEtc(sourceEtc, dir, state, "unix:" + dir.resolve("no-ovsdb.sock"),
                "unix:path=" + dir.resolve("no-bus.sock"));
    }

    /**
     * Puts {@code source} into a watched directory as {@code target} the way an administrator's
     * {@code install -m 0644} does: written under a name fileinstall does not pick up, made 0644 (whatever the
     * umask), then renamed over {@code target} in one step, so fileinstall never sees a partial file or
     * another mode.
     *
     * @param source the file to copy
     * @param target the path in the watched directory
     * @throws IOException if copying or renaming fails
     */
    static void install(Path source, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs {@code launcher shell --state STATE -c COMMAND}; throws {@link Cmd.Failed} on a non-zero exit. */
    static String shell(Path launcher, Path state, String command) {
        return Appliance.shell(launcher, state, command);
    }

    /**
     * Stops a launched appliance by the process the test started ({@code bin/patchbay run ...}, which passes the
     * signal on to the JVM and then stops a sandbox's daemons): SIGTERM, up to {@link #STOP} for it to exit, then
     * SIGKILL.
     *
     * @param appliance the process the test started
     * @return true if it exited within {@link #STOP} after SIGTERM, false if it had to be killed
     * @throws InterruptedException if interrupted while waiting
     */
    static boolean terminate(Process appliance) throws InterruptedException {
        appliance.destroy(); // SIGTERM
        if (appliance.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            return true;
        }
        appliance.destroyForcibly();
        appliance.waitFor(10, TimeUnit.SECONDS); // gone before the caller deletes its directory
        return false;
    }

    /**
     * {@link #terminate}, as an assertion: the appliance must stop on SIGTERM.
     *
     * @param appliance the process the test started
     * @param log the file its output goes to, shown in the failure ({@link #readLog})
     * @throws AssertionError with the log if it did not exit within {@link #STOP} after SIGTERM (it has been
     *         killed)
     * @throws InterruptedException if interrupted while waiting
     */
    static void stop(Process appliance, Path log) throws InterruptedException {
        if (!terminate(appliance)) {
            throw new AssertionError("appliance did not stop within " + STOP.toSeconds() + " s after SIGTERM:\n"
                    + readLog(log));
        }
    }

    /**
     * Reads the appliance's log for an assertion message.
     *
     * @param log the file the appliance's output goes to
     * @return its text, or {@code (no log: <exception>)} if it cannot be read (e.g. not created yet)
     */
    static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Waits until the appliance answers on {@code state/admin.sock}.
     *
     * @throws AssertionError with the appliance's log if it exits or does not answer within {@code timeout}
     */
    static void awaitShell(Process appliance, Path launcher, Path state, Duration timeout, Supplier<String> log)
            throws InterruptedException {
        Path socket = state.resolve("admin.sock");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(socket)) {
                try {
                    shell(launcher, state, "echo ready");
                    return;
                } catch (Cmd.Failed notYet) {
                    // still starting
                }
            }
            if (!appliance.isAlive()) {
                throw new AssertionError("appliance exited with " + appliance.exitValue() + ":\n" + log.get());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no admin socket " + socket + " after " + timeout + ":\n" + log.get());
    }
}
