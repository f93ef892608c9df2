package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every RFC 7047 method and extension against a real ovsdb-server. */
class ClientIT {
    static TestOvsdb server;
    static OvsdbClient client;
    static final String DB = "Open_vSwitch";
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @BeforeAll
    static void up() throws Exception {
        server = TestOvsdb.start();
        client = OvsdbClients.connect(ClientOptions.of(server.remote()).withRequestTimeout(10000));
        assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void listDbsSchemaEchoServerId() throws Exception {
        assertThat(client.listDbs().get()).contains("Open_vSwitch", "_Server");
        DatabaseSchema s = client.schema(DB);
        assertThat(s.name()).isEqualTo(DB);
        assertThat(s.table("Port").columnType("tag").key().maxInteger()).isEqualTo(4095);
        JsonNode e = client.echo(F.arrayNode().add("x").add(1)).get();
        assertThat(e.toString()).isEqualTo("[\"x\",1]");
        String id = client.getServerId().get();
        assertThat(UUID.fromString(id)).isNotNull();
        client.setDbChangeAware(true).get();
        assertThatThrownBy(() -> client.schema("NoSuchDb")).isInstanceOf(OvsdbServerException.class)
                .satisfies(t -> assertThat(((OvsdbException) t).kind()).isEqualTo(ErrorKind.NotFound));
    }

    @Test
    void transactAllOperations() {
        TransactResult r = client.transaction(DB)
                .comment("ClientIT insert")
                .insert("Interface", Map.of("name", "t0", "type", "internal"), "iface")
                .insert("Port", Map.of("name", "t0", "interfaces", new NamedUuid("iface"), "tag", 10L), "port")
                .insert("Bridge", Map.of("name", "tbr0", "ports", Set.of(new NamedUuid("port")),
                        "external_ids", Map.of("k", "v")), "br")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("br"))))
                .commit(false)
                .execute();
        UUID brUuid = r.uuid(3);
        TransactResult sel = client.transaction(DB)
                .select("Bridge", List.of(Condition.eq("name", "tbr0")), "name", "ports", "external_ids", "_uuid")
                .execute();
        Row br = sel.results().get(0).rows().get(0);
        assertThat(br.uuid()).isEqualTo(brUuid);
        assertThat(br.getMap("external_ids")).containsEntry("k", "v");
        assertThat(br.getSet("ports")).containsExactly(r.uuid(2));

        TransactResult up = client.transaction(DB)
                .update("Port", List.of(Condition.eq("name", "t0")), Map.of("tag", Set.of(), "trunks", Set.of(1L, 2L)))
                .mutate("Bridge", List.of(Condition.eq("name", "tbr0")),
                        List.of(Mutation.insert("external_ids", Map.of("a", "b")), Mutation.delete("external_ids", Set.of("k"))))
                .wait("Bridge", List.of(Condition.eq("name", "tbr0")), List.of("name"), true, List.of(Map.of("name", "tbr0")), 0L)
                .select("Port", List.of(Condition.eq("name", "t0")), "tag", "trunks")
                .execute();
        assertThat(up.results().get(0).count()).isEqualTo(1);
        assertThat(up.results().get(1).count()).isEqualTo(1);
        Row port = up.results().get(3).rows().get(0);
        assertThat(port.getSet("tag")).isEmpty();
        assertThat(port.getSet("trunks")).containsExactlyInAnyOrder(1L, 2L);

        // wait that fails at once: "timed out" -> Kind.Timeout, with the failing op index
        assertThatThrownBy(() -> client.transaction(DB)
                .wait("Bridge", List.of(Condition.eq("name", "tbr0")), List.of("name"), true, List.of(), 0L)
                .execute()).isInstanceOfSatisfying(OvsdbServerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.Timeout);
                    assertThat(e.error()).isEqualTo("timed out");
                    assertThat(e.operationIndex()).isEqualTo(0);
                });
        // abort
        assertThatThrownBy(() -> client.transaction(DB).insert("Bridge", Map.of("name", "never")).abort().execute())
                .isInstanceOfSatisfying(OvsdbServerException.class, e -> assertThat(e.error()).isEqualTo("aborted"));
        // constraint violation from the server: duplicate name index
        assertThatThrownBy(() -> client.transaction(DB)
                .insert("Bridge", Map.of("name", "tbr0"), "b2")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("b2")))).execute())
                .isInstanceOfSatisfying(OvsdbServerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.ConstraintViolation);
                    assertThat(e.details()).contains("tbr0");
                });
        // referential integrity: a strong reference to a row that does not exist
        assertThatThrownBy(() -> client.transaction(DB)
                .mutate("Bridge", List.of(Condition.eq("name", "tbr0")), List.of(Mutation.insert("ports", UUID.randomUUID())))
                .execute())
                .isInstanceOfSatisfying(OvsdbServerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.ReferentialIntegrity));
        // assert on a lock we do not hold
        assertThatThrownBy(() -> client.transaction(DB).assertLock("nolock").execute())
                .isInstanceOfSatisfying(OvsdbServerException.class, e -> assertThat(e.error()).isEqualTo("not owner"));
        // delete
        TransactResult del = client.transaction(DB)
                .mutate(DB, List.of(), List.of(Mutation.delete("bridges", brUuid)))
                .execute();
        assertThat(del.results().get(0).count()).isEqualTo(1);
        assertThat(client.transaction(DB).select("Bridge", List.of(Condition.eq("name", "tbr0"))).execute()
                .results().get(0).rows()).isEmpty(); // garbage-collected non-root row
        TransactResult d2 = client.transaction(DB).insert("QoS", Map.of("type", "linux-htb"))
                .delete("QoS", List.of(Condition.eq("type", "linux-htb"))).execute();
        assertThat(d2.results().get(1).count()).isEqualTo(1);
    }

    @Test
    void badInputRejectedBeforeSending() {
        TransactionBuilder tx = client.transaction(DB);
        assertThatThrownBy(() -> tx.insert("NoTable", Map.of())).hasMessageContaining("unknown table 'NoTable'");
        assertThatThrownBy(() -> tx.insert("Bridge", Map.of("nope", "x"))).hasMessageContaining("unknown column 'nope'");
        assertThatThrownBy(() -> tx.insert("Port", Map.of("tag", 5000L))).hasMessageContaining("Port.tag")
                .hasMessageContaining("outside range [0, 4095]");
        assertThatThrownBy(() -> tx.insert("Port", Map.of("tag", "ten"))).hasMessageContaining("expected integer");
        assertThatThrownBy(() -> tx.insert("Bridge", Map.of("fail_mode", "bogus"))).hasMessageContaining("not one of");
        assertThatThrownBy(() -> tx.update("Bridge", List.of(Condition.lt("name", "x")), Map.of()))
                .hasMessageContaining("only applies to integer or real");
        assertThatThrownBy(() -> tx.insert("Bridge", Map.of(), "1bad")).hasMessageContaining("uuid-name");
        assertThat(tx.size()).isZero();
        assertThatThrownBy(tx::execute).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void monitorsAllFlavours() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        NotificationListener l = (m, p) -> got.add(m + " " + p);
        Map<String, MonitorRequest> req = Map.of("Bridge", MonitorRequest.of(List.of("name")));
        JsonNode init1 = client.monitor(DB, new TextNode("m1"), req, l).get();
        assertThat(init1.isObject()).isTrue();
        JsonNode init2 = client.monitorCond(DB, new TextNode("m2"), Map.of("Bridge",
                new MonitorRequest(List.of("name"), List.of(Condition.eq("name", "mbr1")), true, true, true, true)), l).get();
        assertThat(init2.isObject()).isTrue();
        JsonNode init3 = client.monitorCondSince(DB, new TextNode("m3"), req, null, l).get();
        assertThat(init3.get(0).asBoolean()).isFalse();
        client.transaction(DB).insert("Bridge", Map.of("name", "mbr1"), "b")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("b")))).execute();
        // own transaction: the updates arrive before the transact reply
        List<String> msgs = List.of(got.poll(5, TimeUnit.SECONDS), got.poll(5, TimeUnit.SECONDS), got.poll(5, TimeUnit.SECONDS));
        assertThat(msgs).anyMatch(s -> s.startsWith("update [\"m1\""))
                .anyMatch(s -> s.startsWith("update2 [\"m2\"") && s.contains("mbr1"))
                .anyMatch(s -> s.startsWith("update3 [\"m3\""));
        // change the condition of m2 so mbr2 matches instead
        client.monitorCondChange(DB, new TextNode("m2"), new TextNode("m2b"), Map.of("Bridge",
                new MonitorRequest(List.of("name"), List.of(Condition.eq("name", "mbr2")), true, true, true, true))).get();
        client.monitorCancel(new TextNode("m1")).get();
        client.monitorCancel(new TextNode("m3")).get();
        got.clear();
        client.transaction(DB).insert("Bridge", Map.of("name", "mbr2"), "b")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("b")))).execute();
        String m = got.poll(5, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m).contains("mbr2");
        // depending on the server version, the condition change itself may also send an update2 (mbr1 out)
        String extra;
        while ((extra = got.poll(300, TimeUnit.MILLISECONDS)) != null) {
            assertThat(extra).startsWith("update2 [\"m2b\"");
        }
        assertThatThrownBy(() -> client.monitorCancel(new TextNode("m1")).join())
                .hasCauseInstanceOf(OvsdbServerException.class);
    }

    @Test
    void locksAndNotifications() throws Exception {
        try (OvsdbClient other = OvsdbClients.connect(ClientOptions.of(server.remote()))) {
            assertThat(other.awaitConnected(Duration.ofSeconds(5))).isTrue();
            List<String> mine = new CopyOnWriteArrayList<>();
            List<String> theirs = new CopyOnWriteArrayList<>();
            client.addLockListener((m, p) -> mine.add(m + ":" + p.path(0).asText()));
            other.addLockListener((m, p) -> theirs.add(m + ":" + p.path(0).asText()));
            assertThat(client.lock("L1").get()).isTrue();
            client.transaction(DB).assertLock("L1").execute();
            assertThat(other.lock("L1").get()).isFalse();
            other.unlock("L1").get();
            assertThat(other.steal("L1").get()).isTrue();
            waitFor(() -> mine.contains("stolen:L1"));
            other.unlock("L1").get();
            // after unlocking, nobody waits (we were stolen from and did not re-request); lock again
            assertThat(client.lock("L2").get()).isTrue();
            assertThat(other.lock("L2").get()).isFalse();
            client.unlock("L2").get();
            waitFor(() -> theirs.contains("locked:L2"));
        }
    }

    @Test
    void pipelinedRequestsFromManyThreadsMatchTheirReplies() throws Exception {
        List<Thread> threads = new java.util.ArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 8; t++) {
            int tn = t;
            Thread th = new Thread(() -> {
                List<CompletableFuture<JsonNode>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    fs.add(client.echo(F.arrayNode().add(tn).add(i)));
                }
                for (int i = 0; i < 200; i++) {
                    JsonNode r = fs.get(i).join();
                    if (r.get(0).asInt() != tn || r.get(1).asInt() != i) {
                        errors.add("thread " + tn + " request " + i + " got " + r);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(30000);
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void cancelAndGenericCall() throws Exception {
        // through a relay that records the JSON-RPC messages, so the wire shows what the client sent and how the
        // real ovsdb-server answered
        try (WireTap tap = new WireTap(server.dir.resolve("tap.sock"), server.sock);
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(tap.remote()).withRequestTimeout(10000))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).isTrue();
            // ovsdb-server answers a cancelled transact with the error "canceled" to db-change-aware clients
            // (ovsdb-server(7) §4.1.16); to others it drops the request silently
            c.setDbChangeAware(true).get(10, TimeUnit.SECONDS);
            // a wait without timeout blocks on the server until cancelled
            CompletableFuture<JsonNode> raw = c.transact(c.transaction(DB)
                    .wait("Bridge", List.of(Condition.eq("name", "never-appears")), List.of("name"), false, List.of(), null)
                    .toParams());
            // the server answers requests in order: once the echo is back, the transact was handled and is pending
            assertThat(c.echo(F.arrayNode().add("barrier")).get(10, TimeUnit.SECONDS).get(0).asText()).isEqualTo("barrier");
            assertThat(raw).isNotDone();
            JsonNode id = tap.sent().stream().filter(m -> "transact".equals(m.path("method").asText())).findFirst()
                    .orElseThrow().get("id");
            // cancel(true) sends RFC 7047 §4.1.4 cancel: a notification whose params are the transact's id ...
            assertThat(raw.cancel(true)).isTrue();
            waitFor(() -> tap.sent().stream().anyMatch(m -> "cancel".equals(m.path("method").asText())));
            JsonNode cancel = tap.sent().stream().filter(m -> "cancel".equals(m.path("method").asText())).findFirst().orElseThrow();
            assertThat(cancel.get("params")).isEqualTo(F.arrayNode().add(id));
            assertThat(cancel.get("id").isNull()).isTrue();
            // ... and the server acts on it: it ends the blocked transact with the error "canceled" (§4.1.4)
            waitFor(() -> tap.received().stream().anyMatch(m -> id.equals(m.get("id"))));
            JsonNode reply = tap.received().stream().filter(m -> id.equals(m.get("id"))).findFirst().orElseThrow();
            assertThat(reply.path("error").asText()).isEqualTo("canceled");
            // the late reply to a cancelled request is dropped; the connection stays up and usable
            assertThat(c.call("list_dbs", null).get(10, TimeUnit.SECONDS).isArray()).isTrue();
            assertThat(tap.connections()).isEqualTo(1);
        }
        // the generic call on the shared client
        assertThat(client.call("list_dbs", null).get().isArray()).isTrue();
    }

    static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
