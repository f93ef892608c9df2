package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An OVSDB client (RFC 7047 + ovsdb-server(7) extensions) over one persistent connection with pipelined
 * requests, inactivity probe, request timeout and reconnect with exponential backoff. Thread-safe. Of several
 * remotes ({@link ClientOptions#remotes()}) it is connected to one at a time; with
 * {@link ClientOptions#leaderOnly()} only to the leader of a clustered database.
 * <p>
 * Futures complete exceptionally with {@link ConnectionException} (not connected, connection lost: a
 * request in flight is failed, never retried), {@link RequestTimeoutException}, or
 * {@link OvsdbServerException} for a JSON-RPC error reply. Monitors and locks belong to one connection:
 * after a reconnect ({@link ConnectionListener#connected()}) they must be re-established ({@link Replica}
 * does that itself).
 * <p>
 * Inside an OSGi framework the client is the service of bundle {@code dev.ovs.ovsdb} (closed by its
 * component); outside one (tests, tools, benchmarks) the implementation bundle's jar makes clients.
 */
@org.osgi.annotation.versioning.ProviderType
public interface OvsdbClient extends AutoCloseable {

    /** @return the options in use */
    ClientOptions options();

    /** @return true while connected */
    boolean isConnected();

    /**
     * @return the connection's state: connected or not, current (or last tried) remote, the last failure with its
     *         reason (an unreadable TLS file, a refused handshake, a server that is not the cluster leader), how many
     *         connections were made
     */
    ConnectionStatus status();

    /**
     * @param timeout how long to wait
     * @return true if connected within the timeout
     */
    boolean awaitConnected(Duration timeout);

    /** @param l listener; if already connected, {@code connected()} is not replayed */
    void addConnectionListener(ConnectionListener l);

    /** @param l listener to remove */
    void removeConnectionListener(ConnectionListener l);

    /**
     * Generic JSON-RPC request (escape hatch for methods not covered here).
     *
     * @param method method name
     * @param params params array
     * @return future of the "result"
     */
    CompletableFuture<JsonNode> call(String method, ArrayNode params);

    /** RFC 7047 §4.1.1 list_dbs. @return database names */
    CompletableFuture<List<String>> listDbs();

    /** RFC 7047 §4.1.2 get_schema (cached per connection). @param db database @return schema */
    CompletableFuture<DatabaseSchema> getSchema(String db);

    /**
     * Blocking, cached {@link #getSchema(String)}.
     *
     * @param db database
     * @return schema
     * @throws OvsdbException on failure ({@code unknown database}: kind NotFound)
     */
    DatabaseSchema schema(String db);

    /**
     * @param db database
     * @return a new transaction builder validating against the database's schema
     */
    TransactionBuilder transaction(String db);

    /**
     * RFC 7047 §4.1.3 transact with raw params {@code [db, op...]}. Cancelling the returned future (
     * {@code cancel(true)}) sends RFC 7047 §4.1.4 {@code cancel} for it.
     *
     * @param params the params array
     * @return future of the raw result array (operation errors are inside it)
     */
    CompletableFuture<JsonNode> transact(ArrayNode params);

    /**
     * RFC 7047 §4.1.5 monitor. {@code listener} receives {@code update} notifications for this monitor id.
     *
     * @param db        database
     * @param monitorId JSON value identifying the monitor on this connection
     * @param requests  table name to request
     * @param listener  notification listener
     * @return future of the initial table-updates
     */
    CompletableFuture<JsonNode> monitor(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener);

    /**
     * ovsdb-server(7) §4.1.12 monitor_cond ({@code update2} notifications).
     *
     * @return future of the initial table-updates2
     */
    CompletableFuture<JsonNode> monitorCond(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener);

    /**
     * ovsdb-server(7) §4.1.15 monitor_cond_since ({@code update3} notifications).
     *
     * @param lastTxnId last transaction id seen, or null for all-zero (full sync)
     * @return future of {@code [found, last-txn-id, table-updates2]}
     */
    CompletableFuture<JsonNode> monitorCondSince(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            String lastTxnId, NotificationListener listener);

    /**
     * ovsdb-server(7) §4.1.13 monitor_cond_change.
     *
     * @param db           database (for validation)
     * @param monitorId    existing monitor id
     * @param newMonitorId id for the changed monitor (may equal monitorId)
     * @param requests     table to new columns/conditions
     * @return completion
     */
    CompletableFuture<Void> monitorCondChange(String db, JsonNode monitorId, JsonNode newMonitorId,
            Map<String, MonitorRequest> requests);

    /** RFC 7047 §4.1.7 monitor_cancel. @param monitorId monitor @return completion */
    CompletableFuture<Void> monitorCancel(JsonNode monitorId);

    /** RFC 7047 §4.1.8 lock. @param lockId lock name @return true if acquired now, false if queued */
    CompletableFuture<Boolean> lock(String lockId);

    /** RFC 7047 §4.1.9 steal. @param lockId lock name @return true */
    CompletableFuture<Boolean> steal(String lockId);

    /** RFC 7047 §4.1.10 unlock. @param lockId lock name @return completion */
    CompletableFuture<Void> unlock(String lockId);

    /**
     * @param l receives {@code locked} / {@code stolen} notifications (RFC 7047 §4.1.8, §4.1.9); params[0] is the lock id
     */
    void addLockListener(NotificationListener l);

    /** RFC 7047 §4.1.11 echo. @param params any JSON array @return the echoed array */
    CompletableFuture<JsonNode> echo(ArrayNode params);

    /** ovsdb-server(7) §4.1.16 set_db_change_aware. @param aware flag @return completion */
    CompletableFuture<Void> setDbChangeAware(boolean aware);

    /** ovsdb-server(7) §4.1.17 get_server_id. @return the server's UUID string */
    CompletableFuture<String> getServerId();

    /**
     * Creates and starts a replica bound to this client.
     *
     * @param db     database
     * @param tables table name to columns to replicate (null or empty set: all columns; a set of only
     *               {@code "!column"} entries: all columns except those)
     * @return the replica (close it, or it is closed with the client)
     */
    Replica replica(String db, Map<String, Set<String>> tables);

    /** Closes the connection, fails pending requests with {@link ConnectionException}, stops threads. */
    @Override
    void close();
}
