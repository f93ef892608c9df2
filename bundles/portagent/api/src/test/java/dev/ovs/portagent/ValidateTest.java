package dev.ovs.portagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ValidateTest {

    @Test
    void macMtuVlan() {
        assertThat(Validate.mac("macaddress", "A2:C3:0D:49:7F:F8")).isEqualTo("a2:c3:0d:49:7f:f8");
        assertThatThrownBy(() -> Validate.mac("macaddress", "zz:c3:0d:49:7f:f8")).hasMessageStartingWith("macaddress: MAC address must be six hex");
        assertThat(Validate.mtu("mtu", 68)).isEqualTo(68);
        assertThat(Validate.mtu("mtu", 65535)).isEqualTo(65535);
        assertThatThrownBy(() -> Validate.mtu("mtu", 67)).hasMessage("mtu: must be 68..65535 bytes, got 67");
        assertThatThrownBy(() -> Validate.mtu("mtu", 70000)).hasMessage("mtu: must be 68..65535 bytes, got 70000");
    }

    @Test
    void settingsFromOptionsCarryTheVlanAsOneType() {
        PortSettings s = PortSettings.fromOptions(java.util.Map.of("vlan", 4095L, "mtu", "1400", "ipaddress", "10.0.0.2/24"));
        assertThat(s.vlan()).isEqualTo(dev.ovs.ovsdb.vswitch.VlanTag.of(4095));
        assertThat(s.mtu()).isEqualTo(1400);
        assertThat(PortSettings.fromOptions(java.util.Map.of("vlan", "0")).vlan().value()).isZero();
        assertThatThrownBy(() -> PortSettings.fromOptions(java.util.Map.of("vlan", 4096)))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("vlan: must be 0..4095, got 4096");
        assertThatThrownBy(() -> PortSettings.fromOptions(java.util.Map.of("vlan", -1))).hasMessage("vlan: must be 0..4095, got -1");
        assertThatThrownBy(() -> PortSettings.fromOptions(java.util.Map.of("vlan", "x"))).hasMessage("vlan: must be an integer");
        assertThatThrownBy(() -> PortSettings.fromOptions(java.util.Map.of("colour", "red")))
                .hasMessageStartingWith("options: unknown key 'colour'");
    }

    @Test
    void portChangesDefaultTheirSettings() {
        assertThat(new PortChange.Attach("br0", "eth1", "c1", null).settings()).isSameAs(PortSettings.NONE);
    }

    @Test
    void addressesAreLiteralsOnly() throws Exception {
        assertThat(Validate.ipLiteral("x", "192.168.1.2")).isEqualTo(InetAddress.getByName("192.168.1.2"));
        assertThat(Validate.ipLiteral("x", "fd00::1")).isEqualTo(InetAddress.getByName("fd00::1"));
        for (String bad : new String[] {"localhost", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "fd00::g", "fe80::1%eth0", " 1.2.3.4", "::ffff:1.2.3.4x"}) {
            assertThatThrownBy(() -> Validate.ipLiteral("gateway", bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("gateway: ");
        }
    }

    @Test
    void cidr() throws Exception {
        Cidr c = Validate.cidr("ipaddress", "192.168.1.2/24");
        assertThat(c.address()).isEqualTo(InetAddress.getByName("192.168.1.2"));
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.toString()).isEqualTo("192.168.1.2/24");
        assertThat(Validate.cidr("ipaddress", "10.0.0.1").prefixLength()).isEqualTo(32);
        assertThat(Validate.cidr("ipaddress", "fd00:0:0::2/64").toString()).isEqualTo("fd00::2/64");
        assertThat(Validate.cidr("ipaddress", "fd00::2").prefixLength()).isEqualTo(128);
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "10.0.0.1/33")).hasMessage("ipaddress: prefix length must be 0..32, got '33'");
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "10.0.0.1/")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "fd00::1/129")).hasMessageContaining("0..128");
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "0.0.0.0/0")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "224.0.0.1/4")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> Validate.cidr("ipaddress", "")).hasMessageStartingWith("ipaddress: ");
    }

    @Test
    void gateway() throws Exception {
        Cidr c = Validate.cidr("ipaddress", "192.168.1.2/24");
        assertThat(Validate.gateway("gateway", "192.168.1.1", c)).isEqualTo(InetAddress.getByName("192.168.1.1"));
        assertThat(Validate.gateway("gateway", "10.1.1.1", null)).isEqualTo(InetAddress.getByName("10.1.1.1"));
        assertThatThrownBy(() -> Validate.gateway("gateway", "192.168.2.1", c))
                .hasMessage("gateway: must lie inside the ipaddress subnet 192.168.1.2/24, got '192.168.2.1'");
        assertThatThrownBy(() -> Validate.gateway("gateway", "192.168.1.2", c)).hasMessageContaining("must differ");
        assertThatThrownBy(() -> Validate.gateway("gateway", "fd00::1", c)).hasMessageContaining("same address family");
        assertThatThrownBy(() -> Validate.gateway("gateway", "0.0.0.0", null)).hasMessageContaining("unicast");
        assertThat(Validate.cidr("x", "10.0.0.0/8").contains(InetAddress.getByName("10.255.0.1"))).isTrue();
        assertThat(Validate.cidr("x", "10.0.0.0/9").contains(InetAddress.getByName("10.128.0.1"))).isFalse();
    }

    @Test
    void ipv6Format() throws Exception {
        assertThat(Validate.format(InetAddress.getByName("fd00:0:0:1:0:0:0:1"))).isEqualTo("fd00:0:0:1::1");
        assertThat(Validate.format(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(Validate.format(InetAddress.getByName("fd00:1:0:1:0:1:0:1"))).isEqualTo("fd00:1:0:1:0:1:0:1");
        assertThat(Validate.format(InetAddress.getByName("fd00::"))).isEqualTo("fd00::");
    }

    @Test
    void macOctets() {
        assertThat(Validate.macOctets("mac", "A2:c3:0d:49:7f:f8")).containsExactly(0xa2, 0xc3, 0x0d, 0x49, 0x7f, 0xf8);
        assertThatThrownBy(() -> Validate.macOctets("mac", "a2:c3:0d:49:7f")).hasMessageContaining("six hex octets");
        assertThatThrownBy(() -> Validate.macOctets("mac", "a2-c3-0d-49-7f-f8")).hasMessageContaining("six hex octets");
        assertThatThrownBy(() -> Validate.macOctets("mac", "01:00:5e:00:00:01")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> Validate.macOctets("mac", "00:00:00:00:00:00")).hasMessageContaining("must not be 00");
    }

    @Test
    void containerReferences() {
        ContainerRef d = ContainerRef.parse("container", "c474a0e2830e");
        assertThat(d.kind()).isEqualTo(ContainerRef.Kind.DOCKER);
        assertThat(ContainerRef.parse("container", "my_web.1-x").value()).isEqualTo("my_web.1-x");
        ContainerRef p = ContainerRef.parse("container", "pid:1234");
        assertThat(p.kind()).isEqualTo(ContainerRef.Kind.PID);
        assertThat(p.value()).isEqualTo("1234");
        ContainerRef n = ContainerRef.parse("container", "netns:blue");
        assertThat(n.kind()).isEqualTo(ContainerRef.Kind.NETNS);
        assertThat(n.value()).isEqualTo("blue");
        assertThatThrownBy(() -> ContainerRef.parse("container", "pid:0")).hasMessageContaining("positive decimal");
        assertThatThrownBy(() -> ContainerRef.parse("container", "pid:-3")).hasMessageContaining("positive decimal");
        assertThatThrownBy(() -> ContainerRef.parse("container", "netns:a/b")).hasMessageStartingWith("container: network namespace name must not contain");
        assertThatThrownBy(() -> ContainerRef.parse("container", "../x")).hasMessageContaining("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
        assertThatThrownBy(() -> ContainerRef.parse("container", "-x")).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).argument()).isEqualTo("container"));
        assertThatThrownBy(() -> ContainerRef.parse("container", "")).hasMessageContaining("got empty");
    }
}
