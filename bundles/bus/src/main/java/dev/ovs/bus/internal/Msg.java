package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One published event as the engine passes it to subscribers: shared by every subscriber of one publish.
 * The payload is held as a tree (in-process publishers) or as validated JSON text (socket publishers); the
 * other form, the {@link Event} for in-process listeners and the serialised socket frame are each made at most
 * once, on first use, so N socket subscribers share one serialisation and a socket-to-socket publish builds
 * no tree at all.
 */
final class Msg {
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    final String topic;
    final String type;
    final long ts;
    final String source;
    private final ObjectMapper mapper;
    private final byte[] raw;
    private final JsonNode tree;
    /** Made in the constructor for tree payloads; for text payloads on first use (racing threads: one wins). */
    private final AtomicReference<Event> event = new AtomicReference<>();
    private final AtomicReference<byte[]> body = new AtomicReference<>();

    /**
     * @param tree payload tree owned by the bus, or null; ignored if {@code raw} is given
     * @param raw payload as one complete, valid JSON value (UTF-8, no newline), or null
     */
    Msg(ObjectMapper mapper, String topic, String type, long ts, String source, JsonNode tree, byte[] raw) {
        this.mapper = mapper;
        this.topic = topic;
        this.type = type;
        this.ts = ts;
        this.source = source;
        this.tree = raw == null ? tree : null;
        this.raw = raw;
        if (raw == null) {
            event.set(new Event(topic, tree, type, ts, source));
        }
    }

    /**
     * @return the event for in-process listeners: one instance per publish (no lock: concurrent first callers
     *         may each parse a text payload, one result is kept)
     */
    Event event() {
        Event e = event.get();
        if (e == null) {
            JsonNode n;
            try {
                n = mapper.readTree(raw);
            } catch (IOException ex) {
                throw new UncheckedIOException("payload: stored JSON does not parse", ex);
            }
            event.compareAndSet(null, new Event(topic, n, type, ts, source));
            e = event.get();
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
        byte[] b = body.get();
        if (b == null) {
            body.compareAndSet(null, serialise());
            b = body.get();
        }
        return b;
    }

    private byte[] serialise() {
        byte[] payload = raw;
        if (payload == null) {
            try {
                payload = tree == null ? NULL : mapper.writeValueAsBytes(tree);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        byte[] t = quoted(topic);
        byte[] ty = quoted(type);
        byte[] ts = Long.toString(this.ts).getBytes(StandardCharsets.US_ASCII);
        byte[] src = quoted(source);
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
