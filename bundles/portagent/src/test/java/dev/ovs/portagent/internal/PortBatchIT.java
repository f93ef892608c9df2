package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.itests.harness.Netns;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortChange;
import dev.ovs.portagent.PortChange.Attach;
import dev.ovs.portagent.PortChange.Detach;
import dev.ovs.portagent.PortChange.SetVlan;
import dev.ovs.portagent.PortSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PortAgentImpl#apply(List, String)} against real ovsdb-server + ovs-vswitchd and network namespaces as
 * containers: one OVSDB transaction and one wait for ovs-vswitchd per batch (seen as one {@code next_cfg}
 * step and one replica update holding every row), all or nothing at every step, one ledger entry per port.
 */
class PortBatchIT extends AgentOnRealOvs {
    private Netns c3;
    /** Every replica update that touched Port rows: the tables of its events. */
    private final List<List<RowEvent>> portUpdates = new CopyOnWriteArrayList<>();
    private final ReplicaListener recorder = events -> {
        if (events.stream().anyMatch(e -> e.table().equals("Port"))) {
            portUpdates.add(events);
        }
    };

    @BeforeEach
    void third() {
        c3 = Netns.create();
        vs.replica().addListener(recorder);
    }

    @AfterEach
    void closeThird() {
        vs.replica().removeListener(recorder);
        c3.close();
    }

    private static long nextCfg() {
        return Long.parseLong(ovs.vsctl("get", "Open_vSwitch", ".", "next_cfg").trim());
    }

    private static PortSettings settings(String address, int vlan) {
        return new PortSettings(address, null, null, null, VlanTag.of(vlan));
    }

    /** @return "name tag" of every tagged port (sorted) and the bridge's ports, from ovs-vsctl */
    private static String portsAndTags(String bridge) {
        return ovs.vsctl("--data=bare", "--no-heading", "--columns=name,tag", "find", "Port", "tag!=[]").lines()
                .filter(l -> !l.isBlank()).sorted().collect(Collectors.joining(",")) + " | " + ovs.vsctl("list-ports", bridge).trim();
    }

    /** Waits until the replica update of the last transaction reached the recorder (it follows the reply). */
    private void syncReplica() {
        vs.replica().sync();
    }

    @Test
    void attachesEveryContainerInOneTransactionAndOneWaitForVswitchd() {
        long cfg = nextCfg();
        portUpdates.clear();
        List<String> ports = agent.apply(List.of(
                new Attach("br0", "eth1", ref(c1), settings("10.20.0.1/24", 20)),
                new Attach("br0", "eth1", ref(c2), settings("10.20.0.2/24", 20)),
                new Attach("br0", "eth1", ref(c3), settings("10.20.0.3/24", 30))), "test");
        syncReplica();
        // the bridge is created first by its own transaction (as add-port does); the ports then in one
        assertThat(nextCfg()).isEqualTo(cfg + 2);
        assertThat(portUpdates).hasSize(2);
        List<RowEvent> last = portUpdates.get(1);
        assertThat(last.stream().filter(e -> e.table().equals("Port") && e.type() == RowEvent.Type.INSERT)).hasSize(3);
        assertThat(last.stream().filter(e -> e.table().equals("Interface") && e.type() == RowEvent.Type.INSERT)).hasSize(3);

        assertThat(ports).hasSize(3).allMatch(p -> p.matches("[0-9a-f]{13}_l")).doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++) {
            assertThat(ovs.vsctl("get", "Port", ports.get(i), "tag").trim()).isEqualTo(i < 2 ? "20" : "30");
            assertThat(ip(host, "link", "show", ports.get(i))).contains(",UP");
        }
        assertThat(ovs.vsctl("list-ports", "br0").trim().split("\n")).containsExactlyInAnyOrderElementsOf(ports);
        assertThat(ip(c3, "addr", "show", "eth1")).contains("inet 10.20.0.3/24");
        assertThat(ping(c1, "10.20.0.2")).as("same VLAN").isTrue();
        assertThat(agent.listPorts()).extracting(ContainerPort::tag)
                .containsExactlyInAnyOrder(VlanTag.of(20), VlanTag.of(20), VlanTag.of(30));

        // a second batch on the existing bridge: exactly one transaction, so one next_cfg step
        cfg = nextCfg();
        portUpdates.clear();
        Netns c4 = Netns.create();
        try {
            List<String> more = agent.apply(List.of(new Attach("br0", "eth2", ref(c1), PortSettings.NONE),
                    new Attach("br0", "eth1", ref(c4), settings("10.20.0.4/24", 30))), "test");
            syncReplica();
            assertThat(nextCfg()).isEqualTo(cfg + 1);
            assertThat(portUpdates).hasSize(1);
            assertThat(ping(c4, "10.20.0.3")).as("VLAN 30").isTrue();
            agent.apply(List.of(new Detach("br0", "eth2", ref(c1)), new Detach("br0", "eth1", ref(c4))), "test");
            assertThat(ip(host, "-o", "link")).doesNotContain(more.get(0)).doesNotContain(more.get(1));
        } finally {
            c4.close();
        }

        List<LedgerEntry> tail = agent.ledgerTail(7);
        assertThat(tail.subList(0, 3)).extracting(LedgerEntry::operation).containsOnly("add-port");
        assertThat(tail.get(0).args()).containsEntry("vlan", "20").containsEntry("container", ref(c1));
        assertThat(tail.get(0).args().get("batch")).matches("[0-9a-f]{12} 1/3");
        assertThat(tail.get(2).args().get("batch")).isEqualTo(tail.get(0).args().get("batch").replace("1/3", "3/3"));
        assertThat(tail.subList(0, 3)).extracting(LedgerEntry::result).containsExactly("ok: " + ports.get(0),
                "ok: " + ports.get(1), "ok: " + ports.get(2));
        assertThat(tail.subList(5, 7)).extracting(LedgerEntry::operation).containsOnly("del-port");
        assertThat(agent.verifyLedger().verified()).isTrue();
    }

    @Test
    void detachesRetagsAndAttachesTogether() {
        List<String> ports = agent.apply(List.of(new Attach("br0", "eth1", ref(c1), settings("10.21.0.1/24", 5)),
                new Attach("br0", "eth1", ref(c2), settings("10.21.0.2/24", 5))), "test");
        long cfg = nextCfg();
        portUpdates.clear();
        List<String> out = agent.apply(List.of(new Detach("br0", "eth1", ref(c1)),
                new SetVlan("br0", "eth1", ref(c2), VlanTag.of(7)),
                new Attach("br0", "eth1", ref(c3), settings("10.21.0.3/24", 7))), "test");
        syncReplica();
        assertThat(nextCfg()).isEqualTo(cfg + 1);
        assertThat(portUpdates).hasSize(1);
        assertThat(out.get(0)).isEqualTo(ports.get(0));
        assertThat(out.get(1)).isEqualTo(ports.get(1));
        assertThat(ip(host, "-o", "link")).doesNotContain(ports.get(0));
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).isEqualTo("7");
        assertThat(ovs.vsctl("get", "Port", out.get(2), "tag").trim()).isEqualTo("7");
        assertThat(ovs.vsctl("list-ports", "br0").trim().split("\n")).containsExactlyInAnyOrder(ports.get(1), out.get(2));
        assertThat(ping(c3, "10.21.0.2")).as("both on VLAN 7").isTrue();
        // a null VLAN clears the tag
        agent.apply(List.of(new SetVlan("br0", "eth1", ref(c2), null)), "test");
        assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).isEqualTo("[]");
        List<LedgerEntry> tail = agent.ledgerTail(4);
        assertThat(tail).extracting(LedgerEntry::operation).containsExactly("del-port", "set-vlan", "add-port", "set-vlan");
        assertThat(tail.get(1).args()).containsEntry("vlan", "7");
        assertThat(tail.get(3).args()).containsEntry("vlan", "none");
    }

    /** The state a failed batch must leave: the ports of {@link #prepared()} exactly as they were. */
    private record State(String ovs, String hostLinks, String c1Addresses, String c2Addresses, String c3Links,
            List<ContainerPort> ports) {
    }

    /** @return the sorted link names of a namespace ({@code ip -o link}, second field) */
    private static String linkNames(Netns ns) {
        return ip(ns, "-o", "link").lines().map(l -> l.split(":\\s+")[1].replaceAll("@.*", "")).sorted()
                .collect(Collectors.joining(","));
    }

    private State state() {
        return new State(portsAndTags("br0"), linkNames(host), ip(c1, "-o", "-4", "addr"), ip(c2, "-o", "-4", "addr"),
                linkNames(c3), agent.listPorts());
    }

    /** c1 and c2 attached on VLAN 5; the batch under test detaches c1, re-tags c2 and attaches c3 (new bridge brn too). */
    private List<String> prepared() {
        return agent.apply(List.of(new Attach("br0", "eth1", ref(c1), settings("10.22.0.1/24", 5)),
                new Attach("br0", "eth1", ref(c2), settings("10.22.0.2/24", 5))), "test");
    }

    private List<PortChange> mixed() {
        return List.of(new Detach("br0", "eth1", ref(c1)), new SetVlan("br0", "eth1", ref(c2), VlanTag.of(9)),
                new Attach("br0", "eth1", ref(c3), new PortSettings("10.22.0.3/24", null, "10.22.0.9", null, VlanTag.of(9))),
                new Attach("brn", "eth2", ref(c3), PortSettings.NONE));
    }

    @Test
    void aFailureAtAnyStepLeavesEverythingAsItWas() {
        List<String> ports = prepared();
        State before = state();
        for (String step : List.of("bridge", "veth", "container-up", "address", "route", "host-up", "ovsdb", "vswitchd")) {
            failAt.set(step);
            long height = agent.ledgerStats().height();
            assertThatThrownBy(() -> agent.apply(mixed(), "test")).as(step)
                    .hasMessageContaining("injected failure at " + step);
            failAt.set(null);
            assertThat(state()).as(step).isEqualTo(before);
            assertThat(vs.bridgeExists("brn")).as(step).isFalse();
            assertThat(ip(host, "-o", "link")).as(step).contains(ports.get(0)).doesNotContain("_p");
            assertThat(ip(c3, "-o", "link")).as(step).doesNotContain("eth1").doesNotContain("eth2");
            assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).as(step).isEqualTo("5");
            // every change of the batch is ledgered with the batch's error
            List<LedgerEntry> tail = agent.ledgerTail(4);
            assertThat(agent.ledgerStats().height()).as(step).isEqualTo(height + 4);
            assertThat(tail).as(step).allMatch(e -> e.result().equals("error: injected failure at " + step));
        }
        // the committed-then-undone case restored the removed port's rows: it still works
        assertThat(ping(c1, "10.22.0.2")).isTrue();
        // and the same batch goes through afterwards
        List<String> out = agent.apply(mixed(), "test");
        assertThat(out).hasSize(4);
        assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).isEqualTo("9");
        assertThat(ip(c3, "route", "show", "default")).contains("via 10.22.0.9 dev eth1");
        assertThat(ovs.vsctl("list-ports", "brn").trim()).isEqualTo(out.get(3));
    }

    /** With {@code wait.for.vswitchd=false} on the VSwitch the batch neither increments next_cfg nor waits. */
    @Test
    void aVswitchThatDoesNotWaitIsRespected() {
        vswitch.set(new VSwitchImpl(client, vs.replica(), false, 10000, "netdev"));
        long cfg = nextCfg();
        List<String> ports = agent.apply(List.of(new Attach("br0", "eth1", ref(c1), settings("10.23.0.1/24", 4)),
                new Attach("br0", "eth1", ref(c2), settings("10.23.0.2/24", 4))), "test");
        assertThat(nextCfg()).isEqualTo(cfg);
        assertThat(ovs.vsctl("list-ports", "br0").trim().split("\n")).containsExactlyInAnyOrderElementsOf(ports);
        agent.apply(List.of(new Detach("br0", "eth1", ref(c1)), new SetVlan("br0", "eth1", ref(c2), VlanTag.of(6))), "test");
        assertThat(nextCfg()).isEqualTo(cfg);
        assertThat(ovs.vsctl("list-ports", "br0").trim()).isEqualTo(ports.get(1));
        assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).isEqualTo("6");
    }

    /** A row the batch guards is changed by someone else between the lookups and the transaction. */
    @Test
    void aGuardedRowChangedMeanwhileIsAConflictAndUndoesTheBatch() {
        List<String> ports = prepared();
        during.set(Map.entry("ovsdb", () -> ovs.vsctl("del-port", "br0", ports.get(0))));
        try {
            assertThatThrownBy(() -> agent.apply(mixed(), "test")).isInstanceOfSatisfying(PortAgentException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.Conflict);
                assertThat(e.getMessage()).isEqualTo("port '" + ports.get(0)
                        + "' was changed by someone else while the batch was prepared; nothing was changed");
            });
        } finally {
            during.set(null);
        }
        // nothing of the batch is left: the re-tag, the new bridge, the attaches' veths
        assertThat(ovs.vsctl("list-ports", "br0").trim()).isEqualTo(ports.get(1));
        assertThat(ovs.vsctl("get", "Port", ports.get(1), "tag").trim()).isEqualTo("5");
        assertThat(vs.bridgeExists("brn")).isFalse();
        assertThat(ip(c3, "-o", "link")).doesNotContain("eth1").doesNotContain("eth2");
        assertThat(ip(host, "-o", "link")).doesNotContain("_p");
        assertThat(agent.ledgerTail(4)).allMatch(e -> e.result().startsWith("error: port '" + ports.get(0) + "' was changed"));
    }

    @Test
    void lookupsFailBeforeAnySideEffect() {
        List<String> ports = prepared();
        State before = state();
        long cfg = nextCfg();
        // a port to detach that does not exist: NotFound, and the attach of the same batch is not done
        assertThatThrownBy(() -> agent.apply(List.of(new Attach("br0", "eth1", ref(c3), PortSettings.NONE),
                new Detach("br0", "eth9", ref(c1))), "test")).isInstanceOf(PortAgentException.class)
                .hasMessage("changes[1]: Failed to find any attached port for CONTAINER=" + ref(c1) + " and INTERFACE=eth9")
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(ErrorKind.NotFound));
        // a port that exists already: AlreadyExists
        assertThatThrownBy(() -> agent.apply(List.of(new SetVlan("br0", "eth1", ref(c1), VlanTag.of(3)),
                new Attach("br0", "eth1", ref(c2), PortSettings.NONE)), "test"))
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(ErrorKind.AlreadyExists))
                .hasMessageStartingWith("changes[1]: Port already attached");
        // an unknown container: bad input naming the change
        assertThatThrownBy(() -> agent.apply(List.of(new Attach("br0", "eth1", "netns:pbt-missing", PortSettings.NONE)),
                "test")).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).argument()).isEqualTo("changes[0].container"));
        assertThat(state()).isEqualTo(before);
        assertThat(nextCfg()).isEqualTo(cfg);
        assertThat(ports).hasSize(2);
    }

    @Test
    void badInputNamesTheChangeAndChangesNothing() {
        long height = agent.ledgerStats().height();
        Object[][] cases = {
            {List.of(new Attach("br0", "eth1", ref(c1), PortSettings.NONE), new Attach("br0", "eth/1", ref(c2), PortSettings.NONE)),
                "changes[1].interface"},
            {List.of(new Attach("br0", "eth1", ref(c1), new PortSettings(null, "01:00:00:00:00:01", null, null, null))),
                "changes[0].macaddress"},
            {List.of(new Attach("br0", "eth1", ref(c1), new PortSettings("10.0.0.2/24", null, "10.9.9.9", null, null))),
                "changes[0].gateway"},
            {List.of(new Detach("this-bridge-is-too-long", "eth1", ref(c1))), "changes[0].bridge"},
            {List.of(new SetVlan("br0", "eth1", "no such/container", VlanTag.of(1))), "changes[0].container"},
            {List.of(new Attach("br0", "eth1", ref(c1), PortSettings.NONE), new Detach("br0", "eth1", ref(c1))), "changes[1]"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            List<PortChange> changes = (List<PortChange>) c[0];
            assertThatThrownBy(() -> agent.apply(changes, "test")).as((String) c[1]).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).argument()).isEqualTo(c[1]));
        }
        List<PortChange> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> agent.apply(withNull, "test")).hasMessage("changes[0]: must not be null");
        assertThatThrownBy(() -> agent.apply(null, "test")).hasMessage("changes: must not be null");
        assertThat(agent.apply(List.of(), "test")).isEmpty();
        assertThat(vs.bridgeExists("br0")).isFalse();
        assertThat(ip(host, "-o", "link")).doesNotContain("_l");
        // every change of the invalid batches is ledgered as refused (the null lists are not changes)
        assertThat(agent.ledgerStats().height()).isEqualTo(height + 8);
        assertThat(agent.ledgerTail(1).get(0).result()).startsWith("error: changes[1]: container '");
    }
}
