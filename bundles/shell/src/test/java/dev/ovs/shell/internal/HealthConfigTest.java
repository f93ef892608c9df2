package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PID dev.ovs.health refuses bad values naming the key; a failure's reason is its root cause's line. */
class HealthConfigTest {
    private static HealthComponent.Config config(int timeout) {
        return (HealthComponent.Config) Proxy.newProxyInstance(HealthComponent.Config.class.getClassLoader(),
                new Class<?>[] {HealthComponent.Config.class}, (p, m, a) -> switch (m.getName()) {
                    case "probe_timeout_ms" -> timeout;
                    case "ignore" -> "";
                    case "annotationType" -> HealthComponent.Config.class;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> HealthComponent.checked(Map.of("probe.timeout.ms", "abc"), config(2000)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("probe.timeout.ms: must be a whole number");
        assertThatThrownBy(() -> HealthComponent.checked(Map.of(), config(0)))
                .hasMessage("probe.timeout.ms: must be 100..60000, got 0");
        HealthComponent.Config ok = config(2000);
        assertThat(HealthComponent.checked(Map.of("probe.timeout.ms", "2000"), ok)).isSameAs(ok);
    }

    @Test
    void theReasonOfAFailureIsItsRootCause() {
        assertThat(HealthComponent.firstLine("java.lang.reflect.InvocationTargetException\n\tat x.y(Z.java:1)\n"
                + "Caused by: dev.ovs.base.InvalidArgumentException: leader.only: must be true or false, got 'maybe'\n"
                + "\tat a.b(C.java:2)\n"))
                .isEqualTo("dev.ovs.base.InvalidArgumentException: leader.only: must be true or false, got 'maybe'");
        assertThat(HealthComponent.firstLine("java.lang.IllegalStateException: x\n\tat a.b(C.java:2)\n"))
                .isEqualTo("java.lang.IllegalStateException: x");
        assertThat(HealthComponent.firstLine(null)).isEqualTo("(no reason recorded)");
    }
}
