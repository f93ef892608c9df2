package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * systemd boots as PID 1 of its own container (own root overlay, /tmp, network and PID namespace), none of
 * the host's enabled services starts inside, its tmpfiles cleanup cannot reach the host's /tmp, and close()
 * leaves nothing behind. One boot for the whole test.
 */
class SystemdContainerIT {

    @Test
    void bootsIsolatedAndCleansUp() throws Exception {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        Path dir;
        long systemd;
        try (ShortTempDir tmp = ShortTempDir.create(); SystemdContainer c = SystemdContainer.boot(tmp.path())) {
            dir = tmp.path();
            systemd = c.systemdPid();
            assertThat(c.bootState()).as("is-system-running after boot; failed units: " + c.failedAtBoot()
                    + "\n" + c.journal("*", 40)).isEqualTo("running");

            // PID namespace: systemd is PID 1 inside, another process than this machine's PID 1
            assertThat(c.exec("cat", "/proc/1/comm").trim()).isEqualTo("systemd");
            assertThat(Files.readString(Path.of("/proc", Long.toString(systemd), "comm")).trim()).isEqualTo("systemd");
            assertThat(ns(systemd, "pid")).isNotEqualTo(ns(ProcessHandle.current().pid(), "pid"));

            // network namespace: its own, with only lo
            assertThat(ns(systemd, "net")).isNotEqualTo(ns(ProcessHandle.current().pid(), "net"));
            assertThat(c.exec("ip", "-o", "link").lines().toList()).hasSize(1).allMatch(l -> l.contains(" lo:"));

            // root: an overlay; writes inside stay inside
            assertThat(c.exec("findmnt", "-n", "-o", "FSTYPE", "/").trim()).isEqualTo("overlay");
            c.exec("touch", "/etc/pbt-marker");
            assertThat(c.path("/etc/pbt-marker")).exists();
            assertThat(Path.of("/etc/pbt-marker")).doesNotExist();

            // /tmp: a tmpfs of its own; the host's /tmp (this test's directory lives there) is not visible
            assertThat(c.exec("findmnt", "-n", "-o", "FSTYPE", "/tmp").trim()).isEqualTo("tmpfs");
            assertThat(c.status("test", "-e", dir.toString())).isEqualTo(1);
            c.exec("touch", "/tmp/pbt-inside");
            assertThat(Path.of("/tmp/pbt-inside")).doesNotExist();
            // ... so systemd-tmpfiles --clean (which removes /tmp entries older than 10 days) cannot reach the host's
            Path old = tmp.resolve("old-file");
            Files.writeString(old, "x");
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(60))));
            c.exec("systemd-tmpfiles", "--clean");
            assertThat(old).as("host /tmp entry after the container's tmpfiles cleanup").exists();

            // services: none of the host's enabled units is active inside; dbus (the system bus) is
            List<String> enabled = hostEnabledUnits();
            for (String u : enabled) {
                assertThat(c.status("systemctl", "is-active", "--quiet", u)).as(u + " (enabled on the host) inside")
                        .isNotZero();
            }
            assertThat(c.property("dbus.service", "ActiveState")).isEqualTo("active");
            assertThat(c.status("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "GetId")).isZero();

            // exec: exit status and failures are reported
            assertThat(c.status("sh", "-c", "exit 3")).isEqualTo(3);
            try {
                c.exec("sh", "-c", "echo out; echo err >&2; exit 5");
                throw new AssertionError("exec of a failing command did not throw");
            } catch (Cmd.Failed e) {
                assertThat(e.exitCode()).isEqualTo(5);
                assertThat(e.stdout()).contains("out");
                assertThat(e.stderr()).contains("err");
            }
        }
        assertThat(Podman.running(systemd)).as("container's systemd after close()").isFalse();
        assertThat(Leftovers.mountPoints()).noneMatch(m -> m.startsWith(dir + "/"));
        assertThat(dir).doesNotExist();
        before.assertNoneSince();
    }

    private static String ns(long pid, String type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", type)).toString();
    }

    /** Units linked into the host's /etc/systemd/system/*.wants (what the host enabled). */
    private static List<String> hostEnabledUnits() throws Exception {
        List<String> out = new ArrayList<>();
        Path etc = Path.of("/etc/systemd/system");
        if (!Files.isDirectory(etc)) {
            return out;
        }
        try (DirectoryStream<Path> wants = Files.newDirectoryStream(etc, "*.wants")) {
            for (Path w : wants) {
                try (DirectoryStream<Path> units = Files.newDirectoryStream(w)) {
                    for (Path u : units) {
                        String n = u.getFileName().toString();
                        if (!n.contains("@") && !n.equals("dbus.service")) {
                            out.add(n);
                        }
                    }
                }
            }
        }
        return out;
    }
}
