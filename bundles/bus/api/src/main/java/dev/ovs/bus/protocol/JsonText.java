package dev.ovs.bus.protocol;

/**
 * Allocation-free scanner of the JSON grammar (RFC 8259: string escapes, strict UTF-8 (RFC 3629), numbers,
 * literals, nesting) over a range of bytes. The one scanner of the bus:
 * {@link dev.ovs.bus.client.BusClient#publishJson} checks every payload with {@link #isOneValue} before sending
 * it, and the bus server scans request lines with it without building a tree. It is part of the line protocol,
 * not of the {@link dev.ovs.bus.EventBus} contract: an exported package of the API bundle because both ends of
 * the socket use it (the client library in the API bundle, the server in the implementation bundle).
 *
 * <p>A true or an offset means Jackson's streaming parser accepts the bytes (checked by {@code JsonTextTest}
 * and the server's {@code RequestScannerTest} on generated input); false or -1 means "not decided here": the
 * caller parses with Jackson, which accepts or produces the error message. Left to Jackson: anything
 * malformed, nesting deeper than {@link #MAX_DEPTH}, a number longer than {@link #MAX_NUMBER} characters, a
 * field name longer than {@link #MAX_NAME} bytes or with a surrogate escape
 * (<code>&#92;uD800</code>..<code>&#92;uDFFF</code>: Jackson refuses unpaired ones in names, not in values), a byte
 * order mark (all below Jackson's own {@code StreamReadConstraints}).
 *
 * <p>Not thread-safe: one instance per thread (it keeps the range being scanned); {@link #reset} before use.
 */
public final class JsonText {
    /** Deepest nesting of objects and arrays decided here. */
    public static final int MAX_DEPTH = 64;
    /** Longest number (characters) decided here. */
    public static final int MAX_NUMBER = 100;
    /** Longest field name (bytes) decided here. */
    public static final int MAX_NAME = 1000;

    private byte[] b;
    private int end;
    /** {@link #reset}: a newline is not whitespace but the end of a line. */
    private boolean newlineEnds;

    /** A scanner with nothing to scan yet: {@link #reset} it. */
    public JsonText() {
    }

    /**
     * Sets the bytes to scan: offsets given to the other methods index {@code bytes}, scanning stops at
     * {@code end}.
     *
     * @param bytes       the bytes (not copied)
     * @param end         offset just after the last byte that may be scanned (at most {@code bytes.length})
     * @param newlineEnds true if {@code '\n'} ends a line rather than being whitespace (line protocols)
     */
    public void reset(byte[] bytes, int end, boolean newlineEnds) {
        this.b = bytes;
        this.end = end;
        this.newlineEnds = newlineEnds;
    }

    /**
     * @param json bytes
     * @return whether {@code json} is exactly one JSON value with optional whitespace around it (see the class
     *         comment for what false means)
     */
    public static boolean isOneValue(byte[] json) {
        JsonText t = new JsonText();
        t.reset(json, json.length, false);
        int i = t.value(t.ws(0), 0);
        return i >= 0 && t.ws(i) == t.end;
    }

    /**
     * @param i offset of {@code 'n'}
     * @return whether the literal {@code null} starts at {@code i}
     */
    public boolean isNull(int i) {
        return literal(i, NULL_LITERAL);
    }

    /**
     * A string of printable ASCII without escapes (the common case of field names and topics).
     *
     * @param i offset just after the opening quote
     * @return the offset of the closing quote, -1 if the string is not of that kind (or not closed)
     */
    public int plainString(int i) {
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return -1;
            }
            i++;
        }
        return -1;
    }

    /**
     * One JSON value starting at {@code i} (no leading whitespace).
     *
     * @param i     offset of the value's first byte
     * @param depth nesting depth of a container starting here (a top-level value is depth 0)
     * @return the offset after the value, -1 if malformed or beyond this scanner's limits
     */
    public int value(int i, int depth) {
        if (i >= end) {
            return -1;
        }
        switch (b[i]) {
            case '"': {
                int e = string(i + 1);
                return e < 0 ? -1 : e + 1;
            }
            case '{':
                return depth >= MAX_DEPTH ? -1 : objectValue(i + 1, depth);
            case '[':
                return depth >= MAX_DEPTH ? -1 : array(i + 1, depth);
            case 't':
                return literal(i, TRUE_LITERAL) ? i + 4 : -1;
            case 'f':
                return literal(i, FALSE_LITERAL) ? i + 5 : -1;
            case 'n':
                return literal(i, NULL_LITERAL) ? i + 4 : -1;
            default:
                return number(i);
        }
    }

    private int objectValue(int i, int depth) {
        i = ws(i);
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return -1;
            }
            int ne = string(i + 1);
            if (ne < 0 || ne - i - 1 > MAX_NAME || surrogateEscape(i + 1, ne)) {
                return -1;
            }
            i = ws(ne + 1);
            if (i >= end || b[i] != ':') {
                return -1;
            }
            i = value(ws(i + 1), depth + 1);
            if (i < 0) {
                return -1;
            }
            i = ws(i);
            if (i >= end) {
                return -1;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i = ws(i + 1);
        }
    }

    private int array(int i, int depth) {
        i = ws(i);
        if (i < end && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = value(i, depth + 1);
            if (i < 0) {
                return -1;
            }
            i = ws(i);
            if (i >= end) {
                return -1;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i = ws(i + 1);
        }
    }

    /** RFC 8259 number: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}; at most MAX_NUMBER long. */
    private int number(int i) {
        int s = i;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end) {
            return -1;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(i + 1);
        } else {
            return -1;
        }
        if (i < end && b[i] == '.') {
            int d = digits(i + 1);
            if (d == i + 1) {
                return -1;
            }
            i = d;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int d = digits(i);
            if (d == i) {
                return -1;
            }
            i = d;
        }
        return i - s > MAX_NUMBER ? -1 : i;
    }

    private int digits(int i) {
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    private static final byte[] TRUE_LITERAL = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE_LITERAL = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL_LITERAL = {'n', 'u', 'l', 'l'};

    private boolean literal(int i, byte[] lit) {
        if (i + lit.length > end) {
            return false;
        }
        for (int k = 0; k < lit.length; k++) {
            if (b[i + k] != lit[k]) {
                return false;
            }
        }
        return true;
    }

    /** @return the offset of the closing quote of an RFC 8259 string (escapes, strict UTF-8), else -1 */
    private int string(int i) {
        while (i < end) {
            byte x = b[i];
            if (x >= 0x20 && x != '"' && x != '\\') {
                i++; // printable ASCII or DEL: the common case, tested first
                continue;
            }
            int c = x & 0xff;
            if (c == '"') {
                return i;
            }
            if (c == '\\') {
                if (++i >= end) {
                    return -1;
                }
                switch (b[i]) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i++;
                    case 'u' -> {
                        if (i + 4 >= end || !hex(b[i + 1]) || !hex(b[i + 2]) || !hex(b[i + 3]) || !hex(b[i + 4])) {
                            return -1;
                        }
                        i += 5;
                    }
                    default -> {
                        return -1;
                    }
                }
            } else if (c < 0x20) {
                return -1;
            } else if (c < 0x80) {
                i++;
            } else {
                i = utf8(i, c);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Jackson refuses a field name with an unpaired surrogate escape ("Broken surrogate pair in field name") but
     * accepts one in a string value; names with any surrogate escape are left to it.
     *
     * @param from first byte of a string's content (validated by {@link #string})
     * @param to   its closing quote
     * @return whether the content has an escape <code>&#92;uD800</code>..<code>&#92;uDFFF</code>
     */
    private boolean surrogateEscape(int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] == '\\') {
                k++; // the escaped character (validated by string(): a 'u' has four hex digits after it)
                if (b[k] == 'u' && (b[k + 1] == 'd' || b[k + 1] == 'D') && "89abcdefABCDEF".indexOf(b[k + 2]) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hex(byte c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * One multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
     *
     * @return the offset after it, -1 if invalid
     */
    private int utf8(int i, int c) {
        int n;
        int lo = 0x80;
        int hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) {
                lo = 0xa0;
            } else if (c == 0xed) {
                hi = 0x9f;
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) {
                lo = 0x90;
            } else if (c == 0xf4) {
                hi = 0x8f;
            }
        } else {
            return -1;
        }
        if (i + n >= end) {
            return -1;
        }
        int c1 = b[i + 1] & 0xff;
        if (c1 < lo || c1 > hi) {
            return -1;
        }
        for (int k = 2; k <= n; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return i + n + 1;
    }

    /**
     * @param i an offset
     * @return the offset of the first non-whitespace byte at or after {@code i} (RFC 8259 whitespace; a newline
     *         only when not {@code newlineEnds}), or the end
     */
    public int ws(int i) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r' && (c != '\n' || newlineEnds)) {
                return i;
            }
            i++;
        }
        return i;
    }
}
