package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.client.BusClient;
import dev.ovs.bus.protocol.JsonText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing of the bus line protocol (docs/bus.md, "Line protocol") with jqwik, differential against Jackson where the
 * code claims equivalence:
 * <ul>
 * <li>{@link RequestScanner#scan} and {@link RequestScanner#scanLine}: an accepted line is a JSON object that
 * {@link Request#parse} (Jackson's streaming parser) reads with the same field values and payload byte range, and
 * the scanner accepts every line of the common shape its class comment describes;</li>
 * <li>{@link JsonText#isOneValue}: true only for bytes Jackson reads as exactly one value, and true for every
 * well-formed value within {@link JsonText}'s limits;</li>
 * <li>the socket server ({@link BusEngine} over a real Unix socket): any line gets an answer or none, the connection
 * stays open and answers the next {@code ping};</li>
 * <li>{@link BusClient#publishJson}: a payload is refused or delivered as Jackson reads it.</li>
 * </ul>
 *
 * <p>Documented exceptions: {@link Request#parse} throws {@link IOException} (malformed JSON, Jackson's message) or
 * {@link IllegalArgumentException} (the two the server catches and answers with {@code json: malformed line});
 * {@link BusClient#publishJson} throws {@link IllegalArgumentException} for a payload that is not one JSON value;
 * the scanners and {@link JsonText} throw nothing.
 *
 * <p>Corpus: {@code src/test/resources/fuzz/busline/lines.txt}, request lines of every op (escapes, non-ASCII,
 * repeated fields, reserved topics, deep payloads), replayed and mutated. Cases per property: jqwik's
 * {@code jqwik.tries.default} (1000 in {@code junit-platform.properties}; {@code -Djqwik.tries.default=N} for more);
 * jqwik prints tries, checks, the seed and the outcome statistics of every property.
 */
class BusLineFuzzTest {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<Seed> CORPUS = loadCorpus();
    private static Path dir;
    private static BusEngine engine;
    private static RawClient raw;
    private static BusClient client;
    private static final LinkedBlockingQueue<Event> DELIVERED = new LinkedBlockingQueue<>();
    private static Subscription local;
    private static int probes;

    /** One corpus line. */
    record Seed(String file, int line, byte[] bytes) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    private static List<Seed> loadCorpus() {
        try (var files = Files.list(Path.of(BusLineFuzzTest.class.getResource("/fuzz/busline").toURI()))) {
            List<Seed> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    out.add(new Seed(f.getFileName().toString(), i + 1, lines.get(i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeContainer
    static void startBus() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bus-fuzz-");
        Path sock = dir.resolve("bus.sock");
        engine = new BusEngine(Settings.of(sock.toString(), "", 4096, 0, true));
        engine.start();
        assertThat(engine.stats().socketError()).isEmpty();
        raw = new RawClient(sock);
        client = BusClient.connect(sock);
        local = engine.subscribe("fuzz-test", List.of("fuzzpub"), DELIVERED::add);
    }

    @AfterContainer
    static void stopBus() throws IOException {
        local.close();
        client.close();
        raw.close();
        engine.close();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ the two readers of a line

    /** Jackson's reading of a line: "reject", "not-object" or the fields; only the documented exceptions are caught. */
    private static String jackson(byte[] b, int off, int len) {
        Request r = new Request();
        try {
            if (!r.parse(FACTORY, b, off, len)) {
                return "not-object";
            }
        } catch (IOException | IllegalArgumentException e) {
            return "reject";
        }
        return fields(r.op, r.id, r.topic, r.type, r.pattern, r.payloadStart < 0 ? null
                : new String(b, off + r.payloadStart, r.payloadEnd - r.payloadStart, StandardCharsets.UTF_8) + "@" + r.payloadStart);
    }

    private static String scanned(RequestScanner s, byte[] b, int off) {
        return fields(text(s, b, RequestScanner.OP), text(s, b, RequestScanner.ID), text(s, b, RequestScanner.TOPIC),
                text(s, b, RequestScanner.TYPE), text(s, b, RequestScanner.PATTERN), s.payloadStart() < 0 ? null
                        : new String(b, s.payloadStart(), s.payloadEnd() - s.payloadStart(), StandardCharsets.UTF_8) + "@"
                                + (s.payloadStart() - off));
    }

    private static String text(RequestScanner s, byte[] b, int f) {
        int n = s.length(f);
        return n < 0 ? null : new String(b, s.start(f), n, StandardCharsets.UTF_8);
    }

    private static String fields(String... v) {
        return Arrays.toString(Arrays.stream(v).map(x -> x == null ? "<null>" : x == Request.NOT_TEXT ? "<not-text>" : "'" + x + "'")
                .toArray());
    }

    private static boolean jacksonOneValue(byte[] b) {
        try (JsonParser p = FACTORY.createParser(b)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            p.finishToken();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The differential of one line: scanner against Jackson (line inside a larger buffer, as in the read buffer),
     * scanLine against scan, JsonText against Jackson.
     *
     * @return "scanned", "jackson" (left to Jackson and accepted there), "not-object" or "reject"
     */
    private static String differential(byte[] line) {
        RequestScanner s = new RequestScanner();
        byte[] buf = new byte[line.length + 7];
        Arrays.fill(buf, (byte) '{');
        System.arraycopy(line, 0, buf, 3, line.length);
        boolean accepted = s.scan(buf, 3, line.length);
        String sc = accepted ? scanned(s, buf, 3) : null;
        String jk = jackson(buf, 3, line.length);
        if (accepted) {
            assertThat(jk).as("Jackson reads the line the scanner accepted the same way").isEqualTo(sc);
        }
        boolean hasNewline = false;
        for (byte x : line) {
            hasNewline |= x == '\n';
        }
        if (!hasNewline) {
            byte[] next = "\n{\"op\":\"ping\"}\n".getBytes(StandardCharsets.US_ASCII);
            byte[] rb = new byte[2 + line.length + next.length];
            rb[0] = '}';
            rb[1] = '\n';
            System.arraycopy(line, 0, rb, 2, line.length);
            System.arraycopy(next, 0, rb, 2 + line.length, next.length);
            int nl = s.scanLine(rb, 2, rb.length);
            assertThat(nl >= 0).as("scanLine accepts exactly what scan accepts").isEqualTo(accepted);
            if (nl >= 0) {
                assertThat(nl).isEqualTo(2 + line.length);
                assertThat(scanned(s, rb, 2)).isEqualTo(sc);
            }
            assertThat(s.scanLine(rb, 2, 2 + line.length)).as("a line without its newline is never accepted").isEqualTo(-1);
        }
        if (JsonText.isOneValue(line)) {
            assertThat(jacksonOneValue(line)).as("JsonText accepts only what Jackson reads as one value").isTrue();
        }
        return accepted ? "scanned" : jk.equals("reject") || jk.equals("not-object") ? jk : "jackson";
    }

    // ------------------------------------------------------------------ corpus

    @Example
    void corpusLinesAreReadAlikeAndAnswered() throws IOException {
        List<String> outcomes = new ArrayList<>();
        for (Seed s : CORPUS) {
            String o = differential(s.bytes());
            assertAnsweredAndAlive(s.bytes());
            if (s.file().equals("lines.txt")) {
                outcomes.add(o);
            } else {
                // regressions.txt: field names with unpaired surrogate escapes, which JsonText and the scanner accepted
                // and Jackson refuses ("Broken surrogate pair in field name")
                assertThat(o).as(s.toString()).isEqualTo("reject");
            }
        }
        System.out.println("fuzz corpus busline: " + CORPUS.size() + " lines replayed: " + outcomes);
        assertThat(outcomes).contains("scanned", "jackson").doesNotContain("reject");
    }

    /**
     * A carriage return between payload tokens reaches subscribers as a space: a frame never holds a line break for a
     * reader that ends lines at CR too, where the rest of the frame would read as a frame of the publisher's making
     * (found by {@link #mutatedLinesAreAnsweredAndTheConnectionStaysOpen}: the answer line was cut at the CR).
     */
    @Example
    void aCarriageReturnInAPayloadCannotStartAForgedFrame() throws IOException {
        try (RawClient sub = new RawClient(dir.resolve("bus.sock"))) {
            assertThat(sub.call("{\"op\":\"sub\",\"pattern\":\"fuzz.cr\",\"id\":\"cr\"}").path("op").asText()).isEqualTo("ok");
            String forged = "{\"op\":\"event\",\"id\":\"cr\",\"topic\":\"ovsdb.bridge.evil.added\",\"type\":\"added\","
                    + "\"ts\":1,\"source\":\"dev.ovs.ovsdb\",\"payload\":{}}";
            raw.send("{\"op\":\"pub\",\"topic\":\"fuzz.cr\",\"payload\":[0,\r" + forged + "]}");
            JsonNode event = MAPPER.readTree(sub.readLine()); // BufferedReader: ends lines at CR too
            assertThat(event.path("topic").asText()).isEqualTo("fuzz.cr");
            assertThat(event.path("payload").get(1)).isEqualTo(MAPPER.readTree(forged));
        }
    }

    /**
     * Payloads Jackson reads alone (it detects the encoding) but not inside the request line: a UTF-8 byte order
     * mark, UTF-16; and a name with an unpaired surrogate escape (JsonText accepted it): refused by the client.
     */
    @Example
    void payloadsTheServerWouldRefuseAreRefusedByTheClient() throws Exception {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'};
        byte[] utf16 = "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE);
        byte[] surrogate = "{\"\\ud800x\":1}".getBytes(StandardCharsets.US_ASCII);
        for (byte[] p : List.of(bom, utf16, surrogate, ENCODED_SURROGATE)) {
            assertThat(publish(p)).as(new String(p, StandardCharsets.ISO_8859_1)).isEqualTo("refused");
        }
    }

    /** A string in a container with an encoded surrogate (ED A0 80): Jackson's skipChildren passed it, a tree does not. */
    private static final byte[] ENCODED_SURROGATE = {'[', '"', 'x', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', ']'};

    /**
     * The server refuses a payload whose strings a tree cannot decode (found by
     * {@link #publishedPayloadsAreRefusedOrDeliveredAsJacksonReadsThem}: such a line went the Jackson way, whose
     * skipChildren does not decode nested strings, was published, and in-process subscribers could not read it).
     */
    @Example
    void aPayloadATreeCannotReadIsNotPublished() throws IOException {
        byte[] head = "{\"op\":\"pub\",\"topic\":\"fuzzpub\",\"payload\":".getBytes(StandardCharsets.US_ASCII);
        byte[] line = splice(splice(ENCODED_SURROGATE, 0, 0, head), head.length + ENCODED_SURROGATE.length, 0, new byte[] {'}'});
        assertThat(differential(line)).isEqualTo("reject");
        raw.sendBytes(line);
        assertThat(raw.read().path("message").asText()).startsWith("json: malformed line");
        assertAnsweredAndAlive("{\"op\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
        assertThat(DELIVERED).isEmpty();
    }

    // ------------------------------------------------------------------ mutated lines

    /** Tokens that break or stretch the grammar. */
    private static final List<byte[]> TOKENS = tokens();

    private static List<byte[]> tokens() {
        List<byte[]> t = new ArrayList<>();
        for (String s : List.of("\"", "\\", "\\u", "\\u00", "\\ud800", "\\udc00", "{", "}", "[", "]", ":", ",", "null", "true",
                "false", "-", "0", "01", "1.", "1e", "1e+", ".5", "\u00e9", " ", "\t", "\r", "\u007f", "\"op\":\"pub\",",
                "\"payload\":", "\"id\":\"\",", "[".repeat(70) + "]".repeat(70), "1".repeat(150), "\"" + "k".repeat(1100) + "\":1,")) {
            t.add(s.getBytes(StandardCharsets.UTF_8));
        }
        for (int[] raw : new int[][] {{0xc3}, {0xff}, {0xc0, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xef, 0xbb, 0xbf},
            {0x00}, {0x01}, {0xe2, 0x80, 0xa8}}) {
            byte[] b = new byte[raw.length];
            for (int i = 0; i < raw.length; i++) {
                b[i] = (byte) raw[i];
            }
            t.add(b);
        }
        return t;
    }

    /** What a mutation does. */
    enum Op {
        /** A token inserted. */
        INSERT,
        /** A byte set. */
        BYTE,
        /** 1..16 bytes removed. */
        DELETE,
        /** A region repeated (repeated fields). */
        REPEAT,
        /** The line cut. */
        TRUNCATE
    }

    /** One mutation. */
    record Mutation(Op op, int at, int value) {
    }

    static byte[] apply(byte[] seed, List<Mutation> mutations) {
        byte[] d = seed;
        for (Mutation m : mutations) {
            int pos = Math.floorMod(m.at(), d.length + 1);
            byte[] ins = switch (m.op()) {
                case INSERT -> TOKENS.get(Math.floorMod(m.value(), TOKENS.size()));
                case REPEAT -> Arrays.copyOfRange(d, pos, Math.min(d.length, pos + 1 + Math.floorMod(m.value(), 24)));
                default -> null;
            };
            if (ins != null) {
                d = splice(d, pos, 0, ins);
            } else if (m.op() == Op.BYTE && pos < d.length) {
                d = d.clone();
                d[pos] = (byte) m.value();
            } else if (m.op() == Op.DELETE) {
                d = splice(d, pos, Math.min(1 + Math.floorMod(m.value(), 16), d.length - pos), new byte[0]);
            } else if (m.op() == Op.TRUNCATE) {
                d = Arrays.copyOf(d, pos);
            }
        }
        return d;
    }

    /** @return {@code d} with the {@code remove} bytes at {@code pos} replaced by {@code insert} */
    static byte[] splice(byte[] d, int pos, int remove, byte[] insert) {
        return ByteBuffer.allocate(d.length - remove + insert.length).put(d, 0, pos).put(insert)
                .put(d, pos + remove, d.length - pos - remove).array();
    }

    /** A corpus line and its mutations. */
    record Mutated(Seed seed, List<Mutation> mutations) {
        byte[] bytes() {
            return apply(seed.bytes(), mutations);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(seed + " " + mutations + " -> ");
            for (byte x : bytes()) {
                int c = x & 0xff;
                sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
            return sb.toString();
        }
    }

    @Provide
    Arbitrary<Mutated> mutatedLines() {
        Arbitrary<Mutation> m = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers(), Arbitraries.integers())
                .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(CORPUS), m.list().ofMinSize(1).ofMaxSize(5)).as(Mutated::new);
    }

    @Property
    void mutatedLinesAreReadAlikeByTheScannerAndJackson(@ForAll("mutatedLines") Mutated m) {
        Statistics.collect(differential(m.bytes()));
    }

    @Property
    void mutatedLinesAreAnsweredAndTheConnectionStaysOpen(@ForAll("mutatedLines") Mutated m) throws IOException {
        assertAnsweredAndAlive(m.bytes());
    }

    /** Sends a line (its raw newlines made spaces: one line), then a ping; every answer is JSON; the ping is answered. */
    private static void assertAnsweredAndAlive(byte[] line) throws IOException {
        byte[] l = line.clone();
        for (int i = 0; i < l.length; i++) {
            if (l[i] == '\n') {
                l[i] = ' ';
            }
        }
        String probe = "probe-" + ++probes;
        raw.sendBytes(l);
        raw.send("{\"op\":\"ping\",\"id\":\"" + probe + "\"}");
        while (true) {
            String answer = raw.readLine();
            assertThat(answer).as("the connection stays open after %s", new String(l, StandardCharsets.UTF_8)).isNotNull();
            JsonNode n = MAPPER.readTree(answer);
            if (n.path("op").asText().equals("pong") && n.path("id").asText().equals(probe)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ generated well-formed input

    /** JSON values within JsonText's limits (depth, number length, name length), strings of any valid code point. */
    private static Arbitrary<JsonNode> values(int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<String> strings = Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff')
                .withChars("\"\\/\n\u2028").ofMaxLength(12);
        List<Arbitrary<? extends JsonNode>> leaves = List.of(strings.map(f::textNode), Arbitraries.longs().map(f::numberNode),
                Arbitraries.doubles().map(f::numberNode), Arbitraries.bigIntegers().between(
                        java.math.BigInteger.TEN.pow(40).negate(), java.math.BigInteger.TEN.pow(40)).map(f::numberNode),
                Arbitraries.of(true, false).map(f::booleanNode), Arbitraries.just(f.nullNode()));
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(leaves);
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> arrays = values(depth - 1).list().ofMaxSize(3).map(l -> {
            var a = f.arrayNode();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> objects = Combinators.combine(strings, values(depth - 1)).as(List::<Object>of).list().ofMaxSize(3)
                .map(l -> {
                    ObjectNode o = f.objectNode();
                    l.forEach(kv -> o.set((String) kv.get(0), (JsonNode) kv.get(1)));
                    return o;
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, leaf), net.jqwik.api.Tuple.of(1, arrays),
                net.jqwik.api.Tuple.of(1, objects));
    }

    @Provide
    Arbitrary<JsonNode> jsonValues() {
        return values(3);
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // edge cases of recursive JSON values: slow to combine, nothing more found
    void wellFormedValuesWithinTheLimitsAreAcceptedByJsonText(@ForAll("jsonValues") JsonNode v, @ForAll boolean pretty)
            throws IOException {
        byte[] b = pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(v) : MAPPER.writeValueAsBytes(v);
        assertThat(jacksonOneValue(b)).isTrue();
        assertThat(JsonText.isOneValue(b)).as(new String(b, StandardCharsets.UTF_8)).isTrue();
    }

    /** Request lines of the common shape: known fields plain printable ASCII or null, other fields and payload any value. */
    @Provide
    Arbitrary<ObjectNode> commonRequests() {
        Arbitrary<String> plain = Arbitraries.strings().withCharRange(' ', '~').excludeChars('"', '\\').ofMaxLength(20);
        Arbitrary<JsonNode> known = Arbitraries.oneOf(plain.map(JsonNodeFactory.instance::textNode),
                Arbitraries.just(JsonNodeFactory.instance.nullNode()));
        Arbitrary<List<Object>> field = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("op", "id", "topic", "type", "pattern"), known).as(List::<Object>of),
                Combinators.combine(Arbitraries.just("payload"), values(2)).as(List::<Object>of),
                Combinators.combine(plain.filter(n -> !List.of("op", "id", "topic", "type", "pattern", "payload").contains(n)),
                        values(1)).as(List::<Object>of));
        return field.list().ofMaxSize(6).map(l -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            l.forEach(kv -> o.set((String) kv.get(0), (JsonNode) kv.get(1)));
            return o;
        });
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void requestsOfTheCommonShapeAreScannedAsJacksonReadsThem(@ForAll("commonRequests") ObjectNode request) throws IOException {
        byte[] line = MAPPER.writeValueAsBytes(request);
        assertThat(differential(line)).as(new String(line, StandardCharsets.UTF_8)).isEqualTo("scanned");
    }

    // ------------------------------------------------------------------ BusClient.publishJson

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> fromCorpus = mutatedLines().map(Mutated::bytes);
        Arbitrary<byte[]> wellFormed = values(3).map(v -> {
            try {
                return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return Arbitraries.oneOf(fromCorpus, wellFormed, wellFormed.map(b -> apply(b, List.of(new Mutation(Op.BYTE, b.length / 2, '\n')))));
    }

    @Property
    void publishedPayloadsAreRefusedOrDeliveredAsJacksonReadsThem(@ForAll("payloads") byte[] payload) throws Exception {
        Statistics.collect(publish(payload));
    }

    /**
     * Publishes with {@link BusClient#publishJson}; the payload must be accepted exactly when Jackson reads it as one
     * value on its own and reads the request line with it (the client sends a newline between tokens as a space: the
     * same JSON), and then be delivered as Jackson reads it there.
     *
     * @return "refused" or "delivered"
     */
    private static String publish(byte[] payload) throws Exception {
        byte[] head = "{\"op\":\"pub\",\"topic\":\"fuzzpub\",\"payload\":".getBytes(StandardCharsets.US_ASCII);
        byte[] line = splice(splice(payload, 0, 0, head), head.length + payload.length, 0, new byte[] {'}'});
        boolean readable = jacksonOneValue(payload) && !jackson(line, 0, line.length).equals("reject");
        try {
            client.publishJson("fuzzpub", payload, null);
        } catch (IllegalArgumentException e) {
            assertThat(readable).as("refused (%s) only what Jackson cannot read", e.getMessage()).isFalse();
            return "refused";
        }
        assertThat(readable).as("accepted only what Jackson reads alone and in the line").isTrue();
        Event got = DELIVERED.poll(10, TimeUnit.SECONDS);
        assertThat(got).as("delivered").isNotNull();
        assertThat(got.payload()).isEqualTo(MAPPER.readTree(line).get("payload"));
        return "delivered";
    }
}
