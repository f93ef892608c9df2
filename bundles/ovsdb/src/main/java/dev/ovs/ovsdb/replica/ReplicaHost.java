package dev.ovs.ovsdb.replica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.ovsdb.NotificationListener;
import dev.ovs.ovsdb.OvsdbClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What a {@link ReplicaImpl} needs of its client beyond {@link OvsdbClient}: requests and monitor
 * notifications bound to one connection (a monitor lives on the connection that created it, RFC 7047
 * §4.1.5), the client's JSON mapper and timer. Implemented by the JSON-RPC client (package {@code rpc}), so
 * the replica layer depends on no transport class.
 */
public interface ReplicaHost extends OvsdbClient {
    /** One JSON-RPC connection; its identity tells a replica whether it already subscribed on it. */
    interface Channel {
        /** @return whether the connection is still open */
        boolean isOpen();

        /**
         * Closes the connection (the client reconnects).
         *
         * @param cause why, reported to pending requests
         */
        void close(Throwable cause);
    }

    /** @return the current connection, or null while disconnected */
    Channel currentConnection();

    /**
     * Sends a request on a given connection (never on a newer one), with the client's request timeout.
     *
     * @param c        the connection
     * @param method   JSON-RPC method
     * @param params   params array
     * @param onReader maps the result on the connection's reader thread (before later notifications are read);
     *                 null returns the result as it is
     * @param <T>      the mapped result type
     * @return the mapped result
     */
    <T> CompletableFuture<T> requestOn(Channel c, String method, ArrayNode params, Function<JsonNode, T> onReader);

    /** @return the client's JSON mapper */
    ObjectMapper mapper();

    /** @return the client's timer thread (closed with the client) */
    ScheduledExecutorService timer();

    /**
     * Routes {@code update}/{@code update2}/{@code update3}/{@code monitor_canceled} notifications for a monitor id
     * to a listener (on the reader thread).
     *
     * @param id monitor id
     * @param l  listener
     */
    void registerMonitor(JsonNode id, NotificationListener l);

    /** @param id monitor id to stop routing */
    void unregisterMonitor(JsonNode id);

    /** @param db database whose cached schema is stale ({@code monitor_canceled}) */
    void invalidateSchema(String db);

    /** @param r a replica that closed (no longer closed with the client) */
    void replicaClosed(ReplicaImpl r);
}
