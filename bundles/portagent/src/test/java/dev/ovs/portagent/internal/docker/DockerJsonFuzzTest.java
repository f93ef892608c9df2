package dev.ovs.portagent.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.PortAgentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing of the Docker Engine API client's response handling ({@link DockerClient#inspect}, {@link DockerClient#list}
 * over {@link UnixHttp}) with jqwik, against a scripted server on a Unix socket that answers every request with the
 * bytes of the current case and closes: mutated JSON bodies (bytes, tokens, and JSON values replaced by values of
 * other types), random status codes, and mutated HTTP framing (status line, headers, {@code Content-Length},
 * chunked encoding).
 *
 * <p>Documented exceptions: {@link PortAgentException} only ({@link DockerClient#inspect}): {@code Failed} for a
 * 200 answer whose body is not JSON and for any other status but 404, {@code NotFound} for 404, {@code Unavailable}
 * or {@code Timeout} when the HTTP exchange itself breaks (malformed head, connection closed inside the body); no
 * other exception, no hang (every case ends within the client's 5 s limit because the server closes).
 *
 * <p>Corpus: {@code src/test/resources/fuzz/docker/*.json}, bodies of a real podman API service
 * ({@code Capture.java.txt} next to them): {@code inspect-*} for {@code GET /containers/{id}/json}, {@code list-*}
 * for {@code GET /containers/json}, {@code error-*} for a 404. Cases per property: jqwik's
 * {@code jqwik.tries.default} (1000 in {@code junit-platform.properties}; {@code -Djqwik.tries.default=N} for more);
 * jqwik prints tries, checks, the seed and the outcome statistics of every property.
 */
class DockerJsonFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Seed> CORPUS = loadCorpus();
    private static final AtomicReference<byte[]> RESPONSE = new AtomicReference<>(new byte[0]);
    private static ShortTempDir dir;
    private static ServerSocketChannel server;
    private static Thread serverThread;
    private static DockerClient client;

    /** One corpus file. */
    record Seed(String name, byte[] body) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Seed> loadCorpus() {
        try {
            Path d = Path.of(DockerJsonFuzzTest.class.getResource("/fuzz/docker").toURI());
            try (Stream<Path> files = Files.list(d)) {
                List<Seed> out = new ArrayList<>();
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    out.add(new Seed(f.getFileName().toString(), Files.readAllBytes(f)));
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeContainer
    static void startServer() throws IOException {
        dir = ShortTempDir.create();
        Path sock = dir.resolve("docker.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        serverThread = new Thread(DockerJsonFuzzTest::serve, "fake-docker-fuzz");
        serverThread.start();
        client = new DockerClient(sock, Duration.ofSeconds(5));
    }

    @AfterContainer
    static void stopServer() throws Exception {
        server.close();
        serverThread.join(5000);
        dir.close();
    }

    /** Answers every connection with {@link #RESPONSE} after reading the request head, then closes. */
    private static void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                ByteBuffer one = ByteBuffer.allocate(1);
                while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n") && ch.read(one) > 0) {
                    head.write(one.get(0));
                    one.clear();
                }
                ByteBuffer out = ByteBuffer.wrap(RESPONSE.get());
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            } catch (IOException e) {
                // closed by stopServer, or the client gave up on this case: next connection
            }
        }
    }

    private static byte[] http(int status, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[head.length + body.length];
        System.arraycopy(head, 0, r, 0, head.length);
        System.arraycopy(body, 0, r, head.length, body.length);
        return r;
    }

    /** Which call a case makes. */
    enum Call {
        /** {@code GET /containers/{id}/json}. */
        INSPECT,
        /** {@code GET /containers/json?all=true}. */
        LIST
    }

    /**
     * Serves {@code response} to one call: its result, or the documented exception's kind.
     *
     * @return "ok" or the {@link ErrorKind} name
     */
    private static String call(Call call, byte[] response) {
        RESPONSE.set(response);
        try {
            if (call == Call.INSPECT) {
                DockerClient.ContainerInfo i = client.inspect("web-1");
                assertThat(i.labels()).doesNotContainKey(null).doesNotContainValue(null);
            } else {
                for (DockerClient.Summary s : client.list(true, Map.of("label", List.of("dev.ovs.bridge")))) {
                    assertThat(s.names()).doesNotContainNull();
                }
            }
            return "ok";
        } catch (PortAgentException e) {
            assertThat(e.getMessage()).as("the error says which call").contains("Docker API");
            return e.kind().name();
        }
    }

    // ------------------------------------------------------------------ corpus replay

    @Example
    void corpusBodiesAreReadAsPodmanMeantThem() {
        DockerClient.ContainerInfo running = (DockerClient.ContainerInfo) served(Call.INSPECT, "inspect-running.json", 200);
        assertThat(running.name()).isEqualTo("web-1");
        assertThat(running.running()).isTrue();
        assertThat(running.pid()).isPositive();
        assertThat(running.id()).hasSize(64);
        assertThat(running.labels()).containsEntry("dev.ovs.bridge", "br-int").containsEntry("dev.ovs.vlan", "100");
        DockerClient.ContainerInfo created = (DockerClient.ContainerInfo) served(Call.INSPECT, "inspect-created.json", 200);
        assertThat(created.running()).isFalse();
        assertThat(created.pid()).isZero();
        assertThat(created.labels()).containsEntry("x", "y");
        @SuppressWarnings("unchecked")
        List<DockerClient.Summary> list = (List<DockerClient.Summary>) served(Call.LIST, "list-all.json", 200);
        assertThat(list).extracting(DockerClient.Summary::names).containsExactlyInAnyOrder(List.of("web-1"), List.of("stopped"));
        assertThat(list).extracting(DockerClient.Summary::state).contains("running");
        RESPONSE.set(http(404, body("error-404.json")));
        try {
            client.inspect("nosuch");
            throw new AssertionError("404 must be NotFound");
        } catch (PortAgentException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.NotFound);
            assertThat(e.getMessage()).contains("no container with name or ID");
        }
        System.out.println("fuzz corpus docker: " + CORPUS.size() + " API bodies replayed");
    }

    private static byte[] body(String name) {
        return CORPUS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().body();
    }

    private static Object served(Call call, String name, int status) {
        RESPONSE.set(http(status, body(name)));
        return call == Call.INSPECT ? client.inspect("web-1") : client.list(true, Map.of());
    }

    // ------------------------------------------------------------------ mutated JSON

    /** JSON values of every type, put in place of values of the corpus bodies. */
    private static final List<JsonNode> REPLACEMENTS = replacements();

    private static List<JsonNode> replacements() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode obj = f.objectNode().put("Running", "yes").put("Pid", "12").putNull("x");
        ArrayNode arr = f.arrayNode().add(1).add("/a").addNull().add(f.objectNode());
        return List.of(f.nullNode(), f.textNode(""), f.textNode("/"), f.textNode("//x"), f.textNode("\u0000\ud800"),
                f.numberNode(0), f.numberNode(-1), f.numberNode(Long.MAX_VALUE), f.numberNode(new java.math.BigInteger("9".repeat(40))),
                f.numberNode(1e308), f.numberNode(Double.NaN), f.booleanNode(true), f.booleanNode(false), f.objectNode(), f.arrayNode(),
                obj, arr, f.textNode("true"), f.textNode("12345"), f.binaryNode(new byte[] {1, 2, 3}));
    }

    /** Tokens spliced into the JSON text. */
    private static final List<String> TOKENS = List.of("{", "}", "[", "]", "\"", "\\", "\\u", "\\ud800", ":", ",", "null",
        "true", "1e999999", "-", "0x10", "NaN", "/*", "\u0000", "\u00ff", "\ufeff", "[".repeat(2000), "{\"a\":".repeat(1100),
        "1" + "0".repeat(1200), "\"" + "x".repeat(3000) + "\"");

    /** What a JSON mutation does. */
    enum Op {
        /** The i-th value (in document order) replaced by one of {@link #REPLACEMENTS}. */
        REPLACE_VALUE,
        /** The i-th object field removed. */
        REMOVE_FIELD,
        /** A token spliced into the text. */
        INSERT_TOKEN,
        /** One byte of the text set. */
        BYTE,
        /** The text cut. */
        TRUNCATE
    }

    /** One mutation. */
    record Mutation(Op op, int at, int which) {
    }

    static byte[] apply(byte[] body, List<Mutation> mutations) {
        byte[] d = body;
        for (Mutation m : mutations) {
            switch (m.op()) {
                case REPLACE_VALUE, REMOVE_FIELD -> {
                    JsonNode tree;
                    try {
                        tree = JSON.readTree(d);
                    } catch (IOException e) {
                        continue; // an earlier text mutation broke the JSON: only text mutations apply
                    }
                    List<JsonNode> containers = new ArrayList<>();
                    collect(tree, containers);
                    if (containers.isEmpty()) {
                        continue;
                    }
                    JsonNode c = containers.get(Math.floorMod(m.at(), containers.size()));
                    JsonNode r = REPLACEMENTS.get(Math.floorMod(m.which(), REPLACEMENTS.size()));
                    if (c instanceof ObjectNode o && o.size() > 0) {
                        Iterator<String> names = o.fieldNames();
                        String name = null;
                        for (int k = Math.floorMod(m.which(), o.size()); k >= 0; k--) {
                            name = names.next();
                        }
                        if (m.op() == Op.REMOVE_FIELD) {
                            o.remove(name);
                        } else {
                            o.set(name, r.deepCopy());
                        }
                    } else if (c instanceof ArrayNode a && a.size() > 0) {
                        int k = Math.floorMod(m.which(), a.size());
                        if (m.op() == Op.REMOVE_FIELD) {
                            a.remove(k);
                        } else {
                            a.set(k, r.deepCopy());
                        }
                    }
                    try {
                        d = JSON.writeValueAsBytes(tree);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                case INSERT_TOKEN -> d = splice(d, Math.floorMod(m.at(), d.length + 1), 0,
                        TOKENS.get(Math.floorMod(m.which(), TOKENS.size())).getBytes(StandardCharsets.UTF_8));
                case BYTE -> {
                    if (d.length > 0) {
                        d = d.clone();
                        d[Math.floorMod(m.at(), d.length)] = (byte) m.which();
                    }
                }
                case TRUNCATE -> d = java.util.Arrays.copyOf(d, Math.floorMod(m.at(), d.length + 1));
                default -> throw new AssertionError(m.op());
            }
        }
        return d;
    }

    /** @return {@code d} with the {@code remove} bytes at {@code pos} replaced by {@code insert} */
    static byte[] splice(byte[] d, int pos, int remove, byte[] insert) {
        return ByteBuffer.allocate(d.length - remove + insert.length).put(d, 0, pos).put(insert)
                .put(d, pos + remove, d.length - pos - remove).array();
    }

    private static void collect(JsonNode n, List<JsonNode> containers) {
        if (n.isContainerNode()) {
            containers.add(n);
            n.forEach(c -> collect(c, containers));
        }
    }

    /** A corpus body, the mutations applied to it, and the call it is served to. */
    record Mutated(Seed seed, List<Mutation> mutations, Call call) {
        byte[] body() {
            return apply(seed.body(), mutations);
        }

        @Override
        public String toString() {
            String b = new String(body(), StandardCharsets.UTF_8);
            return call + " " + seed + " " + mutations + " -> " + (b.length() > 600 ? b.substring(0, 600) + "..." : b);
        }
    }

    @Provide
    Arbitrary<Mutated> mutatedBodies() {
        Arbitrary<Mutation> m = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers(), Arbitraries.integers())
                .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(CORPUS), m.list().ofMinSize(1).ofMaxSize(6), Arbitraries.of(Call.class))
                .as(Mutated::new);
    }

    @Property
    void mutatedBodiesAreReadOrFailWithTheDocumentedException(@ForAll("mutatedBodies") Mutated m) {
        String outcome = call(m.call(), http(200, m.body()));
        assertThat(outcome).isIn("ok", "Failed");
        Statistics.collect(outcome);
    }

    // ------------------------------------------------------------------ status codes

    @Property
    void anyStatusWithAnyBodyIsMappedToItsKind(@ForAll("mutatedBodies") Mutated m, @ForAll("statuses") int status) {
        String outcome = call(m.call(), http(status, m.body()));
        if (status == 404) {
            assertThat(outcome).isEqualTo("NotFound");
        } else if (status != 200) {
            assertThat(outcome).isEqualTo("Failed");
        }
        Statistics.collect(status == 200 ? "200 " + outcome : outcome);
    }

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.oneOf(Arbitraries.of(200, 201, 204, 304, 400, 404, 409, 500, 503), Arbitraries.integers().between(0, 999));
    }

    // ------------------------------------------------------------------ HTTP framing

    /** Tokens spliced into the response head or body framing. */
    private static final List<String> FRAMING = List.of("\r\n", "\n", "\r", ":", " ", "HTTP/1.1 ", "HTTP/1.0 200 OK\r\n",
        "Transfer-Encoding: chunked\r\n", "Content-Length: -1\r\n", "Content-Length: 99999999999\r\n", "Content-Length: x\r\n",
        "0\r\n\r\n", "ffffffffffffffff\r\n", "-5\r\n", "5;ext=1\r\n", "\u0000", "X".repeat(70_000));

    @Provide
    Arbitrary<byte[]> mutatedResponses() {
        Arbitrary<byte[]> chunked = Arbitraries.of(CORPUS).map(s -> {
            String b = new String(s.body(), StandardCharsets.UTF_8);
            int half = b.length() / 2;
            String r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(b.substring(0, half)) + chunk(b.substring(half))
                    + "0\r\n\r\n";
            return r.getBytes(StandardCharsets.UTF_8);
        });
        Arbitrary<byte[]> plain = Arbitraries.of(CORPUS).map(s -> http(200, s.body()));
        Arbitrary<byte[]> seed = Arbitraries.oneOf(chunked, plain);
        Arbitrary<int[]> splice = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), Arbitraries.of(0, 1, 2))
                .as((at, which, kind) -> new int[] {at, which, kind});
        return Combinators.combine(seed, splice.list().ofMinSize(1).ofMaxSize(4)).as((r, splices) -> {
            byte[] d = r;
            for (int[] s : splices) {
                int pos = Math.floorMod(s[0], Math.min(d.length, 200) + 1); // mostly the head and the first chunk line
                if (s[2] == 0) {
                    d = splice(d, pos, 0, FRAMING.get(Math.floorMod(s[1], FRAMING.size())).getBytes(StandardCharsets.UTF_8));
                } else if (s[2] == 1 && pos < d.length) {
                    d = d.clone();
                    d[pos] = (byte) s[1];
                } else {
                    d = java.util.Arrays.copyOf(d, Math.floorMod(s[0], d.length + 1));
                }
            }
            return d;
        });
    }

    private static String chunk(String s) {
        return Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + s + "\r\n";
    }

    @Property
    void mutatedHttpFramingEndsInAResultOrADocumentedError(@ForAll("mutatedResponses") byte[] response, @ForAll Call call) {
        String outcome = call(call, response);
        assertThat(outcome).isIn(Set.of("ok", "Failed", "NotFound", "Unavailable", "Timeout").toArray());
        Statistics.collect(outcome);
    }
}
