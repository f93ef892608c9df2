package dev.ovs.networkd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.Event;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Networkd;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import dev.ovs.networkd.LinkDescription;
import dev.ovs.networkd.LinkInfo;
import dev.ovs.networkd.LinkState;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.networkd.NetworkdFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Against the real systemd-networkd (systemd 252) started by the harness in its own network + mount
 * namespace with a private dbus-daemon as its system bus; Patchbay's component talks to it over that bus
 * (own connection, {@code address=unix:path=...}) and writes into the directory networkd sees as
 * /etc/systemd/network. Addresses are checked with {@code ip -n NS addr} (rtnetlink), events on an in-memory
 * EventBus.
 */
class NetworkdIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void linksFilesAddressesAndEvents() throws Exception {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create();
                DbusDaemon bus = DbusDaemon.start(tmp.path())) {
            Path dir = Files.createDirectory(tmp.resolve("network"));
            try (Networkd nd = Networkd.start(ns, bus, dir)) {
                NetworkdComponent c = new NetworkdComponent();
                RecordingBus events = new RecordingBus();
                c.bindBus(events);
                c.activate(java.util.Map.of(), new TestConfig(dir.toString(), bus.address()));
                try {
                    run(c, events, ns, nd, dir, bus);
                } finally {
                    c.deactivate();
                }
            }
        }
        before.assertNoneSince();
    }

    private void run(NetworkdComponent c, RecordingBus events, Netns ns, Networkd nd, Path dir, DbusDaemon bus)
            throws Exception {
        // a foreign file (not written by Patchbay) that must survive everything
        Path foreign = dir.resolve("90-foreign.network");
        String foreignText = "[Match]\nName=nomatch0\n[Network]\nDHCP=no\n";
        Files.writeString(foreign, foreignText);

        // ListLinks sees the veths the test creates
        ns.addVeth("pbv0", "pbv1");
        await("pbv0 and pbv1 in ListLinks", () -> c.links().stream().map(LinkInfo::name).toList()
                .containsAll(List.of("lo", "pbv0", "pbv1")));
        LinkInfo l = c.link("pbv0");
        assertThat(c.link(l.index())).isEqualTo(l);
        assertThat(l.path()).startsWith("/org/freedesktop/network1/link/_3");
        LinkState s0 = c.linkState("pbv0");
        assertThat(s0.operational()).isNotNull();
        assertThat(s0.administrative()).isNotNull();

        // unknown link: NotFound with networkd's error name
        assertThatThrownBy(() -> c.link("nosuch0")).isInstanceOf(NetworkdException.class)
                .satisfies(e -> {
                    NetworkdException ne = (NetworkdException) e;
                    assertThat(ne.kind()).as(ne.getMessage()).isEqualTo(dev.ovs.base.ErrorKind.NotFound);
                    assertThat(ne.dbusError()).isEqualTo("org.freedesktop.resolve1.NoSuchLink");
                }).hasMessageContaining("nosuch0");
        assertThatThrownBy(() -> c.describe("bad/name")).hasMessageStartingWith("link: ");

        // the shell commands over the same services
        NetCommands cmd = new NetCommands(c, c);
        assertThat(cmd.links()).contains("pbv0").contains("pbv1").contains("OPERATIONAL");
        assertThatThrownBy(() -> cmd.link("nosuch0")).hasMessageStartingWith("NotFound: ");
        assertThatThrownBy(() -> cmd.configure("pbv0", "--address", "10.77.0.1")).hasMessageStartingWith("InvalidArgs: address: ");
        assertThatThrownBy(() -> cmd.configure("pbv0", "--bogus", "x")).hasMessageStartingWith("InvalidArgs: option: ");
        assertThat(cmd.unconfigure("pbv0")).isEqualTo("nothing to remove for pbv0");
        assertThat(dir.resolve("10-patchbay-pbv0.network")).doesNotExist();
        assertThat(cmd.reload()).isEqualTo("reloaded");

        // a written .network with Address= + Reload -> the address appears, state change arrives as an event
        Path written = c.configureStatic("pbv0", List.of("10.77.0.1/24"), null);
        assertThat(Files.readString(written)).startsWith(NetworkdFile.OWNER_HEADER);
        ns.exec("ip", "link", "set", "pbv1", "up");
        await("10.77.0.1/24 on pbv0", () -> ns.exec("ip", "-o", "addr", "show", "dev", "pbv0").contains("10.77.0.1/24"));
        await("configured event for pbv0", () -> events.events.stream().anyMatch(e -> isConfigured(e, "pbv0")));
        Event ev = events.events.stream().filter(e -> isConfigured(e, "pbv0")).findFirst().orElseThrow();
        assertThat(ev.topic()).isEqualTo("network.link.pbv0.state");
        assertThat(ev.type()).isEqualTo("state");
        assertThat(ev.payload().path("index").asInt()).isEqualTo(l.index());
        assertThat(ev.payload().path("old").path("AdministrativeState").asText()).isNotEqualTo("configured");
        assertThat(ev.payload().path("changed").toString()).contains("AdministrativeState");

        await("pbv0 configured", () -> "configured".equals(c.linkState("pbv0").administrative()));
        LinkDescription d = c.describe("pbv0");
        assertThat(d.index()).isEqualTo(l.index());
        assertThat(d.networkFile()).isEqualTo("/etc/systemd/network/10-patchbay-pbv0.network");
        assertThat(d.addresses()).extracting(LinkDescription.Address::cidr).contains("10.77.0.1/24");
        JsonNode all = c.describeManager();
        assertThat(all.toString()).contains("pbv0");
        assertThat(cmd.link("pbv0")).contains("AdministrativeState: configured").contains("Address: 10.77.0.1/24 (static)");
        c.reconfigure("pbv0"); // re-applies the file: the link goes through configuring again
        await("pbv0 configured after ReconfigureLink", () -> "configured".equals(c.linkState("pbv0").administrative()));
        assertThat(c.owned()).containsExactly("10-patchbay-pbv0.network");

        // the foreign file is refused and untouched
        assertThatThrownBy(() -> c.remove("90-foreign.network", true))
                .isInstanceOf(dev.ovs.networkd.FileNotOwnedException.class);

        // removed file + Reload -> address gone
        assertThat(c.unconfigure("pbv0")).isTrue();
        assertThat(written).doesNotExist();
        await("10.77.0.1 gone from pbv0", () -> !ns.exec("ip", "-o", "addr", "show", "dev", "pbv0").contains("10.77.0.1"));
        assertThat(Files.readString(foreign)).isEqualTo(foreignText);
        assertThat(nd.daemon().alive()).isTrue();

        // networkd goes away: calls fail clearly; it comes back: calls and link events resume by themselves
        nd.close();
        assertThatThrownBy(c::links).isInstanceOf(NetworkdException.class)
                .satisfies(e -> assertThat(((NetworkdException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.Unavailable))
                .hasMessageContaining("ListLinks");
        try (Networkd again = Networkd.start(ns, bus, dir)) {
            events.events.clear();
            c.configureStatic("pbv0", List.of("10.77.0.2/24"), null);
            await("10.77.0.2/24 on pbv0", () -> ns.exec("ip", "-o", "addr", "show", "dev", "pbv0").contains("10.77.0.2/24"));
            await("configured event after networkd restart", () -> events.events.stream().anyMatch(e -> isConfigured(e, "pbv0")));
            assertThat(c.unconfigure("pbv0")).isTrue();
        }
    }

    /**
     * The use case of issue 7 / seed 002, end to end: an OVS bridge (ovsdb-server + ovs-vswitchd, userspace
     * datapath, in the same namespace as networkd) gets its address from networkd after
     * {@code net:configure br0 --address ...}.
     */
    @Test
    void ovsBridgeGetsItsAddressFromNetworkd() throws Exception {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir tmp = ShortTempDir.create(); Netns ns = Netns.create();
                DbusDaemon bus = DbusDaemon.start(tmp.path()); Ovs ovs = Ovs.start(ns, tmp.path())) {
            Path dir = Files.createDirectory(tmp.resolve("network"));
            try (Networkd nd = Networkd.start(ns, bus, dir)) {
                NetworkdComponent c = new NetworkdComponent();
                RecordingBus events = new RecordingBus();
                c.bindBus(events);
                c.activate(java.util.Map.of(), new TestConfig(dir.toString(), bus.address()));
                try {
                    ovs.addBridge("pbbr0");
                    await("pbbr0 known to networkd", () -> c.links().stream().anyMatch(l -> l.name().equals("pbbr0")));
                    assertThat(new NetCommands(c, c).configure("pbbr0", "--address", "10.78.0.1/24"))
                            .startsWith("wrote " + dir.resolve("10-patchbay-pbbr0.network"));
                    await("10.78.0.1/24 on pbbr0",
                            () -> ns.exec("ip", "-o", "addr", "show", "dev", "pbbr0").contains("10.78.0.1/24"));
                    await("pbbr0 configured event", () -> events.events.stream().anyMatch(e -> isConfigured(e, "pbbr0")));
                    assertThat(c.describe("pbbr0").addresses()).extracting(LinkDescription.Address::cidr)
                            .contains("10.78.0.1/24");
                } finally {
                    c.deactivate();
                }
            }
        }
        before.assertNoneSince();
    }

    private static boolean isConfigured(Event e, String link) {
        return e.topic().equals("network.link." + link + ".state")
                && "configured".equals(e.payload().path("new").path("AdministrativeState").asText());
    }
}
