package dev.ovs.dbusjava.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.ShortTempDir;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.messages.constants.Endian;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * Fuzzing of {@link BufferedMessageReader} and dbus-java's decoding of what it frames (D-Bus Specification,
 * "Message Format") with jqwik: mutated wire messages are written into a Unix socket pair, the write side is shut
 * down, and the reader reads until the stream ends; every message it returns is decoded ({@link Message#getParameters}
 * and the header accessors), as dbus-java's dispatcher does.
 *
 * <p>Documented exceptions (class comment of {@link BufferedMessageReader}): {@link EOFException} at the end of the
 * stream; {@link IOException} (including {@code MessageProtocolVersionException}) for a message that cannot be framed,
 * after which the connection is dropped (the test stops reading); {@link DBusException} for a framed message dbus-java
 * cannot decode, from {@code readMessage} or from {@code getParameters} (the test reads on). Nothing else may escape,
 * and no case may hang: each case has 10 s (a framed message is complete once its bytes are there, and the writer
 * closes its end).
 *
 * <p>Corpus: {@code src/test/resources/fuzz/dbus/*.hex}, real traffic of a private dbus-daemon (little-endian,
 * {@code capture.sh} next to them), plus big-endian messages built with dbus-java at run time. Cases per property:
 * jqwik's {@code jqwik.tries.default} (1000 in {@code junit-platform.properties}; {@code -Djqwik.tries.default=N} for
 * more); jqwik prints tries, checks, the seed and the outcome statistics of every property.
 */
class BufferedMessageReaderFuzzTest {
    private static final List<Seed> SEEDS = seeds();
    private static ShortTempDir dir;
    private static ServerSocketChannel server;
    private static UnixDomainSocketAddress address;
    private static ExecutorService readers;

    /** One wire message (or several). */
    record Seed(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Seed> seeds() {
        List<Seed> out = new ArrayList<>();
        try {
            Path d = Path.of(BufferedMessageReaderFuzzTest.class.getResource("/fuzz/dbus").toURI());
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".hex")).sorted().toList()) {
                    out.add(new Seed(f.getFileName().toString(), HexFormat.of().parseHex(Files.readString(f).replaceAll("\\s", ""))));
                }
            }
            MessageFactory big = new MessageFactory(Endian.BIG);
            out.add(new Seed("built-big-call", wire(big.createMethodCall(":1.7", "dev.ovs.PortAgent1", "/dev/ovs/PortAgent1",
                    "dev.ovs.PortAgent1", "CreateContainerInterface", (byte) 0, "sssa{sv}", "br-int", "eth1", "web-1",
                    Map.of("mtu", new Variant<>(1500), "vlan", new Variant<>(new UInt16(100)), "ipaddress",
                            new Variant<>("10.0.0.2/24"))))));
            out.add(new Seed("built-big-signal", wire(big.createSignal(":1.7", "/dev/ovs/T", "dev.ovs.T", "Sig",
                    "aya(si)vtd", new byte[] {1, 2, 3}, List.of(), new Variant<>(List.of("a", "b"), "as"),
                    new UInt64(Long.MAX_VALUE), 1.5))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | DBusException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static byte[] wire(Message m) {
        int n = 0;
        for (byte[] seg : m.getWireData()) {
            n += seg == null ? 0 : seg.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] seg : m.getWireData()) {
            if (seg != null) {
                b.put(seg);
            }
        }
        return b.array();
    }

    @BeforeContainer
    static void listen() throws IOException {
        dir = ShortTempDir.create();
        address = UnixDomainSocketAddress.of(dir.resolve("fuzz.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        readers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dbus-reader-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterContainer
    static void close() throws IOException {
        readers.shutdownNow();
        server.close();
        dir.close();
    }

    /**
     * Writes {@code bytes} into a fresh connection, closes the writing side, and reads everything.
     *
     * @return how the stream ended: "eof" or the framing error's class, plus the messages read and refused
     */
    private static String readAll(byte[] bytes) throws Exception {
        try (SocketChannel writer = SocketChannel.open(address); SocketChannel readSide = server.accept()) {
            BufferedMessageReader reader = new BufferedMessageReader(readSide);
            Future<String> result = readers.submit(() -> {
                int read = 0;
                int undecodable = 0;
                try {
                    while (true) {
                        try {
                            Message m = reader.readMessage();
                            assertThat(m).isNotNull();
                            m.getSig();
                            m.getName();
                            m.getPath();
                            m.getInterface();
                            m.getParameters();
                            read++;
                        } catch (DBusException e) {
                            undecodable++; // consumed: the connection goes on
                        }
                    }
                } catch (EOFException e) {
                    return "eof after " + read + " read, " + undecodable + " undecodable";
                } catch (IOException e) {
                    return "disconnect (" + e.getClass().getSimpleName() + ")";
                } finally {
                    readSide.close(); // unblocks a writer stuck on a full socket buffer
                }
            });
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    writer.write(b);
                }
                writer.shutdownOutput();
            } catch (IOException e) {
                // the reader gave up on a framing error and closed its side
            }
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                throw new AssertionError("reader did not finish within 10 s: hang", e);
            }
        }
    }

    /** Runs a case; returns the outcome's class for the statistics (the property fails on any other exception). */
    private static String outcome(byte[] bytes) throws Exception {
        String r = readAll(bytes);
        return r.startsWith("eof") ? (r.contains(" 0 undecodable") ? "eof" : "eof, undecodable skipped") : r;
    }

    // ------------------------------------------------------------------ corpus replay

    @Example
    void corpusMessagesAreReadAndDecoded() throws Exception {
        List<Seed> valid = SEEDS.stream().filter(s -> !s.name().startsWith("regression-")).toList();
        for (Seed s : valid) {
            assertThat(readAll(s.bytes())).as(s.name()).isEqualTo("eof after 1 read, 0 undecodable");
        }
        ByteBuffer all = ByteBuffer.allocate(valid.stream().mapToInt(s -> s.bytes().length).sum());
        valid.forEach(s -> all.put(s.bytes()));
        assertThat(readAll(all.array())).isEqualTo("eof after " + valid.size() + " read, 0 undecodable");
        System.out.println("fuzz corpus dbus: " + valid.size() + " wire messages read and decoded, one by one and in one stream");
    }

    /**
     * The shrunk cases of fixed bugs ({@code regression-*.hex}), each followed by a valid message: refused with
     * a {@link DBusException}, and the reader goes on. {@code regression-body-string-length}: a body string length
     * beyond the body made dbus-java's lazy body decoding throw {@code StringIndexOutOfBoundsException};
     * {@code regression-member-object-path}: a {@code MEMBER} header field of type {@code o} made
     * {@link Message#getName()} throw {@code ClassCastException}.
     */
    @Example
    void regressionCasesAreRefusedAndTheStreamGoesOn() throws Exception {
        byte[] next = SEEDS.get(0).bytes();
        int n = 0;
        for (Seed s : SEEDS) {
            if (s.name().startsWith("regression-")) {
                byte[] both = Arrays.copyOf(s.bytes(), s.bytes().length + next.length);
                System.arraycopy(next, 0, both, s.bytes().length, next.length);
                assertThat(readAll(both)).as(s.name()).isEqualTo("eof after 1 read, 1 undecodable");
                n++;
            }
        }
        assertThat(n).isPositive();
        System.out.println("fuzz corpus dbus: " + n + " regression cases replayed");
    }

    // ------------------------------------------------------------------ mutated messages

    /** What a mutation does, at a position scaled to the current length. */
    enum Op {
        /** One byte set to the value. */
        BYTE,
        /** One byte set to a signature character or type code. */
        TYPE_CODE,
        /** A 32-bit length (body, header-field array, array, string) set to an interesting value, either byte order. */
        U32,
        /** 1..16 bytes inserted. */
        INSERT,
        /** 1..64 bytes removed. */
        DELETE,
        /** The bytes cut at the position. */
        TRUNCATE,
        /** The bytes followed by a copy of themselves. */
        REPEAT
    }

    /** One mutation. */
    record Mutation(Op op, int at, int value) {
    }

    private static final byte[] TYPE_CODES = "ybnqiuxtdsogavh(){}rem*?@&^\0lB".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 9, 0xff, 0x100, 0xffff, 0x10000,
        Message.MAXIMUM_ARRAY_LENGTH - 1, Message.MAXIMUM_ARRAY_LENGTH, Message.MAXIMUM_ARRAY_LENGTH + 1,
        Message.MAXIMUM_MESSAGE_LENGTH - 16, Message.MAXIMUM_MESSAGE_LENGTH, 0x7fffffffL, 0x80000000L, 0xffffffffL};

    static byte[] apply(byte[] seed, List<Mutation> mutations) {
        byte[] d = seed.clone();
        for (Mutation m : mutations) {
            int pos = Math.floorMod(m.at(), d.length + 1);
            int v = m.value();
            switch (m.op()) {
                case BYTE -> {
                    if (pos < d.length) {
                        d[pos] = (byte) v;
                    }
                }
                case TYPE_CODE -> {
                    if (pos < d.length) {
                        d[pos] = TYPE_CODES[Math.floorMod(v, TYPE_CODES.length)];
                    }
                }
                case U32 -> {
                    if (pos + 4 <= d.length) {
                        long x = INTERESTING[Math.floorMod(v, INTERESTING.length)];
                        ByteBuffer.wrap(d).order((v & 1) == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                                .putInt(pos & ~3, (int) x);
                    }
                }
                case INSERT -> {
                    byte[] ins = new byte[1 + Math.floorMod(v, 16)];
                    Arrays.fill(ins, (byte) (v >>> 8));
                    d = splice(d, pos, 0, ins);
                }
                case DELETE -> d = splice(d, pos, Math.min(1 + Math.floorMod(v, 64), d.length - pos), new byte[0]);
                case TRUNCATE -> d = Arrays.copyOf(d, pos);
                case REPEAT -> d = splice(d, d.length, 0, d);
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

    /** A seed and the mutations applied to it. */
    record Mutated(Seed seed, List<Mutation> mutations) {
        byte[] bytes() {
            return apply(seed.bytes(), mutations);
        }

        @Override
        public String toString() {
            byte[] b = bytes();
            return seed + " " + mutations + " -> " + HexFormat.of().formatHex(b, 0, Math.min(b.length, 2048));
        }
    }

    @Provide
    Arbitrary<Mutated> mutatedMessages() {
        Arbitrary<Mutation> m = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers(), Arbitraries.integers())
                .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(SEEDS), m.list().ofMinSize(1).ofMaxSize(6)).as(Mutated::new);
    }

    @Property
    void mutatedWireMessagesAreReadOrRefusedWithTheDocumentedExceptions(@ForAll("mutatedMessages") Mutated m) throws Exception {
        Statistics.collect(outcome(m.bytes()));
    }

    /** A valid fixed header (either byte order, protocol 1, small lengths) in front of random bytes. */
    @Property
    void randomBytesBehindAPlausibleHeaderAreReadOrRefused(@ForAll boolean big, @ForAll("types") byte type,
            @ForAll @Size(max = 400) byte[] rest) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16 + rest.length).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int fields = rest.length / 2;
        b.put(big ? Endian.BIG : Endian.LITTLE).put(type).put((byte) 0).put((byte) 1)
                .putInt(Math.max(0, rest.length - ((fields + 7) & ~7))).putInt(1).putInt(fields).put(rest);
        Statistics.collect(outcome(b.array()));
    }

    @Provide
    Arbitrary<Byte> types() {
        return Arbitraries.bytes().between((byte) 0, (byte) 5);
    }

    @Property
    void randomBytesAreRefusedWithTheDocumentedExceptions(@ForAll @Size(max = 300) byte[] bytes) throws Exception {
        Statistics.collect(outcome(bytes));
    }
}
