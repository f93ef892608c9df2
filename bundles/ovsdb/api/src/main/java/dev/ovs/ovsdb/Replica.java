package dev.ovs.ovsdb;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * An in-memory replica of chosen tables and columns of one database, kept current with
 * {@code monitor_cond_since} (falling back to {@code monitor_cond}, then {@code monitor}). After a
 * reconnect it resumes from the last transaction id when the server allows it; otherwise it resyncs and
 * reports exactly the difference, so listeners never see duplicates. Updates caused by a transaction on the
 * same client are applied before that transaction's reply completes (RFC 7047 §4.1.5 ordering). Reads are
 * thread-safe and never block.
 */
public interface Replica extends AutoCloseable {
    /** @return database name */
    String database();

    /** @return the schema in use (null before the first sync) */
    DatabaseSchema schema();

    /**
     * @param table a replicated table
     * @return a snapshot of its rows
     * @throws IllegalArgumentException if the table is not replicated
     */
    Collection<Row> rows(String table);

    /** @return the row, if present */
    Optional<Row> row(String table, UUID uuid);

    /**
     * Lookup through the index on the {@code name} column (kept for every replicated table that has one).
     *
     * @param table table with a {@code name} column
     * @param name  the name
     * @return the row, if present
     */
    Optional<Row> byName(String table, String name);

    /** @return rows of the table matching the predicate */
    List<Row> find(String table, Predicate<Row> filter);

    /** @param l listener to add (events from now on) */
    void addListener(ReplicaListener l);

    /** @param l listener to remove */
    void removeListener(ReplicaListener l);

    /** @return last transaction id seen (update3 / monitor_cond_since), or null */
    String lastTxnId();

    /** @return which method the current monitor uses: "monitor_cond_since", "monitor_cond", "monitor", or null */
    String monitorMethod();

    /** @return why the last subscription attempt failed (e.g. unknown table), or null after a successful sync */
    Throwable lastError();

    /** @return how many (re)syncs transferred the full state (first sync included) */
    long fullSyncs();

    /** @return how many reconnects resumed from {@link #lastTxnId()} without a full transfer */
    long resumes();

    /**
     * Waits until the replica has completed its initial (re)sync on the current connection.
     *
     * @param timeout how long to wait
     * @return true if synced
     */
    boolean awaitSynced(Duration timeout);

    /**
     * Barrier: round-trips an {@code echo} on the replica's connection, so every update the server queued for
     * this client before the echo has been applied when this returns.
     *
     * @throws OvsdbException if not connected or timed out
     */
    void sync();

    /** Stops replicating (cancels the monitor) and stops the event thread. */
    @Override
    void close();
}
