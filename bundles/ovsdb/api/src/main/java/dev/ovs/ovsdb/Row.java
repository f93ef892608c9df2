package dev.ovs.ovsdb;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An immutable row (or the monitored subset of its columns) with values decoded per {@link Values}.
 *
 * @param table   table name
 * @param uuid    the row's {@code _uuid}
 * @param columns column name to decoded value (unmodifiable); absent columns were not selected/monitored
 */
public record Row(String table, UUID uuid, Map<String, Object> columns) {

    /**
     * A column map that is immutable by construction, kept by {@link Row} as it is (any other map is wrapped
     * in an unmodifiable view). Subclasses (a replica's compact rows) must never change after construction.
     */
    public abstract static class ImmutableColumns extends AbstractMap<String, Object> {
        /** For subclasses. */
        protected ImmutableColumns() {
        }
    }

    /** Makes the map unmodifiable ({@link ImmutableColumns} are kept as they are). */
    public Row {
        if (!(columns instanceof ImmutableColumns)) {
            columns = Collections.unmodifiableMap(columns);
        }
    }

    /** @param column column name @return decoded value, or null if the column is not present */
    public Object get(String column) {
        return columns.get(column);
    }

    /**
     * @param column a string column (scalar or optional 0..1 set)
     * @return the string, or null if absent or an empty optional
     */
    public String getString(String column) {
        Object v = single(column);
        return v == null ? null : v.toString();
    }

    /** @param column an integer column (scalar or optional) @return the value or null if absent/empty */
    public Long getLong(String column) {
        Object v = single(column);
        return v instanceof Long l ? l : null;
    }

    /** @param column a uuid column (scalar or optional) @return the UUID or null */
    public UUID getUuid(String column) {
        Object v = single(column);
        return v instanceof UUID u ? u : null;
    }

    /** @param column a boolean column @return the value or null */
    public Boolean getBoolean(String column) {
        Object v = single(column);
        return v instanceof Boolean b ? b : null;
    }

    /**
     * @param column a set column (or scalar)
     * @return the elements (empty if absent), never null
     */
    @SuppressWarnings("unchecked")
    public <T> Set<T> getSet(String column) {
        Object v = columns.get(column);
        if (v == null) {
            return Set.of();
        }
        return v instanceof Set<?> s ? (Set<T>) s : (Set<T>) Set.of(v);
    }

    /** @param column a map column @return the map (empty if absent), never null */
    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> getMap(String column) {
        Object v = columns.get(column);
        return v instanceof Map<?, ?> m ? (Map<K, V>) m : Map.of();
    }

    private Object single(String column) {
        Object v = columns.get(column);
        if (v instanceof Set<?> s) {
            return s.isEmpty() ? null : s.iterator().next();
        }
        return v;
    }
}
