package dev.ovs.bus.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Event;
import dev.ovs.bus.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The receiving side of a {@link BusClient}'s connection, run by its reader thread ({@code patchbay-bus-client}):
 * splits the byte stream into lines (no decoding to strings first) and dispatches each frame: an event to its
 * {@link ClientSubscription} (the listener runs on this thread), a reply to the call waiting for its id, an error
 * frame without a pending id to {@link #lastError()}. Anything that is not a frame of the protocol is ignored.
 *
 * <p>Cost model: an event frame exactly as the bus writes it ({@code op id topic type ts source payload}, in that
 * order, strings without escapes) is read without a parser, the payload kept as text for {@link Event#payload()}
 * to parse on demand, and envelope strings equal to the previous event's reused; any other event frame is read with
 * a streaming parser (only the payload becomes a tree). Replies are rare and read as a whole tree.
 */
final class FrameReader {
    private static final byte[] EVENT_HEAD = "{\"op\":\"event\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOPIC_FIELD = ",\"topic\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_FIELD = ",\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS_FIELD = ",\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE_FIELD = ",\"source\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;
    private final Map<String, ClientSubscription> subs;
    private final Map<String, CompletableFuture<JsonNode>> pending;
    private volatile String lastError = "";
    /** Bytes of a line begun in an earlier read (reader thread only). */
    private byte[] partial = new byte[4096];
    private int partialLen;
    /** Last decoded value of each envelope string (reader thread only): events mostly repeat them. */
    private final Recent recentId = new Recent();
    private final Recent recentTopic = new Recent();
    private final Recent recentType = new Recent();
    private final Recent recentSource = new Recent();
    /** {@link Origin#ofSource} of the last source string (reader thread only). */
    private String lastSource;
    private Origin lastOrigin;

    /**
     * @param subs the client's open subscriptions by id (read here, changed by the client)
     * @param pending the client's calls waiting for a reply, by request id (completed here)
     */
    FrameReader(ObjectMapper mapper, Map<String, ClientSubscription> subs,
            Map<String, CompletableFuture<JsonNode>> pending) {
        this.mapper = mapper;
        this.subs = subs;
        this.pending = pending;
    }

    /** @return the message of the last error frame that carried no pending request id, or empty */
    String lastError() {
        return lastError;
    }

    /** Reads and dispatches frames until EOF or a read error; closes {@code in}, then runs {@code atEnd}. */
    void readLoop(InputStream in, Runnable atEnd) {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                lines(buf, n);
            }
        } catch (IOException e) {
            // EOF or closed
        } finally {
            atEnd.run();
        }
    }

    /** One read's bytes (a method of its own, called per read, so that the JIT compiles the scan loop early). */
    private void lines(byte[] buf, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                if (partialLen == 0) {
                    frame(buf, start, i - start);
                } else {
                    partial = append(partial, partialLen, buf, start, i - start);
                    frame(partial, 0, partialLen + i - start);
                    partialLen = 0;
                    if (partial.length > 64 * 1024) {
                        partial = new byte[4096];
                    }
                }
                start = i + 1;
            }
        }
        partial = append(partial, partialLen, buf, start, n - start);
        partialLen += n - start;
    }

    private static byte[] append(byte[] line, int len, byte[] src, int off, int n) {
        if (len + n > line.length) {
            line = Arrays.copyOf(line, Math.max(len + n, line.length * 2));
        }
        System.arraycopy(src, off, line, len, n);
        return line;
    }

    /** @return the origin of a source string, parsed once per distinct string in a row */
    private Origin origin(String source) {
        if (source != lastSource) {
            lastOrigin = Origin.ofSource(source);
            lastSource = source;
        }
        return lastOrigin;
    }

    /** The last string decoded from a byte range, returned again while the same bytes come. */
    private static final class Recent {
        private byte[] bytes = new byte[0];
        private String value = "";

        String get(byte[] b, int from, int to) {
            int n = to - from;
            if (n != bytes.length || !Arrays.equals(bytes, 0, n, b, from, to)) {
                bytes = Arrays.copyOfRange(b, from, to);
                value = new String(bytes, StandardCharsets.UTF_8);
            }
            return value;
        }
    }

    /**
     * One frame from the bus: an event in the bus's own layout by {@link #fastEvent}, any other event with a
     * streaming parser, anything else by {@link #reply}.
     */
    private void frame(byte[] b, int off, int len) {
        if (fastEvent(b, off, off + len)) {
            return;
        }
        try (JsonParser p = mapper.getFactory().createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            String id = null;
            String topic = "";
            String type = "";
            String source = "";
            long ts = 0;
            JsonNode payload = null;
            boolean event = false;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "op" -> {
                        event = t == JsonToken.VALUE_STRING && "event".equals(p.getText());
                        if (!event) {
                            reply(b, off, len);
                            return;
                        }
                    }
                    case "id" -> id = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "topic" -> topic = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "type" -> type = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "source" -> source = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "ts" -> ts = t.isScalarValue() ? p.getValueAsLong() : skipLong(p);
                    case "payload" -> payload = p.readValueAsTree();
                    default -> p.skipChildren();
                }
            }
            if (!event) {
                reply(b, off, len);
                return;
            }
            ClientSubscription s = id == null ? null : subs.get(id);
            if (s != null && !s.isClosed()) {
                Event e;
                try {
                    e = new Event(topic, payload, type, ts, source);
                } catch (IllegalArgumentException ex) {
                    return;
                }
                s.deliver(e);
            }
        } catch (IOException e) {
            // not a frame of the protocol: ignored
        }
    }

    /** @return false if the frame is not in the bus's own event layout (then the caller parses it in full) */
    private boolean fastEvent(byte[] b, int pos, int end) {
        if (end > pos && b[end - 1] == '\r') {
            end--;
        }
        if (!at(b, pos, end, EVENT_HEAD) || b[end - 1] != '}') {
            return false;
        }
        pos += EVENT_HEAD.length;
        int q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TOPIC_FIELD)) {
            return false;
        }
        int idFrom = pos;
        int idTo = q;
        pos = q + 1 + TOPIC_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TYPE_FIELD)) {
            return false;
        }
        int topicFrom = pos;
        int topicTo = q;
        pos = q + 1 + TYPE_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TS_FIELD)) {
            return false;
        }
        int typeFrom = pos;
        int typeTo = q;
        pos = q + 1 + TS_FIELD.length;
        boolean negative = pos < end && b[pos] == '-';
        if (negative) {
            pos++;
        }
        long ts = 0;
        int digits = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9' && digits < 18) {
            ts = ts * 10 + (b[pos++] - '0');
            digits++;
        }
        if (digits == 0 || !at(b, pos, end, SOURCE_FIELD)) {
            return false;
        }
        pos += SOURCE_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, PAYLOAD_FIELD)) {
            return false;
        }
        int sourceFrom = pos;
        int sourceTo = q;
        pos = q + 1 + PAYLOAD_FIELD.length;
        if (pos >= end - 1) {
            return false;
        }
        ClientSubscription s = subs.get(recentId.get(b, idFrom, idTo));
        if (s != null && !s.isClosed()) {
            Event e;
            try {
                e = Event.ofJson(recentTopic.get(b, topicFrom, topicTo), Arrays.copyOfRange(b, pos, end - 1),
                        recentType.get(b, typeFrom, typeTo), negative ? -ts : ts,
                        origin(recentSource.get(b, sourceFrom, sourceTo)));
            } catch (IllegalArgumentException ex) {
                return true; // not an event of a well-behaved bus: ignored, as the parsed path does
            }
            s.deliver(e);
        }
        return true;
    }

    private static boolean at(byte[] b, int pos, int end, byte[] what) {
        return end - pos >= what.length && Arrays.equals(b, pos, pos + what.length, what, 0, what.length);
    }

    /** @return index of the closing quote of a string starting at pos, or -1 if it has an escape or no end */
    private static int closingQuote(byte[] b, int pos, int end) {
        for (int i = pos; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            if (c == '\\' || (c >= 0 && c < 0x20)) {
                return -1;
            }
        }
        return -1;
    }

    private static String skip(JsonParser p, String v) throws IOException {
        p.skipChildren();
        return v;
    }

    private static long skipLong(JsonParser p) throws IOException {
        p.skipChildren();
        return 0;
    }

    private void reply(byte[] b, int off, int len) throws IOException {
        JsonNode n = mapper.readTree(b, off, len);
        if (n == null) {
            return;
        }
        String op = n.path("op").asText();
        String id = n.hasNonNull("id") ? n.get("id").asText() : null;
        if (id != null && pending.containsKey(id)) {
            pending.get(id).complete(n);
        } else if ("error".equals(op)) {
            lastError = n.path("message").asText();
        }
    }
}
