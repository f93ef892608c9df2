package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Memory of stalled subscribers: in a JVM of its own with {@code -Xmx256m}, 10 subscribers that take nothing (5
 * in-process listeners blocked in their first call, 5 socket clients that never read) while 1 MiB events (each a new
 * 1 MiB string) are published for {@code bus.memory.seconds} seconds (system property of this test's JVM; default
 * 10, the benchmark length is 60). With the default {@code queue.size} of 1024 events and no byte bound each stalled
 * subscriber would keep up to 1 GiB; with {@code queue.bytes} (default 8 MiB) there is no OutOfMemoryError and every
 * stalled subscriber has counted drops.
 */
@Timeout(600)
class QueueMemoryTest {
    static final int EVENT_CHARS = 1 << 20;
    static final int IN_PROCESS = 5;
    static final int SOCKET = 5;

    @Test
    void tenStalledSubscribersOfOneMebibyteEventsStayWithin256MiBAndCountTheirDrops() throws Exception {
        int seconds = Integer.getInteger("bus.memory.seconds", 10);
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-cp", cp,
                QueueMemoryTest.class.getName(), Integer.toString(seconds)).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(seconds + 120L, TimeUnit.SECONDS)).isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as(out).isZero();
        String last = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
        JsonNode r = new ObjectMapper().readTree(last);
        assertThat(r.get("maxHeapMiB").asLong()).as("the child really ran with -Xmx256m").isLessThanOrEqualTo(256);
        assertThat(r.get("error").asText()).isEmpty();
        long published = r.get("published").asLong();
        assertThat(published).as("enough events to fill 1024-event queues many times over").isGreaterThan(100);
        assertThat(r.get("stalled")).hasSize(IN_PROCESS + SOCKET);
        for (JsonNode s : r.get("stalled")) {
            assertThat(s.get("dropped").asLong()).as(s.toString()).isPositive();
            assertThat(s.get("dropped").asLong() + s.get("queued").asLong()).as(s.toString())
                    .isLessThanOrEqualTo(published);
            assertThat(s.get("queued").asLong()).as("8 MiB hold at most 8 events of 1 MiB").isLessThanOrEqualTo(8);
        }
        assertThat(r.get("connections").asInt()).as("the stalled clients are still connected").isEqualTo(SOCKET);
    }

    /**
     * The scenario, in the forked JVM: prints one JSON line with the results and exits 0, or exits non-zero
     * ({@code -XX:+ExitOnOutOfMemoryError}: 3) on an OutOfMemoryError.
     *
     * @param args the duration in seconds
     * @throws Exception on a failure of the scenario itself
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        ObjectMapper mapper = new ObjectMapper();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> error.compareAndSet(null, e));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "bus-mem-");
        Path sock = dir.resolve("bus.sock");
        CountDownLatch release = new CountDownLatch(1);
        List<AFUNIXSocket> clients = new ArrayList<>();
        long published = 0;
        BusEngine e = new BusEngine(Settings.of(Map.of("socket", sock.toString(), "heartbeat.seconds", "0")));
        try {
            e.start();
            for (int i = 0; i < IN_PROCESS; i++) {
                e.subscribe("stalled-" + i, List.of("mem.>"), ev -> {
                    try {
                        release.await();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (int i = 0; i < SOCKET; i++) {
                AFUNIXSocket c = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock));
                clients.add(c);
                OutputStream out = c.getOutputStream();
                out.write(("{\"op\":\"sub\",\"id\":\"m\",\"pattern\":\"mem.>\"}\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = c.getInputStream();
                byte[] ok = new byte[64];
                int n = in.read(ok); // the ok; after it, this client never reads again
                if (n <= 0 || !new String(ok, 0, n, StandardCharsets.UTF_8).contains("\"ok\"")) {
                    throw new IOException("no ok for the subscription");
                }
            }
            char[] chars = new char[EVENT_CHARS];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Origin origin = Origin.bundle("memory-test");
            while (System.nanoTime() < end && error.get() == null) {
                Arrays.fill(chars, (char) ('a' + published % 26));
                ObjectNode payload = mapper.createObjectNode();
                payload.set("data", TextNode.valueOf(new String(chars))); // a new 1 MiB string per event
                e.publish(origin, "mem.event", payload, null);
                published++;
            }
            BusStats st = e.stats();
            System.gc();
            ObjectNode r = mapper.createObjectNode();
            r.put("seconds", seconds);
            r.put("published", published);
            r.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
            r.put("heapUsedAfterGcMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
            r.put("error", error.get() == null ? "" : String.valueOf(error.get()));
            r.put("connections", st.connections().size());
            var stalled = r.putArray("stalled");
            for (BusStats.SubscriberStats s : st.subscribers()) {
                stalled.addObject().put("owner", s.owner()).put("delivered", s.delivered()).put("dropped", s.dropped())
                        .put("queued", s.queued());
            }
            System.out.println(r);
        } finally {
            release.countDown();
            for (AFUNIXSocket c : clients) {
                c.close();
            }
            e.close();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
        System.exit(0);
    }
}
