package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** systemd-networkd on a private bus in its own namespaces sees and configures a test veth. */
class NetworkdIT {

    @Test
    void networkdAnswersOnPrivateBusAndConfiguresVeth() throws Exception {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        long pid;
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create();
                DbusDaemon bus = DbusDaemon.start(tmp.path())) {
            Path net = Files.createDirectory(tmp.resolve("network"));
            try (Networkd nd = Networkd.start(ns, bus, net)) {
                pid = nd.pid();
                assertThat(nd.listLinks()).contains("\"lo\"");
                assertThat(bus.busctl("list")).contains(Networkd.BUS_NAME);
                Files.writeString(net.resolve("10-pbtv0.network"),
                        "[Match]\nName=pbtv0\n\n[Network]\nAddress=10.213.0.1/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n");
                ns.addVeth("pbtv0", "pbtv1");
                nd.reload();
                nd.awaitLink("pbtv0", "routable", "configured", Duration.ofSeconds(20));
                assertThat(nd.listLinks()).contains("\"pbtv0\"").contains("\"pbtv1\"");
                assertThat(ns.exec("ip", "-o", "addr", "show", "dev", "pbtv0")).contains("10.213.0.1/24");
                // host mount table untouched: tmpfs /run and the bind mount live in networkd's mount ns
                assertThat(Leftovers.mountPoints()).doesNotContain("/etc/systemd/network");
                // restart: a new networkd (new mount namespace) reads the same files and configures the link again
                long first = nd.pid();
                nd.restart();
                assertThat(ProcessHandle.of(first)).isEmpty();
                assertThat(nd.pid()).isNotEqualTo(first);
                nd.awaitLink("pbtv0", "routable", "configured", Duration.ofSeconds(20));
                pid = nd.pid();
            }
            assertThat(ProcessHandle.of(pid)).isEmpty();
        }
        before.assertNoneSince();
    }
}
