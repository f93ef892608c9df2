package dev.ovs.bus;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A live subscription. {@link #close()} stops delivery (idempotent; events already queued are discarded, a
 * call in progress finishes). Counters are exact and monotonic.
 */
@ProviderType
public interface Subscription extends AutoCloseable {
    /**
     * @return the subscription id, unique within the bus (or within the connection of a
     *         {@code dev.ovs.bus.client.BusClient})
     */
    String id();

    /** @return the pattern subscribed to */
    String pattern();

    /** @return events handed to the listener so far (calls that returned or threw) */
    long delivered();

    /**
     * @return events discarded because this subscriber's queue was full (drop-oldest); for a
     *         {@code dev.ovs.bus.client.BusClient} subscription always 0 — server-side drops show in {@link BusStats}
     */
    long dropped();

    /** @return events currently queued and not yet delivered */
    int queued();

    /** @return whether {@link #close()} was called or the bus / connection went away */
    boolean isClosed();

    /** Stops delivery; never throws. */
    @Override
    void close();
}
