package dev.ovs.ovsdb.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.ConnectionStatus;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The new keys of PID dev.ovs.ovsdb: a configuration that cannot work is refused before activation with the key
 * named; one whose files are missing activates, stays disconnected and says why in status().
 */
class ClientConfigTest {
    static OvsdbConfig config(Map<String, Object> values) {
        return (OvsdbConfig) Proxy.newProxyInstance(OvsdbConfig.class.getClassLoader(), new Class<?>[] {OvsdbConfig.class},
                (p, m, a) -> m.getName().equals("annotationType") ? OvsdbConfig.class
                        : values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void keysMapOntoClientOptions() {
        ClientOptions o = OvsdbClientComponent.options(config(Map.of("remote", "ssl:10.0.0.1:6641,ssl:10.0.0.2:6641",
                "private_key", "/etc/patchbay/key.pem", "certificate", "/etc/patchbay/cert.pem",
                "ca_cert", "/etc/patchbay/ca.pem", "leader_only", true)));
        assertThat(o.remotes()).containsExactly("ssl:10.0.0.1:6641", "ssl:10.0.0.2:6641");
        assertThat(o.tls()).isEqualTo(new ClientOptions.Tls(Path.of("/etc/patchbay/key.pem"),
                Path.of("/etc/patchbay/cert.pem"), Path.of("/etc/patchbay/ca.pem")));
        assertThat(o.leaderOnly()).isTrue();
        ClientOptions plain = OvsdbClientComponent.options(config(Map.of()));
        assertThat(plain.tls()).isNull();
        assertThat(plain.leaderOnly()).isFalse();
        assertThat(plain.remotes()).containsExactly("unix:/var/run/openvswitch/db.sock");
    }

    @Test
    void impossibleConfigurationIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> OvsdbClientComponent.options(config(Map.of("remote", "ssl:10.0.0.1:6641"))))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.argument()).isEqualTo("private.key"));
        assertThatThrownBy(() -> OvsdbClientComponent.options(config(Map.of("remote", "ssl:10.0.0.1:6641",
                "private_key", "/k.pem", "certificate", "/c.pem"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("ca.cert: must name a PEM file");
        assertThatThrownBy(() -> OvsdbClientComponent.options(config(Map.of("remote", "tcp:a:1,ssl:b"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("remote: ");
    }

    @Test
    void missingFilesLeaveTheComponentRunningDisconnectedWithTheReason() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("pb-tls-");
        OvsdbClientComponent c = new OvsdbClientComponent(Map.of(), config(Map.of("remote", "ssl:127.0.0.1:1",
                "private_key", dir.resolve("key.pem").toString(), "certificate", dir.resolve("cert.pem").toString(),
                "ca_cert", dir.resolve("ca.pem").toString())));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.status().lastError() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ConnectionStatus st = c.status();
            assertThat(st.connected()).isFalse();
            assertThat(st.lastError()).isEqualTo("ssl:127.0.0.1:1: private.key " + dir.resolve("key.pem") + ": no such file");
            assertThatThrownBy(() -> c.listDbs().join()).hasMessageContaining("(last error: ssl:127.0.0.1:1: private.key");
        } finally {
            c.deactivate();
            java.nio.file.Files.delete(dir);
        }
    }

    /** The five values the component used to apply silently (or fail on without naming the key). */
    @Test
    void badValuesAreRefusedBeforeAnythingStartsNamingTheKeyAndTheRule() {
        record Bad(String key, String value, String element, Object typed, String message) {
        }
        for (Bad b : java.util.List.of(
                new Bad("bridge.datapath_type", "bogus", "bridge_datapath__type", "bogus",
                        "bridge.datapath_type: must be one of '', 'system', 'netdev', got 'bogus'"),
                new Bad("leader.only", "maybe", "leader_only", false, "leader.only: must be true or false, got 'maybe'"),
                new Bad("wait.for.vswitchd", "maybe", "wait_for_vswitchd", false,
                        "wait.for.vswitchd: must be true or false, got 'maybe'"),
                new Bad("reconnect.max.ms", "0", "reconnect_max_ms", 0L, "reconnect.max.ms: must be >= 100, got 0"),
                new Bad("vswitchd.timeout.ms", "0", "vswitchd_timeout_ms", 0L, "vswitchd.timeout.ms: must be >= 1, got 0"),
                new Bad("probe.interval.ms", "abc", "probe_interval_ms", null,
                        "probe.interval.ms: must be a whole number (Long, "))) {
            Map<String, Object> raw = Map.of(b.key(), b.value());
            java.util.HashMap<String, Object> typed = new java.util.HashMap<>();
            if (b.typed() != null) {
                typed.put(b.element(), b.typed());
            }
            OvsdbConfig cfg = config(typed);
            assertThatThrownBy(() -> new OvsdbClientComponent(raw, cfg)).as(b.key())
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.argument()).isEqualTo(b.key());
                        assertThat(e.getMessage()).startsWith(b.message());
                    });
            assertThatThrownBy(() -> OvsdbClientComponent.validate(raw, cfg)).as(b.key()).hasMessageStartingWith(b.message());
        }
        OvsdbClientComponent.validate(Map.of("bridge.datapath_type", "netdev", "leader.only", "true",
                "reconnect.max.ms", "100", "vswitchd.timeout.ms", "1"), config(Map.of("bridge_datapath__type", "netdev",
                "reconnect_max_ms", 100L, "vswitchd_timeout_ms", 1L)));
    }
}
