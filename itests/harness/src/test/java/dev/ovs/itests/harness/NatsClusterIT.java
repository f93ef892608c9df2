package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link NatsCluster}: three real nats-servers with JetStream on loopback, one killed by PID and started again. */
@ExtendWith(LeftoverCheck.class)
class NatsClusterIT {
    @Test
    void threeNodesHealthyKillAndRestartAndALeafNode() throws IOException {
        try (ShortTempDir tmp = ShortTempDir.create(); NatsCluster c = NatsCluster.start(tmp.path(), 3)) {
            assertThat(c.size()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                assertThat(c.healthy(i)).as("node %d healthy", i).isTrue();
                assertThat(c.url(i)).startsWith("nats://127.0.0.1:");
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", c.clientPort(i)), 2000);
                }
            }
            assertThat(c.config(1)).content().contains("routes", "jetstream", "pbt-nats-1");
            long before = c.pid(1);
            c.kill(1);
            assertThat(c.running(1)).isFalse();
            assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(c.healthy(1)).isFalse();
            assertThat(c.server(1).running()).isFalse();
            c.start(1);
            assertThat(c.pid(1)).isPositive().isNotEqualTo(before);
            assertThat(c.healthy(1)).isTrue();
            assertThat(c.urls().split(",")).hasSize(3);
            java.nio.file.Files.createDirectories(tmp.path().resolve("leaf"));
            try (NatsCluster leaf = NatsCluster.startLeaf(tmp.path().resolve("leaf"), c)) {
                assertThat(leaf.size()).isEqualTo(1);
                assertThat(leaf.config(0)).content().contains("nats-leaf://127.0.0.1:").doesNotContain("jetstream");
                assertThat(leaf.healthy(0)).isTrue();
                leaf.kill(0);
                assertThat(leaf.healthy(0)).isFalse();
                leaf.start(0); // ready again only with its hub connection back
                assertThat(leaf.healthy(0)).isTrue();
            }
        }
    }
}
