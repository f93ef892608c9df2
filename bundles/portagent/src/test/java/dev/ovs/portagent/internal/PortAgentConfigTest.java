package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of PID dev.ovs.portagent: strict booleans, absolute paths, positive timeouts, the key named. */
class PortAgentConfigTest {
    private static PortAgentImpl.Config config(Map<String, Object> values) {
        return (PortAgentImpl.Config) Proxy.newProxyInstance(PortAgentImpl.Config.class.getClassLoader(),
                new Class<?>[] {PortAgentImpl.Config.class}, (p, m, a) -> m.getName().equals("annotationType")
                        ? PortAgentImpl.Config.class
                        : values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void theShippedValuesPass() {
        PortAgentImpl.validate(Map.of("docker.socket", "/var/run/docker.sock", "docker.timeout.ms", "10000",
                "auto.enabled", "TRUE", "host.netns", ""), config(Map.of()));
        PortAgentImpl.validate(Map.of(), config(Map.of("host_netns", "/run/netns/x")));
    }

    @Test
    void badValuesAreRefusedNamingTheKeyAndTheRule() {
        Map<String, String> raw = new HashMap<>();
        raw.put("auto.enabled", "maybe");
        assertThatThrownBy(() -> PortAgentImpl.validate(raw, config(Map.of())))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("auto.enabled: must be true or false, got 'maybe'");
        assertThatThrownBy(() -> PortAgentImpl.validate(Map.of("docker.timeout.ms", "abc"), config(Map.of())))
                .hasMessageStartingWith("docker.timeout.ms: must be a whole number (Integer, ");
        assertThatThrownBy(() -> PortAgentImpl.validate(Map.of(), config(Map.of("docker_timeout_ms", -1))))
                .hasMessage("docker.timeout.ms: must be >= 100, got -1");
        assertThatThrownBy(() -> PortAgentImpl.validate(Map.of(), config(Map.of("vswitchd_timeout_ms", 0L))))
                .hasMessage("vswitchd.timeout.ms: must be >= 1, got 0");
        assertThatThrownBy(() -> PortAgentImpl.validate(Map.of(), config(Map.of("docker_socket", "docker.sock"))))
                .hasMessage("docker.socket: must be an absolute path, got 'docker.sock'");
        assertThatThrownBy(() -> PortAgentImpl.validate(Map.of(), config(Map.of("host_netns", "netns/x"))))
                .hasMessage("host.netns: must be an absolute path or empty, got 'netns/x'");
    }
}
