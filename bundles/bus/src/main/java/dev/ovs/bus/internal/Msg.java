package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Event;
import dev.ovs.bus.Origin;
import java.util.Iterator;
import java.util.Map;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One published event as the engine passes it to subscribers: shared by every subscriber of one publish.
 * The payload is held as a tree (in-process publishers) or, for socket publishers, as validated JSON text inside
 * the frame body, which is built at once from the publisher's line (one array per publish: the payload bytes are
 * copied straight from the line into it). The other form, the {@link Event} for in-process listeners and the
 * serialised socket frame are each made at most once, on first use, so N socket subscribers share one
 * serialisation and a socket-to-socket publish builds no tree at all.
 */
final class Msg {
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    final String topic;
    final String type;
    final long ts;
    final Origin origin;
    private final ObjectMapper mapper;
    /** Socket publishes: the payload's place in {@link #body} ({@code rawLen} -1: no payload, JSON null). */
    private final int rawOff;
    private final int rawLen;
    private final JsonNode tree;
    /** Made in the constructor for tree payloads; for text payloads on first use (racing threads: one wins). */
    private volatile Event event;
    /** Made in the constructor for text payloads; for tree payloads on first use (racing threads: one wins). */
    private volatile byte[] body;
    private static final AtomicReferenceFieldUpdater<Msg, Event> EVENT =
            AtomicReferenceFieldUpdater.newUpdater(Msg.class, Event.class, "event");
    private static final AtomicReferenceFieldUpdater<Msg, byte[]> BODY =
            AtomicReferenceFieldUpdater.newUpdater(Msg.class, byte[].class, "body");

    /**
     * An event with a tree payload (in-process publishers).
     *
     * @param tree payload tree owned by the bus, or null for JSON null
     */
    Msg(ObjectMapper mapper, String topic, String type, long ts, Origin origin, JsonNode tree) {
        this.mapper = mapper;
        this.topic = topic;
        this.type = type;
        this.ts = ts;
        this.origin = origin;
        this.tree = tree;
        this.rawOff = 0;
        this.rawLen = -1;
        this.event = new Event(topic, tree, type, ts, origin);
    }

    private Msg(ObjectMapper mapper, String topic, String type, long ts, Origin origin, byte[] body, int rawOff,
            int rawLen) {
        this.mapper = mapper;
        this.topic = topic;
        this.type = type;
        this.ts = ts;
        this.origin = origin;
        this.tree = null;
        this.rawOff = rawOff;
        this.rawLen = rawLen;
        this.body = body;
    }

    /**
     * An event whose payload is JSON text (socket publishers), with its frame body built now: {@code head}, the
     * digits of {@code ts}, {@code tail}, the payload bytes (or {@code null}; a carriage return in them, which can
     * only be whitespace between tokens, as a space), {@code }\n}.
     *
     * @param head {@link #head(String, String)} of {@code topic} and {@code type}
     * @param origin the publishing socket client
     * @param tail {@link #tail(String)} of {@code origin.source()}
     * @param line array holding the payload: one complete, valid JSON value, UTF-8, without newline (the caller
     *        validated it); copied
     * @param off offset of the payload in {@code line}, -1 if there is none (JSON null)
     * @param len payload length, bytes
     */
    static Msg ofText(ObjectMapper mapper, String topic, String type, long ts, Origin origin, byte[] head,
            byte[] tail, byte[] line, int off, int len) {
        if (off < 0) {
            line = NULL;
            off = 0;
            len = NULL.length;
        }
        long t = ts < 0 ? -ts : ts; // epoch milliseconds: negative only on a clock set before 1970
        int digits = ts < 0 ? 2 : 1;
        for (long r = t; r >= 10; r /= 10) {
            digits++;
        }
        byte[] out = new byte[head.length + digits + tail.length + len + 2];
        int n = put(out, 0, head);
        for (int i = n + digits - 1; i >= n; i--) {
            out[i] = (byte) ('0' + t % 10);
            t /= 10;
        }
        if (ts < 0) {
            out[n] = '-';
        }
        n = put(out, n + digits, tail);
        System.arraycopy(line, off, out, n, len);
        for (int i = n; i < n + len; i++) {
            if (out[i] == '\r') {
                // whitespace between tokens (JSON strings cannot hold a raw CR): a line break for readers that end
                // lines at CR too (Java's BufferedReader, Python's universal newlines), where the rest of the frame
                // would read as a frame of the publisher's making
                out[i] = ' ';
            }
        }
        out[n + len] = '}';
        out[n + len + 1] = '\n';
        return new Msg(mapper, topic, type, ts, origin, out, n, line == NULL ? -1 : len);
    }

    /** @return {@code "topic":<topic>,"type":<type>,"ts":}, the start of a frame body */
    static byte[] head(String topic, String type) {
        byte[] t = quoted(topic);
        byte[] ty = quoted(type);
        byte[] out = new byte[TOPIC.length + t.length + TYPE.length + ty.length + TS.length];
        int n = put(out, 0, TOPIC);
        n = put(out, n, t);
        n = put(out, n, TYPE);
        n = put(out, n, ty);
        put(out, n, TS);
        return out;
    }

    /** @return {@code ,"source":<source>,"payload":}, the part of a frame body between ts and payload */
    static byte[] tail(String source) {
        byte[] src = quoted(source);
        byte[] out = new byte[SOURCE.length + src.length + PAYLOAD_FIELD.length];
        put(out, put(out, put(out, 0, SOURCE), src), PAYLOAD_FIELD);
        return out;
    }

    /** {@link #size()}, computed on first use (racing threads compute the same value); -1 until then. */
    private volatile long size = -1;

    /**
     * The size this event counts with against a subscriber's {@code queue.bytes}: for a socket publish the length of
     * its frame body (payload as sent plus envelope), for a tree payload the length its frame body would have,
     * estimated from the tree without serialising it ({@link #estimate(JsonNode)}). Made once per publish, shared.
     *
     * @return bytes, at least the envelope's length
     */
    long size() {
        long n = size;
        if (n < 0) {
            byte[] b = body;
            n = b != null ? b.length : ENVELOPE + topic.length() + type.length() + origin.bundle().length() + estimate(tree);
            size = n;
        }
        return n;
    }

    private static int digits(long v) {
        int d = v < 0 ? 2 : 1;
        for (long r = Math.abs(v / 10); r > 0; r /= 10) {
            d++;
        }
        return d;
    }

    /** Bytes of a frame body besides topic, type, source and payload (field names, quotes, ts). */
    private static final int ENVELOPE = 64;

    /**
     * The length of a tree's compact JSON text, estimated from below for strings with escapes and above for
     * numbers (a string counts its UTF-16 length plus quotes, a number 24 bytes unless it is an integral value that
     * fits in a long, binary data its base64 length); linear in the number of nodes, no allocation besides an
     * iterator per container.
     *
     * @param n a tree, or null (JSON null)
     * @return bytes
     */
    static long estimate(JsonNode n) {
        if (n == null) {
            return 4;
        }
        switch (n.getNodeType()) {
            case OBJECT: {
                long sum = 2;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    sum += e.getKey().length() + 4 + estimate(e.getValue());
                }
                return sum;
            }
            case ARRAY: {
                long sum = 2;
                for (JsonNode c : n) {
                    sum += 1 + estimate(c);
                }
                return sum;
            }
            case STRING:
                return n.textValue().length() + 2L;
            case NUMBER:
                return n.isIntegralNumber() && n.canConvertToLong() ? digits(n.longValue()) : 24;
            case BOOLEAN:
                return 5;
            case BINARY:
                try {
                    return (n.binaryValue().length + 2L) / 3 * 4 + 2;
                } catch (IOException e) {
                    return 2;
                }
            default:
                return 4; // null, missing, POJO (serialised by Jackson; counted small)
        }
    }

    /**
     * @return the event for in-process listeners: one instance per publish (no lock: concurrent first callers
     *         may each parse a text payload, one result is kept)
     */
    Event event() {
        Event e = event;
        if (e == null) {
            JsonNode n;
            try {
                n = rawLen < 0 ? null : mapper.readTree(body, rawOff, rawLen);
            } catch (IOException ex) {
                throw new UncheckedIOException("payload: stored JSON does not parse", ex);
            }
            EVENT.compareAndSet(this, null, new Event(topic, n, type, ts, origin));
            e = event;
        }
        return e;
    }

    /**
     * The event frame after its {@code {"op":"event","id":"<sid>",} prefix (which differs per subscription):
     * {@code "topic":…,"type":…,"ts":…,"source":…,"payload":…}} and the newline, made once and shared.
     *
     * @throws UncheckedIOException if a tree payload cannot be serialised (a POJO node without serializer)
     */
    byte[] body() {
        byte[] b = body;
        if (b == null) {
            BODY.compareAndSet(this, null, serialise());
            b = body;
        }
        return b;
    }

    private byte[] serialise() {
        byte[] payload;
        try {
            payload = tree == null ? NULL : mapper.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] t = quoted(topic);
        byte[] ty = quoted(type);
        byte[] ts = Long.toString(this.ts).getBytes(StandardCharsets.US_ASCII);
        byte[] src = quoted(origin.source());
        byte[] out = new byte[TOPIC.length + t.length + TYPE.length + ty.length + TS.length + ts.length + SOURCE.length
                + src.length + PAYLOAD_FIELD.length + payload.length + 2];
        int n = put(out, 0, TOPIC);
        n = put(out, n, t);
        n = put(out, n, TYPE);
        n = put(out, n, ty);
        n = put(out, n, TS);
        n = put(out, n, ts);
        n = put(out, n, SOURCE);
        n = put(out, n, src);
        n = put(out, n, PAYLOAD_FIELD);
        n = put(out, n, payload);
        out[n++] = '}';
        out[n] = '\n';
        return out;
    }

    private static final byte[] TOPIC = "\"topic\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE = ",\"type\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS = ",\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE = ",\"source\":".getBytes(StandardCharsets.US_ASCII);

    private static int put(byte[] out, int at, byte[] b) {
        System.arraycopy(b, 0, out, at, b.length);
        return at + b.length;
    }

    /** @return the JSON string literal of s, UTF-8 (printable ASCII without quote or backslash copied as is) */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, no encoder
    static byte[] quoted(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                byte[] q = JsonStringEncoder.getInstance().quoteAsUTF8(s);
                byte[] out = new byte[q.length + 2];
                out[0] = '"';
                System.arraycopy(q, 0, out, 1, q.length);
                out[out.length - 1] = '"';
                return out;
            }
        }
        byte[] out = new byte[n + 2];
        out[0] = '"';
        s.getBytes(0, n, out, 1); // printable ASCII: one byte per char
        out[n + 1] = '"';
        return out;
    }
}
