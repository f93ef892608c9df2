package dev.ovs.portagent.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.ShortTempDir;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rtnetlink against the real kernel, only inside two namespaces created by the harness; results are
 * checked with iproute2 ({@code ip -n NS ...}). Never touches the host's interfaces.
 */
class RtNetlinkNetnsIT {
    private Leftovers before;
    private Netns a;
    private Netns b;
    private NetNamespace nsA;
    private NetNamespace nsB;

    @BeforeEach
    void setUp() {
        before = Leftovers.snapshot();
        a = Netns.create();
        b = Netns.create();
        nsA = NetNamespace.ofPath(a.path());
        nsB = NetNamespace.ofName(b.name());
    }

    @AfterEach
    void tearDown() {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
        before.assertNoneSince();
    }

    /**
     * deleteLinks: the existing links go in one group deletion (both ends of each veth pair), a missing name is
     * skipped, a link not named stays, and no group is left set on it.
     */
    @Test
    void deleteLinksDeletesTheNamedLinksTogether() throws Exception {
        try (RtNetlink nl = RtNetlink.open(nsA)) {
            for (int i = 0; i < 5; i++) {
                nl.createVeth("g" + i, "gp" + i, nsB);
            }
            nl.createVeth("keep0", "keep1", nsB);
            assertThat(nl.deleteLinks(List.of("g0", "g1", "nope0", "g2", "g3", "g4", "g1"))).containsExactly("g0", "g1", "g2", "g3",
                    "g4");
            String left = ip(a, "-o", "link", "show");
            assertThat(left).contains("keep0").doesNotContain("g0").doesNotContain("g4");
            assertThat(ip(b, "-o", "link", "show")).contains("keep1").doesNotContain("gp0").doesNotContain("gp4");
            assertThat(ip(a, "-d", "link", "show", "keep0")).contains("group default");
            assertThat(nl.deleteLinks(List.of("nope1", "nope2"))).isEmpty();
        }
    }

    private static String ip(Netns ns, String... args) {
        String[] argv = new String[args.length + 3];
        argv[0] = "ip";
        argv[1] = "-n";
        argv[2] = ns.name();
        System.arraycopy(args, 0, argv, 3, args.length);
        return Cmd.run(argv);
    }

    @Test
    void vethWithPeerInOtherNamespaceThenConfigureAndDelete() throws Exception {
        try (RtNetlink nl = RtNetlink.open(nsA)) {
            nl.createVeth("pa0", "pb0", nsB);
            assertThat(ip(a, "-d", "link", "show", "pa0")).contains("veth").contains("state DOWN");
            assertThat(ip(b, "-d", "link", "show", "pb0")).contains("veth");
            assertThat(ip(a, "-o", "link")).doesNotContain("pb0");

            LinkInfo pa0 = nl.requireLink("pa0");
            assertThat(pa0.kind()).isEqualTo("veth");
            assertThat(pa0.up()).isFalse();
            assertThat(pa0.linkNetnsId()).isNotNegative(); // peer lives in another namespace
            assertThat(nl.links()).extracting(LinkInfo::name).contains("lo", "pa0").doesNotContain("pb0");

            nl.setMtu("pa0", 1400);
            nl.setMac("pa0", "a2:c3:0d:49:7f:f8");
            nl.setUp("pa0", true);
            nl.change("pa0", LinkChange.none().withAlias("patchbay test"));
            assertThat(ip(a, "link", "show", "pa0")).contains("alias patchbay test");
            assertThat(nl.requireLink("pa0").alias()).isEqualTo("patchbay test");
            assertThatThrownBy(() -> nl.createVeth("al0", "al1", null, LinkChange.none(), LinkChange.none().withAlias("x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("alias: ");
            String show = ip(a, "link", "show", "pa0");
            assertThat(show).contains("mtu 1400").contains("link/ether a2:c3:0d:49:7f:f8").contains(",UP>"); // NO-CARRIER: the peer is still down
            LinkInfo now = nl.requireLink("pa0");
            assertThat(now.mtu()).isEqualTo(1400);
            assertThat(now.mac()).isEqualTo("a2:c3:0d:49:7f:f8");
            assertThat(now.up()).isTrue();

            nl.createVeth("taken0", "taken1", null);
            NetlinkException taken = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.rename("pa0", "taken0"));
            assertThat(taken.errnoName()).isEqualTo("EEXIST");
            assertThat(taken).hasMessageContaining("set link name taken0").hasMessageContaining("'pa0'")
                    .hasMessageContaining(a.name()).hasMessageContaining("EEXIST (File exists)");
            nl.deleteLink("taken0");

            nl.setUp("pa0", false);
            nl.rename("pa0", "pa1");
            assertThat(ip(a, "-o", "link")).contains("pa1").doesNotContain("pa0");
            nl.setUp("pa1", true);

            nl.addAddress("pa1", InetAddress.getByName("10.9.0.1"), 24);
            nl.addAddress("pa1", InetAddress.getByName("fd00:9::1"), 64);
            assertThat(ip(a, "addr", "show", "pa1")).contains("inet 10.9.0.1/24").contains("inet6 fd00:9::1/64");
            assertThat(nl.addresses()).extracting(AddressInfo::cidr).contains("10.9.0.1/24", "fd00:9:0:0:0:0:0:1/64");
            NetlinkException dup = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.addAddress("pa1", InetAddress.getByName("10.9.0.1"), 24));
            assertThat(dup.errnoName()).isEqualTo("EEXIST");
            assertThat(dup).hasMessageContaining("add address 10.9.0.1/24 to link 'pa1'");

            nl.addDefaultRoute(InetAddress.getByName("10.9.0.254"));
            assertThat(ip(a, "route", "show", "default")).contains("default via 10.9.0.254 dev pa1");
            int pa1 = nl.requireLink("pa1").index();
            assertThat(nl.routes()).anySatisfy(r -> {
                assertThat(r.isDefault()).isTrue();
                assertThat(r.gateway()).isEqualTo(InetAddress.getByName("10.9.0.254"));
                assertThat(r.oifIndex()).isEqualTo(pa1);
                assertThat(r.table()).isEqualTo(254);
            });
            NetlinkException unreachable = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.addRoute(InetAddress.getByName("10.77.0.0"), 16, InetAddress.getByName("10.50.0.1"), null));
            assertThat(unreachable.errnoName()).isEqualTo("ENETUNREACH");

            nl.deleteLink("pa1");
            assertThat(ip(a, "-o", "link")).doesNotContain("pa1");
            assertThat(ip(b, "-o", "link")).doesNotContain("pb0"); // the peer goes with it
            assertThat(nl.link("pa1")).isEmpty();
            NetlinkException gone = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.deleteLink("pa1"));
            assertThat(gone.errno()).isEqualTo(19);
            assertThat(gone).hasMessageStartingWith("delete link link 'pa1' in " + nsA + ": ENODEV (No such device)");
            assertThat(nl.deleteLinkIfExists("pa1")).isFalse();
        }
    }

    @Test
    void vethPeerCreatedConfiguredInOneRequest() throws Exception {
        try (RtNetlink nl = RtNetlink.open(nsA)) {
            nl.createVeth("h0", "ignored", null,
                    LinkChange.none().withName("eth1").withNetns(nsB).withMtu(1450).withMac("02:00:00:00:00:2a"));
            String peer = ip(b, "-d", "link", "show", "eth1");
            assertThat(peer).contains("mtu 1450").contains("link/ether 02:00:00:00:00:2a").contains("veth");
            assertThatThrownBy(() -> nl.createVeth("h1", "p1", null, LinkChange.none().withUp(true)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ENOTCONN");
            assertThat(nl.link("h1")).isEmpty();
            assertThat(ip(a, "link", "show", "h0")).contains("state DOWN");
        }
    }

    @Test
    void moveToNamespaceWithAndWithoutRename() throws Exception {
        try (RtNetlink nl = RtNetlink.open(nsA); RtNetlink nlB = RtNetlink.open(nsB)) {
            nl.createVeth("x0", "x1", null);
            nl.setUp("x1", true);
            nl.moveToNamespace("x1", nsB);
            assertThat(ip(a, "-o", "link")).doesNotContain("x1");
            assertThat(ip(b, "link", "show", "x1")).contains("state DOWN"); // a move takes the link down
            nl.change("x0", LinkChange.none().withNetns(nsB).withName("y0").withUp(true));
            assertThat(ip(b, "link", "show", "y0")).contains(",UP");
            assertThat(nlB.links()).extracting(LinkInfo::name).contains("x1", "y0");
            NetlinkException e = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.moveToNamespace("nope0", nsB));
            assertThat(e.errnoName()).isEqualTo("ENODEV");
            nlB.deleteLink("x1");
            assertThat(nlB.link("y0")).isEmpty();
        }
    }

    @Test
    void errorsNameErrnoOperationAndObjectAndCreateNothing() throws Exception {
        try (RtNetlink nl = RtNetlink.open(nsA)) {
            nl.createVeth("d0", "d1", null);
            NetlinkException exists = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.createVeth("d0", "d2", null));
            assertThat(exists.errnoName()).isEqualTo("EEXIST");
            assertThat(exists).hasMessageContaining("create veth 'd0' in " + nsA).hasMessageContaining("EEXIST (File exists)");
            assertThat(nl.link("d2")).isEmpty();

            NetNamespace missing = NetNamespace.ofName("pbt-does-not-exist");
            NetlinkException noNs = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.createVeth("e0", "e1", missing));
            assertThat(noNs.errnoName()).isEqualTo("ENOENT");
            assertThat(noNs).hasMessageContaining("/var/run/netns/pbt-does-not-exist");
            assertThat(nl.link("e0")).isEmpty();

            NetlinkException mtu = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> nl.setMtu("nope0", 1500));
            assertThat(mtu).hasMessageContaining("set link mtu 1500 link 'nope0'").hasMessageContaining("ENODEV");

            assertThatThrownBy(() -> nl.createVeth("this-is-too-long", "e1", null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("name: must be 1..15 bytes (IFNAMSIZ), got 16");
            assertThat(ip(a, "-o", "link")).doesNotContain("this-is-too");

            NetlinkException badNs = org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class,
                    () -> RtNetlink.open(NetNamespace.ofPid(Integer.MAX_VALUE)));
            assertThat(badNs.errnoName()).isEqualTo("ENOENT");
            assertThat(badNs).hasMessageContaining("/proc/" + Integer.MAX_VALUE + "/ns/net");
        }
    }

    @Test
    void namespaceByPidAndCallingThreadNeverMoves() throws Exception {
        Path before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
        a.addVeth("pid0", "pid1");
        try (ShortTempDir dir = ShortTempDir.create();
                Daemon sleeper = Daemon.start("sleep", a, List.of("sleep", "300"), Map.of(), dir.resolve("sleep.log"))) {
            // the ip-netns-exec wrapper execs sleep, so the PID is the sleeper's
            long pid = sleeper.pid();
            Object want = Files.getAttribute(a.path(), "unix:ino");
            sleeper.awaitReady("sleep inside " + a, java.time.Duration.ofSeconds(10), () -> {
                try {
                    return want.equals(Files.getAttribute(Path.of("/proc/" + pid + "/ns/net"), "unix:ino"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            try (RtNetlink nl = RtNetlink.open(NetNamespace.ofPid(pid))) {
                assertThat(nl.links()).extracting(LinkInfo::name).contains("pid0", "pid1");
                // usable from another thread: the socket, not the thread, is in the namespace
                List<LinkInfo> fromOther = CompletableFuture.supplyAsync(() -> {
                    try {
                        return nl.links();
                    } catch (NetlinkException e) {
                        throw new IllegalStateException(e);
                    }
                }).get();
                assertThat(fromOther).extracting(LinkInfo::name).contains("pid0");
            } finally {
                sleeper.close();
            }
        }
        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))).isEqualTo(before);
    }

    @Test
    void openAndCloseLeaksNoFileDescriptors() throws Exception {
        try (RtNetlink warm = RtNetlink.open(nsA)) {
            warm.links();
        }
        long fds = countFds();
        for (int i = 0; i < 200; i++) {
            try (RtNetlink nl = RtNetlink.open(nsA)) {
                nl.link("lo");
            }
        }
        assertThat(countFds()).isLessThanOrEqualTo(fds + 2); // slack for unrelated JVM activity
        RtNetlink closed = RtNetlink.open(nsA);
        closed.close();
        closed.close();
        assertThatThrownBy(closed::links).isInstanceOf(NetlinkException.class).hasMessageContaining("socket closed");
    }

    private static long countFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
