package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The last-resort shutdown hook stops daemons and deletes namespaces a JVM forgot to close. */
class ShutdownHookIT {

    /** Child JVM: starts a namespace and a bus, prints their names, exits without closing them. */
    public static final class ForgetfulMain {
        public static void main(String[] args) {
            Netns ns = Netns.create();
            DbusDaemon bus = DbusDaemon.start(Path.of(args[0]));
            Daemon sleeper = Daemon.start("sleep", ns, List.of("sleep", "600"), java.util.Map.of(),
                    Path.of(args[0], "sleep.log"));
            System.out.println(ns.name() + " " + bus.pid() + " " + sleeper.pid());
            System.exit(0);
        }
    }

    @Test
    void shutdownHookCleansUpAfterForgetfulJvm() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            String out = Cmd.run(List.of(java, "-cp", System.getProperty("java.class.path"),
                    ForgetfulMain.class.getName(), tmp.path().toString()), Duration.ofSeconds(60));
            String[] f = out.trim().split(" ");
            assertThat(f).hasSize(3);
            try {
                assertThat(Path.of("/run/netns", f[0])).doesNotExist();
                assertThat(Podman.running(Long.parseLong(f[1]))).as("dbus-daemon stopped").isFalse();
                assertThat(Podman.running(Long.parseLong(f[2]))).as("sleeper in netns stopped").isFalse();
            } finally { // if the hook failed, clean up here (by PID) so the failure does not leak
                ProcessHandle.of(Long.parseLong(f[1])).ifPresent(Daemon::stop);
                ProcessHandle.of(Long.parseLong(f[2])).ifPresent(Daemon::stop);
                if (Path.of("/run/netns", f[0]).toFile().exists()) {
                    Cmd.run("ip", "netns", "delete", f[0]);
                }
            }
        }
        before.assertNoneSince();
    }
}
