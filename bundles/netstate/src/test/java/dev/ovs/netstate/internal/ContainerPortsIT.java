package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Netns;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortSettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code container-ports} against a real ovsdb-server + ovs-vswitchd (userspace datapath) and the real port agent
 * (its implementation jar, outside a framework), network namespaces standing in for containers
 * ({@code netns:NAME}): apply, show, the no-op re-apply, VLAN changes, replacing a port's address, moving it to a
 * bridge the same document creates, rollback (a batch of inverse changes), checked with ovs-vsctl, {@code ip -n}
 * and ping.
 */
class ContainerPortsIT {
    static RealOvs real;
    NetStateEngine engine;
    Netns c1;
    Netns c2;
    Netns c3;

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
        real.startAgent();
    }

    @AfterAll
    static void down() {
        if (real != null) {
            real.close();
        }
    }

    @BeforeEach
    void start() {
        c1 = Netns.create();
        c2 = Netns.create();
        c3 = Netns.create();
        real.vsctl("add-br", "cpb0", "--", "set", "Bridge", "cpb0", "datapath_type=netdev");
        engine = real.engine();
        real.events.clear();
    }

    @AfterEach
    void stop() {
        try {
            engine.close();
            for (ContainerPort p : real.agent.listPorts()) {
                real.agent.deletePorts("cpb0", p.containerId(), "test-cleanup");
            }
            for (String b : real.vsctl("list-br").lines().toList()) {
                real.vsctl("--if-exists", "del-br", b);
            }
        } finally {
            c1.close();
            c2.close();
            c3.close();
        }
    }

    String ref(Netns ns) {
        return "netns:" + ns.name();
    }

    static String ip(Netns ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns.name()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Cmd.DEFAULT_TIMEOUT);
    }

    /** Up to 5 attempts of one echo each (ARP and MAC learning need a moment after changes). */
    static boolean ping(Netns from, String to) {
        for (int i = 0; i < 5; i++) {
            try {
                from.exec(Duration.ofSeconds(15), "ping", "-c", "1", "-W", "1", to);
                return true;
            } catch (Cmd.Failed e) {
                // retry
            }
        }
        return false;
    }

    String hostPort(Netns ns) {
        return real.agent.listPorts().stream().filter(p -> p.containerId().equals(ref(ns))).map(ContainerPort::port).findFirst()
                .orElse(null);
    }

    String three() {
        return """
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.30.0.1/24, vlan: 50, mac: "02:00:00:00:30:01", mtu: 1400}
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.30.0.2/24, vlan: 50, gateway: 10.30.0.254}
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.30.0.3/24, vlan: 60}
                """.formatted(ref(c1), ref(c2), ref(c3));
    }

    @Test
    void attachShowReapplyAndRollBack() throws Exception {
        var before = real.dump();
        List<Change> diff = engine.diff(three());
        assertThat(diff).hasSize(3).allSatisfy(c -> {
            assertThat(c.op()).isEqualTo(Change.CREATE);
            assertThat(c.kind()).isEqualTo("container-port");
        });
        assertThat(diff.get(0).name()).isEqualTo(ref(c1) + "/eth1");
        assertThat(diff.get(0).to()).isEqualTo(Map.of("bridge", "cpb0", "ipv4", "10.30.0.1/24", "vlan", 50L,
                "mac", "02:00:00:00:30:01", "mtu", 1400L));
        assertThat(real.agent.listPorts()).isEmpty();

        String id = engine.apply(three(), 600, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.PENDING);
        assertThat(engine.checkpoint(id).orElseThrow().changes()).isEqualTo(3);
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("inet 10.30.0.1/24");
        assertThat(ip(c1, "-o", "link", "show", "eth1")).contains("mtu 1400").contains("link/ether 02:00:00:00:30:01");
        assertThat(ip(c2, "route", "show", "default")).contains("default via 10.30.0.254 dev eth1");
        assertThat(real.vsctl("get", "Port", hostPort(c1), "tag")).isEqualTo("50");
        assertThat(real.vsctl("get", "Port", hostPort(c3), "tag")).isEqualTo("60");
        assertThat(real.vsctl("get", "Interface", hostPort(c1), "external_ids:netstate_settings"))
                .isEqualTo("\"ipv4=10.30.0.1/24,mac=02:00:00:00:30:01,mtu=1400\"");
        assertThat(ping(c1, "10.30.0.2")).as("same VLAN 50").isTrue();
        assertThat(ping(c1, "10.30.0.3")).as("VLAN 50 to VLAN 60").isFalse();

        // show lists them (and not their host ports under interfaces); applying it back changes nothing at all
        String shown = engine.show();
        assertThat(shown).contains("container-ports:", "container: " + ref(c1), "ipv4: 10.30.0.1/24", "vlan: 60",
                "gateway: 10.30.0.254").doesNotContain(hostPort(c1));
        assertThat(engine.diff(shown)).isEmpty();
        try (RealOvs.UpdateCounter counter = real.updateCounter()) {
            int n = counter.count();
            String again = engine.apply(three(), 0, "test");
            assertThat(engine.checkpoint(again).orElseThrow().changes()).isZero();
            assertThat(engine.checkpoint(again).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
            assertThat(counter.count()).as("no OVSDB transaction").isEqualTo(n);
        }

        engine.rollback(id, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(real.agent.listPorts()).isEmpty();
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(ip(c2, "-o", "link")).doesNotContain("eth1");
        assertThat(real.dump()).isEqualTo(before);
    }

    @Test
    void vlanAddressAndBridgeChangesAreRolledBackByInverseBatches() throws Exception {
        engine.apply("""
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.31.0.1/24, vlan: 10}
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.31.0.2/24, vlan: 20}
                """.formatted(ref(c1), ref(c2)), 0, "test");
        String p1 = hostPort(c1);
        String p2 = hostPort(c2);
        assertThat(ping(c1, "10.31.0.2")).as("VLAN 10 to 20").isFalse();
        var committed = real.dump();

        // both on VLAN 30: two SetVlan in one batch, the host ports stay
        String vlan30 = """
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb0, vlan: 30}
                - {container: %s, interface: eth1, bridge: cpb0, vlan: 30}
                """.formatted(ref(c1), ref(c2));
        assertThat(engine.diff(vlan30)).extracting(c -> c.field() + " " + c.from() + "->" + c.to())
                .containsExactly("vlan 10->30", "vlan 20->30");
        String id = engine.apply(vlan30, 600, "test");
        assertThat(hostPort(c1)).isEqualTo(p1);
        assertThat(real.vsctl("get", "Port", p1, "tag") + real.vsctl("get", "Port", p2, "tag")).isEqualTo("3030");
        assertThat(ping(c1, "10.31.0.2")).as("same VLAN 30").isTrue();
        engine.rollback(id, "test");
        assertThat(real.vsctl("get", "Port", p1, "tag") + " " + real.vsctl("get", "Port", p2, "tag")).isEqualTo("10 20");
        assertThat(real.dump()).isEqualTo(committed);

        // a new address: detached and attached again (a new host port); the rollback brings the old one back
        id = engine.apply("""
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.31.0.11/24}
                """.formatted(ref(c1)), 600, "test");
        assertThat(hostPort(c1)).isNotEqualTo(p1);
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("inet 10.31.0.11/24").doesNotContain("10.31.0.1/");
        assertThat(real.vsctl("get", "Port", hostPort(c1), "tag")).as("the VLAN stays").isEqualTo("10");
        engine.rollback(id, "test");
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("inet 10.31.0.1/24").doesNotContain("10.31.0.11");
        assertThat(real.vsctl("get", "Port", hostPort(c1), "tag")).isEqualTo("10");
        assertThat(real.vsctl("get", "Interface", hostPort(c1), "external_ids:netstate_settings")).isEqualTo("\"ipv4=10.31.0.1/24\"");
        assertThat(engine.diff(engine.show())).isEmpty();

        // to a bridge the same document creates; the rollback detaches first, then removes the bridge
        id = engine.apply("""
                interfaces:
                - {name: cpb1, type: ovs-bridge}
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb1, vlan: 20}
                - {container: %s, interface: eth1, bridge: cpb1, ipv4: 10.31.0.3/24, vlan: 20}
                """.formatted(ref(c2), ref(c3)), 600, "test");
        assertThat(real.vsctl("list-ports", "cpb1").lines()).containsExactlyInAnyOrder(hostPort(c2), hostPort(c3));
        assertThat(real.vsctl("get", "Bridge", "cpb1", "datapath_type")).isEqualTo("netdev");
        assertThat(ping(c3, "10.31.0.2")).as("both on cpb1 VLAN 20").isTrue();
        engine.rollback(id, "test");
        assertThat(real.vsctl("list-br")).isEqualTo("cpb0");
        assertThat(ip(c3, "-o", "link")).doesNotContain("eth1");
        assertThat(ip(c2, "-o", "addr", "show", "eth1")).contains("inet 10.31.0.2/24");
        assertThat(real.vsctl("get", "Port", hostPort(c2), "tag")).isEqualTo("20");
        assertThat(engine.diff(engine.show())).isEmpty();
        assertThat(real.events).filteredOn(e -> e.endsWith("rolledback rolled-back")).hasSize(3);
    }

    /**
     * {@code mtu: null}, {@code mac: null}, {@code gateway: null}: the port is attached again without them (the
     * container's link gets the default MTU and a new MAC, the default route goes); the rollback attaches it again
     * with them; {@code Show()} writes no nulls and applying it changes nothing.
     */
    @Test
    void nullSettingsReattachWithoutThemAndRollBack() throws Exception {
        engine.apply("""
                container-ports:
                - {container: %s, interface: eth1, bridge: cpb0, ipv4: 10.33.0.1/24, mac: "02:00:00:00:33:01", mtu: 1400, gateway: 10.33.0.254}
                """.formatted(ref(c1)), 0, "test");
        assertThat(ip(c1, "-o", "link", "show", "eth1")).contains("mtu 1400").contains("link/ether 02:00:00:00:33:01");
        String shown = engine.show();
        String doc = "container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, mtu: null, mac: null, gateway: null}\n";
        assertThat(engine.diff(doc)).extracting(Change::field, Change::from, Change::to).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("mac", "02:00:00:00:33:01", null),
                org.assertj.core.groups.Tuple.tuple("mtu", 1400L, null),
                org.assertj.core.groups.Tuple.tuple("gateway", "10.33.0.254", null));
        String id = engine.apply(doc, 600, "test");
        assertThat(ip(c1, "-o", "link", "show", "eth1")).contains("mtu 1500").doesNotContain("02:00:00:00:33:01");
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("inet 10.33.0.1/24");
        assertThat(ip(c1, "route", "show", "default")).isBlank();
        assertThat(real.vsctl("get", "Interface", hostPort(c1), "external_ids:netstate_settings")).isEqualTo("\"ipv4=10.33.0.1/24\"");
        assertThat(engine.diff(doc)).isEmpty();
        assertThat(engine.show()).doesNotContain("null");
        engine.rollback(id, "test");
        assertThat(ip(c1, "-o", "link", "show", "eth1")).contains("mtu 1400").contains("link/ether 02:00:00:00:33:01");
        assertThat(ip(c1, "route", "show", "default")).contains("default via 10.33.0.254 dev eth1");
        assertThat(engine.show()).isEqualTo(shown);
        assertThat(engine.diff(shown)).isEmpty();
        // without an address the gateway cannot stay: refused before anything changes
        var now = real.dump();
        assertThatThrownBy(() -> engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, ipv4: null}\n",
                0, "test")).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("container-ports[0].ipv4");
                    assertThat(e.rule()).contains("gateway: null");
                });
        assertThat(real.dump()).isEqualTo(now);
        // both go: the address too
        engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, ipv4: null, gateway: null}\n", 0,
                "test");
        assertThat(ip(c1, "-o", "-4", "addr", "show", "eth1")).isBlank();
        assertThat(real.vsctl("get", "Interface", hostPort(c1), "external_ids:netstate_settings"))
                .isEqualTo("\"mac=02:00:00:00:33:01,mtu=1400\"");
    }

    @Test
    void portsAttachedOutsideTheNetworkStateOnlyChangeTheirVlan() throws Exception {
        String port = real.agent.addPort("cpb0", "eth1", ref(c3), new PortSettings("10.32.0.3/24", null, null, null, VlanTag.of(5)),
                "test");
        String shown = engine.show();
        assertThat(shown).contains("container: " + ref(c3), "vlan: 5").doesNotContain("10.32.0.3");
        assertThat(engine.diff(shown)).isEmpty();
        var before = real.dump();
        String id = engine.apply("container-ports:\n- {container: " + ref(c3) + ", interface: eth1, bridge: cpb0, vlan: 7}\n", 0,
                "test");
        assertThat(real.vsctl("get", "Port", port, "tag")).isEqualTo("7");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
        for (String doc : List.of("{container: " + ref(c3) + ", interface: eth1, bridge: cpb0, ipv4: 10.32.0.4/24}",
                "{container: " + ref(c3) + ", interface: eth1, state: absent}",
                "{container: " + ref(c3) + ", interface: eth1, bridge: cpb0, mtu: null}",
                "{container: " + ref(c3) + ", interface: eth1, bridge: cpb0, ipv4: null}")) {
            assertThatThrownBy(() -> engine.apply("container-ports:\n- " + doc + "\n", 0, "test"))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.argument()).isEqualTo("container-ports[0]");
                        assertThat(e.rule()).contains("attached outside the network state");
                    });
        }
        assertThat(real.vsctl("get", "Port", port, "tag")).isEqualTo("7");
        assertThat(ip(c3, "-o", "addr", "show", "eth1")).contains("10.32.0.3/24");
        assertThat(before.keySet()).contains("Port:" + port);
    }

    @Test
    void invalidDocumentsChangeNothing() throws Exception {
        var before = real.dump();
        String c = ref(c1);
        Map<String, String> cases = Map.of(
                "{container: " + c + ", interface: eth1, bridge: cpb0, vlan: 5000}", "container-ports[0].vlan: must be 0..4095, got 5000",
                "{container: " + c + ", interface: eth1, bridge: nope}",
                "container-ports[0].bridge: bridge 'nope' does not exist and the document does not create it (an ovs-bridge entry "
                        + "in interfaces)",
                "{container: " + c + ", interface: eth1, bridge: cpb0, ipv4: 10.0.0.1/24, ipv6: fd00::1/64}",
                "container-ports[0]: give ipv4 or ipv6, not both (the port agent sets one address per port)",
                "{container: " + c + ", interface: eth1, bridge: cpb0, ipv4: 10.0.0.1/24, gateway: 10.9.0.1}",
                "container-ports[0].gateway: must lie inside the ipaddress subnet 10.0.0.1/24, got '10.9.0.1'",
                "{container: " + c + ", interface: eth1}", "container-ports[0].bridge: required (the bridge the port is on)",
                "{container: 'bad name!', interface: eth1, bridge: cpb0}", "container-ports[0].container:",
                "{container: " + c + ", interface: eth1, bridge: cpb0, speed: 10}",
                "container-ports[0].speed: unknown key (allowed here: container, interface, state, bridge, ipv4, ipv6, mac, mtu, "
                        + "gateway, vlan)");
        for (var e : cases.entrySet()) {
            assertThatThrownBy(() -> engine.apply("container-ports:\n- " + e.getKey() + "\n", 0, "test")).as(e.getKey())
                    .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith(e.getValue());
        }
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: cpb0, type: ovs-bridge, state: absent}\ncontainer-ports:\n- "
                + "{container: " + c + ", interface: eth1, bridge: cpb0}\n", 0, "test")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("container-ports[0].bridge: bridge 'cpb0' does not exist");
        assertThat(real.dump()).isEqualTo(before);
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
    }

    /**
     * Removing a bridge deletes its container ports' rows but not their veth pairs: the container would keep eth1 (with
     * its address) on a host end that is no port, and attaching eth1 again would fail with EEXIST half-way through an
     * apply. Such a removal, and the removal of a host port by name, are refused before anything changes.
     */
    @Test
    void aBridgeWithContainerPortsIsNotRemovedUntilTheyAreDetached() throws Exception {
        engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, ipv4: 10.33.0.1/24}\n", 0, "test");
        String port = hostPort(c1);
        var before = real.dump();
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: cpb0, type: ovs-bridge, state: absent}\n", 0, "test"))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("interfaces[0]: bridge 'cpb0' carries the container port "
                        + "container '" + ref(c1) + "' interface 'eth1' (host port " + port + "): removing it would leave their veth "
                        + "pairs behind; detach them first (container-ports entries with state: absent, in an apply of their own)");
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: " + port + ", type: ovs-interface, state: absent}\n", 0, "test"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("interfaces[0].name: '" + port
                        + "' is the host port of container '" + ref(c1) + "' interface 'eth1'");
        assertThat(real.dump()).isEqualTo(before);
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("10.33.0.1/24");
        // detached first, the bridge goes, and nothing is left in the container
        engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, state: absent}\n", 0, "test");
        engine.apply("interfaces:\n- {name: cpb0, type: ovs-bridge, state: absent}\n", 0, "test");
        assertThat(real.vsctl("list-br")).doesNotContain("cpb0");
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(ip(real.ns, "-o", "link")).doesNotContain(port);
    }

    /**
     * The port agent gives a port with a gateway the container's default route, and a container has one per family: a
     * second port of the same container with an IPv4 gateway is refused before anything changes.
     */
    @Test
    void aSecondDefaultRouteInOneContainerIsRefused() throws Exception {
        engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, ipv4: 10.34.1.2/24, "
                + "gateway: 10.34.1.1}\n", 0, "test");
        var before = real.dump();
        String routes = ip(c1, "route", "show");
        String eth2 = "- {container: " + ref(c1) + ", interface: eth2, bridge: cpb0, ipv4: 10.34.2.2/24, gateway: 10.34.2.1}\n";
        assertThatThrownBy(() -> engine.apply("container-ports:\n" + eth2, 0, "test")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("container-ports[0].gateway: container '" + ref(c1) + "' would get a second IPv4 default "
                        + "route (gateway 10.34.2.1 on interface 'eth2'), but interface 'eth1' (gateway 10.34.1.1, kept) gives it one "
                        + "already");
        assertThat(real.dump()).isEqualTo(before);
        assertThat(ip(c1, "route", "show")).isEqualTo(routes);
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth2");
        // the gateway moves when the other port gives it up in the same document
        engine.apply("container-ports:\n- {container: " + ref(c1) + ", interface: eth1, bridge: cpb0, gateway: null}\n" + eth2, 0,
                "test");
        assertThat(ip(c1, "route", "show", "default")).contains("default via 10.34.2.1 dev eth2").doesNotContain("10.34.1.1");
    }

    @Test
    void someoneElsesPortInBetweenIsAConflictAndTheBridgeIsRolledBack() throws Exception {
        var before = real.dump();
        AtomicBoolean raced = new AtomicBoolean();
        PortAgent racing = (PortAgent) Proxy.newProxyInstance(PortAgent.class.getClassLoader(), new Class<?>[] {PortAgent.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("apply") && raced.compareAndSet(false, true)) {
                        // someone attaches the same container interface after the document was planned
                        real.agent.addPort("cpb0", "eth1", ref(c1), PortSettings.NONE, "someone-else");
                    }
                    try {
                        return m.invoke(real.agent, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        NetStateEngine e = new NetStateEngine(() -> real.vs, () -> racing, new Journal(real.journalDir),
                new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null);
        try {
            assertThatThrownBy(() -> e.apply("""
                    interfaces:
                    - {name: cpb2, type: ovs-bridge}
                    container-ports:
                    - {container: %s, interface: eth1, bridge: cpb2, vlan: 3}
                    - {container: %s, interface: eth1, bridge: cpb2, vlan: 3}
                    """.formatted(ref(c1), ref(c2)), 0, "test")).isInstanceOfSatisfying(NetStateException.class, x -> {
                        assertThat(x.kind()).isEqualTo(ErrorKind.Conflict);
                        assertThat(x.getMessage()).contains("someone else changed a container port").endsWith("; rolled back");
                    });
        } finally {
            e.close();
        }
        assertThat(real.vsctl("list-br")).isEqualTo("cpb0");
        assertThat(ip(c2, "-o", "link")).doesNotContain("eth1");
        // what is left is exactly the other client's port
        assertThat(real.agent.listPorts()).extracting(ContainerPort::containerId).containsExactly(ref(c1));
        real.agent.deletePorts("cpb0", ref(c1), "someone-else");
        assertThat(real.dump()).isEqualTo(before);
    }
}
