package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several remotes and leader-only mode against a real 3-member RAFT cluster of the Open_vSwitch database
 * ({@link TestServers.Cluster}: three ovsdb-server processes on loopback ports, tracked and killed by PID).
 */
class ClusterIT {
    static final int WRITES = 200;
    static final int KILL_AFTER = 70;
    static final int WRITERS = 4;
    static final List<String> TABLES = List.of("Open_vSwitch", "Bridge", "Port", "Interface", "QoS");

    /** The remotes with the leader last, so that leader-only has to skip both followers first. */
    static String followersFirst(TestServers.Cluster cl, int leader) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < TestServers.Cluster.SIZE; i++) {
            if (i != leader) {
                r.add(cl.remote(i));
            }
        }
        r.add(cl.remote(leader));
        return String.join(",", r);
    }

    /** What happened to one write. */
    enum Outcome { OK, FAILED }

    /**
     * 200 writes from 4 threads, each write with a unique marker (even: {@code VSwitch.addPort} of port {@code pN}; odd: an insert of a QoS
     * row with {@code external_ids:marker=wN}), while the leader gets SIGKILL after the 70th success. A write refused
     * before anything was sent ("not connected", "not synced") waits for the connection and is sent again; any other
     * failure is final and reported (it may or may not have committed: the leader can die after replicating it).
     * Afterwards every successful write is in the database exactly once, every failed one at most once, nothing
     * twice; the replica equals {@code ovsdb-client dump} of the new leader.
     */
    @Test
    void leaderKilledDuringWriteLoopLosesAndDuplicatesNothing() throws Exception {
        try (TestServers.Cluster cl = new TestServers.Cluster()) {
            int leader = cl.leader();
            assertThat(leader).isNotNegative();
            ClientOptions o = ClientOptions.of(followersFirst(cl, leader)).withLeaderOnly(true).withReconnect(100, 1000);
            AtomicLong disconnectedAt = new AtomicLong();
            List<Long> reconnectMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (OvsdbClient c = OvsdbClients.connect(o)) {
                c.addConnectionListener(new ConnectionListener() {
                    @Override
                    public void connected() {
                        long d = disconnectedAt.getAndSet(0);
                        if (d != 0) {
                            reconnectMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d));
                        }
                    }

                    @Override
                    public void disconnected(Throwable cause) {
                        disconnectedAt.compareAndSet(0, System.nanoTime());
                    }
                });
                assertThat(c.awaitConnected(Duration.ofSeconds(30))).as("%s", c.status()).isTrue();
                ConnectionStatus first = c.status();
                assertThat(first.remote()).isEqualTo(cl.remote(leader));
                // both followers were tried first and refused
                assertThat(first.lastError()).contains("server is not the cluster leader; trying another server");
                System.out.println("leader-only: skipped the followers, last refusal: " + first.lastError());

                VSwitch vs = VSwitches.create(c, false, 10_000);
                Replica replica = vs.replica();
                assertThat(replica.awaitSynced(Duration.ofSeconds(20))).isTrue();
                vs.addBridge("br0", BridgeOptions.NONE, false);

                AtomicInteger successes = new AtomicInteger();
                CountDownLatch killNow = new CountDownLatch(1);
                AtomicLong killedAt = new AtomicLong();
                Thread killer = new Thread(() -> {
                    try {
                        killNow.await();
                        cl.kill(leader);
                        killedAt.set(System.nanoTime());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "leader-killer");
                killer.start();

                // WRITERS threads take the next marker, so that writes are in flight when the leader dies
                Map<Integer, Outcome> outcome = new java.util.concurrent.ConcurrentHashMap<>();
                Map<Integer, String> failures = new java.util.concurrent.ConcurrentSkipListMap<>();
                AtomicInteger resent = new AtomicInteger();
                AtomicInteger nextWrite = new AtomicInteger();
                AtomicLong firstSuccessAfterKill = new AtomicLong();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    Thread t = new Thread(() -> {
                        for (int i = nextWrite.getAndIncrement(); i < WRITES; i = nextWrite.getAndIncrement()) {
                            while (true) {
                                try {
                                    write(vs, c, i);
                                    outcome.put(i, Outcome.OK);
                                    if (successes.incrementAndGet() == KILL_AFTER) {
                                        killNow.countDown();
                                    }
                                    if (killedAt.get() != 0) {
                                        firstSuccessAfterKill.compareAndSet(0, System.nanoTime());
                                    }
                                    break;
                                } catch (OvsdbException e) {
                                    if (e.kind() == ErrorKind.Unavailable && ("not connected".equals(e.error())
                                            || "not synced".equals(e.error()))) {
                                        resent.incrementAndGet(); // refused before sending: safe to send again
                                        c.awaitConnected(Duration.ofSeconds(30));
                                        continue;
                                    }
                                    outcome.put(i, Outcome.FAILED);
                                    failures.put(i, e.kind() + " " + e.getMessage());
                                    break;
                                }
                            }
                        }
                    }, "writer-" + w);
                    t.start();
                    writers.add(t);
                }
                for (Thread t : writers) {
                    t.join(120_000);
                    assertThat(t.isAlive()).isFalse();
                }
                assertThat(outcome).hasSize(WRITES);
                killer.join(30_000);
                assertThat(killedAt.get()).as("the leader was killed during the loop").isNotZero();

                assertThat(c.awaitConnected(Duration.ofSeconds(30))).isTrue();
                ConnectionStatus after = c.status();
                int newLeader = cl.leader();
                assertThat(newLeader).isNotEqualTo(leader).isNotNegative();
                assertThat(after.remote()).isEqualTo(cl.remote(newLeader));
                assertThat(after.connections()).isGreaterThanOrEqualTo(2);

                // what the database holds, read by ovsdb-client through the new leader
                replica.sync();
                DatabaseSchema schema = c.schema("Open_vSwitch");
                Map<String, Map<UUID, Map<String, Object>>> dump = ReplicaIT.dump(cl.dumpJson(newLeader), schema, TABLES);
                Map<Integer, Integer> present = new HashMap<>();
                dump.get("Port").values().forEach(row -> {
                    String n = (String) row.get("name");
                    if (n.matches("p\\d+")) {
                        present.merge(Integer.parseInt(n.substring(1)), 1, Integer::sum);
                    }
                });
                dump.get("QoS").values().forEach(row -> {
                    Object m = ((Map<?, ?>) row.get("external_ids")).get("marker");
                    if (m instanceof String s && s.matches("w\\d+")) {
                        present.merge(Integer.parseInt(s.substring(1)), 1, Integer::sum);
                    }
                });
                List<String> report = new ArrayList<>();
                List<Integer> twice = new ArrayList<>();
                List<Integer> lost = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    int n = present.getOrDefault(i, 0);
                    if (n > 1) {
                        twice.add(i);
                    }
                    if (outcome.get(i) == Outcome.OK && n != 1) {
                        lost.add(i);
                    } else if (outcome.get(i) == Outcome.FAILED) {
                        report.add("write " + i + " failed (" + failures.get(i) + ") and is "
                                + (n == 1 ? "present: it committed before the reply was lost" : "absent"));
                    }
                }
                Map<String, Map<UUID, Map<String, Object>>> mine = ReplicaIT.normalize(ReplicaIT.snapshot(replica, TABLES));
                long killToConnected = reconnectMillis.isEmpty() ? -1 : reconnectMillis.get(reconnectMillis.size() - 1);
                System.out.printf("RAFT failover: %d writes, %d ok, %d failed, %d refused before sending and sent again%n",
                        WRITES, outcome.values().stream().filter(x -> x == Outcome.OK).count(), failures.size(), resent.get());
                report.forEach(l -> System.out.println("  " + l));
                System.out.printf("  reconnect: disconnected -> connected to the new leader %s ms (all reconnects: %s); "
                        + "kill -> first successful write %d ms%n", killToConnected, reconnectMillis,
                        TimeUnit.NANOSECONDS.toMillis(firstSuccessAfterKill.get() - killedAt.get()));
                System.out.printf("  replica: %d full syncs, %d resumes (monitor_cond_since found the last txn id), "
                        + "method %s; status %s%n", replica.fullSyncs(), replica.resumes(), replica.monitorMethod(), after);
                assertThat(twice).as("writes in the database twice").isEmpty();
                assertThat(lost).as("successful writes missing from the database").isEmpty();
                assertThat(present.keySet()).allMatch(i -> i >= 0 && i < WRITES);
                // the replica equals the dump (same rows, same values) for the replicated columns
                assertThat(mine).isEqualTo(ReplicaIT.normalize(restrict(dump, mine)));
                assertThat(replica.monitorMethod()).isEqualTo("monitor_cond_since");
                assertThat(replica.resumes()).as("the new leader resumed from the last transaction id: nothing refetched")
                        .isGreaterThanOrEqualTo(1);
            }
        }
    }

    /**
     * The leader hands its leadership over ({@code cluster/failure-test transfer-leadership}) while clients stay
     * connected: the leader-only client sees {@code _Server.Database.leader} turn false in its monitor, leaves and
     * follows the new leader; a client without leader-only on a follower (several remotes: the {@code _Server}
     * check runs, a connected follower passes it) keeps its connection.
     */
    @Test
    void leadershipTransferMovesOnlyTheLeaderOnlyClient() throws Exception {
        try (TestServers.Cluster cl = new TestServers.Cluster()) {
            int leader = cl.leader();
            int follower = (leader + 1) % TestServers.Cluster.SIZE;
            String all = cl.remote(0) + "," + cl.remote(1) + "," + cl.remote(2);
            try (OvsdbClient lo = OvsdbClients.connect(ClientOptions.of(all).withLeaderOnly(true).withReconnect(100, 1000));
                    OvsdbClient any = OvsdbClients.connect(ClientOptions.of(cl.remote(follower) + "," + cl.remote(leader))
                            .withReconnect(100, 1000))) {
                List<String> left = new java.util.concurrent.CopyOnWriteArrayList<>();
                lo.addConnectionListener(new ConnectionListener() {
                    @Override
                    public void connected() {
                    }

                    @Override
                    public void disconnected(Throwable cause) {
                        left.add(((OvsdbException) cause).details());
                    }
                });
                assertThat(lo.awaitConnected(Duration.ofSeconds(30))).isTrue();
                assertThat(any.awaitConnected(Duration.ofSeconds(30))).isTrue();
                assertThat(lo.status().remote()).isEqualTo(cl.remote(leader));
                assertThat(any.status().remote()).isEqualTo(cl.remote(follower));
                Replica r = lo.replica("Open_vSwitch", Map.of("Open_vSwitch", java.util.Set.of("external_ids")));
                assertThat(r.awaitSynced(Duration.ofSeconds(20))).isTrue();

                dev.ovs.itests.harness.Cmd.run("ovs-appctl", "-t", cl.dir.resolve("s" + leader + ".ctl").toString(),
                        "cluster/failure-test", "transfer-leadership");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int newLeader = -1;
                while (System.nanoTime() < deadline) {
                    newLeader = cl.leader();
                    if (newLeader >= 0 && newLeader != leader && lo.isConnected()
                            && lo.status().remote().equals(cl.remote(newLeader))) {
                        break;
                    }
                    Thread.sleep(50);
                }
                ConnectionStatus st = lo.status();
                System.out.println("after transfer-leadership: leader-only client " + st + "; other client " + any.status());
                assertThat(newLeader).isNotEqualTo(leader).isNotNegative();
                assertThat(st.connected()).isTrue();
                assertThat(st.remote()).isEqualTo(cl.remote(newLeader));
                assertThat(st.connections()).isGreaterThanOrEqualTo(2);
                // it left because the _Server monitor said so (not because the connection broke)
                assertThat(left).first().isEqualTo(cl.remote(leader) + ": clustered database Open_vSwitch: server is not "
                        + "the cluster leader");
                assertThat(any.status().connections()).isEqualTo(1);
                assertThat(any.status().remote()).isEqualTo(cl.remote(follower));
                // the replica follows: a change through the other client arrives
                any.transaction("Open_vSwitch").mutate("Open_vSwitch", List.of(), List.of(Mutation.insert("external_ids",
                        Map.of("moved", "yes")))).execute();
                r.sync();
                assertThat(r.rows("Open_vSwitch").iterator().next().getMap("external_ids")).containsEntry("moved", "yes");
            }
        }
    }

    /**
     * Remotes that cannot be reached are skipped in order: a missing Unix socket and a closed TCP port before a
     * standalone server (which passes the {@code _Server} check: it is not clustered); when that server stops, the
     * client keeps trying all three and reconnects once it is back.
     */
    @Test
    void unreachableRemotesAreSkippedAndTheClientComesBack() throws Exception {
        try (TestOvsdb s = TestOvsdb.start()) {
            String dead = "unix:" + s.dir.resolve("nobody.sock");
            String closedPort = "tcp:127.0.0.1:" + TestServers.freePort();
            try (OvsdbClient c = OvsdbClients.connect(ClientOptions.of(dead + "," + closedPort + "," + s.remote())
                    .withReconnect(50, 200))) {
                assertThat(c.awaitConnected(Duration.ofSeconds(10))).as("%s", c.status()).isTrue();
                assertThat(c.status().remote()).isEqualTo(s.remote());
                assertThat(c.status().lastError()).startsWith(closedPort + ": ConnectException");
                assertThat(c.listDbs().get()).contains("Open_vSwitch");
                s.stopServer();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (c.isConnected() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(c.isConnected()).isFalse();
                s.startServer();
                assertThat(c.awaitConnected(Duration.ofSeconds(20))).as("%s", c.status()).isTrue();
                assertThat(c.status().connections()).isEqualTo(2);
                assertThat(c.status().remote()).isEqualTo(s.remote());
            }
        }
    }

    private static void write(VSwitch vs, OvsdbClient c, int i) {
        if (i % 2 == 0) {
            vs.addPort("br0", "p" + i, PortOptions.NONE, false);
        } else {
            c.transaction("Open_vSwitch").insert("QoS", Map.of("type", "linux-htb",
                    "external_ids", Map.of("marker", "w" + i)), null).execute();
        }
    }

    /** The dump's rows with only the columns the replica holds (it leaves statistics out). */
    static Map<String, Map<UUID, Map<String, Object>>> restrict(Map<String, Map<UUID, Map<String, Object>>> dump,
            Map<String, Map<UUID, Map<String, Object>>> replica) {
        Map<String, Map<UUID, Map<String, Object>>> out = new HashMap<>();
        dump.forEach((t, rows) -> {
            java.util.Set<String> cols = replica.getOrDefault(t, Map.of()).values().stream().findFirst()
                    .map(Map::keySet).orElse(null);
            Map<UUID, Map<String, Object>> r2 = new HashMap<>();
            rows.forEach((u, row) -> {
                Map<String, Object> m = new HashMap<>(row);
                if (cols != null) {
                    m.keySet().retainAll(cols);
                }
                r2.put(u, m);
            });
            out.put(t, r2);
        });
        return out;
    }
}
