package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BusEngineTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<BusEngine> engines = new ArrayList<>();

    private BusEngine engine(int queue) {
        BusEngine e = new BusEngine(Settings.of("", "", queue, 0, true));
        e.start();
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(BusEngine::close);
    }

    static void await(BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached within 20 s");
            }
            Thread.sleep(5);
        }
    }

    /** A listener that records payload field {@code n}, signals {@code entered} and waits for {@code release}. */
    private static EventListener blocking(List<Integer> got, CountDownLatch entered, CountDownLatch release) {
        return e -> {
            got.add(e.payload().get("n").asInt());
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private ObjectNode n(int i) {
        return mapper.createObjectNode().put("n", i);
    }

    @Test
    void deliversMatchingEventsWithAllFields() throws Exception {
        BusEngine bus = engine(16);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        bus.subscribe("bundle.x", List.of("ovsdb.bridge.*.added"), got::add);
        long before = System.currentTimeMillis();
        bus.publish(Origin.bundle("bundle.y"), "ovsdb.bridge.br0.added", n(1), null);
        bus.publish(Origin.bundle("bundle.y"), "ovsdb.bridge.br0.removed", n(2), null);
        bus.publish(Origin.bundle("bundle.y"), "ovsdb.bridge.br%2E1.added", n(3), "custom");
        Event e1 = got.poll(10, TimeUnit.SECONDS);
        Event e3 = got.poll(10, TimeUnit.SECONDS);
        assertThat(e1.topic()).isEqualTo("ovsdb.bridge.br0.added");
        assertThat(e1.type()).isEqualTo("added");
        assertThat(e1.payload().get("n").asInt()).isEqualTo(1);
        assertThat(e1.source()).isEqualTo("bundle.y");
        assertThat(e1.timestamp()).isBetween(before, System.currentTimeMillis());
        assertThat(e3.type()).isEqualTo("custom");
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(bus.stats().published()).isEqualTo(3);
    }

    @Test
    void typeDefaultsToDecodedLastToken() throws Exception {
        BusEngine bus = engine(16);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        bus.subscribe("t", List.of(">"), got::add);
        bus.publish(Origin.bundle("t"), "a.b%2Ec", (ObjectNode) null, null);
        Event e = got.poll(10, TimeUnit.SECONDS);
        assertThat(e.type()).isEqualTo("b.c");
        assertThat(e.payload().isNull()).isTrue();
    }

    @Test
    void mapPayloadAndDefensiveCopy() throws Exception {
        BusEngine bus = engine(16);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        bus.subscribe("t", List.of("a.>"), got::add);
        Map<String, Object> m = new HashMap<>();
        m.put("name", "br0");
        m.put("ports", List.of(1, 2));
        bus.publish(Origin.bundle("t"), "a.map", m, "x");
        ObjectNode p = n(1);
        bus.publish(Origin.bundle("t"), "a.node", p, "x");
        p.put("n", 99);
        assertThat(got.poll(10, TimeUnit.SECONDS).payload().toString()).contains("\"name\":\"br0\"", "\"ports\":[1,2]");
        assertThat(got.poll(10, TimeUnit.SECONDS).payload().get("n").asInt()).isEqualTo(1);
    }

    @Test
    void invalidInputIsRejectedBeforeAnySideEffect() {
        BusEngine bus = engine(16);
        assertThatThrownBy(() -> bus.publish(Origin.bundle("t"), "a.*", n(1), null)).hasMessageStartingWith("topic: ");
        assertThatThrownBy(() -> bus.publish(Origin.bundle("t"), "a..b", n(1), null)).hasMessageStartingWith("topic: ");
        assertThatThrownBy(() -> bus.publish(Origin.bundle("t"), "a", n(1), "x".repeat(300))).hasMessageStartingWith("type: ");
        assertThatThrownBy(() -> bus.subscribe("t", List.of("a.>.b"), e -> { })).hasMessageStartingWith("pattern: ");
        assertThatThrownBy(() -> bus.subscribe("t", List.of("a"), null)).hasMessageStartingWith("listener: ");
        assertThat(bus.stats().published()).isZero();
        assertThat(bus.stats().subscribers()).isEmpty();
    }

    @Test
    void backpressureDropsOldestWithExactCount() throws Exception {
        BusEngine bus = engine(4);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> got = new CopyOnWriteArrayList<>();
        Subscription s = bus.subscribe("t", List.of("q"), blocking(got, entered, release));
        bus.publish(Origin.bundle("t"), "q", n(0), null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 7; i++) {
            bus.publish(Origin.bundle("t"), "q", n(i), null);
        }
        // e0 in the listener, queue of 4 holds e4..e7, e1..e3 dropped
        assertThat(s.dropped()).isEqualTo(3);
        assertThat(s.queued()).isEqualTo(4);
        release.countDown();
        await(() -> s.delivered() == 5);
        assertThat(got).containsExactly(0, 4, 5, 6, 7);
        BusStats st = bus.stats();
        assertThat(st.dropped()).isEqualTo(3);
        assertThat(st.delivered()).isEqualTo(5);
        assertThat(st.subscribers()).singleElement().satisfies(x -> {
            assertThat(x.dropped()).isEqualTo(3);
            assertThat(x.delivered()).isEqualTo(5);
            assertThat(x.queued()).isZero();
        });
    }

    @Test
    void queuesAreBoundedInBytesTooAndTheNewestEventIsAlwaysKept() throws Exception {
        BusEngine bus = new BusEngine(Settings.of(Map.of("socket", "", "heartbeat.seconds", 0, "queue.bytes", 64 * 1024)));
        bus.start();
        engines.add(bus);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> got = new CopyOnWriteArrayList<>();
        Subscription s = bus.subscribe("t", List.of("big.>"), blocking(got, entered, release));
        String pad = "x".repeat(10_000);
        bus.publish(Origin.bundle("t"), "big.e", n(0).put("pad", pad), null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 100; i++) {
            bus.publish(Origin.bundle("t"), "big.e", n(i).put("pad", pad), null);
            assertThat(s.queued()).as("64 KiB hold six events of about 10 KiB").isLessThanOrEqualTo(6);
        }
        assertThat(s.queued()).isEqualTo(6);
        assertThat(s.dropped()).isEqualTo(100 - 6);
        // one event larger than the bound: it alone is kept
        bus.publish(Origin.bundle("t"), "big.e", n(101).put("pad", "y".repeat(100_000)), null);
        assertThat(s.queued()).isEqualTo(1);
        assertThat(s.dropped()).isEqualTo(100);
        release.countDown();
        await(() -> s.delivered() == 2);
        assertThat(got).containsExactly(0, 101);
        assertThat(bus.stats().dropped()).isEqualTo(100);
    }

    @Test
    void treeSizesAreEstimatedAsTheirJsonLength() throws Exception {
        for (String json : List.of("null", "true", "12345", "-7", "1.5e300", "\"abc\"", "[1,2,[3]]", "{}",
                "{\"a\":{\"b\":[true,false,null]},\"cc\":\"x\"}")) {
            long actual = mapper.writeValueAsBytes(mapper.readTree(json)).length;
            assertThat(Msg.estimate(mapper.readTree(json))).as(json).isBetween(actual, actual + 24);
        }
        Msg text = Msg.ofText(mapper, "a.b", "b", 1, Origin.socket(0, 0, 1), Msg.head("a.b", "b"),
                Msg.tail("unix:pid=1,uid=0,gid=0"), "{\"k\":1}".getBytes(StandardCharsets.UTF_8), 0, 7);
        assertThat(text.size()).isEqualTo(text.body().length);
    }

    @Test
    void orderIsPreservedPerSubscriber() throws Exception {
        BusEngine bus = engine(100_000);
        int count = 20_000;
        List<List<Integer>> lists = new ArrayList<>();
        List<Subscription> subs = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            List<Integer> l = Collections.synchronizedList(new ArrayList<>());
            lists.add(l);
            subs.add(bus.subscribe("t", List.of(k % 2 == 0 ? "o.>" : "o.*"), e -> l.add(e.payload().get("n").asInt())));
        }
        for (int i = 0; i < count; i++) {
            bus.publish(Origin.bundle("t"), "o.x", n(i), null);
        }
        await(() -> subs.stream().allMatch(s -> s.delivered() == count));
        for (List<Integer> l : lists) {
            assertThat(l).hasSize(count);
            for (int i = 0; i < count; i++) {
                if (l.get(i) != i) {
                    throw new AssertionError("out of order at " + i + ": " + l.get(i));
                }
            }
        }
        assertThat(subs).allSatisfy(s -> assertThat(s.dropped()).isZero());
    }

    @Test
    void stuckSubscriberBlocksNeitherPublisherNorOthers() throws Exception {
        BusEngine bus = engine(100);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Subscription stuck = bus.subscribe("t", List.of("s.>"), e -> {
            entered.countDown();
            try {
                never.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        List<Integer> fastGot = Collections.synchronizedList(new ArrayList<>());
        Subscription fast = bus.subscribe("t", List.of("s.*"), e -> fastGot.add(e.payload().get("n").asInt()));
        bus.publish(Origin.bundle("t"), "s.x", n(0), null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        int total = 1;
        for (int batch = 0; batch < 100; batch++) {
            for (int i = 0; i < 50; i++) {
                bus.publish(Origin.bundle("t"), "s.x", n(total++), null);
            }
            int expect = total;
            await(() -> fast.delivered() == expect);
        }
        assertThat(fastGot).hasSize(total);
        assertThat(fast.dropped()).isZero();
        // the stuck one holds e0 in its listener and the newest 100 in its queue: the rest was dropped
        assertThat(stuck.delivered()).isZero();
        assertThat(stuck.queued()).isEqualTo(100);
        assertThat(stuck.dropped()).isEqualTo(total - 1 - 100);
        never.countDown();
    }

    @Test
    void multiPatternSubscriberGetsAnEventOnce() throws Exception {
        BusEngine bus = engine(16);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        bus.subscribe("t", List.of("a.>", "a.b", "*.b"), got::add);
        bus.publish(Origin.bundle("t"), "a.b", n(1), null);
        bus.publish(Origin.bundle("t"), "z.z", n(2), null);
        bus.publish(Origin.bundle("t"), "a.c", n(3), null);
        assertThat(got.poll(10, TimeUnit.SECONDS).payload().get("n").asInt()).isEqualTo(1);
        assertThat(got.poll(10, TimeUnit.SECONDS).payload().get("n").asInt()).isEqualTo(3);
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void closedSubscriptionReceivesNothingAndListenerExceptionsAreContained() throws Exception {
        BusEngine bus = engine(16);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        Subscription thrower = bus.subscribe("t", List.of("x"), e -> {
            throw new IllegalStateException("boom");
        });
        Subscription s = bus.subscribe("t", List.of("x"), got::add);
        bus.publish(Origin.bundle("t"), "x", n(1), null);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        await(() -> thrower.delivered() == 1);
        s.close();
        s.close();
        assertThat(s.isClosed()).isTrue();
        bus.publish(Origin.bundle("t"), "x", n(2), null);
        await(() -> thrower.delivered() == 2);
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(bus.stats().subscribers()).extracting(BusStats.SubscriberStats::id).containsExactly(thrower.id());
    }

    @Test
    void nullBusDropsEverythingAndNothingBreaks() {
        BusEngine bus = new BusEngine(Settings.of("/tmp/never-bound.sock", "", 16, 1, false));
        bus.start();
        engines.add(bus);
        List<Event> got = new CopyOnWriteArrayList<>();
        Subscription s = bus.subscribe("t", List.of(">"), got::add);
        bus.publish(Origin.bundle("t"), "a.b", n(1), null);
        assertThatThrownBy(() -> bus.publish(Origin.bundle("t"), "a.*", n(1), null)).hasMessageStartingWith("topic: ");
        assertThat(got).isEmpty();
        assertThat(s.delivered()).isZero();
        BusStats st = bus.stats();
        assertThat(st.enabled()).isFalse();
        assertThat(st.published()).isZero();
        assertThat(st.socket()).isEmpty();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/never-bound.sock"))).isFalse();
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith(BusEngine.THREAD_PREFIX));
    }

    @Test
    void heartbeatIsPublished() throws Exception {
        BusEngine bus = new BusEngine(Settings.of("", "", 16, 1, true));
        bus.start();
        engines.add(bus);
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        bus.subscribe("t", List.of("system.bus.health"), got::add);
        Event e = got.poll(15, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.source()).isEqualTo("bus");
        assertThat(e.payload().get("ts").asLong()).isPositive();
        assertThat(e.payload().has("uptime_s")).isTrue();
        assertThat(e.payload().get("uptime_s").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void settingsValidationNamesTheKey() {
        assertThatThrownBy(() -> Settings.of("relative/bus.sock", "", 16, 1, true)).hasMessageStartingWith("socket: ");
        assertThatThrownBy(() -> Settings.of("/" + "x".repeat(120), "", 16, 1, true)).hasMessageStartingWith("socket: ");
        assertThatThrownBy(() -> Settings.of("/tmp/b.sock", "no-such-group-xyz", 16, 1, true)).hasMessageStartingWith("group: ");
        assertThatThrownBy(() -> Settings.of("/tmp/b.sock", "", 0, 1, true)).hasMessageStartingWith("queue.size: ");
        assertThatThrownBy(() -> Settings.of("/tmp/b.sock", "", 16, -1, true)).hasMessageStartingWith("heartbeat.seconds: ");
        assertThat(Settings.of("", "", 16, 0, true).socket()).isNull();
        assertThatThrownBy(() -> Settings.of(Map.of("queue.bytes", "1023"))).hasMessage(
                "queue.bytes: must be between 1024 and 1073741824, got 1023");
        assertThatThrownBy(() -> Settings.of(Map.of("queue.bytes", "8M"))).hasMessage(
                "queue.bytes: must be an integer, got '8M'");
        assertThatThrownBy(() -> Settings.of(Map.of("enabled", "yes"))).hasMessage(
                "enabled: must be true or false, got 'yes'");
        assertThat(Settings.of(Map.of("socket", "")).queueBytes()).isEqualTo(8 << 20);
        assertThat(Settings.of(Map.of("socket", "", "queue.bytes", 4096)).queueBytes()).isEqualTo(4096);
    }

    @Test
    void threadsStopOnClose() throws Exception {
        for (int i = 0; i < 20; i++) {
            BusEngine bus = new BusEngine(Settings.of("", "", 16, 1, true));
            bus.start();
            CountDownLatch c = new CountDownLatch(1);
            bus.subscribe("t", List.of("x"), e -> c.countDown());
            bus.publish(Origin.bundle("t"), "x", n(1), null);
            assertThat(c.await(10, TimeUnit.SECONDS)).isTrue();
            bus.close();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith(BusEngine.THREAD_PREFIX));
    }
}
