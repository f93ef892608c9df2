package dev.ovs.ovsdb;

import java.util.Set;
import java.util.UUID;

/**
 * One row change seen by a {@link Replica}.
 *
 * @param type           insert, update or delete
 * @param table          table name
 * @param uuid           row uuid
 * @param oldRow         row before (null for insert)
 * @param newRow         row after (null for delete)
 * @param changedColumns columns whose value changed (all present columns for insert/delete)
 */
public record RowEvent(Type type, String table, UUID uuid, Row oldRow, Row newRow, Set<String> changedColumns) {
    /** Kind of change. */
    public enum Type {
        /** Row appeared. */
        INSERT,
        /** Row changed. */
        UPDATE,
        /** Row disappeared. */
        DELETE
    }

    /** @return the new row, or the old one for a delete */
    public Row row() {
        return newRow != null ? newRow : oldRow;
    }
}
