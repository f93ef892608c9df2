package dev.ovs.itests.harness;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.opentest4j.TestAbortedException;

/**
 * Locates the external tools a test needs.
 *
 * <p>Policy (issue 2, "Test harness"): when a tool is missing, a test is <em>skipped</em>
 * ({@link TestAbortedException}, which JUnit 5 reports as aborted), except when the environment
 * variable {@code CI} equals {@code true}: then a missing tool is a <em>failure</em>
 * ({@link IllegalStateException}).
 *
 * <p>Search order: every directory of {@code $PATH}, then {@code /usr/local/sbin}, {@code /usr/sbin},
 * {@code /sbin}, {@code /usr/lib/systemd}, {@code /lib/systemd} (daemons such as
 * {@code ovsdb-server} and {@code systemd-networkd} live outside a normal user's PATH).
 */
public final class Tools {
    private static final List<String> EXTRA_DIRS = List.of(
            "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
            "/usr/lib/systemd", "/lib/systemd");

    private Tools() {
    }

    /**
     * Returns whether this run is a CI run, i.e. the environment variable {@code CI} is
     * {@code true} (case-insensitive).
     *
     * @return {@code true} when missing tools must fail instead of skip
     */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Finds an executable by name.
     *
     * @param tool a bare executable name such as {@code "ovsdb-server"} (no slash), or an absolute path
     * @return the absolute path of the executable, if it exists and is executable
     * @throws IllegalArgumentException if {@code tool} is null or blank
     * @throws TestAbortedException     if the tool is missing and {@link #ci()} is false (test skipped)
     * @throws IllegalStateException    if the tool is missing and {@link #ci()} is true (test fails)
     */
    public static Path require(String tool) {
        Path found = find(tool);
        if (found != null) {
            return found;
        }
        String msg = "required tool '" + tool + "' not found in PATH or " + EXTRA_DIRS;
        if (ci()) {
            throw new IllegalStateException(msg + " (CI=true: a missing tool is a failure)");
        }
        throw new TestAbortedException(msg + " (skipped; set CI=true to fail instead)");
    }

    /**
     * Like {@link #require(String)} but without skip/fail policy.
     *
     * @param tool a bare executable name or an absolute path
     * @return the path, or {@code null} if not found
     * @throws IllegalArgumentException if {@code tool} is null or blank
     */
    public static Path find(String tool) {
        if (tool == null || tool.isBlank()) {
            throw new IllegalArgumentException("tool: must be a non-blank executable name");
        }
        if (tool.startsWith("/")) {
            Path p = Path.of(tool);
            return Files.isExecutable(p) ? p : null;
        }
        List<String> dirs = new ArrayList<>();
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(d);
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Requires that the current process runs as root (uid 0), which network namespaces, mounts and
     * private daemons need. Same skip/fail policy as {@link #require(String)}.
     *
     * @throws TestAbortedException  when not root and not CI
     * @throws IllegalStateException when not root and CI
     */
    public static void requireRoot() {
        String user = System.getProperty("user.name");
        boolean root = "root".equals(user);
        if (!root) {
            try {
                root = Cmd.run("id", "-u").trim().equals("0");
            } catch (RuntimeException e) {
                root = false;
            }
        }
        if (root) {
            return;
        }
        String msg = "the test harness needs root (uid 0) for namespaces and mounts";
        if (ci()) {
            throw new IllegalStateException(msg);
        }
        throw new TestAbortedException(msg);
    }
}
