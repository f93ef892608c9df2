package dev.ovs.networkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The typed .network/.netdev model: rendering, parsing, repeated keys and validation of the keys we write. */
class NetworkdFileTest {

    private static NetworkdFile.Builder match(String name) {
        return NetworkdFile.network().section("Match").add("Name", name);
    }

    @Test
    void rendersHeaderSectionsAndRepeatedKeysInOrder() {
        NetworkdFile f = match("br0").section("Network").add("Address", "10.0.0.1/24").add("Address", "fd00::1/64")
                .add("Gateway", "10.0.0.254").add("DNS", "1.1.1.1 2606:4700::1111")
                .section("Route").add("Destination", "192.168.0.0/16").add("Gateway", "10.0.0.253")
                .section("Route").add("Destination", "172.16.0.0/12").add("Gateway", "10.0.0.252")
                .build();
        assertThat(f.render()).isEqualTo(NetworkdFile.OWNER_HEADER + "\n\n[Match]\nName=br0\n\n[Network]\n"
                + "Address=10.0.0.1/24\nAddress=fd00::1/64\nGateway=10.0.0.254\nDNS=1.1.1.1 2606:4700::1111\n\n"
                + "[Route]\nDestination=192.168.0.0/16\nGateway=10.0.0.253\n\n"
                + "[Route]\nDestination=172.16.0.0/12\nGateway=10.0.0.252\n");
        assertThat(f.values("Network", "Address")).containsExactly("10.0.0.1/24", "fd00::1/64");
        assertThat(f.values("Route", "Gateway")).containsExactly("10.0.0.253", "10.0.0.252");
        assertThat(f.sections()).hasSize(4);
    }

    @Test
    void parseIsInverseOfRenderAndSkipsComments() {
        NetworkdFile f = match("eth0.100 veth*").section("Network").add("DHCP", "ipv4").section("Link")
                .add("MTUBytes", "9000").build();
        assertThat(NetworkdFile.parse(NetworkdFile.Kind.NETWORK, f.render())).isEqualTo(f);
        NetworkdFile g = NetworkdFile.parse(NetworkdFile.Kind.NETWORK,
                "; comment\n# other\n[Match]\n  Name = en*  \n\n[Network]\nAddress=10.1.0.1/16\n");
        assertThat(g.values("Match", "Name")).containsExactly("en*");
        assertThat(g.values("Network", "Address")).containsExactly("10.1.0.1/16");
    }

    @Test
    void netdevNeedsNameAndKind() {
        NetworkdFile d = NetworkdFile.netdev().section("NetDev").add("Name", "vlan100").add("Kind", "vlan")
                .add("MTUBytes", "1500").section("VLAN").add("Id", "100").build();
        assertThat(d.kind()).isEqualTo(NetworkdFile.Kind.NETDEV);
        assertThatThrownBy(() -> NetworkdFile.netdev().section("NetDev").add("Name", "x0").build())
                .isInstanceOf(dev.ovs.base.InvalidArgumentException.class).hasMessageContaining("[NetDev]")
                .hasMessageContaining("Kind=");
        assertThatThrownBy(() -> NetworkdFile.netdev().section("NetDev").add("Name", "v").add("Kind", "vlan")
                .section("VLAN").add("Id", "4095").build()).hasMessageContaining("[VLAN] Id: must be 0..4094");
        assertThatThrownBy(() -> NetworkdFile.netdev().section("NetDev").add("Name", "v").add("Kind", "Bad Kind")
                .build()).hasMessageContaining("[NetDev] Kind");
    }

    @Test
    void networkWithoutMatchIsRefused() {
        assertThatThrownBy(() -> NetworkdFile.network().section("Network").add("DHCP", "yes").build())
                .isInstanceOf(dev.ovs.base.InvalidArgumentException.class)
                .satisfies(e -> assertThat(((dev.ovs.base.InvalidArgumentException) e).argument()).isEqualTo("[Match]"))
                .hasMessageContaining("[Match]").hasMessageContaining("every link");
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "Address|10.0.0.1|must be ADDRESS/PREFIX",
        "Address|10.0.0.1/33|prefix length must be 0..32",
        "Address|256.0.0.1/24|IPv4 octets",
        "Address|010.0.0.1/24|IPv4 octets",
        "Address|fd00::1/129|prefix length must be 0..128",
        "Address|example.com/24|must be an IPv4 or IPv6 address",
        "Address|fd00:::1/64|must be an IPv4 or IPv6 address",
        "Gateway|10.0.0|must be an IPv4 or IPv6 address",
        "DHCP|maybe|must be yes, no, ipv4 or ipv6",
        "IPv6AcceptRA|perhaps|must be a boolean",
        "LinkLocalAddressing|always|must be one of",
        "DNS|1.1.1.1 nope|must be an IPv4 or IPv6 address"})
    void networkKeysAreValidated(String key, String value, String message) {
        assertThatThrownBy(() -> match("br0").section("Network").add(key, value).build())
                .isInstanceOf(dev.ovs.base.InvalidArgumentException.class).hasMessageContaining("[Network] " + key + ": ")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abcdefghijklmnop|must be 1..15 bytes (IFNAMSIZ), got 16",
        "a/b|must not contain",
        "..|must not be '.' or '..'",
        "a:b|must not contain"})
    void matchNameIsValidated(String name, String message) {
        assertThatThrownBy(() -> match(name).build()).hasMessageContaining("[Match] Name").hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"67", "65536", "1500K", "-1"})
    void mtuIsValidated(String mtu) {
        assertThatThrownBy(() -> match("br0").section("Link").add("MTUBytes", mtu).build())
                .hasMessageContaining("[Link] MTUBytes: must be an integer 68..65535");
    }

    @Test
    void syntaxRulesStopInjection() {
        assertThatThrownBy(() -> match("br0").section("Network").add("Address", "10.0.0.1/24\n[Match]"))
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> match("br0").section("Net work")).hasMessageContaining("section");
        assertThatThrownBy(() -> match("br0").section("Network").add("Bad=Key", "x")).hasMessageContaining("key");
        assertThatThrownBy(() -> NetworkdFile.network().add("Name", "x")).hasMessageContaining("inside a section");
        assertThatThrownBy(() -> match("br0").section("Network").add("Description", " padded"))
                .hasMessageContaining("leading or trailing whitespace");
        assertThatThrownBy(() -> NetworkdFile.parse(NetworkdFile.Kind.NETWORK, "[Match]\nName=a\nnonsense\n"))
                .hasMessageContaining("line 3");
    }

    @Test
    void unknownKeysOnlyNeedSyntax() {
        NetworkdFile f = match("br0").section("Network").add("Description", "uplink bridge #1").section("DHCPv4")
                .add("UseDNS", "no").build();
        assertThat(f.values("Network", "Description")).containsExactly("uplink bridge #1");
    }

    @Test
    void jobModeAndResultParsing() {
        assertThat(JobMode.parse("ignore-dependencies")).isEqualTo(JobMode.IGNORE_DEPENDENCIES);
        assertThat(JobMode.parse("REPLACE").wire()).isEqualTo("replace");
        assertThatThrownBy(() -> JobMode.parse("later")).hasMessageStartingWith("mode: ");
        assertThat(JobResult.Result.of("dependency")).isEqualTo(JobResult.Result.DEPENDENCY);
        assertThat(JobResult.Result.of("frobnicated")).isEqualTo(JobResult.Result.OTHER);
    }
}
