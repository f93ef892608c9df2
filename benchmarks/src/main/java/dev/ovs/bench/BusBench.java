package dev.ovs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.client.BusClient;
import dev.ovs.bus.embedded.EmbeddedBus;
import dev.ovs.itests.harness.ShortTempDir;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Event bus, 128-byte payloads, 1 publisher to 1 and to 10 subscribers: the bus engine in this JVM
 * (in-process, {@link EmbeddedBus}: the bundle's engine outside OSGi, no socket, no heartbeat), the packaged
 * appliance's bus socket (sandbox mode; one {@link BusClient}
 * connection per publisher and per subscriber, all in this JVM), and in the same run {@code nats-server}
 * (127.0.0.1, a free port) with the official Java client (jnats, one connection per publisher and per
 * subscriber, a dispatcher each).
 *
 * <p>Throughput: {@link #N} messages (after a 10 % warm-up) published as fast as the slowest subscriber takes
 * them, with at most {@link #WINDOW} messages in flight (the bus drops the oldest beyond its queue of 1024, NATS
 * does not; the window keeps both lossless, so the figures compare delivered messages). Latency: one message at
 * a time, µs from just before publish to the subscriber's callback (publisher and subscribers share this JVM's
 * clock), every subscriber's sample counted.
 */
final class BusBench {
    private static final String TOPIC = "bench.msg";
    private static final int PAYLOAD = 128;
    private static final int N = 100_000;
    private static final int N_INPROC = 400_000;
    private static final int WINDOW = 512;
    private static final int PASSES = 3;
    private static final int LAT_WARMUP = 500;
    private static final int LAT_N = 3000;
    private static final long CAP_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final String PAD;

    static {
        // {"t":"<19 digits>","p":"<pad>"} is exactly PAYLOAD bytes
        PAD = "x".repeat(PAYLOAD - "{\"t\":\"\",\"p\":\"\"}".length() - 19);
    }

    private final Path dist;
    private final ObjectMapper mapper = new ObjectMapper();

    BusBench(Path dist) {
        this.dist = dist;
    }

    /** Counts deliveries of one subscriber and records latencies while asked to. */
    static final class Recorder {
        final AtomicLong count = new AtomicLong();
        volatile long[] lat;
        volatile long latBase;

        void received(long sentNanos) {
            long now = System.nanoTime();
            long[] l = lat;
            if (l != null) {
                long k = count.get() - latBase;
                if (k >= 0 && k < l.length) {
                    l[(int) k] = now - sentNanos;
                }
            }
            count.incrementAndGet();
        }
    }

    /** One transport: a publisher and subscriber factory. */
    interface Transport extends AutoCloseable {
        void publish(long sentNanos) throws Exception;

        AutoCloseable subscribe(Recorder r) throws Exception;

        /** Makes sure everything published so far is on its way (flush). */
        default void flush() throws Exception {
        }
    }

    record Result(String transport, int subs, double msgsPerSec, double deliveriesPerSec, long lost, boolean capped,
            double p50, double p99) {
    }

    String run() throws Exception {
        List<Result> results = new ArrayList<>();
        String natsProblem = null;
        String socketProblem = null;
        // in-process
        for (int pass = 0; pass < PASSES; pass++) {
            for (int subs : new int[] {1, 10}) {
                try (EmbeddedBus e = EmbeddedBus.start(Map.of("queue.size", 1024), "bench")) {
                    results.add(measure("in-process", subs, N_INPROC, new Transport() {
                        public void publish(long t) {
                            e.publish(TOPIC, payload(t), null);
                        }

                        public AutoCloseable subscribe(Recorder r) {
                            return e.subscribe(TOPIC, ev -> r.received(sent(ev)));
                        }

                        public void close() {
                        }
                    }));
                }
            }
        }
        Process nats = null;
        try (ShortTempDir tmp = ShortTempDir.create()) {
            String url = null;
            try {
                int port = freePort();
                nats = new ProcessBuilder("nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port))
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("nats.log").toFile())
                        .redirectInput(new File("/dev/null")).start();
                awaitPort(nats, port);
                url = "nats://127.0.0.1:" + port;
            } catch (IOException e) {
                natsProblem = "not measured: cannot start nats-server (" + e.getMessage() + ")";
            }
            // the appliance's bus socket as shipped and NATS, alternating; then the appliance with the C2 JIT
            try (Sandbox sbx = new Sandbox(dist, tmp.resolve("sbx"), null)) {
                Path sock = awaitBus(sbx);
                for (int pass = 0; pass < PASSES; pass++) {
                    for (int subs : new int[] {1, 10}) {
                        results.add(socketRun("socket", sock, subs));
                        if (url != null) {
                            results.add(natsRun(url, subs));
                        }
                    }
                }
            } catch (Exception e) {
                socketProblem = "not measured: " + e;
            }
            try (Sandbox sbx = new Sandbox(dist, tmp.resolve("sbx2"), Sandbox.C2_OPTS)) {
                Path sock = awaitBus(sbx);
                for (int pass = 0; pass < PASSES; pass++) {
                    for (int subs : new int[] {1, 10}) {
                        results.add(socketRun("socket-c2", sock, subs));
                    }
                }
            } catch (Exception e) {
                socketProblem = "not measured: " + e;
            }
        } finally {
            if (nats != null) {
                nats.destroy();
                if (!nats.waitFor(10, TimeUnit.SECONDS)) {
                    nats.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        return table(best(results), socketProblem, natsProblem);
    }

    /** Per transport and subscriber count, the best figure of the passes (each figure on its own). */
    private static List<Result> best(List<Result> all) {
        List<Result> out = new ArrayList<>();
        for (Result r : all) {
            Result b = find(out, r.transport, r.subs);
            if (b == null) {
                out.add(r);
            } else {
                out.set(out.indexOf(b), new Result(r.transport, r.subs, Math.max(b.msgsPerSec, r.msgsPerSec),
                        Math.max(b.deliveriesPerSec, r.deliveriesPerSec), Math.max(b.lost, r.lost), b.capped || r.capped,
                        Math.min(b.p50, r.p50), Math.min(b.p99, r.p99)));
            }
        }
        return out;
    }

    private static Path awaitBus(Sandbox sbx) throws Exception {
        Path sock = sbx.busSocket();
        sbx.await("bus socket " + sock, 120, () -> {
            try (BusClient c = BusClient.connect(sock)) {
                c.ping(Duration.ofSeconds(5));
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
        return sock;
    }

    private Result socketRun(String name, Path sock, int subs) throws Exception {
        try (BusClient pub = BusClient.connect(sock)) {
            byte[] template = payload(0).toString().getBytes(StandardCharsets.UTF_8);
            return measure(name, subs, N, new Transport() {
                public void publish(long t) throws IOException {
                    // the same pre-serialised 128 bytes as the NATS publisher sends
                    byte[] b = template.clone();
                    writeDigits(b, t);
                    pub.publishJson(TOPIC, b, null);
                }

                public AutoCloseable subscribe(Recorder r) throws IOException {
                    BusClient c = BusClient.connect(sock);
                    // the payload bytes, as the NATS subscriber reads them (no tree)
                    c.subscribe(TOPIC, ev -> r.received(parseDigits(ev.payloadJson())));
                    return c;
                }

                public void close() {
                }
            });
        }
    }

    private Result natsRun(String url, int subs) throws Exception {
        try (Connection pub = natsConnect(url)) {
            byte[] template = payload(0).toString().getBytes(StandardCharsets.UTF_8);
            return measure("nats", subs, N, new Transport() {
                public void publish(long t) {
                    byte[] b = template.clone();
                    writeDigits(b, t);
                    pub.publish(TOPIC, b);
                }

                public AutoCloseable subscribe(Recorder r) throws Exception {
                    Connection c = natsConnect(url);
                    Dispatcher d = c.createDispatcher(m -> r.received(parseDigits(m.getData())));
                    d.subscribe(TOPIC);
                    c.flush(Duration.ofSeconds(5));
                    return c;
                }

                public void flush() throws Exception {
                    pub.flush(Duration.ofSeconds(10));
                }

                public void close() {
                }
            });
        }
    }

    private String table(List<Result> results, String socketProblem, String natsProblem) {
        StringBuilder t = new StringBuilder();
        t.append("### Event bus: 128-byte payloads, 1 publisher → 1 and → 10 subscribers\n\n");
        t.append(String.format("Best of %d passes per figure (socket bus and NATS alternate). Throughput: %,d messages (%,d in-process) after a 10 %% warm-up, at most %d in flight "
                + "(lossless for both: the bus drops the oldest beyond its queue of 1024); msgs/s published and "
                + "deliveries/s summed over subscribers. Latency: %,d messages one at a time after %d warm-up, µs from "
                + "publish to each subscriber's callback. Publisher and subscribers: one connection each, in the bench "
                + "JVM. Socket bus = the packaged appliance in sandbox mode (bin/patchbay's default JVM options: C1 only, "
                + "Serial GC; the C2 rows: `JAVA_OPTS=\"" + Sandbox.C2_OPTS + "\"`), `BusClient` (Unix socket, JSON lines; "
                + "the publisher sends the payload bytes with `publishJson` and subscribers read them with `Event.payloadJson()`, "
                + "as the NATS publisher and subscribers do with theirs); NATS = nats-server %s on 127.0.0.1 (TCP), jnats 2.22.0.%n%n",
                PASSES, N, N_INPROC, WINDOW, LAT_N, LAT_WARMUP, natsVersion()));
        t.append("| transport | subs | msgs/s | deliveries/s | lost | p50 µs | p99 µs |\n|---|---:|---:|---:|---:|---:|---:|\n");
        List<Result> ordered = new ArrayList<>();
        for (String tr : List.of("in-process", "socket", "socket-c2", "nats")) {
            for (int subs : new int[] {1, 10}) {
                Result r = find(results, tr, subs);
                if (r != null) {
                    ordered.add(r);
                }
            }
        }
        for (Result r : ordered) {
            String name = switch (r.transport) {
                case "in-process" -> "bus, in-process (`EventBus` engine, listener callbacks)";
                case "socket" -> "**bus over the Unix socket** (appliance as shipped, `BusClient`)";
                case "socket-c2" -> "bus over the Unix socket, appliance with the C2 JIT";
                default -> "NATS (nats-server + jnats)";
            };
            t.append(String.format("| %s | %d | %s%s | %s | %d | %s | %s |%n", name, r.subs, Stats.rate(r.msgsPerSec),
                    r.capped ? " (capped at 20 s)" : "", Stats.rate(r.deliveriesPerSec), r.lost, Stats.us(r.p50), Stats.us(r.p99)));
        }
        if (socketProblem != null) {
            t.append("| bus over the Unix socket | – | ").append(socketProblem).append(" | – | – | – | – |\n");
        }
        if (natsProblem != null) {
            t.append("| NATS | – | ").append(natsProblem).append(" | – | – | – | – |\n");
        }
        t.append("\nTarget (issue 3): the socket bus at or above NATS throughput and at or below its p99 —");
        for (int subs : new int[] {1, 10}) {
            Result s = find(results, "socket", subs);
            Result n = find(results, "nats", subs);
            if (s == null || n == null) {
                t.append(String.format(" 1→%d: not measured;", subs));
                continue;
            }
            t.append(String.format(" 1→%d: throughput %.2f× NATS (%s), p99 %.2f× NATS (%s);", subs,
                    s.msgsPerSec / n.msgsPerSec, s.msgsPerSec >= n.msgsPerSec ? "met" : "NOT met", s.p99 / n.p99,
                    s.p99 <= n.p99 ? "met" : "NOT met"));
        }
        t.setLength(t.length() - 1);
        t.append(".\n");
        return t.toString();
    }

    private static Result find(List<Result> rs, String transport, int subs) {
        return rs.stream().filter(r -> r.transport.equals(transport) && r.subs == subs).findFirst().orElse(null);
    }

    private Result measure(String name, int subs, int n, Transport tr) throws Exception {
        List<Recorder> recs = new ArrayList<>();
        List<AutoCloseable> handles = new ArrayList<>();
        try {
            for (int i = 0; i < subs; i++) {
                Recorder r = new Recorder();
                recs.add(r);
                handles.add(tr.subscribe(r));
            }
            // warm-up + throughput
            long sent = 0;
            sent = pump(tr, recs, sent, n / 10, Long.MAX_VALUE);
            tr.flush();
            awaitAll(recs, sent, 10);
            long deliveredBefore = sumCount(recs);
            long t0 = System.nanoTime();
            long deadline = t0 + CAP_NANOS;
            long sentAfter = pump(tr, recs, sent, n, deadline);
            boolean capped = sentAfter - sent < n;
            tr.flush();
            awaitAll(recs, sentAfter, 10);
            double secs = (System.nanoTime() - t0) / 1e9;
            long published = sentAfter - sent;
            long delivered = sumCount(recs) - deliveredBefore;
            long lost = published * subs - delivered;
            sent = sentAfter;
            // latency: one at a time
            long[][] lats = new long[subs][];
            for (int k = -LAT_WARMUP; k < LAT_N; k++) {
                if (k == 0) {
                    for (int i = 0; i < subs; i++) {
                        Recorder r = recs.get(i);
                        lats[i] = new long[LAT_N];
                        r.latBase = r.count.get();
                        r.lat = lats[i];
                    }
                }
                tr.publish(System.nanoTime());
                sent++;
                tr.flush();
                awaitAll(recs, sent, 10);
            }
            for (Recorder r : recs) {
                r.lat = null;
            }
            long[] all = new long[subs * LAT_N];
            for (int i = 0; i < subs; i++) {
                System.arraycopy(lats[i], 0, all, i * LAT_N, LAT_N);
            }
            return new Result(name, subs, published / secs, delivered / secs, Math.max(0, lost), capped,
                    Stats.percentileMicros(all, 50), Stats.percentileMicros(all, 99));
        } finally {
            for (AutoCloseable h : handles) {
                try {
                    h.close();
                } catch (Exception e) {
                    // closing
                }
            }
        }
    }

    /** Publishes until {@code target} more messages were sent (or the deadline), keeping at most WINDOW in flight. */
    private static long pump(Transport tr, List<Recorder> recs, long sent, long target, long deadline) throws Exception {
        long end = sent + target;
        long min = minCount(recs);
        while (sent < end) {
            if (sent - min >= WINDOW) {
                tr.flush();
                min = minCount(recs);
                while (sent - min >= WINDOW) {
                    LockSupport.parkNanos(20_000);
                    min = minCount(recs);
                    if (System.nanoTime() > deadline) {
                        return sent;
                    }
                }
            }
            tr.publish(System.nanoTime());
            sent++;
            if ((sent & 1023) == 0 && System.nanoTime() > deadline) {
                break;
            }
        }
        return sent;
    }

    private static void awaitAll(List<Recorder> recs, long sent, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (minCount(recs) < sent) {
            if (System.nanoTime() > deadline) {
                return; // counted as lost
            }
            Thread.onSpinWait();
            LockSupport.parkNanos(2_000);
        }
    }

    private static long minCount(List<Recorder> recs) {
        long m = Long.MAX_VALUE;
        for (Recorder r : recs) {
            m = Math.min(m, r.count.get());
        }
        return m;
    }

    private static long sumCount(List<Recorder> recs) {
        long s = 0;
        for (Recorder r : recs) {
            s += r.count.get();
        }
        return s;
    }

    private ObjectNode payload(long t) {
        ObjectNode o = mapper.createObjectNode();
        o.put("t", String.format("%019d", t));
        o.put("p", PAD);
        return o;
    }

    private static long sent(Event e) {
        return Long.parseLong(e.payload().get("t").asText());
    }

    /** Writes t as 19 digits at offset 6 of a payload template ({"t":"...). */
    static void writeDigits(byte[] b, long t) {
        for (int i = 6 + 18; i >= 6; i--) {
            b[i] = (byte) ('0' + t % 10);
            t /= 10;
        }
    }

    static long parseDigits(byte[] b) {
        long t = 0;
        for (int i = 6; i < 6 + 19; i++) {
            t = t * 10 + (b[i] - '0');
        }
        return t;
    }

    private static Connection natsConnect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(Process p, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("nats-server did not listen on 127.0.0.1:" + port, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static String natsVersion() {
        try {
            return Stats.run(List.of("nats-server", "--version"), 10).trim().replace("nats-server: ", "");
        } catch (Exception e) {
            return "?";
        }
    }
}
