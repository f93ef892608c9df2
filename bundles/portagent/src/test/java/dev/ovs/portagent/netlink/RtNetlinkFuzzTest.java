package dev.ovs.portagent.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of the rtnetlink reply decoder (netlink(7), rtnetlink(7)) with jqwik: what {@link RtNetlink} does with
 * every datagram the kernel sends, without a socket: {@link NlMessage#parse} (framing), then per message
 * {@link RtnlDecoder#parseLink} ({@code RTM_NEWLINK}), {@link RtnlDecoder#parseAddress} ({@code RTM_NEWADDR}),
 * {@link RtnlDecoder#parseRoute} ({@code RTM_NEWROUTE}), {@link RtnlDecoder#ackError} and {@link RtnlDecoder#extAck}
 * ({@code NLMSG_ERROR}).
 *
 * <p>Documented exceptions: {@link IllegalArgumentException} ("malformed ...") from each of those for bytes that
 * are not a well-formed reply; nothing else may escape (no {@code IndexOutOfBoundsException},
 * {@code BufferUnderflowException}, {@code NegativeArraySizeException}, no hang: every loop advances). The socket
 * methods of {@link RtNetlink} report such a reply as {@link NetlinkException} {@code EPROTO}.
 *
 * <p>Corpus: {@code src/test/resources/fuzz/rtnetlink/*.hex}, real kernel replies captured in a private network
 * namespace by {@code capture.py} next to them (host byte order: the corpus is little-endian, as the machines
 * Patchbay runs on). Every file is replayed as it is ({@link #corpusDecodesToWhatWasConfigured}) and is the seed of
 * the mutations. Cases per property: jqwik's {@code jqwik.tries.default} (1000 in {@code junit-platform.properties};
 * {@code -Djqwik.tries.default=N} for more); jqwik prints tries, checks and the seed of every property.
 */
class RtNetlinkFuzzTest {
    private static final List<Seed> CORPUS = loadCorpus();

    /** One corpus file. */
    record Seed(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Seed> loadCorpus() {
        try {
            Path dir = Path.of(RtNetlinkFuzzTest.class.getResource("/fuzz/rtnetlink").toURI());
            try (Stream<Path> files = Files.list(dir)) {
                List<Seed> out = new ArrayList<>();
                for (Path f : files.filter(p -> p.toString().endsWith(".hex")).sorted().toList()) {
                    String hex = Files.readString(f).replaceAll("\\s", "");
                    out.add(new Seed(f.getFileName().toString(), HexFormat.of().parseHex(hex)));
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decodes a datagram as {@link RtNetlink} does; throws what the decoder throws. */
    static List<Object> decode(byte[] datagram) {
        List<Object> out = new ArrayList<>();
        for (NlMessage m : NlMessage.parse(datagram, datagram.length)) {
            switch (m.type()) {
                case Nl.RTM_NEWLINK -> out.add(RtnlDecoder.parseLink(m));
                case Nl.RTM_NEWADDR -> out.add(Objects.toString(RtnlDecoder.parseAddress(m)));
                case Nl.RTM_NEWROUTE -> out.add(RtnlDecoder.parseRoute(m));
                case Nl.NLMSG_ERROR -> out.add("error " + RtnlDecoder.ackError(m) + " " + RtnlDecoder.extAck(m));
                default -> out.add("type " + m.type());
            }
        }
        return out;
    }

    /** The property of every fuzz case: decoded, or refused with the documented exception. */
    private static boolean decodesOrIsRefused(byte[] datagram) {
        try {
            decode(datagram);
            return true;
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("the refusal says what is malformed").contains("malformed");
            return false;
        }
    }

    // ------------------------------------------------------------------ corpus replay

    @Example
    void corpusDecodesToWhatWasConfigured() {
        Map<String, List<Object>> decoded = new TreeMap<>();
        for (Seed s : CORPUS) {
            if (!s.name().startsWith("regression-")) {
                decoded.put(s.name(), decode(s.bytes()));
                assertThat(decoded.get(s.name())).as(s.name()).hasSize(1);
            }
        }
        System.out.println("fuzz corpus rtnetlink: " + decoded.size() + " kernel replies decoded");
        List<Object> all = decoded.values().stream().flatMap(List::stream).toList();
        // what capture.py configured in its namespace
        assertThat(all).filteredOn(LinkInfo.class::isInstance).map(LinkInfo.class::cast)
                .anySatisfy(l -> {
                    assertThat(l.name()).isEqualTo("dummy0");
                    assertThat(l.mtu()).isEqualTo(9000);
                    assertThat(l.mac()).isEqualTo("02:00:00:00:00:01");
                    assertThat(l.kind()).isEqualTo("veth");
                    assertThat(l.up()).isTrue();
                })
                .anySatisfy(l -> {
                    assertThat(l.name()).isEqualTo("vf_l");
                    assertThat(l.alias()).isEqualTo("fuzz alias");
                    assertThat(l.masterIndex()).isPositive();
                })
                .anySatisfy(l -> assertThat(l.kind()).isEqualTo("bridge"));
        assertThat(all).map(String::valueOf)
                .anyMatch(s -> s.contains("/10.1.2.3, prefixLength=24") && s.contains("label=dummy0:a"))
                .anyMatch(s -> s.contains("/fd00:0:0:0:0:0:0:3, prefixLength=64"));
        assertThat(all).filteredOn(RouteInfo.class::isInstance).map(RouteInfo.class::cast)
                .anySatisfy(r -> {
                    assertThat(r.destination()).isEqualTo(InetAddress.getByName("192.168.50.0"));
                    assertThat(r.dstLength()).isEqualTo(24);
                    assertThat(r.gateway()).isEqualTo(InetAddress.getByName("10.1.2.1"));
                })
                .anySatisfy(r -> {
                    assertThat(r.isDefault()).isTrue();
                    assertThat(r.table()).isEqualTo(1000); // RTA_TABLE: more than the u8 rtm_table holds
                });
        assertThat(decoded.get("error-enodev.hex")).containsExactly("error -19 null");
        assertThat(decoded.get("error-eexist.hex")).containsExactly("error -17 null");
        assertThat(decoded.get("error-einval-extack.hex")).containsExactly("error -95 Unknown device type");
        assertThat(decoded.get("ack.hex")).containsExactly("error 0 null");
    }

    /**
     * The shrunk cases of the decoder's fixed bugs ({@code regression-*.hex}): each made an
     * {@code IndexOutOfBoundsException} escape (a payload shorter than its family header, a {@code u32}/{@code u8}
     * attribute shorter than its type, an echoed request length that sent the extended-ack search before the
     * payload).
     */
    @Example
    void regressionCasesAreDecodedOrRefusedWithTheDocumentedException() {
        Map<String, Boolean> outcome = new TreeMap<>();
        for (Seed s : CORPUS) {
            if (s.name().startsWith("regression-")) {
                outcome.put(s.name(), decodesOrIsRefused(s.bytes()));
            }
        }
        System.out.println("fuzz corpus rtnetlink: " + outcome.size() + " regression cases replayed");
        assertThat(outcome).containsEntry("regression-extack-echo-len.hex", true).containsEntry("regression-short-ifinfomsg.hex",
                false).containsEntry("regression-short-rta-table.hex", false).containsEntry("regression-short-nlmsgerr.hex",
                        false).containsEntry("regression-empty-operstate.hex", false);
        assertThat(decode(CORPUS.stream().filter(s -> s.name().equals("regression-extack-echo-len.hex")).findFirst()
                .orElseThrow().bytes())).containsExactly("error -95 null");
    }

    // ------------------------------------------------------------------ mutated kernel replies

    /** What a mutation does, at a position scaled to the current length. */
    enum Op {
        /** One byte set to the value. */
        BYTE,
        /** A 16-bit field (rta_len, rta_type, nlmsg_type, ...) set to an interesting value. */
        U16,
        /** A 32-bit field (nlmsg_len, ifi_index, errno, ...) set to an interesting value. */
        U32,
        /** 1..16 bytes inserted. */
        INSERT,
        /** 1..64 bytes removed. */
        DELETE,
        /** The datagram cut at the position. */
        TRUNCATE,
        /** The datagram followed by a copy of itself (several messages per datagram). */
        REPEAT,
        /** {@code nlmsg_len} moved by -4..+4 bytes. */
        NLMSG_LEN
    }

    /** One mutation. */
    record Mutation(Op op, int at, int value) {
    }

    private static final int[] INTERESTING = {0, 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 20, 0x7f, 0x80, 0xff, 0x100, 0x3fff,
        0x4000, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff};

    static byte[] apply(byte[] seed, List<Mutation> mutations) {
        byte[] d = seed.clone();
        for (Mutation m : mutations) {
            int pos = Math.floorMod(m.at(), d.length + 1);
            int v = m.value();
            int interesting = INTERESTING[Math.floorMod(v, INTERESTING.length)];
            ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.nativeOrder());
            switch (m.op()) {
                case BYTE -> {
                    if (pos < d.length) {
                        d[pos] = (byte) v;
                    }
                }
                case U16 -> {
                    if (pos + 2 <= d.length) {
                        b.putShort(pos, (short) interesting);
                    }
                }
                case U32 -> {
                    if (pos + 4 <= d.length) {
                        b.putInt(pos, interesting);
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
                case NLMSG_LEN -> {
                    if (d.length >= 4) {
                        b.putInt(0, b.getInt(0) + Math.floorMod(v, 9) - 4);
                    }
                }
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

    /** A corpus reply and the mutations applied to it (shown when a case fails). */
    record Mutated(Seed seed, List<Mutation> mutations) {
        byte[] bytes() {
            return apply(seed.bytes(), mutations);
        }

        @Override
        public String toString() {
            return seed + " " + mutations + " -> " + HexFormat.of().formatHex(bytes());
        }
    }

    @Provide
    Arbitrary<Mutated> mutatedReplies() {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers(),
                Arbitraries.integers()).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(CORPUS), mutation.list().ofMinSize(1).ofMaxSize(6)).as(Mutated::new);
    }

    @Property
    void mutatedKernelRepliesDecodeOrAreRefused(@ForAll("mutatedReplies") Mutated m) {
        decodesOrIsRefused(m.bytes());
    }

    // ------------------------------------------------------------------ random bytes

    @Property
    void randomDatagramsDecodeOrAreRefused(@ForAll @Size(max = 600) byte[] datagram) {
        decodesOrIsRefused(datagram);
    }

    /** A well-formed nlmsghdr of a type the decoder looks into, then random payload bytes. */
    @Property
    void randomPayloadsBehindValidHeadersDecodeOrAreRefused(
            @ForAll("decodedTypes") int type, @ForAll @IntRange(max = 0xffff) int flags, @ForAll @Size(max = 300) byte[] payload) {
        byte[] m = new NlBuilder(type, flags).attr(0, new byte[0]).build(1);
        // replace the 4-byte placeholder attribute by the random payload, keeping nlmsg_len right
        byte[] d = Arrays.copyOf(m, Nl.NLMSG_HDRLEN + payload.length);
        System.arraycopy(payload, 0, d, Nl.NLMSG_HDRLEN, payload.length);
        ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(0, d.length);
        decodesOrIsRefused(d);
    }

    @Provide
    Arbitrary<Integer> decodedTypes() {
        return Arbitraries.of(Nl.RTM_NEWLINK, Nl.RTM_NEWADDR, Nl.RTM_NEWROUTE, Nl.NLMSG_ERROR, Nl.NLMSG_DONE);
    }

    // ------------------------------------------------------------------ well-formed replies round-trip

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withCharRange('!', '~').withChars('é', '€', ' ').ofMinLength(1).ofMaxLength(40);
    }

    @Property
    void wellFormedLinksDecodeToTheirFields(@ForAll int index, @ForAll int flags, @ForAll("texts") String name,
            @ForAll int mtu, @ForAll @Size(max = 32) byte[] address, @ForAll("texts") String kind, @ForAll int master,
            @ForAll("texts") String alias) {
        NlBuilder b = new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_MULTI).ifinfomsg(Nl.AF_UNSPEC, 1, index, flags, 0)
                .attrString(Nl.IFLA_IFNAME, name).attrU32(Nl.IFLA_MTU, mtu).attr(Nl.IFLA_ADDRESS, address)
                .attrU32(Nl.IFLA_MASTER, master).attrString(Nl.IFLA_IFALIAS, alias);
        int li = b.nestStart(Nl.IFLA_LINKINFO);
        b.attrString(Nl.IFLA_INFO_KIND, kind).nestEnd(li);
        List<Object> d = decode(b.build(7));
        assertThat(d).hasSize(1);
        LinkInfo l = (LinkInfo) d.get(0);
        StringBuilder mac = new StringBuilder();
        for (byte x : address) {
            mac.append(mac.length() == 0 ? "" : ":").append(String.format("%02x", x & 0xff));
        }
        assertThat(l).isEqualTo(new LinkInfo(index, name, flags, mtu, mac.toString(), kind, master, 0, -1, 0, alias));
    }

    @Property
    void wellFormedAddressesDecodeToTheirFields(@ForAll boolean v6, @ForAll @IntRange(max = 255) int prefix,
            @ForAll @IntRange(max = 255) int scope, @ForAll int index, @ForAll @Size(16) byte[] raw,
            @ForAll("texts") String label) throws Exception {
        byte[] addr = v6 ? raw : Arrays.copyOf(raw, 4);
        byte[] m = new NlBuilder(Nl.RTM_NEWADDR, Nl.NLM_F_MULTI).ifaddrmsg(v6 ? Nl.AF_INET6 : Nl.AF_INET, prefix, 0, scope,
                index).attr(Nl.IFA_ADDRESS, addr).attrString(Nl.IFA_LABEL, label).build(3);
        assertThat(decode(m)).containsExactly(
                new AddressInfo(index, InetAddress.getByAddress(addr), prefix, scope, label).toString());
    }

    @Property
    void wellFormedRoutesDecodeToTheirFields(@ForAll boolean v6, @ForAll @IntRange(max = 255) int dstLen,
            @ForAll @Size(16) byte[] dst, @ForAll @Size(16) byte[] gw, @ForAll int oif, @ForAll int table,
            @ForAll @IntRange(max = 255) int proto, @ForAll @IntRange(max = 255) int scope,
            @ForAll @IntRange(max = 255) int type) throws Exception {
        int n = v6 ? 16 : 4;
        int fam = v6 ? Nl.AF_INET6 : Nl.AF_INET;
        byte[] m = new NlBuilder(Nl.RTM_NEWROUTE, Nl.NLM_F_MULTI).rtmsg(fam, dstLen, 0, 0, table & 0xff, proto, scope, type, 0)
                .attr(Nl.RTA_DST, Arrays.copyOf(dst, n)).attr(Nl.RTA_GATEWAY, Arrays.copyOf(gw, n))
                .attrU32(Nl.RTA_OIF, oif).attrU32(Nl.RTA_TABLE, table).build(5);
        assertThat(decode(m)).containsExactly(new RouteInfo(fam, InetAddress.getByAddress(Arrays.copyOf(dst, n)), dstLen,
                InetAddress.getByAddress(Arrays.copyOf(gw, n)), oif, table, proto, scope, type));
    }
}
