package dev.ovs.bus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Topic and pattern rules of the bus: NATS subjects (https://docs.nats.io/nats-concepts/subjects).
 *
 * <p><b>Topic</b> (what a publisher names): one or more tokens separated by {@code '.'}; every token is
 * non-empty; no whitespace or ISO control character anywhere; the characters {@code '*'} and {@code '>'}
 * do not occur; {@code '%'} occurs only as the start of a percent escape {@code %XX} (two upper-case hex
 * digits, see {@link #encode(String)}); at most {@value #MAX_LENGTH} characters. Topics are case-sensitive.
 *
 * <p><b>Pattern</b> (what a subscriber names): the same, except that a token may be exactly {@code "*"}
 * (matches exactly one token) or, as the <em>last</em> token only, exactly {@code ">"} (matches one or
 * more trailing tokens). A wildcard character inside a longer token ({@code "a*"}, {@code "x>y"}) is an
 * error, not a literal. So {@code ovsdb.>} matches {@code ovsdb.bridge.br0.added} but not {@code ovsdb};
 * {@code ovsdb.*.*.added} matches {@code ovsdb.bridge.br0.added}.
 *
 * <p><b>Names inside topics</b> (bridge, interface, container, bundle names) are built with
 * {@link #of(String...)}, which percent-encodes (RFC 3986 section 2.1 style, UTF-8 bytes, upper-case hex)
 * every {@code '.'}, {@code '*'}, {@code '>'}, {@code '%'}, whitespace and control character, so
 * {@code Topics.of("network", "link", "eth0.100", "state")} is {@code network.link.eth0%2E100.state} and
 * {@link #decode(String)} gives {@code eth0.100} back.
 *
 * <p>All methods are static, thread-safe and side-effect free. Errors are {@link IllegalArgumentException}s
 * whose message names the field ({@code topic}, {@code pattern}, {@code name}) and the rule broken.
 */
public final class Topics {
    /** Maximum length of a topic or pattern, in UTF-16 chars: {@value}. */
    public static final int MAX_LENGTH = 1024;
    /** Single-token wildcard, {@value}. */
    public static final String ONE = "*";
    /** Trailing multi-token wildcard (one or more tokens), {@value}; allowed as the last token only. */
    public static final String REST = ">";
    /** Heartbeat topic {@value}, payload {@code {"ts": epoch ms, "uptime_s": seconds}}. */
    public static final String BUS_HEALTH = "system.bus.health";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Topics() {
    }

    /**
     * Builds a literal topic from raw names, percent-encoding each with {@link #encode(String)}.
     *
     * @param names one or more raw names, e.g. {@code ("ovsdb", "bridge", "br-int", "added")}
     * @return the topic, e.g. {@code ovsdb.bridge.br-int.added}; always valid for {@link #checkTopic(String)}
     * @throws IllegalArgumentException if no name is given, a name is null or empty, or the result is longer
     *         than {@value #MAX_LENGTH}
     */
    public static String of(String... names) {
        return build(false, names);
    }

    /**
     * Builds a pattern: parts that are exactly {@code "*"} or {@code ">"} stay wildcards, every other part is
     * percent-encoded like in {@link #of(String...)}.
     *
     * @param parts e.g. {@code ("ovsdb", "bridge", "*", "added")}
     * @return the pattern; always valid for {@link #checkPattern(String)}
     * @throws IllegalArgumentException if no part is given, a part is null or empty, {@code ">"} is not the
     *         last part, or the result is longer than {@value #MAX_LENGTH}
     */
    public static String patternOf(String... parts) {
        return build(true, parts);
    }

    private static String build(boolean pattern, String... names) {
        Objects.requireNonNull(names, "names");
        if (names.length == 0) {
            throw new IllegalArgumentException("name: at least one name is required to build a topic");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            if (i > 0) {
                sb.append('.');
            }
            if (pattern && (ONE.equals(n) || REST.equals(n))) {
                if (REST.equals(n) && i != names.length - 1) {
                    throw new IllegalArgumentException("pattern: '>' must be the last token (part " + i + ")");
                }
                sb.append(n);
            } else {
                sb.append(encode(n, i));
            }
        }
        if (sb.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("topic: longer than " + MAX_LENGTH + " characters");
        }
        return sb.toString();
    }

    /**
     * Percent-encodes one name so that it is a single valid topic token.
     *
     * <p>Encoded: {@code '.'}, {@code '*'}, {@code '>'}, {@code '%'}, every char for which
     * {@link Character#isWhitespace(char)} or {@link Character#isSpaceChar(char)} or
     * {@link Character#isISOControl(char)} holds; each as the {@code %XX} escapes of its UTF-8 bytes.
     * Everything else is kept as is.
     *
     * @param name a raw name, non-empty
     * @return the token, e.g. {@code eth0%2E100} for {@code eth0.100}
     * @throws IllegalArgumentException if {@code name} is null or empty
     */
    public static String encode(String name) {
        return encode(name, -1);
    }

    private static String encode(String name, int index) {
        String where = index < 0 ? "" : " (part " + index + ")";
        if (name == null) {
            throw new IllegalArgumentException("name: must not be null" + where);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: must not be empty" + where);
        }
        StringBuilder sb = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (needsEscape(c)) {
                if (sb == null) {
                    sb = new StringBuilder(name.length() + 8);
                    sb.append(name, 0, i);
                }
                int end = i + 1;
                if (Character.isHighSurrogate(c) && end < name.length() && Character.isLowSurrogate(name.charAt(end))) {
                    end++;
                }
                for (byte b : name.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
                i = end - 1;
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? name : sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c == '.' || c == '*' || c == '>' || c == '%' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c);
    }

    /**
     * Decodes one token made by {@link #encode(String)}: {@code decode(encode(x)).equals(x)} for every
     * non-empty {@code x}.
     *
     * @param token one topic token (no {@code '.'})
     * @return the raw name
     * @throws IllegalArgumentException if {@code token} is null, empty, contains {@code '.'}, or has a
     *         {@code '%'} not followed by two hex digits, or the escapes are not valid UTF-8
     */
    public static String decode(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("token: must not be null or empty");
        }
        if (token.indexOf('.') >= 0) {
            throw new IllegalArgumentException("token: must be a single token (contains '.'): " + token);
        }
        if (token.indexOf('%') < 0) {
            return token;
        }
        StringBuilder sb = new StringBuilder(token.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < token.length(); ) {
            char c = token.charAt(i);
            if (c == '%') {
                bytes.reset();
                while (i < token.length() && token.charAt(i) == '%') {
                    if (i + 3 > token.length()) {
                        throw new IllegalArgumentException("token: '%' must be followed by two hex digits: " + token);
                    }
                    int hi = Character.digit(token.charAt(i + 1), 16);
                    int lo = Character.digit(token.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("token: '%' must be followed by two hex digits: " + token);
                    }
                    bytes.write((hi << 4) | lo);
                    i += 3;
                }
                byte[] b = bytes.toByteArray();
                java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();
                try {
                    sb.append(dec.decode(java.nio.ByteBuffer.wrap(b)));
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new IllegalArgumentException("token: percent escapes are not valid UTF-8: " + token);
                }
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /**
     * Splits a valid topic into its decoded names; the inverse of {@link #of(String...)}.
     *
     * @param topic a topic valid for {@link #checkTopic(String)}
     * @return the decoded names, e.g. {@code [network, link, eth0.100, state]}
     * @throws IllegalArgumentException if the topic is invalid (see {@link #checkTopic(String)})
     */
    public static List<String> names(String topic) {
        checkTopic(topic);
        List<String> out = new ArrayList<>();
        for (String t : split(topic)) {
            out.add(decode(t));
        }
        return out;
    }

    /**
     * Validates a literal topic (the rules are in the class comment).
     *
     * @param topic the topic
     * @return {@code topic}, for chaining
     * @throws IllegalArgumentException naming {@code topic} and the rule broken
     */
    public static String checkTopic(String topic) {
        check(topic, false);
        return topic;
    }

    /**
     * Validates a subscription pattern (the rules are in the class comment).
     *
     * @param pattern the pattern
     * @return {@code pattern}, for chaining
     * @throws IllegalArgumentException naming {@code pattern} and the rule broken
     */
    public static String checkPattern(String pattern) {
        check(pattern, true);
        return pattern;
    }

    /**
     * @param topic any string
     * @return whether {@link #checkTopic(String)} accepts it
     */
    public static boolean isValidTopic(String topic) {
        return problem(topic, false) == null;
    }

    /**
     * @param pattern any string
     * @return whether {@link #checkPattern(String)} accepts it
     */
    public static boolean isValidPattern(String pattern) {
        return problem(pattern, true) == null;
    }

    private static void check(String s, boolean pattern) {
        String p = problem(s, pattern);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
    }

    private static String problem(String s, boolean pattern) {
        String field = pattern ? "pattern" : "topic";
        if (s == null) {
            return field + ": must not be null";
        }
        if (s.isEmpty()) {
            return field + ": must not be empty";
        }
        if (s.length() > MAX_LENGTH) {
            return field + ": longer than " + MAX_LENGTH + " characters";
        }
        int start = 0;
        int index = 0;
        int n = s.length();
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? n : dot;
            if (end == start) {
                return field + ": empty token at position " + start + " (tokens are separated by single '.', "
                        + "no leading or trailing '.'): \"" + s + "\"";
            }
            boolean last = dot < 0;
            if (pattern && end - start == 1 && s.charAt(start) == '*') {
                // single-token wildcard
            } else if (pattern && end - start == 1 && s.charAt(start) == '>') {
                if (!last) {
                    return field + ": '>' is allowed only as the last token (token " + index + "): \"" + s + "\"";
                }
            } else {
                for (int i = start; i < end; i++) {
                    char c = s.charAt(i);
                    if (c == '*' || c == '>') {
                        return field + (pattern
                                ? ": wildcard '" + c + "' must be a whole token (token " + index + "): \""
                                : ": wildcard '" + c + "' is not allowed in a literal topic (token " + index + "): \"")
                                + s + "\"";
                    }
                    if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                        return field + ": whitespace or control character U+" + String.format("%04X", (int) c)
                                + " at position " + i + " (use Topics.of to percent-encode names)";
                    }
                    if (c == '%') {
                        if (i + 2 >= end || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                            return field + ": '%' at position " + i
                                    + " must start an escape of two upper-case hex digits (%XX)";
                        }
                    }
                }
            }
            if (last) {
                return null;
            }
            start = dot + 1;
            index++;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Whether a pattern matches a literal topic, by NATS rules: same number of tokens where every pattern
     * token is {@code "*"} or equal to the topic token, or a trailing {@code ">"} that covers one or more
     * remaining topic tokens.
     *
     * @param pattern a pattern valid for {@link #checkPattern(String)}
     * @param topic a topic valid for {@link #checkTopic(String)}
     * @return true if it matches
     * @throws IllegalArgumentException if either argument is invalid
     */
    public static boolean matches(String pattern, String topic) {
        checkPattern(pattern);
        checkTopic(topic);
        return matchTokens(split(pattern), split(topic));
    }

    /**
     * Matching on pre-split, pre-validated tokens (no validation; for implementations that cache the split).
     *
     * @param pattern tokens of a valid pattern
     * @param topic tokens of a valid topic
     * @return true if it matches, see {@link #matches(String, String)}
     */
    public static boolean matchTokens(String[] pattern, String[] topic) {
        int np = pattern.length;
        for (int i = 0; i < np; i++) {
            String p = pattern[i];
            if (i == np - 1 && REST.equals(p)) {
                return topic.length > i;
            }
            if (i >= topic.length) {
                return false;
            }
            if (!ONE.equals(p) && !p.equals(topic[i])) {
                return false;
            }
        }
        return topic.length == np;
    }

    /**
     * Splits on {@code '.'} without validation.
     *
     * @param s a topic or pattern
     * @return its tokens
     */
    public static String[] split(String s) {
        List<String> out = new ArrayList<>(8);
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            if (dot < 0) {
                out.add(s.substring(start));
                return out.toArray(new String[0]);
            }
            out.add(s.substring(start, dot));
            start = dot + 1;
        }
    }
}
