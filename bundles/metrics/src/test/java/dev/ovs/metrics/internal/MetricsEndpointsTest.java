package dev.ovs.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.lang.annotation.Annotation;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoints component: its configuration rules, the default socket, the optional loopback port. */
class MetricsEndpointsTest {
    private final MetricsService metrics = new MetricsService(null);
    private final ShortTempDir dir = ShortTempDir.create();

    @AfterEach
    void close() {
        metrics.deactivate();
        dir.close();
    }

    static MetricsEndpoints.Config config(boolean socketEnabled, String socket, String group, int port) {
        return new MetricsEndpoints.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MetricsEndpoints.Config.class;
            }

            @Override
            public boolean socket_enabled() {
                return socketEnabled;
            }

            @Override
            public String socket() {
                return socket;
            }

            @Override
            public String group() {
                return group;
            }

            @Override
            public int http_port() {
                return port;
            }
        };
    }

    @Test
    void defaultSocketIsInTheStateDirectory() {
        assertThat(MetricsEndpoints.socketPath("/srv/pb", "")).isEqualTo(Path.of("/srv/pb/metrics.sock"));
        assertThat(MetricsEndpoints.socketPath(null, " ")).isEqualTo(Path.of("/var/lib/patchbay/metrics.sock"));
        assertThat(MetricsEndpoints.socketPath("/srv/pb", "/run/m.sock ")).isEqualTo(Path.of("/run/m.sock"));
    }

    @Test
    void badConfigurationNamesTheKeyAndOpensNothing() {
        Path sock = dir.resolve("m.sock");
        assertThatThrownBy(() -> new MetricsEndpoints(metrics, null, config(true, sock.toString(), "", 70000)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("http.port")
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> new MetricsEndpoints(metrics, null, config(true, sock.toString(), "no-such-group-x", 0)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("group")
                .hasMessageContaining("no-such-group-x");
        assertThat(sock).doesNotExist();
    }

    @Test
    void noTcpPortByDefaultAndLoopbackWhenConfigured() throws Exception {
        Tools.require("curl");
        Path sock = dir.resolve("m.sock");
        MetricsEndpoints off = new MetricsEndpoints(metrics, null, config(true, sock.toString(), "", 0));
        try {
            assertThat(off.tcp()).isNull();
            assertThat(Cmd.run("curl", "-sS", "--unix-socket", sock.toString(), "http://localhost/metrics"))
                    .contains("patchbay_metrics_source_up{source=\"ovsdb\"} 0.0");
        } finally {
            off.deactivate();
        }
        assertThat(sock).doesNotExist();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        MetricsEndpoints on = new MetricsEndpoints(metrics, null, config(false, sock.toString(), "", port));
        try {
            assertThat(on.unix()).isNull();
            assertThat(sock).doesNotExist();
            assertThat(on.tcp().tcpAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(Cmd.run("curl", "-sS", "http://127.0.0.1:" + port + "/metrics")).contains("jvm_memory_used_bytes");
        } finally {
            on.deactivate();
        }
        assertThat(HttpEndpointTest.threadsNamed("patchbay-metrics-")).isEmpty();
    }
}
