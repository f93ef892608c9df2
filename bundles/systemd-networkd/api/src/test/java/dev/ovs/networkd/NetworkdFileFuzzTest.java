package dev.ovs.networkd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.base.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing of {@link NetworkdFile} (systemd.network(5), systemd.netdev(5) syntax as Patchbay reads and writes it)
 * with jqwik: parse → render → parse is the identity on every file {@link NetworkdFile#parse} accepts and on every
 * file the {@link NetworkdFile.Builder} builds; garbage and mutated files are either accepted or refused.
 *
 * <p>Documented exception: {@link InvalidArgumentException} (naming the line, or the section and key, and the rule)
 * from {@link NetworkdFile#parse} and {@link NetworkdFile.Builder#build()}; nothing else may escape for any
 * non-null text.
 *
 * <p>Corpus: {@code src/test/resources/fuzz/networkd/*.network|*.netdev}: files as Patchbay writes them
 * ({@code NetworkFilesImpl}: static, DHCP), hand-written ones with comments, repeated sections, globs and CRLF line
 * ends (a shrunk case of a fixed bug would be added as {@code regression-*}, which must be refused). Each is replayed,
 * then mutated line by line.
 * Cases per property: jqwik's {@code jqwik.tries.default} (1000 in {@code junit-platform.properties};
 * {@code -Djqwik.tries.default=N} for more); jqwik prints tries, checks and the seed of every property.
 */
class NetworkdFileFuzzTest {
    private static final List<Seed> CORPUS = loadCorpus();

    /** One corpus file. */
    record Seed(String name, NetworkdFile.Kind kind, String text) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Seed> loadCorpus() {
        try {
            Path dir = Path.of(NetworkdFileFuzzTest.class.getResource("/fuzz/networkd").toURI());
            try (Stream<Path> files = Files.list(dir)) {
                List<Seed> out = new ArrayList<>();
                for (Path f : files.sorted().toList()) {
                    String n = f.getFileName().toString();
                    out.add(new Seed(n, n.endsWith(".netdev") ? NetworkdFile.Kind.NETDEV : NetworkdFile.Kind.NETWORK,
                            Files.readString(f)));
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The property of every text: refused with the documented exception, or accepted and then stable under
     * render → parse.
     *
     * @return whether the text was accepted
     */
    private static boolean parsesAndRoundTripsOrIsRefused(NetworkdFile.Kind kind, String text) {
        NetworkdFile f;
        try {
            f = NetworkdFile.parse(kind, text);
        } catch (InvalidArgumentException e) {
            assertThat(e.argument()).as("the refusal names where").isNotBlank();
            assertThat(e.rule()).as("and the rule").isNotBlank();
            return false;
        }
        assertRoundTrips(f);
        return true;
    }

    private static void assertRoundTrips(NetworkdFile f) {
        String text = f.render();
        assertThat(text).startsWith(NetworkdFile.OWNER_HEADER + "\n");
        NetworkdFile again = NetworkdFile.parse(f.kind(), text);
        assertThat(again).isEqualTo(f);
        assertThat(again.render()).isEqualTo(text);
    }

    // ------------------------------------------------------------------ corpus replay

    @Example
    void corpusFilesParseAndRoundTrip() {
        int accepted = 0;
        for (Seed s : CORPUS) {
            boolean ok = parsesAndRoundTripsOrIsRefused(s.kind(), s.text());
            assertThat(ok).as("%s is %s", s, s.name().startsWith("regression-") ? "refused" : "accepted")
                    .isEqualTo(!s.name().startsWith("regression-"));
            accepted += ok ? 1 : 0;
        }
        System.out.println("fuzz corpus networkd: " + CORPUS.size() + " files replayed, " + accepted + " accepted");
        NetworkdFile routes = NetworkdFile.parse(NetworkdFile.Kind.NETWORK, text("routes.network"));
        assertThat(routes.values("Route", "Gateway")).containsExactly("10.0.0.253", "_ipv6ra");
        assertThat(routes.values("Match", "Name")).containsExactly("en* eth0.100 veth?");
        assertThat(NetworkdFile.parse(NetworkdFile.Kind.NETWORK, text("crlf.network")).values("Network", "Gateway"))
                .containsExactly("_dhcp4");
    }

    private static String text(String name) {
        return CORPUS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().text();
    }

    // ------------------------------------------------------------------ mutated files

    /** Tokens that break the syntax or the key rules in interesting ways. */
    private static final List<String> TOKENS = List.of("[", "]", "[]", "[Match", "Match]", "=", "==", "#", ";", " ", "\t",
        "\r", "\u000b", "\u0085", "\u2028", "\u00a0", "\u0000", "*", "?", "/", ":", ".", "..", "0", "-1", "67", "68",
        "65535", "65536", "99999999999", "4094", "4095", "1.2.3.4", "1.2.3.4/33", "01.2.3.4/8", "::", "::/129", "fd00::1/64",
        "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4", "_dhcp4", "yes", "no", "ipv4", "maybe", "eth0", "a234567890123456",
        "é", "\ud83d\ude00", "\ud800", "x".repeat(5000), "Name", "Kind", "Id", "MTUBytes", "Address", "Gateway", "DNS",
        "DHCP", "Match", "Network", "NetDev", "VLAN", "Route", "Link");

    /** What a line mutation does. */
    enum Op {
        /** The line removed. */
        DELETE_LINE,
        /** The line repeated. */
        DUPLICATE_LINE,
        /** The line swapped with the next. */
        SWAP_LINES,
        /** A token inserted into the line at a position. */
        INSERT_TOKEN,
        /** The line replaced by a token. */
        REPLACE_LINE,
        /** The part after '=' replaced by a token. */
        REPLACE_VALUE,
        /** A character of the line removed. */
        DELETE_CHAR
    }

    /** One mutation: which line, where in it, which token. */
    record Mutation(Op op, int line, int at, int token) {
    }

    static String apply(String text, List<Mutation> mutations) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        for (Mutation m : mutations) {
            int i = Math.floorMod(m.line(), lines.size());
            String l = lines.get(i);
            String tok = TOKENS.get(Math.floorMod(m.token(), TOKENS.size()));
            int at = Math.floorMod(m.at(), l.length() + 1);
            switch (m.op()) {
                case DELETE_LINE -> {
                    if (lines.size() > 1) {
                        lines.remove(i);
                    }
                }
                case DUPLICATE_LINE -> lines.add(i, l);
                case SWAP_LINES -> {
                    int j = (i + 1) % lines.size();
                    lines.set(i, lines.get(j));
                    lines.set(j, l);
                }
                case INSERT_TOKEN -> lines.set(i, l.substring(0, at) + tok + l.substring(at));
                case REPLACE_LINE -> lines.set(i, tok);
                case REPLACE_VALUE -> lines.set(i, l.indexOf('=') < 0 ? l + "=" + tok : l.substring(0, l.indexOf('=') + 1) + tok);
                case DELETE_CHAR -> lines.set(i, at < l.length() ? l.substring(0, at) + l.substring(at + 1) : l);
                default -> throw new AssertionError(m.op());
            }
        }
        return String.join("\n", lines);
    }

    /** A corpus file and the mutations applied to it. */
    record Mutated(Seed seed, List<Mutation> mutations) {
        String text() {
            return apply(seed.text(), mutations);
        }

        @Override
        public String toString() {
            return seed + " " + mutations + " -> " + text().replace("\n", "\\n").replace("\r", "\\r");
        }
    }

    @Provide
    Arbitrary<Mutated> mutatedFiles() {
        Arbitrary<Mutation> m = Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.integers()).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(CORPUS), m.list().ofMinSize(1).ofMaxSize(5)).as(Mutated::new);
    }

    @Property
    void mutatedFilesParseAndRoundTripOrAreRefused(@ForAll("mutatedFiles") Mutated m) {
        Statistics.collect(parsesAndRoundTripsOrIsRefused(m.seed().kind(), m.text()) ? "accepted" : "refused");
    }

    // ------------------------------------------------------------------ garbage

    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("[]=#;\n\r\t .:/*").withCharRange('A', 'z')
                .withCharRange('\u0000', '\u001f').withChars('\u0085', '\u2028', '\u00e9', '\ud83d', '\ude00').ofMaxLength(200);
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(40).map(l -> String.join("", l));
        Arbitrary<String> lines = Arbitraries.of(TOKENS).list().ofMaxSize(4).map(l -> String.join("", l)).list().ofMaxSize(12)
                .map(l -> String.join("\n", l));
        return Arbitraries.oneOf(chars, tokens, lines, Arbitraries.strings().ofMaxLength(300));
    }

    @Property
    void garbageParsesAndRoundTripsOrIsRefused(@ForAll("garbage") String text, @ForAll NetworkdFile.Kind kind) {
        Statistics.collect(parsesAndRoundTripsOrIsRefused(kind, text) ? "accepted" : "refused");
    }

    // ------------------------------------------------------------------ built files

    @Provide
    Arbitrary<String> idents() {
        return Combinators.combine(Arbitraries.chars().alpha(), Arbitraries.strings().alpha().numeric().ofMaxLength(20))
                .as((c, r) -> c + r);
    }

    /** Values that pass the syntax rules: no control characters, no whitespace at either end, at most 4096 chars. */
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().excludeChars('\u0000').ofMaxLength(60)
                .map(String::strip)
                .filter(v -> v.chars().noneMatch(Character::isISOControl));
    }

    private static Arbitrary<String> validFor(String key) {
        Arbitrary<String> v4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
        Arbitrary<String> v6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
                .map(l -> String.join(":", l.stream().map(Integer::toHexString).toList()));
        Arbitrary<String> ip = Arbitraries.oneOf(v4, v6);
        Arbitrary<String> cidr = Arbitraries.oneOf(
                Combinators.combine(v4, Arbitraries.integers().between(0, 32)).as((a, p) -> a + "/" + p),
                Combinators.combine(v6, Arbitraries.integers().between(0, 128)).as((a, p) -> a + "/" + p));
        return switch (key) {
            case "Address", "Destination" -> cidr;
            case "Gateway" -> Arbitraries.oneOf(ip, Arbitraries.of("_dhcp4", "_ipv6ra"));
            case "DNS" -> ip.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(" ", l));
            case "DHCP" -> Arbitraries.of("yes", "no", "ipv4", "ipv6");
            case "IPv6AcceptRA", "ConfigureWithoutCarrier" -> Arbitraries.of("1", "yes", "y", "true", "t", "on", "0", "no", "n",
                    "false", "f", "off", "YES", "Off");
            case "MTUBytes" -> Arbitraries.integers().between(68, 65535).map(String::valueOf);
            case "Id" -> Arbitraries.integers().between(0, 4094).map(String::valueOf);
            case "Kind" -> Arbitraries.of("bridge", "vlan", "veth", "dummy", "bond", "vxlan", "wireguard");
            default -> Arbitraries.strings().withCharRange('a', 'z').withChars("*?.-_").ofMinLength(1).ofMaxLength(15)
                    .filter(n -> !n.equals(".") && !n.equals(".."));
        };
    }

    /** Known sections with their known keys (validated), mixed with free sections and keys (syntax rules only). */
    @Provide
    Arbitrary<NetworkdFile> builtFiles() {
        List<Tuple.Tuple2<String, String>> known = List.of(Tuple.of("Network", "Address"), Tuple.of("Address", "Address"),
                Tuple.of("Route", "Destination"), Tuple.of("Network", "Gateway"), Tuple.of("Route", "Gateway"),
                Tuple.of("Network", "DNS"), Tuple.of("Network", "DHCP"), Tuple.of("Network", "IPv6AcceptRA"),
                Tuple.of("Network", "ConfigureWithoutCarrier"), Tuple.of("Link", "MTUBytes"), Tuple.of("Match", "Name"));
        Arbitrary<Tuple.Tuple3<String, String, String>> knownEntry = Arbitraries.of(known)
                .flatMap(t -> validFor(t.get2().equals("Name") ? "ifname" : t.get2()).map(v -> Tuple.of(t.get1(), t.get2(), v)));
        Arbitrary<Tuple.Tuple3<String, String, String>> freeEntry = Combinators.combine(idents(), idents(), values())
                .as((s, k, v) -> Tuple.of("X" + s, k, v));
        Arbitrary<List<Tuple.Tuple3<String, String, String>>> entries = Arbitraries.oneOf(knownEntry, freeEntry).list()
                .ofMaxSize(12);
        Arbitrary<NetworkdFile> network = Combinators.combine(validFor("ifname"), entries).as((name, es) -> {
            NetworkdFile.Builder b = NetworkdFile.network().section("Match").add("Name", name);
            for (Tuple.Tuple3<String, String, String> e : es) {
                b.section(e.get1()).add(e.get2(), e.get3());
            }
            return b.build();
        });
        Arbitrary<NetworkdFile> netdev = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(15), validFor("Kind"),
                validFor("MTUBytes"), validFor("Id"), entries.map(l -> l.stream().filter(e -> e.get1().startsWith("X")).toList()))
                .as((name, kind, mtu, id, es) -> {
                    NetworkdFile.Builder b = NetworkdFile.netdev().section("NetDev").add("Name", name).add("Kind", kind)
                            .add("MTUBytes", mtu).section("VLAN").add("Id", id);
                    for (Tuple.Tuple3<String, String, String> e : es) {
                        b.section(e.get1()).add(e.get2(), e.get3());
                    }
                    return b.build();
                });
        return Arbitraries.oneOf(network, netdev);
    }

    @Property
    void builtFilesRenderAndParseBackToThemselves(@ForAll("builtFiles") NetworkdFile f) {
        assertRoundTrips(f);
    }

    @Property
    void builderRefusesBadSyntaxWithTheDocumentedException(@ForAll("garbage") String section, @ForAll("garbage") String key,
            @ForAll @Size(max = 3) List<@From("garbage") String> values) {
        try {
            NetworkdFile.Builder b = NetworkdFile.network().section("Match").add("Name", "eth0").section(section);
            for (String v : values) {
                b.add(key, v);
            }
            assertRoundTrips(b.build());
            Statistics.collect("accepted");
        } catch (InvalidArgumentException e) {
            assertThat(e.argument()).isNotBlank();
            Statistics.collect("refused");
        }
    }
}
