package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** VlanTag, VlanMode and the typed PortOptions: the range rule checked once, errors naming the argument. */
class VlanTagTest {
    @Test
    void rangeIsZeroTo4095() {
        assertThat(VlanTag.of(0).value()).isZero();
        assertThat(VlanTag.of(4095).value()).isEqualTo(4095);
        assertThat(VlanTag.of("tag", 100)).isEqualTo(VlanTag.of(100)).hasSameHashCodeAs(VlanTag.of(100));
        assertThat(VlanTag.of(7)).hasToString("7");
        for (long bad : new long[] {-1, 4096, 5000, Integer.MAX_VALUE + 1L, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> VlanTag.of("tag", bad)).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                assertThat(e.argument()).isEqualTo("tag");
                assertThat(e.rule()).isEqualTo("must be 0..4095, got " + bad);
            });
        }
        assertThatThrownBy(() -> VlanTag.of("tag", 5000)).hasMessage("tag: must be 0..4095, got 5000");
        assertThatThrownBy(() -> VlanTag.of("interfaces[2].bridge.port[0].vlan.tag", 4096))
                .hasMessage("interfaces[2].bridge.port[0].vlan.tag: must be 0..4095, got 4096");
        assertThatThrownBy(() -> VlanTag.of(-3)).hasMessage("tag: must be 0..4095, got -3");
    }

    @Test
    void parseAcceptsDecimalOnly() {
        assertThat(VlanTag.parse("trunks", " 42 ")).isEqualTo(VlanTag.of(42));
        assertThat(VlanTag.parse("trunks", "0")).isEqualTo(VlanTag.of(0));
        for (String bad : new String[] {"", "x", "-1", "4096", "0x10", "1.5", "99999999999"}) {
            assertThatThrownBy(() -> VlanTag.parse("trunks", bad)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessage("trunks: must be a decimal VLAN id 0..4095, got '" + bad + "'");
        }
        assertThatThrownBy(() -> VlanTag.parse("tag", null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("tag: must be a decimal VLAN id");
    }

    @Test
    void orderedByValue() {
        assertThat(new TreeSet<>(Set.of(VlanTag.of(20), VlanTag.of(3), VlanTag.of(100))))
                .containsExactly(VlanTag.of(3), VlanTag.of(20), VlanTag.of(100));
    }

    @Test
    void vlanModeUsesTheColumnValues() {
        assertThat(VlanMode.of("vlan_mode", "native-untagged")).isEqualTo(VlanMode.NATIVE_UNTAGGED);
        assertThat(VlanMode.DOT1Q_TUNNEL.column()).isEqualTo("dot1q-tunnel");
        assertThat(VlanMode.ACCESS).hasToString("access");
        for (VlanMode m : VlanMode.values()) {
            assertThat(VlanMode.of("vlan_mode", m.column())).isSameAs(m);
        }
        assertThatThrownBy(() -> VlanMode.of("vlan_mode", "ACCESS")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("vlan_mode: must be one of access, trunk, native-tagged, native-untagged, dot1q-tunnel, got 'ACCESS'");
    }

    @Test
    void namedTablesNameTheirTableAndArgument() {
        assertThat(NamedTable.INTERFACE.table()).isEqualTo("Interface");
        assertThat(NamedTable.INTERFACE.argument()).isEqualTo("interface");
        assertThat(NamedTable.BRIDGE.table()).isEqualTo("Bridge");
    }

    @Test
    void portOptionsCarryTypedVlans() {
        PortOptions o = PortOptions.NONE.withTag(VlanTag.of(10)).withTrunks(Set.of(VlanTag.of(1), VlanTag.of(2)))
                .withVlanMode(VlanMode.NATIVE_TAGGED).withPortExternalIds(Map.of("k", "v"));
        assertThat(o.tag()).isEqualTo(VlanTag.of(10));
        assertThat(o.trunks()).containsExactlyInAnyOrder(VlanTag.of(1), VlanTag.of(2));
        assertThat(o.vlanMode()).isEqualTo(VlanMode.NATIVE_TAGGED);
        assertThat(PortOptions.NONE.trunks()).isEmpty();
        assertThatThrownBy(() -> o.trunks().add(VlanTag.of(3))).isInstanceOf(UnsupportedOperationException.class);
    }
}
