package dev.ovs.networkd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.networkd.LinkDescription;
import org.junit.jupiter.api.Test;

/** Pure helpers: sd-bus path labels and the DescribeLink JSON of systemd 252. */
class NetworkdParsingTest {
    @Test
    void unescapesSdBusLabels() {
        assertThat(NetworkdClient.unescapeLabel("_32")).isEqualTo("2");
        assertThat(NetworkdClient.unescapeLabel("_310")).isEqualTo("10");
        assertThat(NetworkdClient.unescapeLabel("_3123")).isEqualTo("123");
    }

    @Test
    void parsesDescribeLinkJson() {
        String json = "{\"Index\":7,\"Name\":\"pbv0\",\"AlternativeNames\":[\"x\"],\"Type\":\"ether\",\"Kind\":\"veth\","
                + "\"Driver\":\"veth\",\"HardwareAddress\":[2,0,0,0,0,171],\"MTU\":1500,"
                + "\"NetworkFile\":\"/etc/systemd/network/10-patchbay-pbv0.network\","
                + "\"OperationalState\":\"routable\",\"CarrierState\":\"carrier\",\"AddressState\":\"routable\","
                + "\"IPv4AddressState\":\"routable\",\"IPv6AddressState\":\"off\",\"OnlineState\":\"online\","
                + "\"AdministrativeState\":\"configured\",\"Unknown\":{\"x\":1},"
                + "\"Addresses\":[{\"Family\":2,\"Address\":[10,77,0,1],\"PrefixLength\":24,\"ConfigSource\":\"static\","
                + "\"ConfigState\":\"configured\"},{\"Family\":10,\"Address\":[253,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1],"
                + "\"PrefixLength\":64}]}";
        LinkDescription d = NetworkdClient.parseLink(json);
        assertThat(d.index()).isEqualTo(7);
        assertThat(d.name()).isEqualTo("pbv0");
        assertThat(d.kind()).isEqualTo("veth");
        assertThat(d.hardwareAddress()).isEqualTo("02:00:00:00:00:ab");
        assertThat(d.mtu()).isEqualTo(1500);
        assertThat(d.state().operational()).isEqualTo("routable");
        assertThat(d.state().administrative()).isEqualTo("configured");
        assertThat(d.state().online()).isEqualTo("online");
        assertThat(d.addresses()).extracting(LinkDescription.Address::cidr).containsExactly("10.77.0.1/24", "fd00::1/64");
        assertThat(d.addresses().get(0).configSource()).isEqualTo("static");
        assertThat(d.json().path("Unknown").path("x").asInt()).isEqualTo(1);
    }
}
