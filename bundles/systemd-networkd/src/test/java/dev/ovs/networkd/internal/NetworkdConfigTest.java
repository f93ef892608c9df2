package dev.ovs.networkd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of PID dev.ovs.networkd: refused before anything is opened, the key and the rule named. */
class NetworkdConfigTest {
    private static NetworkdConfig config(String dir, String address, int timeout) {
        return new TestConfig(dir, address, timeout);
    }

    @Test
    void goodConfigurationsPass() {
        NetworkdConfig ok = config("/etc/systemd/network", "", 90);
        assertThat(NetworkdComponent.validate(Map.of("job.timeout.seconds", "90"), ok)).isSameAs(ok);
        NetworkdComponent.validate(Map.of(), config("/x", "unix:path=/run/dbus/system_bus_socket", 1));
        NetworkdComponent.validate(Map.of(), config("/x", "system", 1));
    }

    @Test
    void badValuesNameTheKeyAndTheRule() {
        assertThatThrownBy(() -> NetworkdComponent.validate(Map.of("job.timeout.seconds", "abc"), config("/x", "", 90)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("job.timeout.seconds: must be a whole number");
        assertThatThrownBy(() -> NetworkdComponent.validate(Map.of(), config("/x", "", -5)))
                .hasMessage("job.timeout.seconds: must be >= 1, got -5");
        assertThatThrownBy(() -> NetworkdComponent.validate(Map.of(), config("/x", "", 0)))
                .hasMessage("job.timeout.seconds: must be >= 1, got 0");
        assertThatThrownBy(() -> NetworkdComponent.validate(Map.of(), config("/x", "bogus:addr", 90)))
                .hasMessageStartingWith("address: must be system, session or a D-Bus address");
        assertThatThrownBy(() -> NetworkdComponent.validate(Map.of(), config("etc/network", "", 90)))
                .hasMessage("network.dir: must be an absolute path, got 'etc/network'");
    }
}
