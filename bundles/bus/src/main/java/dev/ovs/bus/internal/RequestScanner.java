package dev.ovs.bus.internal;

import dev.ovs.bus.protocol.JsonText;

/**
 * Allocation-free scanner for the common shape of a request line of the socket protocol (docs/bus.md, "Line
 * protocol"): one JSON object (RFC 8259) whose fields {@code op id topic type pattern} are strings without escapes
 * and non-ASCII characters (or {@code null}), a {@code payload} that is any JSON value, and other fields of any
 * JSON value. It checks the whole line against the RFC 8259 grammar (string escapes, strict UTF-8, numbers,
 * literals, nesting; with {@link JsonText}, the bus's one JSON scanner), keeping only offsets, and builds no
 * object.
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
    static final int MAX_DEPTH = JsonText.MAX_DEPTH;
    static final int MAX_NUMBER = JsonText.MAX_NUMBER;
    static final int MAX_NAME = JsonText.MAX_NAME;

    /** The JSON grammar (shared with the client's payload check). */
    private final JsonText json = new JsonText();

    private final int[] start = new int[5];
    private final int[] length = new int[5];
    private int payloadStart;
    private int payloadEnd;
    private byte[] b;
    private int end;

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
        json.reset(buf, limit, line);
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
        i = json.ws(i);
        if (i >= end || b[i] != '{') {
            return -1;
        }
        i = json.ws(i + 1);
        if (i < end && b[i] == '}') {
            return json.ws(i + 1);
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return -1;
            }
            int ns = i + 1;
            int ne = json.plainString(ns);
            if (ne < 0 || ne - ns > MAX_NAME) {
                return -1;
            }
            i = json.ws(ne + 1);
            if (i >= end || b[i] != ':') {
                return -1;
            }
            i = json.ws(i + 1);
            int f = field(ns, ne - ns);
            if (f < PAYLOAD) {
                if (i < end && b[i] == '"') {
                    int ve = json.plainString(i + 1);
                    if (ve < 0) {
                        return -1;
                    }
                    start[f] = i + 1;
                    length[f] = ve - i - 1;
                    i = ve + 1;
                } else if (json.isNull(i)) {
                    length[f] = NULL;
                    i += 4;
                } else {
                    return -1;
                }
            } else {
                int vs = i;
                i = json.value(i, 1);
                if (i < 0) {
                    return -1;
                }
                if (f == PAYLOAD) {
                    payloadStart = vs;
                    payloadEnd = i;
                }
            }
            i = json.ws(i);
            if (i >= end) {
                return -1;
            }
            if (b[i] == ',') {
                i = json.ws(i + 1);
            } else if (b[i] == '}') {
                return json.ws(i + 1);
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
}
