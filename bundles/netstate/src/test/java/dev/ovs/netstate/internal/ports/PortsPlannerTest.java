package dev.ovs.netstate.internal.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.internal.doc.DocParser;
import dev.ovs.portagent.PortChange;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link PortsPlanner}: settings given as {@code null} on container ports (unit test, in memory). */
class PortsPlannerTest {
    final DocParser parser = new DocParser();

    static final Attachment RECORDED = new Attachment("10.0.0.2/24", null, "02:00:00:00:00:02", 1400L, "10.0.0.1");

    static PortsState state(Attachment recorded, Long tag) {
        return PortsState.of(List.of(new PortsState.Current("c1", "eth1", "0123456789abc_l", "br0", tag, recorded)));
    }

    PortsPlanner.Plan plan(String entry, PortsState now) {
        return PortsPlanner.plan(PortsPlanner.targets(parser.parse("container-ports:\n- {container: c1, interface: eth1, bridge: br0"
                + entry + "}\n")), now, b -> true, Set.of());
    }

    @Test
    void nullMtuReattachesARecordedPortWithoutItAndKeepsTheRest() {
        PortsPlanner.Plan p = plan(", mtu: null", state(RECORDED, 7L));
        assertThat(p.detach()).containsExactly(new PortChange.Detach("br0", "eth1", "c1"));
        assertThat(p.attach()).hasSize(1);
        PortChange.Attach a = (PortChange.Attach) p.attach().get(0);
        assertThat(a.settings().mtu()).isNull();
        assertThat(a.settings().ipaddress()).isEqualTo("10.0.0.2/24");
        assertThat(a.settings().macaddress()).isEqualTo("02:00:00:00:00:02");
        assertThat(a.settings().gateway()).isEqualTo("10.0.0.1");
        assertThat(a.settings().vlan().value()).isEqualTo(7);
        assertThat(p.attachWith()).containsExactly(new Attachment("10.0.0.2/24", null, "02:00:00:00:00:02", null, "10.0.0.1"));
        assertThat(p.changes()).containsExactly(new Change(Change.UPDATE, PortsPlanner.KIND, "c1/eth1", "mtu", 1400L, null,
                "container-ports[0]"));
        // the before-image brings the mtu back
        assertThat(p.images()).containsExactly(new PortImage("c1", "eth1", true, "0123456789abc_l", "br0", 7L, RECORDED.encode()));
        PortsState after = state(p.attachWith().get(0), 7L);
        PortsPlanner.Plan back = PortsPlanner.plan(PortsPlanner.restore(p.images()), after, null, Set.of());
        assertThat(back.attachWith()).containsExactly(RECORDED);
        assertThat(back.changes()).containsExactly(new Change(Change.UPDATE, PortsPlanner.KIND, "c1/eth1", "mtu", null, 1400L, null));
        // applied: the document changes nothing any more
        assertThat(plan(", mtu: null", after).isEmpty()).isTrue();
    }

    @Test
    void nullsOfSettingsThePortDoesNotHaveChangeNothing() {
        PortsPlanner.Plan p = plan(", ipv6: null, mtu: null, mac: null", state(new Attachment("10.0.0.2/24", null, null, null, null), null));
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.changes()).isEmpty();
    }

    @Test
    void everySettingCanBeCleared() {
        PortsPlanner.Plan p = plan(", ipv4: null, mac: null, gateway: null", state(RECORDED, null));
        assertThat(p.attachWith()).containsExactly(new Attachment(null, null, null, 1400L, null));
        assertThat(p.changes()).extracting(Change::field, Change::from, Change::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ipv4", "10.0.0.2/24", null),
                org.assertj.core.groups.Tuple.tuple("mac", "02:00:00:00:00:02", null),
                org.assertj.core.groups.Tuple.tuple("gateway", "10.0.0.1", null));
        // an address of the other family in place of a cleared one
        p = plan(", ipv4: null, ipv6: fd00::2/64, gateway: fd00::1", state(RECORDED, null));
        assertThat(p.attachWith()).containsExactly(new Attachment(null, "fd00::2/64", "02:00:00:00:00:02", 1400L, "fd00::1"));
    }

    @Test
    void aClearedAddressMustNotLeaveTheGatewayBehind() {
        assertThatThrownBy(() -> plan(", ipv4: null", state(RECORDED, null))).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
            assertThat(e.argument()).isEqualTo("container-ports[0].ipv4");
            assertThat(e.rule()).contains("10.0.0.2/24").contains("gateway 10.0.0.1").contains("gateway: null");
        });
        // a new address outside the kept gateway's subnet
        assertThatThrownBy(() -> plan(", ipv4: 10.9.0.2/24", state(RECORDED, null))).isInstanceOfSatisfying(
                InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("container-ports[0].ipv4");
                    assertThat(e.rule()).contains("gateway 10.0.0.1").contains("10.9.0.2/24");
                });
        // a given gateway checked against the address the port keeps
        assertThatThrownBy(() -> plan(", gateway: 10.9.0.1", state(RECORDED, null))).isInstanceOfSatisfying(
                InvalidArgumentException.class, e -> assertThat(e.argument()).isEqualTo("container-ports[0].gateway"));
    }

    @Test
    void aPortAttachedOutsideTheNetworkStateCannotClearASetting() {
        for (String key : List.of("ipv4", "ipv6", "mac", "mtu", "gateway")) {
            assertThatThrownBy(() -> plan(", " + key + ": null", state(null, null))).as(key)
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.argument()).isEqualTo("container-ports[0]");
                        assertThat(e.rule()).contains("attached outside the network state").contains("to change its " + key);
                    });
        }
        // its vlan still changes (set-vlan), also with vlan: null
        PortsPlanner.Plan p = plan(", vlan: null", state(null, 5L));
        assertThat(p.detach()).containsExactly(new PortChange.SetVlan("br0", "eth1", "c1", null));
        assertThat(p.attach()).isEmpty();
    }

    @Test
    void onANewPortANullIsNotSet() {
        PortsPlanner.Plan p = plan(", ipv4: 10.0.0.3/24, mtu: null, mac: null, gateway: null", PortsState.of(List.of()));
        assertThat(p.detach()).isEmpty();
        assertThat(p.attachWith()).containsExactly(new Attachment("10.0.0.3/24", null, null, null, null));
        assertThat(p.changes()).hasSize(1);
        assertThat(p.changes().get(0).op()).isEqualTo(Change.CREATE);
        assertThat(p.changes().get(0).to()).isEqualTo(java.util.Map.of("bridge", "br0", "ipv4", "10.0.0.3/24"));
    }

    /** A container has one default route per family: a second port with a gateway of that family is refused up front. */
    @Test
    void aContainerGetsOneDefaultRoutePerFamily() {
        PortsPlanner.Plan ok = PortsPlanner.plan(PortsPlanner.targets(parser.parse("""
                container-ports:
                - {container: c2, interface: eth1, bridge: br0, ipv4: 10.0.1.2/24, gateway: 10.0.1.1}
                - {container: c2, interface: eth2, bridge: br0, ipv6: fd00::2/64, gateway: fd00::1}
                """)), PortsState.of(List.of()), b -> true, Set.of());
        assertThat(ok.attach()).hasSize(2);
        assertThatThrownBy(() -> PortsPlanner.plan(PortsPlanner.targets(parser.parse("""
                container-ports:
                - {container: c2, interface: eth1, bridge: br0, ipv4: 10.0.1.2/24, gateway: 10.0.1.1}
                - {container: c2, interface: eth2, bridge: br0, ipv4: 10.0.2.2/24, gateway: 10.0.2.1}
                """)), PortsState.of(List.of()), b -> true, Set.of())).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
            assertThat(e.argument()).isEqualTo("container-ports[1].gateway");
            assertThat(e.rule()).startsWith("container 'c2' would get a second IPv4 default route (gateway 10.0.2.1 on interface 'eth2'), "
                    + "but interface 'eth1' (gateway 10.0.1.1, container-ports[0]) gives it one already");
        });
        // a kept port with a recorded gateway counts; one that the document detaches or re-attaches without it does not
        PortsState c1 = state(RECORDED, null);
        String eth2 = "- {container: c1, interface: eth2, bridge: br0, ipv4: 10.0.2.2/24, gateway: 10.0.2.1}\n";
        assertThatThrownBy(() -> PortsPlanner.plan(PortsPlanner.targets(parser.parse("container-ports:\n" + eth2)), c1, b -> true,
                Set.of())).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("interface 'eth1' (gateway 10.0.0.1, kept)");
        assertThat(PortsPlanner.plan(PortsPlanner.targets(parser.parse("container-ports:\n"
                + "- {container: c1, interface: eth1, bridge: br0, gateway: null}\n" + eth2)), c1, b -> true, Set.of()).attach()).hasSize(2);
        assertThat(PortsPlanner.plan(PortsPlanner.targets(parser.parse("container-ports:\n"
                + "- {container: c1, interface: eth1, state: absent}\n" + eth2)), c1, b -> true, Set.of()).attach()).hasSize(1);
        // before-images (rollback) are not checked
        assertThat(PortsPlanner.plan(PortsPlanner.targets(parser.parse("container-ports:\n" + eth2)), c1, null, Set.of()).attach())
                .hasSize(1);
    }

    /** A gateway needs an address on its port, so that the route is on that interface and goes with it. */
    @Test
    void aGatewayNeedsAnAddressOnItsPort() {
        assertThatThrownBy(() -> plan(", gateway: 10.0.1.1", PortsState.of(List.of()))).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> {
                    assertThat(e.argument()).isEqualTo("container-ports[0].gateway");
                    assertThat(e.rule()).startsWith("needs an address of its family on the same port").contains("interface 'eth1'");
                });
        assertThat(plan(", ipv4: 10.0.1.2/24, gateway: 10.0.1.1", PortsState.of(List.of())).attach()).hasSize(1);
        // a link-local IPv6 gateway is reached on the interface itself
        assertThat(plan(", gateway: fe80::1", PortsState.of(List.of())).attach()).hasSize(1);
    }
}
