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

    /**
     * {@link RestartableDaemon#restart()} back to back: stop returns only once the process is recorded as exited, so
     * the start right after it never finds the old one "already running" (the exit future of a {@link ProcessHandle}
     * can complete before its {@link Process} records the exit).
     */
    @Test
    void restartsBackToBackWithoutFindingTheOldProcessRunning() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create(); DbusDaemon bus = DbusDaemon.start(tmp.path())) {
            for (int i = 0; i < 30; i++) {
                long pid = bus.pid();
                bus.stop();
                assertThat(bus.running()).as("running() right after stop(), round " + i).isFalse();
                assertThat(ProcessHandle.of(pid)).isEmpty();
                bus.start();
                assertThat(bus.pid()).isNotEqualTo(pid);
            }
            assertThat(bus.busctl("list")).contains("org.freedesktop.DBus");
        }
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
