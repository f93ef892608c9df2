package dev.ovs.portagent.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ValidationTest {

    @Test
    void linkChangeChecksAndDescribes() {
        assertThat(LinkChange.none().withMtu(1400).withUp(true).withName("eth1").toString())
                .isEqualTo("mtu 1400 name eth1 up");
        assertThat(LinkChange.none().toString()).isEqualTo("(no change)");
        assertThatThrownBy(() -> LinkChange.none().withMtu(67)).hasMessage("mtu: must be 68..65535 bytes, got 67");
        assertThatThrownBy(() -> LinkChange.none().withMtu(65536)).hasMessageContaining("68..65535");
        assertThatThrownBy(() -> LinkChange.none().withName("0123456789abcdef")).hasMessageStartingWith("new name:");
    }

    @Test
    void namespaces() {
        assertThat(NetNamespace.ofPid(42).path()).isEqualTo(Path.of("/proc/42/ns/net"));
        assertThat(NetNamespace.ofName("blue").path()).isEqualTo(Path.of("/var/run/netns/blue"));
        assertThat(NetNamespace.ofName("blue").toString()).isEqualTo("netns blue (/var/run/netns/blue)");
        assertThat(NetNamespace.ofPath(Path.of("/run/netns/x"))).isEqualTo(NetNamespace.ofPath(Path.of("/run/netns/./x")));
        assertThatThrownBy(() -> NetNamespace.ofPid(0)).hasMessageContaining("pid: must be a positive");
        assertThatThrownBy(() -> NetNamespace.ofName("../etc")).hasMessageContaining("must not contain '/'");
        assertThatThrownBy(() -> NetNamespace.ofName("")).hasMessageContaining("1..255");
        assertThatThrownBy(() -> NetNamespace.ofPath(Path.of("rel"))).hasMessageContaining("absolute");
    }

    @Test
    void errnoNamesAndExceptionMessage() {
        assertThat(Errno.name(17)).isEqualTo("EEXIST");
        assertThat(Errno.name(-19)).isEqualTo("ENODEV");
        assertThat(Errno.name(4242)).isEqualTo("errno 4242");
        NetlinkException e = new NetlinkException("delete link", "link 'x' in netns n", -19, "no such device", null);
        assertThat(e.errno()).isEqualTo(19);
        assertThat(e.errnoName()).isEqualTo("ENODEV");
        assertThat(e).hasMessage("delete link link 'x' in netns n: ENODEV (No such device): kernel: no such device");
        assertThat(new NetlinkException("dump", "links", 0, "overrun", null)).hasMessage("dump links: overrun");
    }
}
