package dev.ovs.bus.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Topics;
import dev.ovs.bus.protocol.JsonText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes a {@link BusClient}'s {@code pub} requests ({@code docs/bus.md}, "Line protocol"): checks topic and
 * payload locally and produces the request as a generator's output ({@link #writePub}) or, for a payload that is already JSON text, as the line's head to which the payload bytes
 * are appended unencoded ({@link #jsonHead}). The head of the last plain topic and type is kept, so a publisher
 * repeating them checks and encodes them once. Thread-safe.
 */
final class PublishEncoder {
    private final ObjectMapper mapper;
    /** Last {@link #jsonHead} topic and type as the start of a request line (any thread; immutable). */
    private volatile PubHead pubHead;

    PublishEncoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Writes {@code {"op":"pub"[,"id":…],"topic":…[,"type":…],"payload":…}} with {@code g}; the topic is checked by
     * the caller.
     *
     * @param id request id, or null for none (no reply)
     */
    void writePub(JsonGenerator g, String topic, JsonNode payload, String type, String id) throws IOException {
        pubHead(g, topic, type, id);
        g.writeFieldName("payload");
        if (payload == null) {
            g.writeNull();
        } else {
            mapper.writeTree(g, payload);
        }
        g.writeEndObject();
    }

    /**
     * @return {@code {"op":"pub","topic":…[,"type":…],"payload":}, the start of a line whose payload and closing
     *         brace follow
     * @throws IllegalArgumentException invalid topic ({@link Topics#checkTopic(String)})
     */
    byte[] jsonHead(String topic, String type) {
        PubHead h = pubHead;
        if (h != null && h.topic.equals(topic) && Objects.equals(h.type, type)) {
            return h.bytes;
        }
        Topics.checkTopic(topic);
        h = PubHead.of(topic, type);
        if (h != null) {
            pubHead = h;
            return h.bytes;
        }
        // a topic or type that needs escapes: the generator's bytes up to the payload's value
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JsonGenerator g = mapper.getFactory().createGenerator(b)) {
            pubHead(g, topic, type, null);
            g.writeFieldName("payload");
            g.writeRawValue(""); // the ':' and the generator's state; the value itself follows unencoded
            g.flush();
            return b.toByteArray(); // taken before close, which would end the object
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /**
     * Checks that {@code json} is exactly one well-formed JSON value (RFC 8259) as the bus reads it inside a request
     * line: UTF-8 without a byte order mark, every string decodable (no encoded surrogate).
     *
     * @throws IllegalArgumentException null, empty, malformed, more than one value, a byte order mark, UTF-16/32 or a
     *         string a tree cannot decode (message starts with {@code payload: })
     */
    void checkPayload(byte[] json) {
        if (json == null || !JsonText.isOneValue(json)) {
            checkJson(json); // throws with Jackson's message, or accepts what the fast check left to it
        }
    }

    /** {@code {"op":"pub","topic":"<topic>"[,"type":"<type>"],"payload":} for a topic and type needing no escapes. */
    private record PubHead(String topic, String type, byte[] bytes) {
        /** @return the head, or null if topic or type has a character that JSON must escape or that is not ASCII */
        static PubHead of(String topic, String type) {
            if (!plain(topic) || type != null && !plain(type)) {
                return null;
            }
            String line = "{\"op\":\"pub\",\"topic\":\"" + topic + "\"" + (type == null ? "" : ",\"type\":\"" + type + "\"")
                    + ",\"payload\":";
            return new PubHead(topic, type, line.getBytes(StandardCharsets.US_ASCII));
        }

        private static boolean plain(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    return false;
                }
            }
            return true;
        }
    }

    private void checkJson(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("payload: must not be null (use the bytes of JSON null)");
        }
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("payload: empty; expected one JSON value");
            }
            p.skipChildren();
            p.finishToken();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("payload: more than one JSON value");
            }
        } catch (IOException e) {
            throw refused("not well-formed JSON", e);
        }
        // As the bus reads it: inside the request line, UTF-8 without a byte order mark (alone, Jackson detects the
        // encoding: it skips a byte order mark and reads UTF-16/32; RFC 8259 section 8.1), and every string decoded as
        // a tree decodes it for in-process subscribers (skipChildren above passes over the strings in containers)
        byte[] inLine = new byte[json.length + 2];
        inLine[0] = '[';
        System.arraycopy(json, 0, inLine, 1, json.length);
        inLine[inLine.length - 1] = ']';
        try {
            mapper.readTree(inLine);
        } catch (IOException e) {
            throw refused("not UTF-8 JSON text as the bus reads it (no byte order mark, RFC 8259 section 8.1)", e);
        }
    }

    private static IllegalArgumentException refused(String rule, IOException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return new IllegalArgumentException("payload: " + rule + ": " + (nl < 0 ? m : m.substring(0, nl)), e);
    }

    private static void pubHead(JsonGenerator g, String topic, String type, String id) throws IOException {
        g.writeStartObject();
        g.writeStringField("op", "pub");
        if (id != null) {
            g.writeStringField("id", id);
        }
        g.writeStringField("topic", topic);
        if (type != null) {
            g.writeStringField("type", type);
        }
    }
}
