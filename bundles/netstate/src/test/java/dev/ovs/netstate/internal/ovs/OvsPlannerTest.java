package dev.ovs.netstate.internal.ovs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.internal.doc.DocParser;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link OvsPlanner} and {@link OvsReconciler#plan} for {@code mtu: null} and removals near container ports over an in-memory snapshot (unit test; the
 * schema is the installed vswitch.ovsschema, as in the ovsdb bundle's ValuesTest).
 */
class OvsPlannerTest {
    static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");
    final DocParser parser = new DocParser();

    /** br0 with port p1 (internal interface p1, mtu_request as given) and port e1 (system interface e1, none). */
    static OvsSnapshot snapshot(Long mtu) throws Exception {
        return snapshot(mtu, false);
    }

    /**
     * @param containerPort whether br0 also has the container port {@code 0123456789abc_l} (container {@code netns:c1},
     *                      interface {@code eth1}, as the port agent makes it) and there is a bridge br1 without one
     */
    static OvsSnapshot snapshot(Long mtu, boolean containerPort) throws Exception {
        Assumptions.assumeTrue(Files.exists(SCHEMA), "needs " + SCHEMA);
        DatabaseSchema schema = DatabaseSchema.parse(new ObjectMapper().readTree(SCHEMA.toFile()));
        List<Row> rows = new ArrayList<>();
        UUID br = UUID.randomUUID();
        UUID p1 = UUID.randomUUID();
        UUID i1 = UUID.randomUUID();
        UUID e1 = UUID.randomUUID();
        UUID ei = UUID.randomUUID();
        UUID cp = UUID.randomUUID();
        UUID ci = UUID.randomUUID();
        UUID br1 = UUID.randomUUID();
        rows.add(new Row(OvsSnapshot.DB, UUID.randomUUID(), Map.of("bridges", containerPort ? Set.of(br, br1) : Set.of(br))));
        rows.add(new Row("Bridge", br, Map.of("name", "br0", "ports", containerPort ? Set.of(p1, e1, cp) : Set.of(p1, e1))));
        if (containerPort) {
            rows.add(new Row("Bridge", br1, Map.of("name", "br1", "ports", Set.of())));
            rows.add(new Row("Port", cp, Map.of("name", "0123456789abc_l", "interfaces", Set.of(ci))));
            rows.add(new Row("Interface", ci, Map.of("name", "0123456789abc_l", "type", "", "external_ids",
                    Map.of("container_id", "netns:c1", "container_iface", "eth1"))));
        }
        rows.add(new Row("Port", p1, Map.of("name", "p1", "interfaces", Set.of(i1))));
        rows.add(new Row("Port", e1, Map.of("name", "e1", "interfaces", Set.of(ei))));
        rows.add(new Row("Interface", i1, Map.of("name", "p1", "type", "internal", "mtu_request", mtu == null ? Set.of() : Set.of(mtu))));
        rows.add(new Row("Interface", ei, Map.of("name", "e1", "type", "", "mtu_request", Set.of(9000L))));
        Replica replica = (Replica) Proxy.newProxyInstance(Replica.class.getClassLoader(), new Class<?>[] {Replica.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "schema" -> schema;
                    case "rows" -> rows.stream().filter(r -> r.table().equals(args[0])).toList();
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return OvsSnapshot.of(replica);
    }

    OvsReconciler.Plan plan(String doc, OvsSnapshot s) {
        return OvsReconciler.plan(OvsPlanner.plan(parser.parse(doc), s, null), s);
    }

    @Test
    void nullMtuEmptiesMtuRequestAndTheImageRestoresIt() throws Exception {
        OvsSnapshot s = snapshot(1400L);
        OvsReconciler.Plan p = plan("interfaces:\n- {name: p1, type: ovs-interface, mtu: null}\n", s);
        assertThat(p.ops()).hasSize(1);
        OvsReconciler.Update u = (OvsReconciler.Update) p.ops().get(0);
        assertThat(u.after()).isEqualTo(Map.of("mtu_request", Set.of()));
        assertThat(u.before()).isEqualTo(Map.of("mtu_request", Set.of(1400L)));
        assertThat(p.changes()).containsExactly(new Change(Change.UPDATE, "interface", "p1", "mtu", 1400L, null, "interfaces[0]"));
        assertThat(p.images()).hasSize(1);
        assertThat(p.images().get(0).touched()).containsExactly("mtu_request");
        // rollback: the before-image's value comes back
        List<RowTarget> back = OvsReconciler.restoreTargets(p.images(), s.schema());
        assertThat(back).hasSize(1);
        assertThat(back.get(0).columns()).isEqualTo(Map.of("mtu_request", Set.of(1400L)));
        // ethernet entries too
        p = plan("interfaces:\n- {name: e1, type: ethernet, mtu: null}\n", s);
        assertThat(p.changes()).containsExactly(new Change(Change.UPDATE, "interface", "e1", "mtu", 9000L, null, "interfaces[0]"));
    }

    @Test
    void nullMtuWithoutMtuRequestIsNoChange() throws Exception {
        OvsSnapshot s = snapshot(null);
        assertThat(plan("interfaces:\n- {name: p1, type: ovs-interface, mtu: null}\n", s).isEmpty()).isTrue();
        // not given: left alone
        assertThat(plan("interfaces:\n- {name: e1, type: ethernet}\n", s).isEmpty()).isTrue();
    }

    @Test
    void nullMtuOnANewInterfaceIsNotSet() throws Exception {
        OvsSnapshot s = snapshot(null);
        OvsReconciler.Plan p = plan("""
                interfaces:
                - {name: br0, type: ovs-bridge, bridge: {port: [{name: n1}]}}
                - {name: n1, type: ovs-interface, mtu: null}
                """, s);
        OvsReconciler.Create c = p.ops().stream().filter(o -> o instanceof OvsReconciler.Create x && x.table().equals("Interface"))
                .map(o -> (OvsReconciler.Create) o).findFirst().orElseThrow();
        assertThat(c.columns()).doesNotContainKey("mtu_request");
        assertThat(p.changes()).allSatisfy(ch -> assertThat(ch.to() instanceof Map<?, ?> m && m.containsKey("mtu")).isFalse());
    }

    @Test
    void aBridgeWithContainerPortsOrAHostPortIsNotRemovedByInterfaces() throws Exception {
        OvsSnapshot s = snapshot(null, true);
        // deleting the rows would leave the veth pair (and the container's eth1 with its addresses) behind
        assertThatThrownBy(() -> plan("interfaces:\n- {name: br1, type: ovs-bridge, state: absent}\n"
                + "- {name: br0, type: ovs-bridge, state: absent}\n", s))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("interfaces[1]: bridge 'br0' carries the container port container 'netns:c1' interface 'eth1' (host port "
                        + "0123456789abc_l): removing it would leave their veth pairs behind; detach them first (container-ports "
                        + "entries with state: absent, in an apply of their own)");
        assertThatThrownBy(() -> plan("interfaces:\n- {name: 0123456789abc_l, type: ovs-interface, state: absent}\n", s))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("interfaces[0].name: '0123456789abc_l' is the host port of container 'netns:c1' interface "
                        + "'eth1': removing it would leave its veth pair behind");
        // a bridge without container ports and the other ports are removed as before
        assertThat(plan("interfaces:\n- {name: br1, type: ovs-bridge, state: absent}\n", s).changes())
                .anySatisfy(c -> assertThat(List.of(c.op(), c.name())).isEqualTo(List.of(Change.DELETE, "br1")));
        assertThat(plan("interfaces:\n- {name: p1, type: ovs-interface, state: absent}\n", s).isEmpty()).isFalse();
        // and the container port stays out of Show
        assertThat(OvsShow.show(s).interfaces()).noneMatch(e -> e.name().equals("0123456789abc_l"));
    }

    /** Two tunnels of one type with the same options in one datapath: ovs-vswitchd would refuse the second one. */
    @Test
    void aSecondTunnelWithTheSameOptionsInOneDatapathIsRefused() throws Exception {
        OvsSnapshot s = snapshot(null);
        String twins = """
                interfaces:
                - name: br0
                  type: ovs-bridge
                  bridge:
                    port:
                    - name: t1
                    - name: t2
                - {name: t1, type: ovs-interface, tunnel: {type: geneve, options: {remote_ip: 192.0.2.9}}}
                - {name: t2, type: ovs-interface, tunnel: {type: geneve, options: {remote_ip: %s}}}
                """;
        assertThatThrownBy(() -> plan(twins.formatted("192.0.2.9"), s)).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
            assertThat(e.argument()).isEqualTo("interfaces[2].tunnel");
            assertThat(e.getMessage()).contains("'t2' would be a second geneve tunnel with the endpoints of 't1'");
        });
        assertThat(plan(twins.formatted("192.0.2.10"), s).isEmpty()).isFalse();
        // options that are no endpoint do not make a second tunnel distinct; a key does
        assertThatThrownBy(() -> plan(twins.formatted("192.0.2.9, ttl: \"64\"").replace("{remote_ip: 192.0.2.9, ttl", "{remote_ip: 192.0.2.9, ttl"), s))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(plan(twins.formatted("192.0.2.9, key: \"5\""), s).isEmpty()).isFalse();
        // the same options in another datapath (a netdev bridge next to br0's system one) are fine
        String apart = """
                interfaces:
                - name: br0
                  type: ovs-bridge
                  bridge:
                    port:
                    - name: t1
                - name: brn
                  type: ovs-bridge
                  bridge:
                    options: {datapath: netdev}
                    port:
                    - name: t2
                - {name: t1, type: ovs-interface, tunnel: {type: geneve, options: {remote_ip: 192.0.2.9}}}
                - {name: t2, type: ovs-interface, tunnel: {type: geneve, options: {remote_ip: 192.0.2.9}}}
                """;
        assertThat(plan(apart, s).isEmpty()).isFalse();
    }
}
