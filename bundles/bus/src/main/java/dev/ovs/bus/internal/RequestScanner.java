package dev.ovs.bus.internal;

/**
 * Allocation-free scanner for the common shape of a request line of the socket protocol (docs/bus.md, "Line
 * protocol"): one JSON object (RFC 8259) whose fields {@code op id topic type pattern} are strings without escapes
 * and non-ASCII characters (or {@code null}), a {@code payload} that is any JSON value, and other fields of any
 * JSON value. It checks the whole line against the RFC 8259 grammar (string escapes, strict UTF-8, numbers,
 * literals, nesting), keeping only offsets, and builds no object.
 *
 * <p>Contract with the caller: {@link #scan} returning {@code true} means the line is a well-formed JSON object
 * that Jackson's streaming parser accepts with the same field values and the same payload byte range (checked by
 * {@code RequestScannerTest} against Jackson on generated lines). {@code false} means "not handled here", not
 * "invalid": the caller then parses the line with Jackson, which accepts or produces the error message. Lines
 * this scanner leaves to Jackson: anything malformed, a known field with an escape, a non-ASCII character or a
 * value other than a string or null, a field name with an escape or non-ASCII character or longer than
 * {@link #MAX_NAME} bytes, nesting deeper than {@link #MAX_DEPTH}, a number longer than {@link #MAX_NUMBER}
 * characters, a UTF-8 byte order mark. The limits stay below Jackson's own {@code StreamReadConstraints}
 * (nesting 1000, number 1000 characters, name 50000), so an accepted line never hits one of them.
 *
 * <p>Not thread-safe: one instance per reader thread; results are valid until the next {@link #scan}.
 */
final class RequestScanner {
    static final int OP = 0;
    static final int ID = 1;
    static final int TOPIC = 2;
    static final int TYPE = 3;
    static final int PATTERN = 4;
    private static final int PAYLOAD = 5;
    private static final int OTHER = 6;
    /** {@link #length(int)} of a field that was absent. */
    static final int ABSENT = -1;
    /** {@link #length(int)} of a field whose (last) value was JSON null. */
    static final int NULL = -2;
    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER = 100;
    static final int MAX_NAME = 1000;

    private final int[] start = new int[5];
    private final int[] length = new int[5];
    private int payloadStart;
    private int payloadEnd;
    private byte[] b;
    private int end;
    /** {@link #scanLine}: a newline is not whitespace but the end of the line. */
    private boolean lineMode;

    /**
     * Scans {@code buf[off, off+len)} (one line without its newline).
     *
     * @return true if the line has the common shape and is well-formed (the results are set); false if the
     *         caller must parse it with Jackson
     */
    boolean scan(byte[] buf, int off, int len) {
        return start(buf, off, off + len, false) && object(off) == end;
    }

    /**
     * Scans the line that starts at {@code off} in a read buffer, finding its end on the way (one pass instead of a
     * search for the newline and then a scan): the same as {@link #scan} of the bytes up to the first {@code '\n'}
     * in {@code buf[off, limit)} (no JSON token can contain a raw newline, and here it is not whitespace).
     *
     * @return the offset of the line's {@code '\n'} if the line has the common shape and is well-formed (results
     *         set); -1 if there is no newline before {@code limit} or the caller must handle the line otherwise
     */
    int scanLine(byte[] buf, int off, int limit) {
        if (!start(buf, off, limit, true)) {
            return -1;
        }
        int i = object(off);
        return i >= 0 && i < limit && buf[i] == '\n' ? i : -1;
    }

    private boolean start(byte[] buf, int off, int limit, boolean line) {
        b = buf;
        end = limit;
        lineMode = line;
        for (int f = 0; f < 5; f++) {
            length[f] = ABSENT;
        }
        payloadStart = -1;
        payloadEnd = -1;
        return true;
    }

    /** @return the offset in the scanned array of field {@code f}'s string content (without quotes) */
    int start(int f) {
        return start[f];
    }

    /** @return the byte length of field {@code f}'s string content, {@link #ABSENT} or {@link #NULL} */
    int length(int f) {
        return length[f];
    }

    /** @return the offset in the scanned array of the last {@code payload} value, -1 if there was none */
    int payloadStart() {
        return payloadStart;
    }

    /** @return the offset just after the last {@code payload} value, -1 if there was none */
    int payloadEnd() {
        return payloadEnd;
    }

    /** @return the offset after the request object and the whitespace after it, -1 if not accepted */
    private int object(int i) {
        i = ws(i);
        if (i >= end || b[i] != '{') {
            return -1;
        }
        i = ws(i + 1);
        if (i < end && b[i] == '}') {
            return ws(i + 1);
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return -1;
            }
            int ns = i + 1;
            int ne = plainString(ns);
            if (ne < 0 || ne - ns > MAX_NAME) {
                return -1;
            }
            i = ws(ne + 1);
            if (i >= end || b[i] != ':') {
                return -1;
            }
            i = ws(i + 1);
            int f = field(ns, ne - ns);
            if (f < PAYLOAD) {
                if (i < end && b[i] == '"') {
                    int ve = plainString(i + 1);
                    if (ve < 0) {
                        return -1;
                    }
                    start[f] = i + 1;
                    length[f] = ve - i - 1;
                    i = ve + 1;
                } else if (literal(i, NULL_LITERAL)) {
                    length[f] = NULL;
                    i += 4;
                } else {
                    return -1;
                }
            } else {
                int vs = i;
                i = value(i, 1);
                if (i < 0) {
                    return -1;
                }
                if (f == PAYLOAD) {
                    payloadStart = vs;
                    payloadEnd = i;
                }
            }
            i = ws(i);
            if (i >= end) {
                return -1;
            }
            if (b[i] == ',') {
                i = ws(i + 1);
            } else if (b[i] == '}') {
                return ws(i + 1);
            } else {
                return -1;
            }
        }
    }

    private int field(int s, int n) {
        switch (n) {
            case 2:
                if (b[s] == 'o' && b[s + 1] == 'p') {
                    return OP;
                }
                if (b[s] == 'i' && b[s + 1] == 'd') {
                    return ID;
                }
                return OTHER;
            case 4:
                return b[s] == 't' && b[s + 1] == 'y' && b[s + 2] == 'p' && b[s + 3] == 'e' ? TYPE : OTHER;
            case 5:
                return b[s] == 't' && b[s + 1] == 'o' && b[s + 2] == 'p' && b[s + 3] == 'i' && b[s + 4] == 'c' ? TOPIC
                        : OTHER;
            case 7:
                if (b[s] != 'p' || b[s + 1] != 'a') {
                    return OTHER;
                }
                if (b[s + 2] == 't' && b[s + 3] == 't' && b[s + 4] == 'e' && b[s + 5] == 'r' && b[s + 6] == 'n') {
                    return PATTERN;
                }
                if (b[s + 2] == 'y' && b[s + 3] == 'l' && b[s + 4] == 'o' && b[s + 5] == 'a' && b[s + 6] == 'd') {
                    return PAYLOAD;
                }
                return OTHER;
            default:
                return OTHER;
        }
    }

    /**
     * One JSON value starting at {@code i} (no leading whitespace).
     *
     * @param depth nesting depth of a container starting here (the request object is depth 0)
     * @return the offset after the value, -1 if malformed or beyond this scanner's limits
     */
    private int value(int i, int depth) {
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
            if (ne < 0 || ne - i - 1 > MAX_NAME) {
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

    /** @return the offset of the closing quote of a string of printable ASCII without escapes, else -1 */
    private int plainString(int i) {
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

    private int ws(int i) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r' && (c != '\n' || lineMode)) {
                return i;
            }
            i++;
        }
        return i;
    }
}
