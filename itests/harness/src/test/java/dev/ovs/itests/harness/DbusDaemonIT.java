package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A private dbus-daemon starts, answers, honours its policy, restarts, and leaves nothing. */
class DbusDaemonIT {

    @Test
    void allowAllBusAnswersAndRestarts() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        long pid;
        try (ShortTempDir tmp = ShortTempDir.create(); DbusDaemon bus = DbusDaemon.start(tmp.path())) {
            assertThat(bus.address()).isEqualTo("unix:path=" + tmp.resolve("bus.sock"));
            assertThat(bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "ListNames")).contains("org.freedesktop.DBus");
            assertThat(bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "GetId")).startsWith("s ");
            pid = bus.pid();
            bus.restart();
            assertThat(bus.pid()).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(pid)).isEmpty();
            assertThat(bus.busctl("list")).contains("org.freedesktop.DBus");
            pid = bus.pid();
        }
        assertThat(ProcessHandle.of(pid)).isEmpty();
        before.assertNoneSince();
    }

    @Test
    void extraPolicyIsApplied() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        // Deny everyone the bus's GetId method: a later default-context rule overrides allow-all.
        String deny = """
                <policy context="default">
                  <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="GetId"/>
                </policy>
                """;
        try (ShortTempDir tmp = ShortTempDir.create(); DbusDaemon bus = DbusDaemon.start(tmp.path(), deny)) {
            assertThat(bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "ListNames")).contains("org.freedesktop.DBus");
            assertThatThrownBy(() -> bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "GetId")).isInstanceOf(Cmd.Failed.class)
                    .hasMessageContaining("Access denied");
        }
        before.assertNoneSince();
    }
}
