package dev.ovs.portagent.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Podman;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.internal.Container;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.netlink.LinkInfo;
import dev.ovs.portagent.netlink.RtNetlink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Container resolution and events against podman's Docker-compatible API (real containers). */
class PodmanApiIT {
    private static Leftovers before;
    private static ShortTempDir dir;
    private static Podman podman;
    private static DockerClient docker;
    private static ContainerResolver resolver;

    @BeforeAll
    static void start() {
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        try {
            podman = Podman.start(dir.path());
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
        docker = new DockerClient(podman.apiSocket(), Duration.ofSeconds(20));
        resolver = new ContainerResolver(docker);
    }

    @AfterAll
    static void stop() {
        try {
            if (podman != null) {
                podman.close();
            }
        } finally {
            dir.close();
            before.assertNoneSince();
        }
    }

    @Test
    void inspectByNameAndIdGivesPidAndLabelsAndNamespaceIsTheContainers() throws Exception {
        String id = podman.run("pbt-web", Map.of("dev.ovs.bridge", "br0", "dev.ovs.vlan", "10"));
        int pid = podman.pid(id);
        DockerClient.ContainerInfo byName = docker.inspect("pbt-web");
        assertThat(byName.id()).isEqualTo(id);
        assertThat(byName.name()).isEqualTo("pbt-web");
        assertThat(byName.running()).isTrue();
        assertThat(byName.pid()).isEqualTo(pid);
        assertThat(byName.labels()).containsEntry("dev.ovs.bridge", "br0").containsEntry("dev.ovs.vlan", "10");
        assertThat(docker.inspect(id.substring(0, 12)).id()).isEqualTo(id);

        Container c = resolver.resolve(ContainerRef.parse("container", "pbt-web"));
        assertThat(c.id()).isEqualTo(id);
        assertThat(c.pid()).isEqualTo(pid);
        assertThat(c.netns().path().toString()).isEqualTo("/proc/" + pid + "/ns/net");
        // --network none: the container's namespace has only lo
        try (RtNetlink nl = RtNetlink.open(c.netns())) {
            assertThat(nl.links()).extracting(LinkInfo::name).containsExactly("lo");
        }

        Container byPid = resolver.resolve(ContainerRef.parse("container", "pid:" + pid));
        assertThat(byPid.netns()).isEqualTo(c.netns());
        assertThat(byPid.id()).isEqualTo("pid:" + pid);
        podman.rm(id);
    }

    @Test
    void listFiltersByLabel() {
        String a = podman.run("pbt-lab", Map.of("dev.ovs.bridge", "br1"));
        String b = podman.run("pbt-nolab", Map.of());
        try {
            List<DockerClient.Summary> labelled = docker.list(false, Map.of("label", List.of("dev.ovs.bridge")));
            assertThat(labelled).extracting(DockerClient.Summary::id).contains(a).doesNotContain(b);
            assertThat(labelled).filteredOn(s -> s.id().equals(a)).singleElement().satisfies(s -> {
                assertThat(s.names()).containsExactly("pbt-lab");
                assertThat(s.state()).isEqualTo("running");
                assertThat(s.labels()).containsEntry("dev.ovs.bridge", "br1");
            });
            assertThat(docker.list(false, Map.of())).extracting(DockerClient.Summary::id).contains(a, b);
        } finally {
            podman.rm(a);
            podman.rm(b);
        }
    }

    @Test
    void unknownOrStoppedContainersAndMissingNamespacesAreInvalidArguments() {
        assertThatThrownBy(() -> resolver.resolve(ContainerRef.parse("container", "pbt-nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("container: ")
                .hasMessageContaining("no such container");
        String id = podman.run("pbt-stopped", Map.of());
        podman.podman("stop", "-t", "0", id);
        assertThatThrownBy(() -> resolver.resolve(ContainerRef.parse("container", "pbt-stopped")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not running");
        podman.rm(id);
        assertThatThrownBy(() -> resolver.resolve(ContainerRef.parse("container", "pid:" + Integer.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no process " + Integer.MAX_VALUE);
        assertThatThrownBy(() -> resolver.resolve(ContainerRef.parse("container", "netns:pbt-not-there")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no network namespace 'pbt-not-there'");
        try (Netns ns = Netns.create()) {
            Container c = resolver.resolve(ContainerRef.parse("container", "netns:" + ns.name()));
            assertThat(c.netns().exists()).isTrue();
            assertThat(c.pid()).isZero();
        }
    }

    @Test
    void eventsStreamReportsStartAndDie() throws Exception {
        BlockingQueue<JsonNode> q = new LinkedBlockingQueue<>();
        // events() must return before the first event (it only waits for the response head)
        DockerClient.Events opened = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> docker.events(Map.of("type", List.of("container")))).get(30, TimeUnit.SECONDS);
        try (DockerClient.Events ev = opened) {
            Thread reader = new Thread(() -> {
                JsonNode n;
                while ((n = ev.next()) != null) {
                    q.add(n);
                }
            }, "events-reader");
            reader.start();
            String id = podman.run("pbt-ev", Map.of("dev.ovs.bridge", "br9"));
            JsonNode start = awaitAction(q, id, "start");
            assertThat(start.path("Actor").path("Attributes").path("dev.ovs.bridge").asText()).isEqualTo("br9");
            assertThat(start.path("Actor").path("Attributes").path("name").asText()).isEqualTo("pbt-ev");
            podman.rm(id);
            awaitAction(q, id, "died");
            ev.close();
            reader.join(5000);
            assertThat(reader.isAlive()).isFalse();
        }
    }

    private static JsonNode awaitAction(BlockingQueue<JsonNode> q, String id, String action) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode n = q.poll(1, TimeUnit.SECONDS);
            if (n != null && id.equals(n.path("Actor").path("ID").asText())
                    && (n.path("Action").asText().equals(action) || ("died".equals(action) && n.path("Action").asText().equals("die")))) {
                return n;
            }
        }
        throw new AssertionError("no '" + action + "' event for " + id + " within 30 s");
    }
}
