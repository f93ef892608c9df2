package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortSettings;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * Fuzzing of the port agent's D-Bus {@code CreateContainerInterface(sssa{sv})} arguments with jqwik: the face
 * ({@link PortAgentDbusComponent#CreateContainerInterface}: the {@code a{sv}} options unwrapped and read by
 * {@link PortSettings#fromOptions}) and the agent's add-port check ({@link PortAgentImpl#validate}: names, container
 * reference, {@code Validate} of address, MAC, gateway, MTU), called through a port agent that only validates.
 * Options are random variants of every D-Bus type ({@code s y b n q i u x t d o as ay a{ss} v}) under the known keys
 * and unknown ones, with valid, near-valid and out-of-range values.
 *
 * <p>Documented exception: {@link InvalidArgumentException} naming the argument or option key and the rule; nothing
 * else may escape ({@code ClassCastException}, {@code NumberFormatException}, a plain
 * {@link IllegalArgumentException} of the JDK's address parser, ...). An accepted {@code mtu} or {@code vlan} is
 * exactly the integer that was sent (an integral D-Bus number or a decimal string, never a truncated fraction, a
 * wrapped 64-bit value or NaN).
 *
 * <p>Corpus: {@code src/test/resources/fuzz/portoptions/*.txt}, one case per line ({@code key=type:value}, the
 * shrunk cases of fixed bugs among them), replayed by {@link #corpusCasesGetTheirOutcome}. Cases per property:
 * jqwik's {@code jqwik.tries.default} (1000 in {@code junit-platform.properties}; {@code -Djqwik.tries.default=N} for
 * more); jqwik prints tries, checks, the seed and the outcome statistics of every property.
 */
class PortOptionsFuzzTest {
    private static final AtomicReference<PortSettings> ACCEPTED = new AtomicReference<>();
    /** A port agent whose add-port only runs the agent's own check. */
    private static final PortAgent VALIDATING = (PortAgent) Proxy.newProxyInstance(PortAgent.class.getClassLoader(),
            new Class<?>[] {PortAgent.class}, (proxy, method, args) -> {
                if (!method.getName().equals("addPort")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                PortSettings s = (PortSettings) args[3];
                AddRequest.validate((String) args[0], (String) args[1], (String) args[2], s);
                ACCEPTED.set(s);
                return "0123456789abc";
            });
    private static final PortAgentDbusComponent FACE = new PortAgentDbusComponent(VALIDATING, null);

    /** One D-Bus option as sent: its key and its variant. */
    record Option(String key, Variant<?> value) {
        @Override
        public String toString() {
            return key + "=" + value.getSig() + ":" + show(value.getValue());
        }
    }

    private static String show(Object v) {
        return v instanceof byte[] b ? java.util.Arrays.toString(b) : String.valueOf(v);
    }

    /** A whole call. */
    record Call(String bridge, String iface, String container, List<Option> options) {
        Map<String, Variant<?>> map() {
            Map<String, Variant<?>> m = new LinkedHashMap<>();
            options.forEach(o -> m.put(o.key(), o.value()));
            return m;
        }
    }

    /**
     * Calls the face; checks the outcome.
     *
     * @return "accepted" or the refused argument
     */
    private static String create(Call c) {
        ACCEPTED.set(null);
        try {
            assertThat(FACE.CreateContainerInterface(c.bridge(), c.iface(), c.container(), c.map())).isNotBlank();
        } catch (InvalidArgumentException e) {
            assertThat(e.argument()).isNotBlank();
            assertThat(e.rule()).isNotBlank();
            return e.argument().replaceAll("\\[.*", "");
        }
        PortSettings s = ACCEPTED.get();
        Map<String, Variant<?>> m = c.map();
        // what was accepted is what was sent
        for (String k : List.of("mtu", "vlan")) {
            Integer got = k.equals("mtu") ? s.mtu() : s.vlan() == null ? null : s.vlan().value();
            if (m.containsKey(k)) {
                assertThat(got).as(k).isNotNull();
                assertThat(new BigDecimal(got)).as(k + " is the number sent").isEqualByComparingTo(exact(m.get(k).getValue()));
            } else {
                assertThat(got).as(k).isNull();
            }
        }
        assertThat(s.ipaddress()).isEqualTo(m.containsKey("ipaddress") ? m.get("ipaddress").getValue() : null);
        return "accepted";
    }

    /** The exact numeric value of an integral D-Bus number or a decimal string (fails the case for anything else). */
    private static BigDecimal exact(Object v) {
        if (v instanceof UInt64 u) {
            return new BigDecimal(u.value());
        }
        return new BigDecimal(v.toString().strip());
    }

    // ------------------------------------------------------------------ generators

    private static Arbitrary<String> from(String alphabet, int max) {
        return Arbitraries.strings().withChars(alphabet).ofMaxLength(max);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.of("br-int", "eth1", "br0", "a".repeat(15), "a".repeat(16), "", ".", "..", "a/b",
                "a:b", "a b", "é".repeat(8), "\u0000"), from("abc019-_./: \t\u00e9", 18), Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> containers() {
        return Arbitraries.oneOf(Arbitraries.of("web-1", "pid:1", "pid:0", "pid:-1", "pid:99999999999", "pid:", "netns:x",
                "netns:", "netns:../x", "netns:a/b", "0123456789ab", "a".repeat(300)),
                Combinators.combine(Arbitraries.of("pid:", "netns:", "", "id:"), from("0123456789abz./-_: ", 12)).as(String::concat),
                Arbitraries.strings().ofMaxLength(30));
    }

    private static Arbitrary<String> addressTexts() {
        return Arbitraries.oneOf(Arbitraries.of("10.0.0.2/24", "10.0.0.2", "fd00::2/64", "::", "0.0.0.0/0", "224.0.0.1/4",
                "10.0.0.2/33", "fd00::2/129", "10.0.0.1", "fd00::1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "::ffff:10.0.0.2",
                "::1.2.3", "1::2::3", "fe80::1%eth0", "[::1]", "0x7f.1", "10.0.0.2/-1", "10.0.0.2/", "/24", "localhost",
                "aa:bb:cc:dd:ee:ff", "02:00:00:00:00:01", "01:00:5e:00:00:01", "00:00:00:00:00:00", "AA:BB:CC:DD:EE:F"),
                from("0123456789abcdefABCDEFx:./%[] -", 45));
    }

    /** Values of every D-Bus basic and container type, valid and not, for any key. */
    @Provide
    Arbitrary<Variant<?>> variants() {
        Arbitrary<Long> ints = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-2, 70_000),
                Arbitraries.of(0L, 1L, 67L, 68L, 1500L, 4094L, 4095L, 4096L, 65535L, 65536L, (long) Integer.MAX_VALUE,
                        Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L));
        List<Arbitrary<? extends Variant<?>>> kinds = new ArrayList<>();
        kinds.add(addressTexts().map(Variant::new));
        kinds.add(Arbitraries.oneOf(ints.map(String::valueOf), Arbitraries.of(" 1500", "1500 ", "+1500", "0x5dc", "1e3", "1500.0",
                "-0", "0001500", "", "-", "٣")).map(Variant::new));
        kinds.add(ints.map(l -> new Variant<>((byte) (long) l)));
        kinds.add(Arbitraries.of(true, false).map(Variant::new));
        kinds.add(ints.map(l -> new Variant<>((short) (long) l)));
        kinds.add(ints.map(l -> new Variant<>(new UInt16((int) Math.floorMod(l, 65536L)))));
        kinds.add(ints.map(l -> new Variant<>((int) (long) l)));
        kinds.add(ints.map(l -> new Variant<>(new UInt32(Math.floorMod(l, 1L << 32)))));
        kinds.add(ints.map(Variant::new));
        kinds.add(Arbitraries.oneOf(ints.map(BigInteger::valueOf), Arbitraries.bigIntegers().between(BigInteger.ZERO,
                UInt64.MAX_BIG_VALUE)).map(b -> new Variant<>(new UInt64(b.abs().min(UInt64.MAX_BIG_VALUE)))));
        kinds.add(Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(1500.0, 1500.5, 100.9, 0.5, -0.0, Double.NaN,
                Double.POSITIVE_INFINITY, 1e300, 4095.0000001)).map(Variant::new));
        kinds.add(Arbitraries.of("/", "/dev/ovs/x").map(p -> new Variant<>(new DBusPath(p))));
        kinds.add(addressTexts().list().ofMaxSize(3).map(l -> new Variant<>(l, "as")));
        kinds.add(Arbitraries.bytes().array(byte[].class).ofMaxSize(6).map(b -> new Variant<>(b, "ay")));
        kinds.add(Arbitraries.of(Map.of("a", "b"), Map.<String, String>of()).map(m -> new Variant<>(m, "a{ss}")));
        kinds.add(ints.map(l -> new Variant<>(new Variant<>((int) (long) l))));
        return Arbitraries.oneOf(kinds);
    }

    @Provide
    Arbitrary<List<Option>> options() {
        Arbitrary<String> keys = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.of("ipaddress", "macaddress", "gateway", "mtu", "vlan")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("IPADDRESS", "mtu ", "", "tag", "options.vlan")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(10)));
        return Combinators.combine(keys, variants()).as(Option::new).list().ofMaxSize(5)
                .uniqueElements(Option::key);
    }

    // ------------------------------------------------------------------ properties

    @Property
    void randomOptionsAreAcceptedExactlyOrRefusedWithInvalidArgument(@ForAll("options") List<Option> options) {
        Statistics.collect(create(new Call("br-int", "eth1", "web-1", options)));
    }

    @Property
    void oneNumericOptionOfAnyTypeIsAcceptedExactlyOrRefused(@ForAll("numericKeys") String key,
            @ForAll("variants") Variant<?> value) {
        Statistics.collect(value.getSig() + " " + create(new Call("br-int", "eth1", "web-1", List.of(new Option(key, value)))));
    }

    @Provide
    Arbitrary<String> numericKeys() {
        return Arbitraries.of("mtu", "vlan");
    }

    @Property
    void randomArgumentsAreAcceptedOrRefusedWithInvalidArgument(@ForAll("names") String bridge, @ForAll("names") String iface,
            @ForAll("containers") String container, @ForAll("options") List<Option> options) {
        Statistics.collect(create(new Call(bridge, iface, container, options)));
    }

    // ------------------------------------------------------------------ corpus

    /**
     * Replays {@code fuzz/portoptions/*.txt}: lines {@code OUTCOME key=sig:value ...} where OUTCOME is
     * {@code accepted} or the refused argument; {@code #} comments.
     */
    @Example
    void corpusCasesGetTheirOutcome() throws Exception {
        Path dir = Path.of(getClass().getResource("/fuzz/portoptions").toURI());
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.strip().split(" ");
                    List<Option> opts = new ArrayList<>();
                    for (int i = 1; i < parts.length; i++) {
                        opts.add(parse(parts[i]));
                    }
                    assertThat(create(new Call("br-int", "eth1", "web-1", opts))).as(f.getFileName() + ": " + line)
                            .isEqualTo(parts[0]);
                    n++;
                }
            }
        }
        System.out.println("fuzz corpus portoptions: " + n + " cases replayed");
    }

    /** {@code key=sig:value} for the basic types {@code s y b n q i u x t d}. */
    private static Option parse(String kv) {
        int eq = kv.indexOf('=');
        int colon = kv.indexOf(':', eq);
        String key = kv.substring(0, eq);
        String v = kv.substring(colon + 1);
        Variant<?> var = switch (kv.substring(eq + 1, colon)) {
            case "s" -> new Variant<>(v);
            case "y" -> new Variant<>(Byte.parseByte(v));
            case "b" -> new Variant<>(Boolean.parseBoolean(v));
            case "n" -> new Variant<>(Short.parseShort(v));
            case "q" -> new Variant<>(new UInt16(Integer.parseInt(v)));
            case "i" -> new Variant<>(Integer.parseInt(v));
            case "u" -> new Variant<>(new UInt32(Long.parseLong(v)));
            case "x" -> new Variant<>(Long.parseLong(v));
            case "t" -> new Variant<>(new UInt64(v));
            case "d" -> new Variant<>(Double.parseDouble(v));
            default -> throw new IllegalArgumentException("corpus: unknown signature in " + kv);
        };
        return new Option(key, var);
    }
}
