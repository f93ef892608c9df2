package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written request scanner against Jackson's streaming parser ({@link Request#parse}, the path for every
 * line the scanner leaves alone): whenever the scanner accepts a line, Jackson must accept it too, with the same
 * field values and payload bytes; and the scanner must accept the common shapes (else the fast path is dead code).
 */
public class RequestScannerTest {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** What a path made of one line: "reject" or the fields. */
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
                : new String(b, off + r.payloadStart, r.payloadEnd - r.payloadStart, StandardCharsets.UTF_8)
                        + "@" + r.payloadStart);
    }

    private static String scanner(RequestScanner s, byte[] b, int off, int len) {
        if (!s.scan(b, off, len)) {
            return null;
        }
        return fields(str(s, b, RequestScanner.OP), str(s, b, RequestScanner.ID), str(s, b, RequestScanner.TOPIC),
                str(s, b, RequestScanner.TYPE), str(s, b, RequestScanner.PATTERN), s.payloadStart() < 0 ? null
                        : new String(b, s.payloadStart(), s.payloadEnd() - s.payloadStart(), StandardCharsets.UTF_8)
                                + "@" + (s.payloadStart() - off));
    }

    private static String str(RequestScanner s, byte[] b, int f) {
        int n = s.length(f);
        return n < 0 ? null : new String(b, s.start(f), n, StandardCharsets.UTF_8);
    }

    private static String fields(String op, String id, String topic, String type, String pattern, String payload) {
        return "op=" + show(op) + " id=" + show(id) + " topic=" + show(topic) + " type=" + show(type) + " pattern="
                + show(pattern) + " payload=" + payload;
    }

    private static String show(String s) {
        return s == null ? "<null>" : s == Request.NOT_TEXT ? "<not-text>" : "'" + s + "'";
    }

    /** @return whether the scanner accepted; fails if it accepted differently from Jackson */
    private static boolean check(RequestScanner s, byte[] line) {
        // at an offset inside a larger array, as lines sit in the read buffer
        byte[] buf = new byte[line.length + 7];
        java.util.Arrays.fill(buf, (byte) '{');
        System.arraycopy(line, 0, buf, 3, line.length);
        String sc = scanner(s, buf, 3, line.length);
        if (sc != null) {
            assertThat(jackson(buf, 3, line.length)).as("Jackson on %s", printable(line)).isEqualTo(sc);
        }
        // the same line in a read buffer, followed by its newline and the start of another line: scanLine finds
        // the end and the same fields, or leaves the line to the caller exactly when scan does
        boolean hasNewline = false;
        for (byte x : line) {
            hasNewline |= x == '\n';
        }
        if (!hasNewline) {
            byte[] next = utf8("\n{\"op\":\"pub\",\"topic\":\"a\"}\n");
            byte[] rb = new byte[2 + line.length + next.length];
            rb[0] = '}';
            rb[1] = '\n';
            System.arraycopy(line, 0, rb, 2, line.length);
            System.arraycopy(next, 0, rb, 2 + line.length, next.length);
            int nl = s.scanLine(rb, 2, rb.length);
            assertThat(nl >= 0).as("scanLine accepts %s as scan does", printable(line)).isEqualTo(sc != null);
            if (nl >= 0) {
                assertThat(nl).isEqualTo(2 + line.length);
                assertThat(fields(str(s, rb, RequestScanner.OP), str(s, rb, RequestScanner.ID),
                        str(s, rb, RequestScanner.TOPIC), str(s, rb, RequestScanner.TYPE),
                        str(s, rb, RequestScanner.PATTERN), s.payloadStart() < 0 ? null
                                : new String(rb, s.payloadStart(), s.payloadEnd() - s.payloadStart(),
                                        StandardCharsets.UTF_8) + "@" + (s.payloadStart() - 2))).isEqualTo(sc);
            }
            // cut before the newline (the rest of the line comes with the next read): never accepted
            assertThat(s.scanLine(rb, 2, 2 + line.length)).isEqualTo(-1);
        }
        return sc != null;
    }

    private static String printable(byte[] line) {
        StringBuilder sb = new StringBuilder();
        for (byte x : line) {
            int c = x & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commonLinesAreAcceptedWithTheirFields() {
        RequestScanner s = new RequestScanner();
        String payload = "{\"t\":\"0000000000000000042\",\"p\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
        byte[] line = utf8("{\"op\":\"pub\",\"topic\":\"bench.msg\",\"payload\":" + payload + "}");
        assertThat(check(s, line)).isTrue();
        assertThat(scanner(s, line, 0, line.length))
                .isEqualTo("op='pub' id=<null> topic='bench.msg' type=<null> pattern=<null> payload=" + payload + "@42");
        for (String l : List.of(
                "{\"op\":\"pub\",\"id\":\"p1\",\"topic\":\"a.b\",\"type\":\"t\",\"payload\":{\"x\":[1,-2.5e+3,true,false,null,\"\\u00e9\\n\"]}}",
                "  { \"payload\" : \"caf\u00e9 \ud83d\ude00\" , \"topic\" : \"a\" , \"op\" : \"pub\" }\r ",
                "{\"op\":\"sub\",\"pattern\":\"ovsdb.>\",\"id\":\"s1\"}",
                "{\"op\":\"unsub\",\"id\":\"s1\"}",
                "{\"op\":\"ping\"}",
                "{}",
                "{\"op\":null,\"op\":\"pub\",\"topic\":\"a\",\"topic\":\"b\",\"payload\":1,\"payload\":[]}",
                "{\"op\":\"pub\",\"topic\":\"x\",\"extra\":{\"deep\":[[[{}]]]},\"payload\":0}")) {
            assertThat(check(s, utf8(l))).as(l).isTrue();
        }
    }

    @Test
    void unusualLinesAreLeftToJackson() {
        RequestScanner s = new RequestScanner();
        for (String l : List.of(
                "{\"op\":\"p\\u0075b\",\"topic\":\"a\"}", // escape in a known field
                "{\"o\\u0070\":\"pub\",\"topic\":\"a\"}", // escape in a name
                "{\"op\":\"pub\",\"topic\":\"caf\u00c3\u00a9\"}", // non-ASCII in a known field
                "{\"op\":1}", // known field not a string
                "{\"op\":\"pub\",\"payload\":" + "[".repeat(80) + "]".repeat(80) + "}", // deeper than MAX_DEPTH
                "{\"op\":\"pub\",\"payload\":1" + "0".repeat(200) + "}", // number longer than MAX_NUMBER
                "\u00ef\u00bb\u00bf{}", // a UTF-8 byte order mark (Jackson skips it)
                "[1,2]", "\"x\"", "null", "")) {
            assertThat(check(s, l.getBytes(StandardCharsets.ISO_8859_1))).as(l).isFalse();
        }
        // malformed lines: both reject
        for (String l : List.of("{", "{\"op\":\"pub\"", "{\"op\":\"pub\",}", "{\"op\" \"pub\"}", "{\"a\":01}",
                "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":\"\\x\"}", "{\"a\":\"\t\"}",
                "{\"a\":1}x", "{\"a\":1}{}", "{\"a\":[1,]}", "{\"a\":{\"b\"}}", "{'a':1}", "{\"a\":1 /*c*/}",
                "{\"a\":NaN}", "{\"a\":+1}")) {
            byte[] b = utf8(l);
            assertThat(s.scan(b, 0, b.length)).as(l).isFalse();
            check(s, b);
        }
        // a lone surrogate escape: grammatical JSON; whatever the scanner does, it agrees with Jackson
        check(s, utf8("{\"op\":\"pub\",\"payload\":\"\\ud800\"}"));
    }

    @Test
    void invalidUtf8IsNeverAccepted() {
        RequestScanner s = new RequestScanner();
        int[][] bad = {{0x80}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xe0, 0x80, 0x80}, {0xed, 0xa0, 0x80}, {0xf0, 0x80, 0x80, 0x80},
            {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xff}, {0xc3}, {0xe2, 0x82}};
        for (int[] seq : bad) {
            byte[] pre = utf8("{\"op\":\"pub\",\"payload\":\"a");
            byte[] line = new byte[pre.length + seq.length + 2];
            System.arraycopy(pre, 0, line, 0, pre.length);
            for (int i = 0; i < seq.length; i++) {
                line[pre.length + i] = (byte) seq[i];
            }
            line[line.length - 2] = '"';
            line[line.length - 1] = '}';
            assertThat(s.scan(line, 0, line.length)).as(printable(line)).isFalse();
        }
    }

    /** Generated requests, valid and mutated: every acceptance agrees with Jackson; most valid lines are accepted. */
    @Test
    void generatedLinesAgreeWithJackson() {
        Random rnd = new Random(20261121L);
        RequestScanner s = new RequestScanner();
        int accepted = 0;
        int validByJackson = 0;
        int acceptedValid = 0;
        int mutatedAccepted = 0;
        for (int n = 0; n < 60_000; n++) {
            byte[] line = request(rnd);
            boolean mutate = n % 2 == 1;
            if (mutate) {
                line = mutate(rnd, line);
            }
            boolean ok = check(s, line);
            accepted += ok ? 1 : 0;
            if (!mutate) {
                boolean valid = !jackson(line, 0, line.length).equals("reject");
                validByJackson += valid ? 1 : 0;
                acceptedValid += ok ? 1 : 0;
            } else {
                mutatedAccepted += ok ? 1 : 0;
            }
        }
        // the generator makes mostly common shapes: the fast path must take most of them
        assertThat(acceptedValid).isGreaterThan(validByJackson / 2);
        assertThat(mutatedAccepted).as("some mutations stay valid").isGreaterThan(100);
        assertThat(accepted).isGreaterThan(15_000);
    }

    // ---------------------------------------------------------------- generator

    private static final String[] NAMES = {"op", "id", "topic", "type", "pattern", "payload", "x", "", "o", "opp",
        "payloadx", "pattern", "Topic"};
    private static final String[] OPS = {"pub", "sub", "unsub", "ping", "pob", "", "PUB"};

    private static byte[] request(Random rnd) {
        StringBuilder sb = new StringBuilder();
        ws(rnd, sb);
        sb.append('{');
        int fields = rnd.nextInt(6);
        List<String> order = new ArrayList<>(List.of("op", "topic", "payload"));
        if (rnd.nextInt(3) == 0) {
            order.add("id");
        }
        if (rnd.nextInt(4) == 0) {
            order.add("type");
        }
        for (int i = 0; i < fields; i++) {
            order.add(NAMES[rnd.nextInt(NAMES.length)]);
        }
        java.util.Collections.shuffle(order, rnd);
        for (int i = 0; i < order.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            ws(rnd, sb);
            String name = order.get(i);
            sb.append('"').append(rnd.nextInt(40) == 0 ? escapeAll(name) : name).append('"');
            ws(rnd, sb);
            sb.append(':');
            ws(rnd, sb);
            switch (name) {
                case "op" -> sb.append(rnd.nextInt(20) == 0 ? value(rnd, 0) : '"' + OPS[rnd.nextInt(OPS.length)] + '"');
                case "topic", "pattern", "type", "id" -> sb.append(rnd.nextInt(20) == 0 ? value(rnd, 0) : string(rnd, true));
                default -> sb.append(value(rnd, 0));
            }
            ws(rnd, sb);
        }
        sb.append('}');
        ws(rnd, sb);
        return utf8(sb.toString());
    }

    private static void ws(Random rnd, StringBuilder sb) {
        if (rnd.nextInt(4) == 0) {
            sb.append(" \t\r".charAt(rnd.nextInt(3)));
        }
    }

    private static String escapeAll(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }

    private static String string(Random rnd, boolean plain) {
        StringBuilder sb = new StringBuilder("\"");
        int n = rnd.nextInt(12);
        boolean onlyPlain = plain && rnd.nextInt(6) != 0; // known fields: mostly the common shape
        for (int i = 0; i < n; i++) {
            int k = onlyPlain ? 7 : rnd.nextInt(20);
            switch (k) {
                case 0 -> sb.append("\\n");
                case 1 -> sb.append("\\\"");
                case 2 -> sb.append("\\u00").append(Integer.toHexString(16 + rnd.nextInt(200)));
                case 3 -> sb.append('\u00e9');
                case 4 -> sb.append("\ud83d\ude00");
                case 5 -> sb.append("\\/");
                case 6 -> sb.append("\\\\");
                default -> sb.append("abc.*>%- xyz0".charAt(rnd.nextInt(13)));
            }
        }
        return sb.append('"').toString();
    }

    /** @return a random JSON value (for other tests of JSON checks) */
    public static String value(Random rnd, int depth) {
        int k = rnd.nextInt(depth > 3 ? 6 : 9);
        switch (k) {
            case 0:
                return string(rnd, false);
            case 1:
                return number(rnd);
            case 2:
                return "true";
            case 3:
                return "false";
            case 4:
                return "null";
            case 5:
                return number(rnd);
            case 6: {
                StringBuilder sb = new StringBuilder("[");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? "," : "").append(rnd.nextBoolean() ? " " : "").append(value(rnd, depth + 1));
                }
                return sb.append(']').toString();
            }
            default: {
                StringBuilder sb = new StringBuilder("{");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? "," : "").append(string(rnd, false)).append(rnd.nextBoolean() ? " : " : ":")
                            .append(value(rnd, depth + 1));
                }
                return sb.append('}').toString();
            }
        }
    }

    private static String number(Random rnd) {
        StringBuilder sb = new StringBuilder();
        if (rnd.nextBoolean()) {
            sb.append('-');
        }
        sb.append(rnd.nextInt(4) == 0 ? "0" : Integer.toString(1 + rnd.nextInt(100000)));
        if (rnd.nextInt(3) == 0) {
            sb.append('.').append(rnd.nextInt(1000));
        }
        if (rnd.nextInt(4) == 0) {
            sb.append(rnd.nextBoolean() ? 'e' : 'E').append(new String[] {"", "+", "-"}[rnd.nextInt(3)]).append(rnd.nextInt(30));
        }
        return sb.toString();
    }

    private static final byte[] NOISE = {'{', '}', '[', ']', '"', ',', ':', '\\', ' ', '\t', '\r', '0', '1', '9', '-',
        '+', '.', 'e', 'E', 'a', 'n', 'u', 'l', 't', 'f', '/', 0x00, 0x1f, 0x7f, (byte) 0x80, (byte) 0xbf, (byte) 0xc0,
        (byte) 0xc3, (byte) 0xe0, (byte) 0xed, (byte) 0xf0, (byte) 0xf4, (byte) 0xf5, (byte) 0xff};

    /** @return {@code line} with 1 to 3 random byte edits (replace, delete, insert, truncate, duplicate) */
    public static byte[] mutate(Random rnd, byte[] line) {
        int times = 1 + rnd.nextInt(3);
        for (int t = 0; t < times && line.length > 0; t++) {
            int at = rnd.nextInt(line.length);
            byte x = NOISE[rnd.nextInt(NOISE.length)];
            switch (rnd.nextInt(5)) {
                case 0 -> line[at] = x; // replace
                case 1 -> { // delete
                    byte[] o = new byte[line.length - 1];
                    System.arraycopy(line, 0, o, 0, at);
                    System.arraycopy(line, at + 1, o, at, line.length - at - 1);
                    line = o;
                }
                case 2 -> { // insert
                    byte[] o = new byte[line.length + 1];
                    System.arraycopy(line, 0, o, 0, at);
                    o[at] = x;
                    System.arraycopy(line, at, o, at + 1, line.length - at);
                    line = o;
                }
                case 3 -> line = java.util.Arrays.copyOf(line, at); // truncate
                default -> { // duplicate a slice
                    int len = Math.min(line.length - at, 1 + rnd.nextInt(8));
                    byte[] o = new byte[line.length + len];
                    System.arraycopy(line, 0, o, 0, at + len);
                    System.arraycopy(line, at, o, at + len, line.length - at);
                    line = o;
                }
            }
        }
        return line;
    }
}
