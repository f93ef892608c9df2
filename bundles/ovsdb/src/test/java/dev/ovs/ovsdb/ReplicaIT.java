package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The replica against a real ovsdb-server: equals ovsdb-client dump, events, own-transaction visibility, restarts. */
class ReplicaIT {
    static final String DB = "Open_vSwitch";
    static final List<String> TABLES = List.of("Open_vSwitch", "Bridge", "Port", "Interface");

    static Map<String, Set<String>> spec() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        TABLES.forEach(t -> m.put(t, null));
        return m;
    }

    /** Rebuilds table -> uuid -> columns from the events alone; fails on duplicates. */
    static final class EventMirror implements ReplicaListener {
        final Map<String, Map<UUID, Map<String, Object>>> state = new ConcurrentHashMap<>();
        final List<RowEvent> all = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();

        @Override
        public void onChanges(List<RowEvent> events) {
            for (RowEvent e : events) {
                all.add(e);
                Map<UUID, Map<String, Object>> t = state.computeIfAbsent(e.table(), k -> new ConcurrentHashMap<>());
                switch (e.type()) {
                    case INSERT -> {
                        if (t.put(e.uuid(), e.newRow().columns()) != null) {
                            problems.add("duplicate insert " + e);
                        }
                    }
                    case UPDATE -> {
                        if (t.put(e.uuid(), e.newRow().columns()) == null) {
                            problems.add("update of unknown row " + e);
                        }
                    }
                    case DELETE -> {
                        if (t.remove(e.uuid()) == null) {
                            problems.add("delete of unknown row " + e);
                        }
                    }
                }
            }
        }

        void seed(Replica r) {
            for (String t : TABLES) {
                Map<UUID, Map<String, Object>> m = state.computeIfAbsent(t, k -> new ConcurrentHashMap<>());
                r.rows(t).forEach(row -> m.put(row.uuid(), row.columns()));
            }
        }
    }

    static Map<String, Map<UUID, Map<String, Object>>> dump(TestOvsdb s, DatabaseSchema schema) throws Exception {
        return dump(s.dumpJson(), schema, TABLES);
    }

    /** Tables of an {@code ovsdb-client -f json dump} output, decoded with the schema. */
    static Map<String, Map<UUID, Map<String, Object>>> dump(String out, DatabaseSchema schema, List<String> tables)
            throws Exception {
        Map<String, Map<UUID, Map<String, Object>>> res = new HashMap<>();
        try (MappingIterator<JsonNode> it = new ObjectMapper().readerFor(JsonNode.class).readValues(out)) {
            while (it.hasNext()) {
                JsonNode t = it.next();
                String table = t.get("caption").asText().replace(" table", "");
                if (!tables.contains(table)) {
                    continue;
                }
                TableSchema ts = schema.table(table);
                Map<UUID, Map<String, Object>> rows = new HashMap<>();
                List<String> headings = new ArrayList<>();
                t.get("headings").forEach(h -> headings.add(h.asText()));
                for (JsonNode row : t.get("data")) {
                    UUID u = null;
                    Map<String, Object> cols = new HashMap<>();
                    for (int i = 0; i < headings.size(); i++) {
                        String h = headings.get(i);
                        if ("_uuid".equals(h)) {
                            u = (UUID) Values.decodeAtom(row.get(i), AtomicType.UUID);
                        } else if (!"_version".equals(h)) {
                            cols.put(h, Values.decode(row.get(i), ts.columnType(h)));
                        }
                    }
                    rows.put(u, cols);
                }
                res.put(table, rows);
            }
        }
        return res;
    }

    static Map<String, Map<UUID, Map<String, Object>>> snapshot(Replica r) {
        return snapshot(r, TABLES);
    }

    static Map<String, Map<UUID, Map<String, Object>>> snapshot(Replica r, List<String> tables) {
        Map<String, Map<UUID, Map<String, Object>>> res = new HashMap<>();
        for (String t : tables) {
            Map<UUID, Map<String, Object>> rows = new HashMap<>();
            r.rows(t).forEach(row -> rows.put(row.uuid(), row.columns()));
            res.put(t, rows);
        }
        return res;
    }

    static Map<String, Map<UUID, Map<String, Object>>> normalize(Map<String, Map<UUID, Map<String, Object>>> m) {
        Map<String, Map<UUID, Map<String, Object>>> res = new HashMap<>();
        m.forEach((t, rows) -> {
            Map<UUID, Map<String, Object>> r2 = new HashMap<>();
            rows.forEach((u, c) -> {
                Map<String, Object> c2 = new HashMap<>(c);
                c2.remove("_version");
                r2.put(u, c2);
            });
            res.put(t, r2);
        });
        return res;
    }

    @Test
    void randomOperationsMixedWithOvsVsctlMatchDump() throws Exception {
        try (TestOvsdb s = TestOvsdb.start();
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()))) {
            Replica r = c.replica(DB, spec());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            assertThat(r.monitorMethod()).isEqualTo("monitor_cond_since");
            EventMirror mirror = new EventMirror();
            mirror.seed(r);
            r.addListener(mirror);
            Random rnd = new Random(4711);
            List<String> bridges = new ArrayList<>();
            List<String> ports = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int op = rnd.nextInt(7);
                if (op == 0 || bridges.isEmpty()) {
                    String b = "rb" + i;
                    if (rnd.nextBoolean()) {
                        s.vsctl("add-br", b);
                    } else {
                        c.transaction(DB).insert("Interface", Map.of("name", b, "type", "internal"), "i")
                                .insert("Port", Map.of("name", b, "interfaces", new NamedUuid("i")), "p")
                                .insert("Bridge", Map.of("name", b, "ports", new NamedUuid("p")), "b")
                                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("b")))).execute();
                        // own transaction visible as soon as transact returns
                        assertThat(r.byName("Bridge", b)).isPresent();
                        assertThat(r.byName("Port", b)).isPresent();
                    }
                    bridges.add(b);
                } else if (op <= 2) {
                    String b = bridges.get(rnd.nextInt(bridges.size()));
                    String p = "rp" + i;
                    if (rnd.nextBoolean()) {
                        s.vsctl("add-port", b, p, "tag=" + (1 + rnd.nextInt(4000)));
                    } else {
                        c.transaction(DB).insert("Interface", Map.of("name", p), "i")
                                .insert("Port", Map.of("name", p, "interfaces", new NamedUuid("i"), "tag", (long) rnd.nextInt(4096)), "p")
                                .mutate("Bridge", List.of(Condition.eq("name", b)), List.of(Mutation.insert("ports", new NamedUuid("p"))))
                                .execute();
                        assertThat(r.byName("Interface", p)).isPresent();
                    }
                    ports.add(p);
                } else if (op == 3 && !ports.isEmpty()) {
                    String p = ports.remove(rnd.nextInt(ports.size()));
                    if (rnd.nextBoolean()) {
                        s.vsctl("del-port", p);
                    } else {
                        r.sync(); // the port may come from ovs-vsctl: its update is flushed before the echo reply
                        UUID pu = r.byName("Port", p).orElseThrow().uuid();
                        c.transaction(DB).mutate("Bridge", List.of(Condition.includes("ports", Set.of(pu))),
                                List.of(Mutation.delete("ports", Set.of(pu)))).execute();
                        assertThat(r.byName("Port", p)).isEmpty();
                    }
                } else if (op == 4 && !ports.isEmpty()) {
                    String p = ports.get(rnd.nextInt(ports.size()));
                    if (rnd.nextBoolean()) {
                        s.vsctl("set", "Interface", p, "external_ids:k" + i + "=v" + i, "mtu_request=" + (1280 + i));
                    } else {
                        c.transaction(DB).mutate("Interface", List.of(Condition.eq("name", p)),
                                List.of(Mutation.insert("external_ids", Map.of("k" + i, "v" + i)))).execute();
                    }
                } else if (op == 5 && !ports.isEmpty()) {
                    String p = ports.get(rnd.nextInt(ports.size()));
                    c.transaction(DB).update("Port", List.of(Condition.eq("name", p)),
                            Map.of("trunks", Set.of((long) i, (long) i + 1), "tag", Set.of())).execute();
                    assertThat(r.byName("Port", p).orElseThrow().getSet("trunks")).contains((long) i);
                } else if (op == 6 && bridges.size() > 1) {
                    String b = bridges.remove(rnd.nextInt(bridges.size()));
                    s.vsctl("--if-exists", "del-br", b);
                    ports.removeIf(p -> true);
                    for (Row row : List.copyOf(r.rows("Port"))) {
                        // keep ports list consistent with the server (ports of deleted bridges are gone)
                    }
                    s.vsctl("show"); // cheap sync point
                    r.sync();
                    r.rows("Port").forEach(row -> {
                        String n = row.getString("name");
                        if (n.startsWith("rp")) {
                            ports.add(n);
                        }
                    });
                }
            }
            r.sync();
            DatabaseSchema schema = r.schema();
            assertThat(normalize(snapshot(r))).isEqualTo(normalize(dump(s, schema)));
            ((dev.ovs.ovsdb.rpc.OvsdbClientImpl) c).toString();
            waitEvents(mirror, r);
            assertThat(mirror.problems).isEmpty();
            assertThat(normalize(mirror.state)).isEqualTo(normalize(snapshot(r)));
            // ovs-vsctl changes produced events too
            assertThat(mirror.all).anyMatch(e -> e.type() == RowEvent.Type.UPDATE && e.table().equals("Interface")
                    && e.changedColumns().contains("mtu_request"));
        }
    }

    static void waitEvents(EventMirror m, Replica r) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!normalize(m.state).equals(normalize(snapshot(r))) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void onlineSchemaConversionResyncsWithNewSchema() throws Exception {
        try (TestOvsdb s = TestOvsdb.start(); OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()))) {
            s.vsctl("add-br", "sc0");
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            c.setDbChangeAware(true).get(); // the server then sends monitor_canceled instead of disconnecting
            Replica r = c.replica(DB, spec());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            EventMirror mirror = new EventMirror();
            mirror.seed(r);
            r.addListener(mirror);
            // a new schema version with an extra column in Bridge
            ObjectMapper om = new ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode schema =
                    (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(java.nio.file.Path.of(TestOvsdb.SCHEMA).toFile());
            schema.put("version", "99.0.0");
            ((com.fasterxml.jackson.databind.node.ObjectNode) schema.get("tables").get("Bridge").get("columns"))
                    .putObject("patchbay_test").putObject("type").put("key", "string").put("min", 0).put("max", 1);
            java.nio.file.Path newSchema = java.nio.file.Files.createTempFile("pb-schema-", ".ovsschema");
            try {
                java.nio.file.Files.writeString(newSchema, schema.toString());
                TestOvsdb.run("ovsdb-client", "convert", s.remote(), newSchema.toString());
            } finally {
                java.nio.file.Files.deleteIfExists(newSchema);
            }
            ClientIT.waitFor(() -> r.schema() != null && "99.0.0".equals(r.schema().version()) && r.awaitSynced(Duration.ofMillis(10)));
            assertThat(c.isConnected()).isTrue();
            assertThat(r.byName("Bridge", "sc0").orElseThrow().columns()).containsKey("patchbay_test");
            // the client's schema cache was refreshed too: the new column validates and is replicated
            c.transaction(DB).update("Bridge", List.of(Condition.eq("name", "sc0")), Map.of("patchbay_test", "hello")).execute();
            ClientIT.waitFor(() -> "hello".equals(r.byName("Bridge", "sc0").orElseThrow().getString("patchbay_test")));
            r.sync();
            waitEvents(mirror, r);
            assertThat(mirror.problems).isEmpty();
        }
    }

    @Test
    void unknownTableOrDatabaseFailsWithoutReconnectStorm() throws Exception {
        try (TestOvsdb s = TestOvsdb.start(); OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()))) {
            List<String> ups = new CopyOnWriteArrayList<>();
            c.addConnectionListener(new ConnectionListener() {
                @Override
                public void connected() {
                    ups.add("up");
                }

                @Override
                public void disconnected(Throwable cause) {
                    ups.add("down");
                }
            });
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            Replica bad = c.replica(DB, Map.of("NoSuchTable", Set.of()));
            Replica badDb = c.replica("NoSuchDb", Map.of("X", Set.of()));
            assertThat(bad.awaitSynced(Duration.ofMillis(500))).isFalse();
            ClientIT.waitFor(() -> bad.lastError() != null && badDb.lastError() != null);
            assertThat(bad.lastError()).hasMessageContaining("NoSuchTable");
            assertThat(badDb.lastError()).isInstanceOf(OvsdbServerException.class);
            assertThat(ups).doesNotContain("down");
            assertThat(c.isConnected()).isTrue();
            bad.close();
            badDb.close();
        }
    }

    @Test
    void restartStandaloneResyncsWithExactDifference() throws Exception {
        try (TestOvsdb s = TestOvsdb.start();
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()).withReconnect(50, 500))) {
            s.vsctl("add-br", "keep", "--", "add-br", "gone", "--", "add-port", "keep", "kp1");
            Replica r = c.replica(DB, spec());
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            EventMirror mirror = new EventMirror();
            mirror.seed(r);
            r.addListener(mirror);
            // an in-flight request fails with a clear connection error when the server goes away
            var pending = c.transact(c.transaction(DB)
                    .wait("Bridge", List.of(Condition.eq("name", "never")), List.of("name"), false, List.of(), null).toParams());
            s.stopServer();
            assertThat(pending).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(ConnectionException.class);
            assertThat(c.isConnected()).isFalse();
            // change the database while the client is away (offline, with ovsdb-tool)
            UUID gone = null;
            TestOvsdb.run("ovsdb-tool", "transact", s.db.toString(),
                    "[\"Open_vSwitch\",{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":[[\"bridges\",\"delete\",[\"uuid\",\""
                            + r.byName("Bridge", "gone").orElseThrow().uuid() + "\"]]]},"
                            + "{\"op\":\"update\",\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"kp1\"]],\"row\":{\"tag\":42}}]");
            int before = mirror.all.size();
            s.startServer();
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.byName("Bridge", "gone").isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            r.sync();
            assertThat(normalize(snapshot(r))).isEqualTo(normalize(dump(s, r.schema())));
            waitEvents(mirror, r);
            assertThat(mirror.problems).isEmpty();
            List<RowEvent> after = mirror.all.subList(before, mirror.all.size());
            // exactly: Open_vSwitch.bridges updated, Bridge/Port/Interface "gone" deleted, Port kp1 tag updated
            assertThat(after).filteredOn(e -> e.type() == RowEvent.Type.DELETE).extracting(e -> e.table() + ":" + e.row().getString("name"))
                    .containsExactlyInAnyOrder("Bridge:gone", "Port:gone", "Interface:gone");
            assertThat(after).filteredOn(e -> e.type() == RowEvent.Type.UPDATE).extracting(e -> e.table() + ":" + e.changedColumns())
                    .containsExactlyInAnyOrder("Open_vSwitch:[bridges]", "Port:[tag]");
            assertThat(after).noneMatch(e -> e.type() == RowEvent.Type.INSERT);
            assertThat(r.fullSyncs()).isEqualTo(2);
        }
    }

    /**
     * monitor_cond_since resume against a real one-member RAFT cluster. ovsdb-server keeps transaction history
     * only for clustered databases, and trims it while the history holds more atoms than the whole database
     * (ovsdb/transaction.c ovsdb_txn_history_run): on a nearly empty database every txn id is forgotten at
     * once and the server answers found=false. So the database is first filled with 300 ports on another
     * bridge; the small changes made meanwhile then stay in the history. The client's socket is taken away
     * (ovsdb-server/remove-remote, which also closes its session; or a restart listening only on a second socket)
     * while ovs-vsctl makes the changes through the second socket, then given back (ovsdb-server/add-remote): the
     * changes are made while the client is away, whatever the machine's speed.
     */
    @Test
    void clusteredResumeFromLastTxnIdAfterDropAndRestart() throws Exception {
        try (TestOvsdb s = TestOvsdb.start(true)) {
            List<String> bulk = new ArrayList<>(List.of("add-br", "bulk"));
            for (int i = 0; i < 300; i++) {
                bulk.addAll(List.of("--", "add-port", "bulk", "bk" + i));
            }
            s.vsctl(bulk.toArray(String[]::new));
            s.vsctl("add-br", "cb0");
            s.vsctl("add-port", "cb0", "cp0");
            try (OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()).withReconnect(200, 400))) {
                Replica r = c.replica(DB, spec());
                assertThat(r.awaitSynced(Duration.ofSeconds(20))).isTrue();
                assertThat(r.monitorMethod()).isEqualTo("monitor_cond_since");
                assertThat(r.fullSyncs()).isEqualTo(1);
                assertThat(r.resumes()).isZero();
                // a change while connected moves the last txn id (update3)
                s.vsctl("set", "Port", "cp0", "tag=5");
                ClientIT.waitFor(() -> r.byName("Port", "cp0").map(p -> Long.valueOf(5).equals(p.getLong("tag"))).orElse(false));
                String idBefore = r.lastTxnId();
                assertThat(idBefore).isNotNull().isNotEqualTo("00000000-0000-0000-0000-000000000000");
                EventMirror mirror = new EventMirror();
                mirror.seed(r);
                r.addListener(mirror);

                // 1. the server drops the client (process keeps running); changes before the client is back
                String main = "punix:" + s.sock;
                TestOvsdb.run("ovs-appctl", "-t", s.ctl().toString(), "ovsdb-server/remove-remote", main);
                ClientIT.waitFor(() -> !c.isConnected());
                s.vsctlAt(s.altRemote(), "add-port", "cb0", "cp1");
                s.vsctlAt(s.altRemote(), "set", "Port", "cp0", "tag=6");
                assertThat(c.isConnected()).as("changes made while disconnected").isFalse();
                assertThat(r.byName("Port", "cp1")).isEmpty();
                TestOvsdb.run("ovs-appctl", "-t", s.ctl().toString(), "ovsdb-server/add-remote", main);
                waitResumes(r, c, 1);
                assertThat(r.fullSyncs()).as("no full resync").isEqualTo(1);
                assertThat(r.lastTxnId()).isNotEqualTo(idBefore);
                r.sync();
                assertThat(normalize(snapshot(r))).isEqualTo(normalize(dump(s, r.schema())));
                waitEvents(mirror, r);
                assertThat(mirror.problems).isEmpty();
                assertThat(mirror.all).filteredOn(e -> e.type() == RowEvent.Type.INSERT)
                        .extracting(e -> e.table() + ":" + e.row().getString("name"))
                        .containsExactlyInAnyOrder("Port:cp1", "Interface:cp1");
                assertThat(mirror.all).filteredOn(e -> e.type() == RowEvent.Type.UPDATE)
                        .extracting(e -> e.table() + ":" + e.row().getString("name") + ":" + e.changedColumns())
                        .containsExactlyInAnyOrder("Bridge:cb0:[ports]", "Port:cp0:[tag]");
                assertThat(mirror.all).noneMatch(e -> e.type() == RowEvent.Type.DELETE);
                int seen = mirror.all.size();

                // 2. the server process restarts (history rebuilt from the RAFT log); changes before the client is back
                s.stopServer();
                ClientIT.waitFor(() -> !c.isConnected());
                s.startServer(false);
                s.vsctlAt(s.altRemote(), "add-port", "cb0", "cp2");
                s.vsctlAt(s.altRemote(), "del-port", "cb0", "cp1");
                assertThat(c.isConnected()).as("changes made while disconnected").isFalse();
                TestOvsdb.run("ovs-appctl", "-t", s.ctl().toString(), "ovsdb-server/add-remote", main);
                waitResumes(r, c, 2);
                assertThat(r.fullSyncs()).as("no full resync after restart").isEqualTo(1);
                r.sync();
                assertThat(normalize(snapshot(r))).isEqualTo(normalize(dump(s, r.schema())));
                waitEvents(mirror, r);
                assertThat(mirror.problems).isEmpty();
                List<RowEvent> after = mirror.all.subList(seen, mirror.all.size());
                assertThat(after).filteredOn(e -> e.type() == RowEvent.Type.INSERT)
                        .extracting(e -> e.table() + ":" + e.row().getString("name"))
                        .containsExactlyInAnyOrder("Port:cp2", "Interface:cp2");
                assertThat(after).filteredOn(e -> e.type() == RowEvent.Type.DELETE)
                        .extracting(e -> e.table() + ":" + e.row().getString("name"))
                        .containsExactlyInAnyOrder("Port:cp1", "Interface:cp1");
                // two transactions, one update notification: the Bridge row changed once (ports +cp2 -cp1)
                assertThat(after).filteredOn(e -> e.type() == RowEvent.Type.UPDATE)
                        .extracting(e -> e.table() + ":" + e.row().getString("name") + ":" + e.changedColumns())
                        .containsExactly("Bridge:cb0:[ports]");
                assertThat(r.byName("Bridge", "cb0").orElseThrow().getSet("ports")).hasSize(3);
            }
        }
    }

    private static void waitResumes(Replica r, OvsdbClient c, long n) throws InterruptedException {
        try {
            ClientIT.waitFor(() -> r.resumes() + r.fullSyncs() >= n + 1);
        } catch (AssertionError e) {
            throw new AssertionError("resumes=" + r.resumes() + " full=" + r.fullSyncs() + " connected=" + c.isConnected()
                    + " txn=" + r.lastTxnId() + " method=" + r.monitorMethod() + " error=" + r.lastError());
        }
        assertThat(r.resumes()).as("resumed with found=true").isEqualTo(n);
    }
}
