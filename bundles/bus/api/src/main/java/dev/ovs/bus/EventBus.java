package dev.ovs.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The bus service (OSGi service, one per framework; each using bundle gets its own view whose
 * subscriptions are closed when it releases the service, and whose events carry its symbolic name as
 * {@link Event#origin()}, a {@link Origin.Kind#BUNDLE} origin).
 *
 * <p>Semantics: at-most-once, fire-and-forget. {@code publish} never blocks on subscribers: each subscriber
 * has a queue bounded in events (config {@code queue.size}, default 1024) and in bytes (config
 * {@code queue.bytes}, default 8 MiB, counting each event as the length of its JSON frame); when either bound is
 * exceeded the oldest queued events are discarded and counted (the newest event is always kept). Bundles are not
 * subject to the socket permissions of {@code dev.ovs.bus.cfg}. Per subscriber, events arrive in publish order (for publishes from one thread).
 * With {@code enabled=false} the service is a null bus: publishes are validated and dropped, subscriptions
 * are inert, nothing fails.
 */
@ProviderType
public interface EventBus {
    /**
     * Publishes an event to all subscriptions whose pattern matches now.
     *
     * @param topic literal topic, see {@link Topics#checkTopic(String)}; build it with {@link Topics#of}
     * @param payload JSON payload (copied; later changes by the caller are not seen); null means JSON null
     * @param type event type, e.g. {@code added}; null means the last topic token, decoded
     * @throws IllegalArgumentException if {@code topic} is invalid (nothing is published)
     */
    void publish(String topic, JsonNode payload, String type);

    /**
     * Like {@link #publish(String, JsonNode, String)} with a Map converted by Jackson (values: String,
     * Number, Boolean, null, List, Map, or beans Jackson can serialize).
     *
     * @param topic literal topic
     * @param payload JSON object content; null means JSON null
     * @param type event type or null
     * @throws IllegalArgumentException if {@code topic} is invalid or a value cannot be converted to JSON
     */
    void publish(String topic, Map<String, ?> payload, String type);

    /**
     * Subscribes a listener.
     *
     * @param pattern pattern, see {@link Topics#checkPattern(String)}
     * @param listener called on a bus thread, sequentially, in order
     * @return the subscription; close it to stop
     * @throws IllegalArgumentException if {@code pattern} is invalid or {@code listener} is null
     */
    Subscription subscribe(String pattern, EventListener listener);

    /** @return a snapshot of the counters */
    BusStats stats();

    /** @return false for the null bus ({@code enabled=false}) */
    boolean isEnabled();
}
