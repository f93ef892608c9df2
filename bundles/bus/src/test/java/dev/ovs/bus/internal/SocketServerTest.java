package dev.ovs.bus.internal;

import static dev.ovs.bus.internal.BusEngineTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.cli.BusCommandLine;
import dev.ovs.bus.client.BusClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

@Timeout(120)
class SocketServerTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Path dir;
    private Path sock;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bus-test-");
        sock = dir.resolve("run/bus.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BusEngine start(int queue, String group) {
        BusEngine e = new BusEngine(Settings.of(sock.toString(), group, queue, 0, true));
        e.start();
        closeables.add(e);
        assertThat(e.stats().socketError()).isEmpty();
        return e;
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @Test
    void socketFileHasMode0660AndIsRemovedOnClose() throws Exception {
        BusEngine e = start(16, "");
        assertThat(Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        assertThat(Files.readAttributes(sock, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther()).isTrue();
        try (var l = Files.list(sock.getParent())) {
            assertThat(l).containsExactly(sock);
        }
        assertThat(e.stats().socket()).isEqualTo(sock.toString());
        e.close();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void socketFileGetsTheConfiguredGroup() throws Exception {
        String group = otherGroup();
        start(16, group);
        PosixFileAttributes a = Files.readAttributes(sock, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(a.group().getName()).isEqualTo(group);
        assertThat(a.permissions()).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    }

    /** A group that exists and is not the process's primary group, so chgrp is observable. */
    private static String otherGroup() throws IOException {
        String mine = Files.readAttributes(Files.createTempFile("g", ".x"), PosixFileAttributes.class).group().getName();
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String name = line.split(":")[0];
            if (!name.isEmpty() && !name.equals(mine)) {
                return name;
            }
        }
        throw new AssertionError("no second group in /etc/group");
    }

    @Test
    void roundTripInProcessClientBothDirections() throws Exception {
        BusEngine e = start(16, "");
        try (BusClient c = BusClient.connect(sock)) {
            LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
            Subscription s = c.subscribe("x.>", got::add);
            LinkedBlockingQueue<Event> local = new LinkedBlockingQueue<>();
            e.subscribe("t", List.of("y.*"), local::add);
            e.publish(Origin.bundle("bundle.a"), "x.a.b", mapper.readTree("{\"k\":[1,2]}"), "t1");
            Event ev = got.poll(10, TimeUnit.SECONDS);
            assertThat(ev.topic()).isEqualTo("x.a.b");
            assertThat(ev.type()).isEqualTo("t1");
            assertThat(ev.source()).isEqualTo("bundle.a");
            assertThat(ev.payload().toString()).isEqualTo("{\"k\":[1,2]}");
            c.publishAndWait("y.z", mapper.readTree("\"str\""), null, Duration.ofSeconds(10));
            Event lv = local.poll(10, TimeUnit.SECONDS);
            assertThat(lv.payload().asText()).isEqualTo("str");
            assertThat(lv.type()).isEqualTo("z");
            assertThat(lv.source()).isEqualTo("unix:pid=" + ProcessHandle.current().pid() + ",uid=" + uid() + ",gid=" + gid());
            assertThatThrownBy(() -> c.subscribe("a.>.b", x -> { })).hasMessageStartingWith("pattern: ");
            s.close();
            c.ping(Duration.ofSeconds(10));
            e.publish(Origin.bundle("bundle.a"), "x.a.c", (JsonNode) null, null);
            c.ping(Duration.ofSeconds(10));
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
            BusStats st = e.stats();
            assertThat(st.connections()).singleElement().satisfies(cs -> {
                assertThat(cs.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(cs.uid()).isEqualTo(uid());
                assertThat(cs.subscriptions()).isZero();
            });
        }
    }

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static long gid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
    }

    private Process client(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp, BusCommandLine.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        processes.add(p);
        return p;
    }

    @Test
    void roundTripBetweenTwoOsProcesses() throws Exception {
        BusEngine e = start(64, "");
        // 1) another process subscribes; this one publishes
        Process sub = client("sub", "--socket", sock.toString(), "--count", "3", "proc.>");
        BufferedReader err = new BufferedReader(new InputStreamReader(sub.getErrorStream(), StandardCharsets.UTF_8));
        String ready = err.readLine();
        assertThat(ready).isEqualTo("subscribed proc.>");
        for (int i = 0; i < 3; i++) {
            e.publish(Origin.bundle("bundle.a"), "proc.n" + i, mapper.createObjectNode().put("i", i), null);
        }
        e.publish(Origin.bundle("bundle.a"), "other.topic", mapper.createObjectNode(), null);
        assertThat(sub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sub.exitValue()).isZero();
        List<String> lines = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode n = mapper.readTree(lines.get(i));
            assertThat(n.get("topic").asText()).isEqualTo("proc.n" + i);
            assertThat(n.get("type").asText()).isEqualTo("n" + i);
            assertThat(n.get("source").asText()).isEqualTo("bundle.a");
            assertThat(n.get("payload").get("i").asInt()).isEqualTo(i);
            assertThat(n.get("ts").asLong()).isPositive();
        }
        // 2) another process publishes; peer credentials name that process
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        e.subscribe("t", List.of("from.*"), got::add);
        Process pub = client("pub", "--socket", sock.toString(), "--type", "hello", "from.child", "{\"a\":true}");
        long childPid = pub.pid();
        assertThat(pub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).as(new String(pub.getErrorStream().readAllBytes())).isZero();
        Event ev = got.poll(10, TimeUnit.SECONDS);
        assertThat(ev.topic()).isEqualTo("from.child");
        assertThat(ev.type()).isEqualTo("hello");
        assertThat(ev.payload().get("a").asBoolean()).isTrue();
        assertThat(ev.source()).startsWith("unix:pid=" + childPid + ",uid=" + uid() + ",");
        // 3) CLI errors: invalid topic is a usage error, missing socket a connection error
        Process bad = client("pub", "--socket", sock.toString(), "a.*", "{}");
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(new String(bad.getErrorStream().readAllBytes())).contains("topic: ");
        Process none = client("pub", "--socket", dir.resolve("nope.sock").toString(), "a.b", "{}");
        assertThat(none.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(none.exitValue()).isEqualTo(1);
    }

    @Test
    void subscriberProcessSeesEofWhenTheBusStops() throws Exception {
        BusEngine e = start(16, "");
        Process sub = client("sub", "--socket", sock.toString(), "x");
        BufferedReader err = new BufferedReader(new InputStreamReader(sub.getErrorStream(), StandardCharsets.UTF_8));
        assertThat(err.readLine()).isEqualTo("subscribed x");
        e.close();
        assertThat(sub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sub.exitValue()).isEqualTo(1);
        assertThat(err.readLine()).contains("connection closed");
    }

    @Test
    void malformedLinesGetErrorFramesAndTheConnectionStays() throws Exception {
        start(16, "");
        try (RawClient r = new RawClient(sock)) {
            r.send("this is not json");
            JsonNode err = r.read();
            assertThat(err.get("op").asText()).isEqualTo("error");
            assertThat(err.get("message").asText()).startsWith("json: malformed line");
            r.send("[1,2]");
            assertThat(r.read().get("message").asText()).contains("must be a JSON object");
            r.send("{\"op\":\"pub\"} trailing");
            assertThat(r.read().get("message").asText()).startsWith("json: ");
            r.send("{\"op\":\"nope\",\"id\":\"q1\"}");
            JsonNode unk = r.read();
            assertThat(unk.get("id").asText()).isEqualTo("q1");
            assertThat(unk.get("message").asText()).contains("unknown op 'nope'");
            r.send("{\"op\":\"pub\",\"topic\":\"a.*\",\"id\":\"q2\"}");
            JsonNode bad = r.read();
            assertThat(bad.get("id").asText()).isEqualTo("q2");
            assertThat(bad.get("message").asText()).startsWith("topic: ");
            r.send("{\"op\":\"sub\",\"pattern\":\"a.>.b\",\"id\":\"q3\"}");
            assertThat(r.read().get("message").asText()).startsWith("pattern: ");
            r.send("{\"op\":\"unsub\",\"id\":\"zz\"}");
            assertThat(r.read().get("message").asText()).startsWith("id: no subscription");
            r.send("{\"op\":\"pub\",\"topic\":\"a\",\"id\":7}");
            assertThat(r.read().get("message").asText()).startsWith("id: ");
            r.send("");
            r.send("{\"op\":\"sub\",\"pattern\":\"a.>\",\"id\":\"s1\"}");
            JsonNode ok = r.read();
            assertThat(ok.get("op").asText()).isEqualTo("ok");
            assertThat(ok.get("id").asText()).isEqualTo("s1");
            r.send("{\"op\":\"sub\",\"pattern\":\"a.>\",\"id\":\"s1\"}");
            assertThat(r.read().get("message").asText()).contains("already exists");
            r.send("{\"op\":\"pub\",\"topic\":\"a.b\",\"payload\":{\"x\":1}}\r");
            JsonNode ev = r.read();
            assertThat(ev.get("op").asText()).isEqualTo("event");
            assertThat(ev.get("id").asText()).isEqualTo("s1");
            assertThat(ev.get("topic").asText()).isEqualTo("a.b");
            assertThat(ev.get("payload").get("x").asInt()).isEqualTo(1);
            r.send("{\"op\":\"ping\",\"id\":\"p\"}");
            JsonNode pong = r.read();
            assertThat(pong.get("op").asText()).isEqualTo("pong");
            assertThat(pong.get("id").asText()).isEqualTo("p");
        }
    }

    @Test
    void oneEventIsDeliveredAsTheSameFrameToEverySubscriberWithThePayloadAsSent() throws Exception {
        BusEngine e = start(64, "");
        List<RawClient> subs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawClient r = track(new RawClient(sock));
            r.send("{\"op\":\"sub\",\"pattern\":\"fan.>\",\"id\":\"s" + i + "\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("ok");
            subs.add(r);
        }
        // a second subscription on the same connection gets its own frame with its own id
        subs.get(0).send("{\"op\":\"sub\",\"pattern\":\"fan.*\",\"id\":\"t0\"}");
        assertThat(subs.get(0).read().get("op").asText()).isEqualTo("ok");
        LinkedBlockingQueue<Event> local = new LinkedBlockingQueue<>();
        e.subscribe("t", List.of("fan.>"), local::add);
        String payload = "{ \"k\" : [1, 2.5e3, -0, true, false, null, \"\u00e9\\u00e9\\n\\\"q\\\"\", {}], \"\u65e5\u672c\":\"\u65e5\u672c\" }";
        try (RawClient pub = new RawClient(sock)) {
            pub.send("{\"payload\":" + payload + ",\"topic\":\"fan.x\",\"op\":\"pub\",\"id\":\"p1\",\"extra\":{\"a\":[1]}}");
            assertThat(pub.read().get("op").asText()).isEqualTo("ok");
            String source = "unix:pid=" + ProcessHandle.current().pid() + ",uid=" + uid() + ",gid=" + gid();
            List<String> lines = new ArrayList<>();
            for (RawClient r : subs) {
                lines.add(r.readLine());
            }
            lines.add(subs.get(0).readLine());
            long ts = mapper.readTree(lines.get(0)).get("ts").asLong();
            String rest = "\"topic\":\"fan.x\",\"type\":\"x\",\"ts\":" + ts + ",\"source\":\"" + source + "\",\"payload\":"
                    + payload + "}";
            assertThat(lines).containsExactlyInAnyOrder(
                    "{\"op\":\"event\",\"id\":\"s0\"," + rest, "{\"op\":\"event\",\"id\":\"t0\"," + rest,
                    "{\"op\":\"event\",\"id\":\"s1\"," + rest, "{\"op\":\"event\",\"id\":\"s2\"," + rest,
                    "{\"op\":\"event\",\"id\":\"s3\"," + rest);
            Event lv = local.poll(10, TimeUnit.SECONDS);
            assertThat(lv.payload()).isEqualTo(mapper.readTree(payload));
            assertThat(lv.timestamp()).isEqualTo(ts);
            // an in-process publish (tree payload) reaches every connection as the same frame too
            e.publish(Origin.bundle("bundle.b"), "fan.y", mapper.readTree("{\"n\":[1,\"\u00e9\"]}"), "kind");
            List<JsonNode> frames = new ArrayList<>();
            for (RawClient r : subs) {
                frames.add(r.read());
            }
            frames.add(subs.get(0).read());
            for (JsonNode f : frames) {
                assertThat(f.get("topic").asText()).isEqualTo("fan.y");
                assertThat(f.get("type").asText()).isEqualTo("kind");
                assertThat(f.get("source").asText()).isEqualTo("bundle.b");
                assertThat(f.get("payload")).isEqualTo(mapper.readTree("{\"n\":[1,\"\u00e9\"]}"));
            }
            assertThat(frames).extracting(f -> f.get("id").asText()).containsExactlyInAnyOrder("s0", "t0", "s1", "s2", "s3");
            // no payload and an explicit null both arrive as null
            pub.send("{\"op\":\"pub\",\"topic\":\"fan.z\"}");
            pub.send("{\"op\":\"pub\",\"topic\":\"fan.z\",\"payload\":null,\"type\":null}");
            for (RawClient r : subs) {
                for (int i = 0; i < (r == subs.get(0) ? 4 : 2); i++) {
                    JsonNode f = r.read();
                    assertThat(f.get("payload").isNull()).isTrue();
                    assertThat(f.get("type").asText()).isEqualTo("z");
                }
            }
        }
        // 3 publishes x (5 socket subscriptions + 1 listener), nothing dropped
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.stats().delivered() < 4 * 6 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(e.stats().delivered()).isEqualTo(4 * 6);
        assertThat(e.stats().dropped()).isZero();
    }

    /**
     * Lines read by the hand-written scanner and lines it leaves to Jackson (escapes, non-ASCII, non-string values)
     * mixed on one connection: same events, and the per-connection caches (last topic, last type, frame head) never
     * give one publish another's topic or type.
     */
    @Test
    void scannedAndJacksonParsedLinesGiveTheSameEventsAndCachesDoNotLeak() throws Exception {
        start(64, "");
        try (RawClient sub = track(new RawClient(sock)); RawClient pub = track(new RawClient(sock))) {
            sub.send("{\"op\":\"sub\",\"pattern\":\"c.>\",\"id\":\"s\"}");
            assertThat(sub.read().get("op").asText()).isEqualTo("ok");
            String[] lines = {
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"type\":\"T1\",\"payload\":1}", // scanner
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"payload\":2}", // same topic, default type
                "{\"op\":\"pub\",\"topic\":\"c.\\u0061\",\"payload\":3}", // Jackson (escape), same topic
                "{\"op\":\"p\\u0075b\",\"topic\":\"c.b\",\"type\":\"T1\",\"payload\":4}", // Jackson, cached type
                "{\"op\":\"pub\",\"topic\":\"c.b\",\"type\":\"T2\",\"payload\":5}", // scanner, new type
                "{\"op\":\"pub\",\"topic\":\"c.\u00e9\",\"payload\":6}", // Jackson (non-ASCII topic)
                "{\"op\":\"pub\",\"topic\":\"c.b\",\"type\":\"T2\",\"payload\":7,\"x\":[1,{\"y\":null}]}",
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"type\":\"T\\u0032\",\"payload\":8}", // Jackson type T2
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"type\":\"T1\",\"payload\":9}",
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"type\":null,\"payload\":10}", // explicit null: default type
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"type\":7,\"payload\":11}", // error: type not a string
                "{\"op\":\"pub\",\"topic\":\"c..a\",\"payload\":12}", // error: invalid topic
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"payload\":01}", // error: malformed payload
                "{\"op\":\"pub\",\"topic\":\"c.a\",\"payload\":13,\"id\":\"p\\\"1\"}", // ok with an escaped id
            };
            for (String l : lines) {
                pub.send(l);
            }
            String[][] want = {{"c.a", "T1", "1"}, {"c.a", "a", "2"}, {"c.a", "a", "3"}, {"c.b", "T1", "4"},
                {"c.b", "T2", "5"}, {"c.\u00e9", "\u00e9", "6"}, {"c.b", "T2", "7"}, {"c.a", "T2", "8"},
                {"c.a", "T1", "9"}, {"c.a", "a", "10"}, {"c.a", "a", "13"}};
            for (String[] w : want) {
                JsonNode f = sub.read();
                assertThat(f.get("topic").asText() + " " + f.get("type").asText() + " " + f.get("payload"))
                        .isEqualTo(w[0] + " " + w[1] + " " + w[2]);
            }
            assertThat(pub.read().get("message").asText()).startsWith("type:");
            assertThat(pub.read().get("message").asText()).startsWith("topic:");
            assertThat(pub.read().get("message").asText()).startsWith("json:");
            assertThat(pub.readLine()).isEqualTo("{\"op\":\"ok\",\"id\":\"p\\\"1\"}");
        }
    }

    /**
     * A request line split across reads at every position (the scanner sees a line cut at the end of a read, the
     * rest of it in the next one), and lines of both kinds after it in the same read: all events in order, exact.
     */
    @Test
    void linesSplitAcrossReadsAtEveryPositionArriveWhole() throws Exception {
        start(1024, "");
        try (RawClient sub = track(new RawClient(sock)); RawClient pub = track(new RawClient(sock))) {
            sub.send("{\"op\":\"sub\",\"pattern\":\"split.>\",\"id\":\"s\"}");
            assertThat(sub.read().get("op").asText()).isEqualTo("ok");
            String template = "{\"op\":\"pub\",\"topic\":\"split.x\",\"payload\":{\"n\":%d,\"s\":\"a\\u00e9b\"}}";
            int cuts = String.format(template, 100).length();
            int n = 0;
            for (int cut = 1; cut < cuts; cut++) {
                byte[] line = String.format(template, 100 + cut).getBytes(StandardCharsets.UTF_8);
                pub.out.write(line, 0, cut);
                pub.out.flush();
                Thread.sleep(2);
                // the rest, then a scanned line and a Jackson line (escaped topic) in the same write
                pub.out.write(line, cut, line.length - cut);
                pub.out.write(("\n" + String.format(template, 1000 + cut) + "\n"
                        + String.format(template, 2000 + cut).replace("split.x", "split.\\u0078") + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                pub.out.flush();
                n += 3;
            }
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonNode f = sub.read();
                assertThat(f.get("topic").asText()).isEqualTo("split.x");
                assertThat(f.get("payload").get("s").asText()).isEqualTo("a\u00e9b");
                got.add(f.get("payload").get("n").asInt());
            }
            List<Integer> want = new ArrayList<>();
            for (int cut = 1; cut < cuts; cut++) {
                want.addAll(List.of(100 + cut, 1000 + cut, 2000 + cut));
            }
            assertThat(got).isEqualTo(want);
        }
    }

    @Test
    void malformedPayloadsAreRejectedWithAnErrorFrameAndNotPublished() throws Exception {
        BusEngine e = start(64, "");
        LinkedBlockingQueue<Event> local = new LinkedBlockingQueue<>();
        e.subscribe("t", List.of(">"), local::add);
        List<byte[]> bad = List.of(b("{\"a\":1,}"), b("[1,2"), b("{\"a\":\"\\q\"}"), b("{\"a\":\"x\u0001y\"}"),
                b("tru"), b("01"), b("NaN"), b("{\"a\":1}}"), b("\"open"), b("[\"\\u12\"]"), b("{\"a\" 1}"), b(""),
                new byte[] {'[', '"', (byte) 0xff, '"', ']'}, new byte[] {'{', '"', 'k', '"', ':', '"', (byte) 0xc3, '(', '"', '}'},
                new byte[] {'"', (byte) 0xe6, (byte) 0x97, '"'});
        try (RawClient r = new RawClient(sock)) {
            int i = 0;
            for (byte[] p : bad) {
                r.sendBytes(b("{\"op\":\"pub\",\"topic\":\"m.x\",\"id\":\"q" + i + "\",\"payload\":"), p, b("}"));
                JsonNode err = r.read();
                assertThat(err.get("op").asText()).as(new String(p, StandardCharsets.ISO_8859_1)).isEqualTo("error");
                assertThat(err.get("message").asText()).startsWith("json: malformed line");
                i++;
            }
            // fire-and-forget: the error frame has no id; the connection stays usable
            r.send("{\"op\":\"pub\",\"topic\":\"m.x\",\"payload\":[1,}");
            JsonNode err = r.read();
            assertThat(err.get("op").asText()).isEqualTo("error");
            assertThat(err.has("id")).isFalse();
            r.send("{\"op\":\"pub\",\"topic\":\"m.x\",\"payload\":[1],\"id\":\"good\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("ok");
            // non-string op/topic/type/pattern/id are still named
            r.send("{\"op\":[\"pub\"],\"id\":\"w\"}");
            assertThat(r.read().get("message").asText()).startsWith("op: missing or not a string");
            r.send("{\"op\":\"pub\",\"topic\":{\"a\":1},\"id\":\"w\"}");
            assertThat(r.read().get("message").asText()).startsWith("topic: missing or not a string");
            r.send("{\"op\":\"pub\",\"topic\":\"m.y\",\"type\":5,\"id\":\"w\"}");
            assertThat(r.read().get("message").asText()).startsWith("type: must be a string");
            r.send("{\"op\":\"sub\",\"pattern\":true,\"id\":\"w\"}");
            assertThat(r.read().get("message").asText()).startsWith("pattern: missing or not a string");
            r.send("{\"op\":\"ping\",\"id\":\"\"}");
            assertThat(r.read().get("message").asText()).startsWith("id: must be a non-empty string");
        }
        assertThat(local.poll(10, TimeUnit.SECONDS).payload()).isEqualTo(mapper.readTree("[1]"));
        assertThat(local.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(e.stats().published()).isEqualTo(1);
    }

    @Test
    void clientPublishJsonSendsThePayloadBytesAndRejectsMalformedOnesLocally() throws Exception {
        start(64, "");
        try (RawClient raw = track(new RawClient(sock)); BusClient pub = track(BusClient.connect(sock));
                BusClient sub = track(BusClient.connect(sock))) {
            raw.send("{\"op\":\"sub\",\"pattern\":\"j.>\",\"id\":\"r\"}");
            assertThat(raw.read().get("op").asText()).isEqualTo("ok");
            LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
            sub.subscribe("j.>", got::add);
            String payload = "{\"t\":\"0000000000000000042\",\"p\":[1.50,\"\u00e9\\n\"],\"n\":null}";
            pub.publishJson("j.a", b(payload), "ty");
            JsonNode f = raw.read();
            assertThat(f.get("type").asText()).isEqualTo("ty");
            assertThat(f.get("payload").toString()).isEqualTo(mapper.readTree(payload).toString());
            Event ev = got.poll(10, TimeUnit.SECONDS);
            assertThat(ev.topic()).isEqualTo("j.a");
            assertThat(ev.payload()).isEqualTo(mapper.readTree(payload));
            assertThat(ev.source()).startsWith("unix:pid=" + ProcessHandle.current().pid());
            // pretty-printed JSON (line breaks between tokens) goes as one line, byte for byte otherwise
            pub.publishJson("j.b", b("{\n  \"a\" : [ 1,\r\n 2 ]\n}"), null);
            String line = raw.readLine();
            assertThat(line).endsWith(",\"payload\":{   \"a\" : [ 1,   2 ] }}");
            assertThat(got.poll(10, TimeUnit.SECONDS).payload()).isEqualTo(mapper.readTree("{\"a\":[1,2]}"));
            pub.publishJson("j.c", b("7"), null);
            assertThat(raw.read().get("payload").asInt()).isEqualTo(7);
            for (String bad : List.of("", "  ", "{\"a\":", "1 2", "{\"a\":1}x", "[\"\\x\"]", "nul")) {
                assertThatThrownBy(() -> pub.publishJson("j.d", b(bad), null)).as(bad)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("payload: ");
            }
            assertThatThrownBy(() -> pub.publishJson("j.d", null, null)).hasMessageStartingWith("payload: ");
            assertThatThrownBy(() -> pub.publishJson("j.*", b("1"), null)).hasMessageStartingWith("topic: ");
            // a tree that cannot be serialised: an exception, and no partial line reaches the bus
            JsonNode unserialisable = mapper.createObjectNode().putPOJO("x", new Object());
            assertThatThrownBy(() -> pub.publish("j.e", unserialisable, null)).isInstanceOf(IOException.class);
            pub.publish("j.f", mapper.readTree("[true]"), null);
            pub.ping(Duration.ofSeconds(10));
            JsonNode next = raw.read();
            assertThat(next.get("topic").asText()).isEqualTo("j.f");
            assertThat(next.get("payload")).isEqualTo(mapper.readTree("[true]"));
            assertThat(pub.lastError()).isEmpty();
        }
    }

    @Test
    void clientEventsKeepThePayloadTextAndEscapedEnvelopesAreReadToo() throws Exception {
        BusEngine e = start(64, "");
        try (BusClient c = track(BusClient.connect(sock))) {
            LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
            c.subscribe(">", got::add);
            // common layout: payload bytes as published, parsed on demand, the same tree on every call
            c.publishJson("k.a", b("{\"z\":1, \"a\":[2.50]}"), null);
            Event ev = got.poll(10, TimeUnit.SECONDS);
            assertThat(ev.payloadJson()).isEqualTo(b("{\"z\":1, \"a\":[2.50]}"));
            assertThat(ev.payload()).isSameAs(ev.payload()).isEqualTo(mapper.readTree("{\"z\":1,\"a\":[2.50]}"));
            assertThat(ev.type()).isEqualTo("a");
            assertThat(ev.timestamp()).isPositive();
            // repeated envelope strings and a changed one
            c.publishJson("k.a", b("null"), "t\u00e9");
            c.publishJson("k.b", b("\"s\""), "t\u00e9");
            Event e2 = got.poll(10, TimeUnit.SECONDS);
            Event e3 = got.poll(10, TimeUnit.SECONDS);
            assertThat(e2.topic()).isEqualTo("k.a");
            assertThat(e2.payload().isNull()).isTrue();
            assertThat(e2.type()).isEqualTo("t\u00e9");
            assertThat(e3.topic()).isEqualTo("k.b");
            assertThat(e3.payload().asText()).isEqualTo("s");
            assertThat(e3).isNotEqualTo(e2);
            // escaped characters in topic, type and source: the bus writes them escaped, the client still reads them
            e.publish(Origin.bundle("we\"ird"), "q\\x.\"y\"", mapper.readTree("{\"k\":\"v\"}"), "line\nbreak");
            Event e4 = got.poll(10, TimeUnit.SECONDS);
            assertThat(e4.topic()).isEqualTo("q\\x.\"y\"");
            assertThat(e4.type()).isEqualTo("line\nbreak");
            assertThat(e4.source()).isEqualTo("we\"ird");
            assertThat(e4.payload()).isEqualTo(mapper.readTree("{\"k\":\"v\"}"));
            assertThat(e4.payloadJson()).isEqualTo(b("{\"k\":\"v\"}"));
        }
        // a tree event serialises its payload for payloadJson
        Event t = new Event("a.b", mapper.readTree("{\"x\":[1,\"\u00e9\"]}"), "b", 1L, "s");
        assertThat(new String(t.payloadJson(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":[1,\"\u00e9\"]}");
        assertThat(new Event("a.b", null, "b", 1L, "s").payloadJson()).isEqualTo(b("null"));
    }

    @Test
    void burstsFromOneReadAndSinglePublishesAllArriveInOrder() throws Exception {
        BusEngine e = start(4096, "");
        try (RawClient sub = track(new RawClient(sock)); RawClient sub2 = track(new RawClient(sock)); RawClient pub = track(new RawClient(sock))) {
            for (RawClient r : List.of(sub, sub2)) {
                r.send("{\"op\":\"sub\",\"pattern\":\"burst.*\",\"id\":\"b\"}");
                assertThat(r.read().get("op").asText()).isEqualTo("ok");
            }
            int seq = 0;
            for (int round = 0; round < 20; round++) {
                // a burst: many pub lines in one write (the bus wakes each subscriber's writer once per read) ...
                StringBuilder burst = new StringBuilder();
                for (int i = 0; i < 300; i++) {
                    burst.append("{\"op\":\"pub\",\"topic\":\"burst.x\",\"payload\":").append(seq++).append("}\n");
                }
                pub.out.write(burst.toString().getBytes(StandardCharsets.UTF_8));
                pub.out.flush();
                // ... then a control frame on a subscriber connection and one single publish
                sub.send("{\"op\":\"ping\",\"id\":\"p" + round + "\"}");
                pub.send("{\"op\":\"pub\",\"topic\":\"burst.y\",\"payload\":" + seq++ + "}");
                int expect = seq - 301;
                boolean pong = false;
                for (int i = 0; i < 301; i++) {
                    JsonNode f = sub.read();
                    if (f.get("op").asText().equals("pong")) {
                        pong = true;
                        i--;
                        continue;
                    }
                    assertThat(f.get("payload").asInt()).isEqualTo(expect++);
                }
                if (!pong) {
                    assertThat(sub.read().get("op").asText()).isEqualTo("pong");
                }
                for (int i = seq - 301; i < seq; i++) {
                    assertThat(sub2.read().get("payload").asInt()).isEqualTo(i);
                }
            }
        }
        assertThat(e.stats().dropped()).isZero();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oversizedLineGetsAnErrorAndTheConnectionIsClosed() throws Exception {
        BusEngine e = start(16, "");
        try (RawClient r = new RawClient(sock)) {
            // exactly 1 MiB is accepted (as a malformed line), one byte more is not
            byte[] max = new byte[Connection.MAX_LINE];
            java.util.Arrays.fill(max, (byte) 'x');
            r.out.write(max);
            r.out.write('\n');
            r.out.flush();
            assertThat(r.read().get("message").asText()).startsWith("json: malformed line");
            r.send("{\"op\":\"ping\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("pong");
            byte[] big = new byte[Connection.MAX_LINE + 1];
            java.util.Arrays.fill(big, (byte) ' ');
            try {
                r.out.write(big);
                r.out.flush();
            } catch (IOException closedEarly) {
                // the server may close before everything is written
            }
            JsonNode err = r.read();
            assertThat(err.get("op").asText()).isEqualTo("error");
            assertThat(err.get("message").asText()).contains("longer than 1048576 bytes");
            assertThat(r.in.readLine()).isNull();
        }
        await(() -> e.stats().connections().isEmpty());
    }

    @Test
    void clientThatStopsReadingCostsBoundedMemoryAndDropsAreExact() throws Exception {
        int queue = 32;
        BusEngine e = start(queue, "");
        try (RawClient r = new RawClient(sock)) {
            r.send("{\"op\":\"sub\",\"pattern\":\"flood\",\"id\":\"f\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("ok");
            String pad = "p".repeat(1000);
            int total = 20_000;
            for (int i = 0; i < total; i++) {
                e.publish(Origin.bundle("t"), "flood", mapper.createObjectNode().put("i", i).put("pad", pad), null);
                if (i % 1000 == 0) {
                    assertThat(e.stats().subscribers().get(0).queued()).isLessThanOrEqualTo(queue);
                }
            }
            BusStats.SubscriberStats s = e.stats().subscribers().get(0);
            assertThat(s.queued()).isLessThanOrEqualTo(queue);
            assertThat(s.dropped()).isPositive();
            // now read everything: what arrives is exactly what was not dropped, in order
            List<Integer> seen = new ArrayList<>();
            while (seen.size() < total - s.dropped()) {
                JsonNode n = r.read();
                seen.add(n.get("payload").get("i").asInt());
            }
            await(() -> e.stats().subscribers().get(0).queued() == 0);
            BusStats.SubscriberStats after = e.stats().subscribers().get(0);
            assertThat(after.dropped()).isEqualTo(s.dropped());
            assertThat(after.delivered() + after.dropped()).isEqualTo(total);
            assertThat(seen).hasSize((int) after.delivered()).isSorted();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(total - 1);
            r.send("{\"op\":\"ping\",\"id\":\"p\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aClientThatStopsReadingIsBoundedInBytesToo() throws Exception {
        int bytes = 256 * 1024;
        BusEngine e = new BusEngine(Settings.of(Map.of("socket", sock.toString(), "heartbeat.seconds", 0, "queue.bytes", bytes)));
        e.start();
        closeables.add(e);
        try (RawClient r = new RawClient(sock)) {
            r.send("{\"op\":\"sub\",\"pattern\":\"flood\",\"id\":\"f\"}");
            assertThat(r.read().get("op").asText()).isEqualTo("ok");
            String pad = "p".repeat(10_000);
            int total = 3_000;
            for (int i = 0; i < total; i++) {
                e.publish(Origin.bundle("t"), "flood", mapper.createObjectNode().put("i", i).put("pad", pad), null);
                assertThat(e.stats().subscribers().get(0).queued()).as("256 KiB hold 25 events of about 10 KiB")
                        .isLessThanOrEqualTo(25);
            }
            BusStats.SubscriberStats s = e.stats().subscribers().get(0);
            assertThat(s.dropped()).as("far more than 1024 events' worth of bytes were dropped").isGreaterThan(1500);
            List<Integer> seen = new ArrayList<>();
            while (seen.size() < total - s.dropped()) {
                seen.add(r.read().get("payload").get("i").asInt());
            }
            await(() -> e.stats().subscribers().get(0).queued() == 0);
            BusStats.SubscriberStats after = e.stats().subscribers().get(0);
            assertThat(after.delivered() + after.dropped()).isEqualTo(total);
            assertThat(seen).hasSize((int) after.delivered()).isSorted();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(total - 1);
        }
    }

    @Test
    void staleSocketIsReplacedLiveSocketAndRegularFileAreNot() throws Exception {
        Files.createDirectories(sock.getParent());
        AFUNIXServerSocket stale = AFUNIXServerSocket.newInstance();
        stale.setDeleteOnClose(false);
        stale.bind(AFUNIXSocketAddress.of(sock));
        stale.close();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isTrue();
        BusEngine e = start(16, "");
        try (BusClient c = BusClient.connect(sock)) {
            c.ping(Duration.ofSeconds(10));
        }
        // a second bus on the same path must not steal the live socket
        BusEngine second = new BusEngine(Settings.of(sock.toString(), "", 16, 0, true));
        second.start();
        closeables.add(second);
        assertThat(second.stats().socketError()).contains("in use");
        assertThat(second.stats().socket()).isEmpty();
        try (BusClient c = BusClient.connect(sock)) {
            c.ping(Duration.ofSeconds(10));
        }
        await(() -> e.stats().connections().isEmpty());
        e.close();
        second.close();
        // a regular file is never replaced
        Files.writeString(sock, "keep me");
        BusEngine third = new BusEngine(Settings.of(sock.toString(), "", 16, 0, true));
        third.start();
        closeables.add(third);
        assertThat(third.stats().socketError()).contains("not a socket");
        assertThat(Files.readString(sock)).isEqualTo("keep me");
    }

    @Test
    void removedSocketFileIsBoundAgainAndExistingClientsKeepWorking() throws Exception {
        BusEngine e = start(16, "");
        try (BusClient old = BusClient.connect(sock)) {
            LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
            old.subscribe("k", got::add);
            Files.delete(sock);
            // bound at its final path (junixsocket watches that inode), so the mode is set just after bind(2): wait
            // for both rather than read the mode the moment the file appears
            await(() -> {
                try {
                    return Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS)
                            .equals(PosixFilePermissions.fromString("rw-rw----"));
                } catch (IOException x) {
                    return false;
                }
            });
            try (BusClient fresh = BusClient.connect(sock)) {
                fresh.publishAndWait("k", null, null, Duration.ofSeconds(10));
            }
            assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(old.isOpen()).isTrue();
        }
        e.close();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void clientsCanReconnectAfterARestart() throws Exception {
        BusEngine e = start(16, "");
        BusClient c = track(BusClient.connect(sock));
        c.subscribe("r", x -> { });
        e.close();
        assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        assertThatThrownBy(() -> c.publish("r", null, null)).isInstanceOf(IOException.class);
        BusEngine e2 = start(16, "");
        try (BusClient c2 = BusClient.connect(sock)) {
            LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
            c2.subscribe("r", got::add);
            e2.publish(Origin.bundle("t"), "r", (JsonNode) null, null);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void threadsAndFileDescriptorsBackToBaselineAfterCycles() throws Exception {
        // warm up class loading and the native library
        cycle();
        java.util.Set<String> before = names();
        int threads = before.size();
        long fds = fdCount();
        String fdsBefore = fdList();
        for (int i = 0; i < 25; i++) {
            cycle();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith(BusEngine.THREAD_PREFIX)
                || t.getName().startsWith("patchbay-bus-client"));
        try {
            await(() -> Thread.getAllStackTraces().size() <= threads);
        } catch (AssertionError ae) {
            java.util.Set<String> now = names();
            now.removeAll(before);
            throw new AssertionError("new threads: " + now, ae);
        }
        try {
            await(() -> fdCount() <= fds);
        } catch (AssertionError ae) {
            throw new AssertionError("fds before: " + fdsBefore + "\nnow: " + fdList(), ae);
        }
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    private void cycle() throws Exception {
        BusEngine e = new BusEngine(Settings.of(sock.toString(), "", 16, 1, true));
        e.start();
        assertThat(e.stats().socketError()).isEmpty();
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        e.subscribe("t", List.of("c"), got::add);
        BusClient a = BusClient.connect(sock);
        BusClient b = BusClient.connect(sock);
        b.subscribe("c", x -> { });
        a.publishAndWait("c", null, null, Duration.ofSeconds(10));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        // one client closes itself, the other is cut off by the bus
        a.close();
        e.close();
        assertThat(b.awaitClosed(Duration.ofSeconds(10))).isTrue();
        b.close();
    }

    private static java.util.Set<String> names() {
        java.util.Set<String> s = new java.util.TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> s.add(t.getName() + "#" + t.getId()));
        return s;
    }

    private static String fdList() {
        StringBuilder sb = new StringBuilder();
        try (var l = Files.list(Path.of("/proc/self/fd"))) {
            l.forEach(p -> {
                try {
                    sb.append(p.getFileName()).append("->").append(Files.readSymbolicLink(p)).append(' ');
                } catch (IOException e) {
                    sb.append(p.getFileName()).append("->? ");
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sb.toString();
    }

    private static long fdCount() {
        try (var l = Files.list(Path.of("/proc/self/fd"))) {
            return l.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
