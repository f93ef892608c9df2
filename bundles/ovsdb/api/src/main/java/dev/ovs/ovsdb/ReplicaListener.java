package dev.ovs.ovsdb;

import java.util.List;

/**
 * Receives a {@link Replica}'s changes: one call per applied update (a transaction, or the difference
 * after a resync), in order, on the replica's own event thread (never the connection's reader thread, so
 * listeners may call the client).
 */
@FunctionalInterface
public interface ReplicaListener {
    /** @param events the changes of one update, never empty */
    void onChanges(List<RowEvent> events);
}
