package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A broken or hostile peer gives a clean connection error, bounded memory and no hang. */
class HostilePeerTest {

    static ClientOptions opts(FakeServer s) {
        return ClientOptions.of(s.remote()).withProbeInterval(0).withRequestTimeout(3000).withReconnect(50, 200)
                .withMaxMessageBytes(1 << 20);
    }

    static void assertConnectionError(CompletableFuture<?> f, String error) {
        assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ConnectionException.class, e -> {
                    assertThat(e.error()).isEqualTo(error);
                    assertThat(e.kind()).isEqualTo(ErrorKind.Unavailable);
                });
    }

    @Test
    void malformedJsonWrongIdsOversizedAndGarbage() throws Exception {
        String[] attacks = {
            "{\"id\":1,\"result\":[1,2,,]}",            // malformed JSON
            "{\"id\":999,\"result\":[],\"error\":null}", // id never sent
            "{\"id\":\"x\",\"result\":[],\"error\":null}",
            "12345",                                      // not an object
            "[\"an\",\"array\"]",
        };
        try (FakeServer s = new FakeServer(); OvsdbClient c = OvsdbClients.connect(opts(s))) {
            for (String attack : attacks) {
                SocketChannel ch = s.next();
                assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
                CompletableFuture<List<String>> f = c.listDbs();
                s.read(ch);
                FakeServer.write(ch, attack);
                assertConnectionError(f, "protocol error");
                ch.close();
            }
            // a 100 MiB message against a 1 MiB limit: error as soon as the limit is crossed
            SocketChannel ch = s.next();
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            CompletableFuture<List<String>> f = c.listDbs();
            s.read(ch);
            Thread writer = new Thread(() -> {
                try {
                    FakeServer.write(ch, "{\"id\":1,\"result\":[\"");
                    ByteBuffer chunk = ByteBuffer.wrap("a".repeat(1 << 20).getBytes());
                    for (int i = 0; i < 100; i++) {
                        chunk.rewind();
                        while (chunk.hasRemaining()) {
                            ch.write(chunk);
                        }
                    }
                } catch (Exception e) {
                    // client closed the connection: expected
                }
            });
            writer.start();
            assertConnectionError(f, "protocol error");
            writer.join(10000);
            assertThat(writer.isAlive()).isFalse();
            ch.close();
            // and the client reconnects afterwards
            SocketChannel again = s.next();
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            again.close();
        }
    }

    @Test
    void randomGarbageFromThePeerAlwaysEndsInACleanError() throws Exception {
        java.util.Random rnd = new java.util.Random(7);
        try (FakeServer s = new FakeServer(); OvsdbClient c = OvsdbClients.connect(opts(s).withRequestTimeout(2000))) {
            for (int round = 0; round < 40; round++) {
                SocketChannel ch = s.next();
                assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
                CompletableFuture<List<String>> f = c.listDbs();
                s.read(ch);
                byte[] junk = new byte[rnd.nextInt(4096)];
                rnd.nextBytes(junk);
                String prefix = switch (round % 4) {
                    case 0 -> "";
                    case 1 -> "{\"id\":1,\"result\":";
                    case 2 -> "{\"method\":\"update\",\"params\":[";
                    default -> "[";
                };
                FakeServer.write(ch, prefix);
                ch.write(java.nio.ByteBuffer.wrap(junk));
                ch.close(); // whatever was sent, the peer then goes away
                assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOfAny(ConnectionException.class, RequestTimeoutException.class,
                                OvsdbServerException.class);
            }
        }
    }

    @Test
    void slowDripTimesOutAndServerEchoIsAnswered() throws Exception {
        try (FakeServer s = new FakeServer(); OvsdbClient c = OvsdbClients.connect(opts(s).withRequestTimeout(500))) {
            SocketChannel ch = s.next();
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            // the server's echo request gets an echo reply
            FakeServer.write(ch, "{\"method\":\"echo\",\"params\":[\"ping\"],\"id\":\"e1\"}");
            JsonNode reply = s.read(ch);
            assertThat(reply.get("id").asText()).isEqualTo("e1");
            assertThat(reply.get("result").toString()).isEqualTo("[\"ping\"]");
            CompletableFuture<List<String>> f = c.listDbs();
            s.read(ch);
            FakeServer.write(ch, "{\"id\":1,\"res"); // never finished
            assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(RequestTimeoutException.class);
            ch.close();
        }
    }

    @Test
    void peerThatStopsReadingDoesNotHangWriters() throws Exception {
        try (FakeServer s = new FakeServer();
                OvsdbClient c = OvsdbClients.connect(opts(s).withProbeInterval(0).withRequestTimeout(500))) {
            SocketChannel ch = s.next();
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            // 8 MiB request; the peer never reads, so the write blocks once the socket buffer is full
            String big = "x".repeat(8 << 20);
            CompletableFuture<JsonNode> f = CompletableFuture.supplyAsync(
                    () -> c.echo(JsonNodeFactory.instance.arrayNode().add(big)).join());
            assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                    .havingRootCause().isInstanceOfAny(ConnectionException.class, RequestTimeoutException.class);
            // the blocked writer was released: a new connection works
            SocketChannel ch2 = s.next();
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            ch.close();
            ch2.close();
        }
    }

    @Test
    void inactivityProbeDropsSilentPeer() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (FakeServer s = new FakeServer();
                OvsdbClient c = OvsdbClients.connect(opts(s).withProbeInterval(200).withRequestTimeout(0))) {
            c.addConnectionListener(new ConnectionListener() {
                @Override
                public void connected() {
                    events.add("up");
                }

                @Override
                public void disconnected(Throwable cause) {
                    events.add("down");
                }
            });
            SocketChannel ch = s.next();
            JsonNode probe = s.read(ch); // the client probes the idle connection with echo
            assertThat(probe.get("method").asText()).isEqualTo("echo");
            // no answer: the client gives up and reconnects
            SocketChannel second = s.next();
            assertThat(events).contains("down");
            ch.close();
            second.close();
        }
    }

    @Test
    void replicaFallsBackToMonitorCondThenMonitor() throws Exception {
        String schema = Files.readString(Path.of(TestOvsdb.SCHEMA));
        String br = "33333333-3333-3333-3333-333333333333";
        try (FakeServer s = new FakeServer(); OvsdbClient c = OvsdbClients.connect(opts(s))) {
            SocketChannel ch = s.next();
            Replica r = c.replica("Open_vSwitch", java.util.Map.of("Bridge", java.util.Set.of("name", "external_ids")));
            JsonNode gs = s.read(ch);
            FakeServer.write(ch, "{\"id\":" + gs.get("id") + ",\"result\":" + schema + ",\"error\":null}");
            JsonNode m1 = s.read(ch);
            assertThat(m1.get("method").asText()).isEqualTo("monitor_cond_since");
            FakeServer.write(ch, "{\"id\":" + m1.get("id") + ",\"result\":null,\"error\":\"unknown method\"}");
            JsonNode m2 = s.read(ch);
            assertThat(m2.get("method").asText()).isEqualTo("monitor_cond");
            FakeServer.write(ch, "{\"id\":" + m2.get("id") + ",\"result\":null,\"error\":{\"error\":\"unknown method\"}}");
            JsonNode m3 = s.read(ch);
            assertThat(m3.get("method").asText()).isEqualTo("monitor");
            assertThat(m3.get("params").get(2).get("Bridge").has("where")).isFalse();
            FakeServer.write(ch, "{\"id\":" + m3.get("id") + ",\"result\":{\"Bridge\":{\"" + br
                    + "\":{\"new\":{\"name\":\"a\",\"external_ids\":[\"map\",[[\"k\",\"v\"]]]}}}},\"error\":null}");
            assertThat(r.awaitSynced(Duration.ofSeconds(5))).isTrue();
            assertThat(r.monitorMethod()).isEqualTo("monitor");
            assertThat(r.byName("Bridge", "a").orElseThrow().getMap("external_ids")).containsEntry("k", "v");
            FakeServer.write(ch, "{\"method\":\"update\",\"params\":[" + m3.get("params").get(1) + ",{\"Bridge\":{\"" + br
                    + "\":{\"old\":{\"name\":\"a\"},\"new\":{\"name\":\"b\",\"external_ids\":[\"map\",[]]}}}}],\"id\":null}");
            ClientIT.waitFor(() -> r.byName("Bridge", "b").isPresent());
            assertThat(r.byName("Bridge", "a")).isEmpty();
            assertThat(r.byName("Bridge", "b").orElseThrow().getMap("external_ids")).isEmpty();
            FakeServer.write(ch, "{\"method\":\"update\",\"params\":[" + m3.get("params").get(1) + ",{\"Bridge\":{\"" + br
                    + "\":{\"old\":{\"name\":\"b\"}}}}],\"id\":null}");
            ClientIT.waitFor(() -> r.rows("Bridge").isEmpty());
            ch.close();
            r.close();
        }
    }

    @Test
    void replicaResumesWhenServerFindsTheTransaction() throws Exception {
        String schema = Files.readString(Path.of(TestOvsdb.SCHEMA));
        String br = "11111111-1111-1111-1111-111111111111";
        String br2 = "22222222-2222-2222-2222-222222222222";
        try (FakeServer s = new FakeServer(); OvsdbClient c = OvsdbClients.connect(opts(s).withReconnect(50, 50))) {
            SocketChannel ch = s.next();
            Replica r = c.replica("Open_vSwitch", java.util.Map.of("Bridge", java.util.Set.of("name")));
            JsonNode gs = s.read(ch);
            assertThat(gs.get("method").asText()).isEqualTo("get_schema");
            FakeServer.write(ch, "{\"id\":" + gs.get("id") + ",\"result\":" + schema + ",\"error\":null}");
            JsonNode m = s.read(ch);
            assertThat(m.get("method").asText()).isEqualTo("monitor_cond_since");
            assertThat(m.get("params").get(3).asText()).isEqualTo("00000000-0000-0000-0000-000000000000");
            FakeServer.write(ch, "{\"id\":" + m.get("id") + ",\"result\":[false,\"t1\",{\"Bridge\":{\"" + br
                    + "\":{\"initial\":{\"name\":\"a\"}}}}],\"error\":null}");
            assertThat(r.awaitSynced(Duration.ofSeconds(5))).isTrue();
            FakeServer.write(ch, "{\"method\":\"update3\",\"params\":[" + m.get("params").get(1) + ",\"t2\",{\"Bridge\":{\"" + br
                    + "\":{\"modify\":{\"name\":\"b\"}}}}],\"id\":null}");
            try { ClientIT.waitFor(() -> "t2".equals(r.lastTxnId())); } catch (AssertionError e) { throw new AssertionError("txn=" + r.lastTxnId() + " rows=" + r.rows("Bridge") + " conn=" + c.isConnected()); }
            List<RowEvent> seen = new CopyOnWriteArrayList<>();
            r.addListener(seen::addAll);
            ch.close();
            SocketChannel ch2 = s.next();
            JsonNode gs2 = s.read(ch2);
            FakeServer.write(ch2, "{\"id\":" + gs2.get("id") + ",\"result\":" + schema + ",\"error\":null}");
            JsonNode m2 = s.read(ch2);
            assertThat(m2.get("params").get(3).asText()).isEqualTo("t2");
            FakeServer.write(ch2, "{\"id\":" + m2.get("id") + ",\"result\":[true,\"t3\",{\"Bridge\":{\"" + br2
                    + "\":{\"insert\":{\"name\":\"c\"}}}}],\"error\":null}");
            ClientIT.waitFor(() -> r.resumes() == 1 && seen.stream().anyMatch(e -> e.type() == RowEvent.Type.INSERT));
            assertThat(r.fullSyncs()).isEqualTo(1);
            // only the change since t2 (the a->b modify may also be seen if it was still queued for delivery)
            assertThat(seen).filteredOn(e -> e.type() != RowEvent.Type.UPDATE).extracting(e -> e.type() + ":" + e.row().getString("name"))
                    .containsExactly("INSERT:c");
            assertThat(r.rows("Bridge")).extracting(x -> x.getString("name")).containsExactlyInAnyOrder("b", "c");
            assertThat(r.lastTxnId()).isEqualTo("t3");
            ch2.close();
            r.close();
        }
        assertThat(JsonNodeFactory.instance).isNotNull();
    }
}
