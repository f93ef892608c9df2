package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.portagent.netlink.LinkInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decisions of {@link Reconciler} (which veths, rows and bridges a reconcile removes) and the parsing of the
 * halt hook's property ({@link FaultPoints}).
 */
class ReconcileDecisionsTest {
    private static LinkInfo link(String name, String kind, String alias) {
        return new LinkInfo(7, name, 0, 1500, null, kind, 0, 0, -1, 2, alias);
    }

    @Test
    void orphanVethIsAPatchbayVethWithoutRowAndNotInProgress() {
        LinkInfo aliased = link("0123456789abc_l", "veth", PortAgentImpl.ALIAS);
        LinkInfo pending = link("0123456789abc_p", "veth", null);
        assertThat(Reconciler.orphanVeth(aliased, false, false)).isTrue();
        assertThat(Reconciler.orphanVeth(pending, false, false)).as("killed before the rename: no alias yet").isTrue();
        assertThat(Reconciler.orphanVeth(aliased, false, true)).as("has its row").isFalse();
        assertThat(Reconciler.orphanVeth(aliased, true, false)).as("add-port in progress").isFalse();
        assertThat(Reconciler.orphanVeth(link("0123456789abc_l", "veth", null), false, false))
                .as("no alias, not a pending name: not ours").isFalse();
        assertThat(Reconciler.orphanVeth(link("vethuser0", "veth", null), false, false)).isFalse();
        assertThat(Reconciler.orphanVeth(link("0123456789abc_p", "dummy", null), false, false)).as("not a veth").isFalse();
    }

    @Test
    void unfinishedIsARowMarkedInProgressWhoseAddPortIsNotRunning() {
        Map<String, String> marked = Map.of("container_id", "netns:c1", "container_iface", "eth1",
                PortSteps.STATE_KEY, PortSteps.ADDING);
        assertThat(Reconciler.unfinished(marked, false)).isTrue();
        assertThat(Reconciler.unfinished(marked, true)).as("add-port in progress in this agent").isFalse();
        assertThat(Reconciler.unfinished(Map.of("container_id", "netns:c1", "container_iface", "eth1"), false))
                .as("completed: mark cleared").isFalse();
        assertThat(Reconciler.unfinished(Map.of(), false)).isFalse();
    }

    @Test
    void emptyAutoBridgeIsMarkedWithOnlyItsOwnPortAndNothingInProgress() {
        Map<String, String> auto = Map.of(PortSteps.AUTO_KEY, "true");
        assertThat(Reconciler.emptyAutoBridge("br1", auto, List.of("br1"), false)).isTrue();
        assertThat(Reconciler.emptyAutoBridge("br1", auto, List.of(), false)).isTrue();
        assertThat(Reconciler.emptyAutoBridge("br1", auto, List.of("br1", "0123456789abc_l"), false))
                .as("has a port").isFalse();
        assertThat(Reconciler.emptyAutoBridge("br1", auto, List.of("br1"), true)).as("an add-port runs").isFalse();
        assertThat(Reconciler.emptyAutoBridge("br1", Map.of(), List.of("br1"), false))
                .as("not created by an add-port that did not complete (an administrator's, or completed)").isFalse();
        assertThat(Reconciler.emptyAutoBridge("br1", Map.of(PortSteps.AUTO_KEY, "false"), List.of("br1"), false)).isFalse();
    }

    @Test
    void haltHookIsOffUnlessThePropertyNamesKnownSteps() {
        assertThat(FaultPoints.of(null)).isSameAs(PortAgentImpl.Faults.NONE);
        assertThat(FaultPoints.of(" ")).isSameAs(PortAgentImpl.Faults.NONE);
        PortAgentImpl.Faults f = FaultPoints.of("host-up, remove-link");
        f.before("veth"); // not named: returns (a named step would halt this JVM)
        f.before("removed");
        assertThatThrownBy(() -> FaultPoints.of("host-up,nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patchbay.test.halt.portagent: unknown step 'nope'").hasMessageContaining("rename");
        assertThat(FaultPoints.ADD_STEPS).startsWith("bridge", "veth", "rename", "ovsdb").endsWith("complete", "added");
    }
}
