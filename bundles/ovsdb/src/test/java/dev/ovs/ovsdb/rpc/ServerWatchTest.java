package dev.ovs.ovsdb.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.ovsdb.Row;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The _Server.Database acceptance rule, row by row (the real-cluster behaviour is in ClusterIT). */
class ServerWatchTest {
    static final UUID CID = UUID.randomUUID();

    static Row db(String name, String model, boolean connected, boolean leader, Long index) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("model", model);
        if (connected) {
            m.put("connected", true); // false is left out of an initial row, as the server does
        }
        if (leader) {
            m.put("leader", true);
        }
        if (index != null) {
            m.put("index", Set.of(index));
            m.put("cid", Set.of(CID));
        }
        return new Row("Database", UUID.randomUUID(), m);
    }

    static String refusal(List<Row> rows, boolean leaderOnly, Map<UUID, Long> min) {
        return ServerWatch.refusal(rows, leaderOnly, min, new HashMap<>());
    }

    @Test
    void standaloneAndServerDatabasesAreAlwaysAcceptable() {
        List<Row> rows = List.of(db("_Server", "standalone", true, true, null), db("Open_vSwitch", "standalone", true, true, null));
        assertThat(refusal(rows, true, Map.of())).isNull();
        assertThat(refusal(rows, false, Map.of())).isNull();
    }

    @Test
    void clusteredFollowerOnlyWithoutLeaderOnly() {
        List<Row> follower = List.of(db("OVN_Northbound", "clustered", true, false, 10L));
        assertThat(refusal(follower, false, Map.of())).isNull();
        assertThat(refusal(follower, true, Map.of()))
                .isEqualTo("clustered database OVN_Northbound: server is not the cluster leader");
        assertThat(refusal(List.of(db("OVN_Northbound", "clustered", true, true, 10L)), true, Map.of())).isNull();
    }

    @Test
    void disconnectedMemberIsRefusedEvenAsLeaderWithoutLeaderOnly() {
        assertThat(refusal(List.of(db("Open_vSwitch", "clustered", false, false, 3L)), false, Map.of()))
                .startsWith("clustered database Open_vSwitch: server is not connected to its cluster");
    }

    @Test
    void staleIndexIsRefusedAndIndexesAreRecorded() {
        Map<UUID, Long> seen = new HashMap<>();
        assertThat(ServerWatch.refusal(List.of(db("Open_vSwitch", "clustered", true, true, 42L)), true, Map.of(), seen))
                .isNull();
        assertThat(seen).containsEntry(CID, 42L);
        assertThat(refusal(List.of(db("Open_vSwitch", "clustered", true, true, 41L)), true, Map.of(CID, 42L)))
                .isEqualTo("clustered database Open_vSwitch: server has stale data (log index 41 is behind index 42 "
                        + "seen before)");
        assertThat(refusal(List.of(db("Open_vSwitch", "clustered", true, true, 42L)), true, Map.of(CID, 42L))).isNull();
        // another cluster (new cid) has its own indexes
        assertThat(refusal(List.of(db("Open_vSwitch", "clustered", true, true, 1L)), true, Map.of(UUID.randomUUID(), 42L)))
                .isNull();
    }

    @Test
    void relayIsNeverALeader() {
        assertThat(refusal(List.of(db("OVN_Southbound", "relay", true, false, null)), false, Map.of())).isNull();
        assertThat(refusal(List.of(db("OVN_Southbound", "relay", true, false, null)), true, Map.of()))
                .startsWith("relay database OVN_Southbound: a relay is never a cluster leader");
        assertThat(refusal(List.of(db("OVN_Southbound", "relay", false, false, null)), false, Map.of()))
                .startsWith("relay database OVN_Southbound: server is not connected to its relay source");
    }
}
