package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** podman runs a busybox container in its own netns; the Docker API answers; all is cleaned up. */
class PodmanIT {

    @Test
    void containerRunsInOwnNetnsAndApiAnswers() throws Exception {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        int pid;
        Path dir;
        try (ShortTempDir tmp = ShortTempDir.create(); Podman podman = Podman.start(tmp.path())) {
            dir = tmp.path();
            assertThat(podman.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).contains(Podman.IMAGE);
            String id = podman.run("pbt-c1", Map.of("dev.ovs.test", "yes"));
            assertThat(id).matches("[0-9a-f]{64}");
            assertThat(tmp.resolve("tmp/locks")).as("private file locks, not /dev/shm/libpod_lock").isDirectory();
            pid = podman.pid("pbt-c1");
            String containerNet = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net")).toString();
            String myNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            assertThat(containerNet).startsWith("net:[").isNotEqualTo(myNet);
            // --network none: only lo inside
            assertThat(Cmd.run("nsenter", "-t", Integer.toString(pid), "-n", "ip", "-o", "link")).contains("lo:")
                    .doesNotContain("eth0");
            assertThat(podman.podman("exec", "pbt-c1", "/bin/echo", "hi").trim()).isEqualTo("hi");

            assertThat(podman.api("/_ping").trim()).isEqualTo("OK");
            String json = podman.api("/v1.40/containers/json");
            assertThat(json).contains(id).contains("\"dev.ovs.test\":\"yes\"").contains("\"State\":\"running\"");
            assertThat(podman.api("/v1.40/containers/" + id + "/json")).contains("\"Pid\":" + pid);

            podman.rm(id);
            assertThat(Podman.running(pid)).isFalse();
            assertThat(podman.api("/v1.40/containers/json?all=true")).doesNotContain(id);
            podman.run("pbt-c2", Map.of()); // left running on purpose: close() must remove it
        }
        assertThat(dir).doesNotExist();
        before.assertNoneSince();
    }
}
