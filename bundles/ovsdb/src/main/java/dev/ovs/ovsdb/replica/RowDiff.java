package dev.ovs.ovsdb.replica;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.ovsdb.AtomicType;
import dev.ovs.ovsdb.ColumnSchema;
import dev.ovs.ovsdb.ColumnType;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.Values;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Row arithmetic of the replica: changed columns, update2 "modify" diffs, schema default values. Also used by the
 * client's {@code _Server} watch (package {@code rpc}).
 */
public final class RowDiff {
    private RowDiff() {
    }

    static Set<String> changed(Row a, Row b) {
        Set<String> c = new LinkedHashSet<>();
        for (String k : b.columns().keySet()) {
            if (!"_version".equals(k) && !Objects.equals(a.get(k), b.get(k))) {
                c.add(k);
            }
        }
        for (String k : a.columns().keySet()) {
            if (!b.columns().containsKey(k)) {
                c.add(k);
            }
        }
        return c;
    }

    /** The columns a "modify" diff names whose value really changed (comparing only those, not every column). */
    static Set<String> changedIn(Row a, Row b, JsonNode diff) {
        Set<String> c = new LinkedHashSet<>();
        diff.fieldNames().forEachRemaining(k -> {
            if (b.columns().containsKey(k) && !Objects.equals(a.get(k), b.get(k))) {
                c.add(k);
            }
        });
        return c;
    }

    /**
     * ovsdb-server(7) update2 "modify": scalars replaced; sets symmetric difference; maps per key. As in
     * ovsdb-idl (C and Python), a column with at most one element that was non-empty gets the new value.
     */
    /**
     * @param ts   the row's table
     * @param old  the row before
     * @param diff the "modify" object (column to diff)
     * @return the row after
     */
    public static Row applyDiff(TableSchema ts, Row old, JsonNode diff) {
        Map<String, Object> cols = new LinkedHashMap<>(); // the changed columns only
        diff.fields().forEachRemaining(e -> {
            ColumnSchema cs = ts.columns().get(e.getKey());
            if (cs == null) {
                return;
            }
            ColumnType t = cs.type();
            Object oldValue = old.get(e.getKey());
            boolean oldEmpty = oldValue == null || (oldValue instanceof Set<?> os && os.isEmpty())
                    || (oldValue instanceof Map<?, ?> om && om.isEmpty());
            if (t.isScalar() || (t.max() == 1 && !oldEmpty)) {
                cols.put(e.getKey(), Values.decode(e.getValue(), t));
            } else if (t.isMap()) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> d = (Map<Object, Object>) Values.decode(e.getValue(),
                        new ColumnType(t.key(), t.value(), 0, Long.MAX_VALUE));
                Map<Object, Object> m = new LinkedHashMap<>(old.getMap(e.getKey()));
                d.forEach((k, v) -> {
                    if (m.containsKey(k) && Objects.equals(m.get(k), v)) {
                        m.remove(k);
                    } else {
                        m.put(k, v);
                    }
                });
                cols.put(e.getKey(), m.isEmpty() ? Map.of() : Collections.unmodifiableMap(m));
            } else {
                @SuppressWarnings("unchecked")
                Set<Object> d = (Set<Object>) Values.decode(e.getValue(), new ColumnType(t.key(), null, 0, Long.MAX_VALUE));
                // shares the old value's elements: O(changes), not a copy of e.g. 10,000 Bridge.ports
                cols.put(e.getKey(), DeltaSet.toggle(old.getSet(e.getKey()), d));
            }
        });
        if (old.columns() instanceof CompactColumns cc) {
            CompactColumns n = cc.replacing(cols);
            if (n != null) {
                return new Row(old.table(), old.uuid(), n);
            }
        }
        Map<String, Object> all = new LinkedHashMap<>(old.columns());
        all.putAll(cols);
        return new Row(old.table(), old.uuid(), all);
    }

    static Object defaultValue(ColumnType t) {
        if (t.isMap()) {
            return Map.of();
        }
        if (!t.isScalar()) {
            return Set.of();
        }
        AtomicType a = t.key().type();
        switch (a) {
            case INTEGER:
                return 0L;
            case REAL:
                return 0.0;
            case BOOLEAN:
                return false;
            case STRING:
                return "";
            default:
                return new UUID(0, 0);
        }
    }
}
