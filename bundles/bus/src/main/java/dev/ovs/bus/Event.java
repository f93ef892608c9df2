package dev.ovs.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * One event as delivered to subscribers. Immutable value; the {@link #payload()} tree is shared by all
 * subscribers of one publish and must be treated as read-only.
 */
public final class Event {
    private final String topic;
    private final JsonNode payload;
    private final String type;
    private final long timestamp;
    private final String source;

    /**
     * Creates an event (normally done by the bus or by {@link BusClient} when parsing an event frame).
     *
     * @param topic literal topic, see {@link Topics#checkTopic(String)}
     * @param payload JSON payload; {@code null} becomes JSON {@code null}
     * @param type event type, e.g. {@code added}; non-null, may be empty
     * @param timestamp publish time in milliseconds since the Unix epoch (UTC)
     * @param source who published: the publishing bundle's symbolic name, {@code bus} for events of the bus
     *        itself, {@code unix:pid=P,uid=U,gid=G} for socket clients; non-null
     * @throws IllegalArgumentException if {@code topic} is invalid, or {@code type} or {@code source} is null
     */
    public Event(String topic, JsonNode payload, String type, long timestamp, String source) {
        this.topic = Topics.checkTopic(topic);
        if (type == null) {
            throw new IllegalArgumentException("type: must not be null");
        }
        if (source == null) {
            throw new IllegalArgumentException("source: must not be null");
        }
        this.payload = payload == null ? NullNode.getInstance() : payload;
        this.type = type;
        this.timestamp = timestamp;
        this.source = source;
    }

    /** @return the literal topic, e.g. {@code ovsdb.bridge.br0.added} */
    public String topic() {
        return topic;
    }

    /** @return the JSON payload (never null; JSON null is {@link NullNode}); read-only */
    public JsonNode payload() {
        return payload;
    }

    /** @return the event type given by the publisher (default: the last topic token, decoded) */
    public String type() {
        return type;
    }

    /** @return publish time, milliseconds since the Unix epoch */
    public long timestamp() {
        return timestamp;
    }

    /** @return the publisher, see {@link #Event(String, JsonNode, String, long, String)} */
    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Event)) {
            return false;
        }
        Event e = (Event) o;
        return timestamp == e.timestamp && topic.equals(e.topic) && payload.equals(e.payload) && type.equals(e.type)
                && source.equals(e.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, payload, type, timestamp, source);
    }

    @Override
    public String toString() {
        return "Event[" + topic + " type=" + type + " ts=" + timestamp + " source=" + source + " payload=" + payload
                + "]";
    }
}
