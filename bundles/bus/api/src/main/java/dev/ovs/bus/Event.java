package dev.ovs.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One event as delivered to subscribers. Immutable value; the {@link #payload()} tree is shared by all
 * subscribers of one publish and must be treated as read-only.
 *
 * <p>Events made with {@link #ofJson} (the socket client {@code dev.ovs.bus.client.BusClient} makes its events so)
 * keep the payload as JSON text and parse it on the first call of {@link #payload()} (once; later calls return
 * the same tree). A subscriber that only needs the text, or parses it itself, uses {@link #payloadJson()} and no
 * tree is ever built.
 */
public final class Event {
    /** Serialises tree payloads for {@link #payloadJson()}; immutable (Jackson's {@link ObjectWriter}). */
    private static final ObjectWriter WRITER = new ObjectMapper().writer();
    /** Parses text payloads for {@link #payload()}; immutable (Jackson's {@link ObjectReader}). */
    private static final ObjectReader READER = new ObjectMapper().reader();
    private final String topic;
    /** The tree; null until parsed from {@link #json} (events from the socket); set once, by CAS. */
    private volatile JsonNode payload;
    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Event, JsonNode> PAYLOAD =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Event.class, JsonNode.class, "payload");
    /** The payload as UTF-8 JSON text, one valid value, as received from the bus; null for tree events. */
    private final byte[] json;
    private final String type;
    private final long timestamp;
    /** {@link Origin#source()} of {@link #origin}, made on first use (racing threads make equal strings). */
    private String source;
    private final Origin origin;

    /**
     * Creates an event with a tree payload (normally done by the bus).
     *
     * @param topic literal topic, see {@link Topics#checkTopic(String)}
     * @param payload JSON payload; {@code null} becomes JSON {@code null}
     * @param type event type, e.g. {@code added}; non-null, may be empty
     * @param timestamp publish time in milliseconds since the Unix epoch (UTC)
     * @param source who published, in the text form of {@link Origin#source()}: the publishing bundle's symbolic
     *        name, {@code bus} for events of the bus itself, {@code unix:pid=P,uid=U,gid=G} for socket clients
     * @throws IllegalArgumentException if {@code topic} is invalid, {@code type} is null, or {@code source} is not
     *         a valid {@link Origin#ofSource(String) origin text}
     */
    public Event(String topic, JsonNode payload, String type, long timestamp, String source) {
        this(topic, payload, type, timestamp, Origin.ofSource(source));
    }

    /**
     * Creates an event with a tree payload and its provenance (normally done by the bus).
     *
     * @param topic literal topic, see {@link Topics#checkTopic(String)}
     * @param payload JSON payload; {@code null} becomes JSON {@code null}
     * @param type event type, e.g. {@code added}; non-null, may be empty
     * @param timestamp publish time in milliseconds since the Unix epoch (UTC)
     * @param origin who published
     * @throws IllegalArgumentException if {@code topic} is invalid, or {@code type} or {@code origin} is null
     * @since 2.0
     */
    public Event(String topic, JsonNode payload, String type, long timestamp, Origin origin) {
        this.topic = Topics.checkTopic(topic);
        if (type == null) {
            throw new IllegalArgumentException("type: must not be null");
        }
        if (origin == null) {
            throw new IllegalArgumentException("origin: must not be null");
        }
        this.payload = payload == null ? NullNode.getInstance() : payload;
        this.json = null;
        this.type = type;
        this.timestamp = timestamp;
        this.origin = origin;
    }

    private Event(String topic, byte[] json, String type, long timestamp, Origin origin) {
        this.topic = topic;
        this.json = json;
        this.type = type;
        this.timestamp = timestamp;
        this.origin = origin;
    }

    /**
     * Creates an event whose payload is JSON text, parsed on the first call of {@link #payload()}. The text is not
     * checked here (the bus checks every payload it accepts, RFC 8259); text that does not parse makes
     * {@link #payload()} throw.
     *
     * @param topic literal topic, see {@link Topics#checkTopic(String)}
     * @param payloadJson exactly one JSON value, UTF-8, no line break; kept, not copied (the caller gives it up)
     * @param type event type; non-null, may be empty
     * @param timestamp publish time in milliseconds since the Unix epoch (UTC)
     * @param origin who published
     * @return the event
     * @throws IllegalArgumentException if {@code topic} is invalid, or {@code payloadJson}, {@code type} or
     *         {@code origin} is null
     * @since 2.0
     */
    public static Event ofJson(String topic, byte[] payloadJson, String type, long timestamp, Origin origin) {
        Topics.checkTopic(topic);
        if (payloadJson == null) {
            throw new IllegalArgumentException("payloadJson: must not be null (use the bytes of JSON null)");
        }
        if (type == null) {
            throw new IllegalArgumentException("type: must not be null");
        }
        if (origin == null) {
            throw new IllegalArgumentException("origin: must not be null");
        }
        return new Event(topic, payloadJson, type, timestamp, origin);
    }

    /** @return the literal topic, e.g. {@code ovsdb.bridge.br0.added} */
    public String topic() {
        return topic;
    }

    /**
     * @return the JSON payload (never null; JSON null is {@link NullNode}); read-only
     * @throws UncheckedIOException only for an event read from the socket whose payload text does not parse
     *         (the bus validates every payload, so this means a broken peer)
     */
    public JsonNode payload() {
        JsonNode p = payload;
        if (p != null) {
            return p;
        }
        JsonNode n;
        try {
            n = READER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("payload: the JSON text from the bus does not parse", e);
        }
        PAYLOAD.compareAndSet(this, null, n == null ? NullNode.getInstance() : n); // a racing caller may have won
        return payload;
    }

    /**
     * The payload as JSON text (RFC 8259), UTF-8, one value, no line break: for events from the socket the bytes
     * the bus sent (which are the bytes the publisher sent), otherwise the tree serialised compactly.
     *
     * @return a new array each call (the event stays immutable)
     * @throws UncheckedIOException if a tree payload cannot be serialised (a POJO node without serializer)
     */
    public byte[] payloadJson() {
        if (json != null) {
            return json.clone();
        }
        try {
            return WRITER.writeValueAsBytes(payload());
        } catch (IOException e) {
            throw new UncheckedIOException("payload: cannot be serialised", e);
        }
    }

    /** @return the event type given by the publisher (default: the last topic token, decoded) */
    public String type() {
        return type;
    }

    /** @return publish time, milliseconds since the Unix epoch */
    public long timestamp() {
        return timestamp;
    }

    /** @return the publisher as text, {@link Origin#source()} of {@link #origin()} */
    public String source() {
        String s = source;
        if (s == null) {
            s = origin.source();
            source = s;
        }
        return s;
    }

    /**
     * @return who published, set by the bus (a socket client cannot choose it); {@link Origin#isSocket()} is true
     *         for events of socket clients, which are never domain events
     * @since 2.0
     */
    public Origin origin() {
        return origin;
    }

    /**
     * @return {@code origin().isSocket()}: the event came from a client of the bus socket
     * @since 2.0
     */
    public boolean isFromSocket() {
        return origin.isSocket();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Event)) {
            return false;
        }
        Event e = (Event) o;
        return timestamp == e.timestamp && topic.equals(e.topic) && type.equals(e.type) && origin.equals(e.origin)
                && (json != null && e.json != null && Arrays.equals(json, e.json) || payload().equals(e.payload()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, payload(), type, timestamp, origin);
    }

    @Override
    public String toString() {
        return "Event[" + topic + " type=" + type + " ts=" + timestamp + " source=" + source() + " payload=" + payload()
                + "]";
    }
}
