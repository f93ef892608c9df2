package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

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
    private JsonNode tree;
    private volatile Event event;
    private volatile byte[] body;

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
    }

    /** @return the event for in-process listeners (one instance per publish; payload parsed once if it came as text) */
    Event event() {
        Event e = event;
        if (e == null) {
            synchronized (this) {
                e = event;
                if (e == null) {
                    e = new Event(topic, tree(), type, ts, source);
                    event = e;
                }
            }
        }
        return e;
    }

    private JsonNode tree() {
        if (tree == null && raw != null) {
            try {
                tree = mapper.readTree(raw);
            } catch (IOException e) {
                throw new UncheckedIOException("payload: stored JSON does not parse", e);
            }
        }
        return tree;
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
            synchronized (this) {
                b = body;
                if (b == null) {
                    b = serialise();
                    body = b;
                }
            }
        }
        return b;
    }

    private byte[] serialise() {
        try {
            byte[] payload = raw;
            if (payload == null) {
                payload = tree == null ? NULL : mapper.writeValueAsBytes(tree);
            }
            ByteArrayBuilder bb = new ByteArrayBuilder(128);
            try (JsonGenerator g = mapper.getFactory().createGenerator(bb)) {
                g.writeStartObject();
                g.writeStringField("topic", topic);
                g.writeStringField("type", type);
                g.writeNumberField("ts", ts);
                g.writeStringField("source", source);
                g.writeEndObject();
            }
            byte[] head = bb.toByteArray(); // {"topic":…,"source":"…"}
            int hl = head.length - 2;       // without the braces
            byte[] out = new byte[hl + PAYLOAD_FIELD.length + payload.length + 2];
            System.arraycopy(head, 1, out, 0, hl);
            System.arraycopy(PAYLOAD_FIELD, 0, out, hl, PAYLOAD_FIELD.length);
            System.arraycopy(payload, 0, out, hl + PAYLOAD_FIELD.length, payload.length);
            out[out.length - 2] = '}';
            out[out.length - 1] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
