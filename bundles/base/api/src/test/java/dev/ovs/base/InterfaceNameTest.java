package dev.ovs.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InterfaceNameTest {
    @Test
    void acceptsWhatTheKernelAccepts() {
        for (String ok : new String[] {"eth0", "eth0.100", "br-int", "a", "123456789012345", "vlan_50", "é1234567890123"}) {
            assertThat(InterfaceName.violation(ok)).as(ok).isNull();
        }
    }

    @Test
    void rejectsWhatTheKernelRejectsWithTheRule() {
        assertThat(InterfaceName.violation("")).isEqualTo("must not be empty");
        assertThat(InterfaceName.violation(null)).isEqualTo("must not be empty");
        assertThat(InterfaceName.violation("1234567890123456")).contains("got 16");
        assertThat(InterfaceName.violation("éééééééé")).contains("got 16"); // 8 chars, 16 bytes
        assertThat(InterfaceName.violation(".")).isNotNull();
        assertThat(InterfaceName.violation("..")).isNotNull();
        for (String bad : new String[] {"a/b", "a:b", "a b", "a\tb", "a\nb", "a\u00a0b", "a\0b"}) {
            assertThat(InterfaceName.violation(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void checkNamesTheArgument() {
        assertThat(InterfaceName.check("bridge", "br0")).isEqualTo("br0");
        assertThatThrownBy(() -> InterfaceName.check("bridge", "a:b"))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("bridge");
                    assertThat(e.rule()).contains("':'");
                    assertThat(e.getMessage()).startsWith("bridge: must not contain");
                });
        assertThat(new InvalidArgumentException("vlan", "must be 0..4095").under("container-ports[3]").argument())
                .isEqualTo("container-ports[3].vlan");
    }
}
