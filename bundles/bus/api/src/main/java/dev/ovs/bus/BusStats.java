package dev.ovs.bus;

import java.util.List;

/**
 * A snapshot of bus counters, see {@link EventBus#stats()}. All counters count events since the bus
 * component was activated.
 *
 * @param enabled false for the null bus ({@code enabled=false}): everything is zero
 * @param published accepted publish calls (in-process and socket)
 * @param delivered events handed to subscribers, summed over subscribers (current and closed)
 * @param dropped events discarded by full subscriber queues (drop-oldest: more than {@code queue.size} events or
 *        {@code queue.bytes} bytes), summed over subscribers
 * @param uptimeMillis time since activation, milliseconds
 * @param socket the socket path served, or empty if none
 * @param socketError why the socket server is not running, or empty
 * @param subscribers current subscribers, in creation order
 * @param connections current socket connections
 * @param configError why the configuration in effect is not the one last given (it was rejected: the message
 *        names the key and the rule; the bus runs with its last good configuration), or empty
 */
public record BusStats(boolean enabled, long published, long delivered, long dropped, long uptimeMillis,
        String socket, String socketError, List<SubscriberStats> subscribers, List<ConnectionStats> connections,
        String configError) {

    /** Defensive copy of the lists. */
    public BusStats {
        subscribers = List.copyOf(subscribers);
        connections = List.copyOf(connections);
        if (configError == null) {
            throw new IllegalArgumentException("configError: must not be null (empty: none)");
        }
    }

    /**
     * Stats without a configuration error.
     *
     * @param enabled see the record
     * @param published see the record
     * @param delivered see the record
     * @param dropped see the record
     * @param uptimeMillis see the record
     * @param socket see the record
     * @param socketError see the record
     * @param subscribers see the record
     * @param connections see the record
     */
    public BusStats(boolean enabled, long published, long delivered, long dropped, long uptimeMillis, String socket,
            String socketError, List<SubscriberStats> subscribers, List<ConnectionStats> connections) {
        this(enabled, published, delivered, dropped, uptimeMillis, socket, socketError, subscribers, connections, "");
    }

    /**
     * One subscriber.
     *
     * @param id subscription id
     * @param pattern pattern
     * @param owner who subscribed: a bundle symbolic name, {@code whiteboard:<service.id>},
     *        {@code conn:<n>} for a socket connection, {@code shell}
     * @param delivered events handed over (for socket subscribers: written to the socket)
     * @param dropped events discarded from the full queue
     * @param queued events waiting now
     */
    public record SubscriberStats(String id, String pattern, String owner, long delivered, long dropped,
            int queued) {
    }

    /**
     * One socket connection; credentials from {@code SO_PEERCRED} (socket(7)), -1 if unknown.
     *
     * @param id connection number, {@code conn:<n>}
     * @param pid peer process id
     * @param uid peer user id
     * @param gid peer group id
     * @param subscriptions number of subscriptions of this connection
     * @param received lines received
     * @param denied requests refused by the permissions of {@code dev.ovs.bus.cfg} (publishes and subscriptions)
     */
    public record ConnectionStats(String id, long pid, long uid, long gid, int subscriptions, long received,
            long denied) {
        /**
         * A connection without denials.
         *
         * @param id see the record
         * @param pid see the record
         * @param uid see the record
         * @param gid see the record
         * @param subscriptions see the record
         * @param received see the record
         */
        public ConnectionStats(String id, long pid, long uid, long gid, int subscriptions, long received) {
            this(id, pid, uid, gid, subscriptions, received, 0);
        }
    }
}
