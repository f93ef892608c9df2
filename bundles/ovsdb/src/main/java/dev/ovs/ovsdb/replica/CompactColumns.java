package dev.ovs.ovsdb.replica;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable column map for replica rows: one shared {@link Layout} (column names and their index) per
 * table, and one value array per row, instead of a hash map per row. Iterates in layout order.
 */
public final class CompactColumns extends dev.ovs.ovsdb.Row.ImmutableColumns {
    /** Shared column names of a table. */
    public static final class Layout {
        final String[] names;
        final Map<String, Integer> index = new HashMap<>();

        /** @param names column names, in order */
        public Layout(Collection<String> names) {
            this.names = names.toArray(String[]::new);
            for (int i = 0; i < this.names.length; i++) {
                index.put(this.names[i], i);
            }
        }

        /** @return the names */
        public List<String> names() {
            return List.of(names);
        }
    }

    private final Layout layout;
    private final Object[] values;

    private CompactColumns(Layout layout, Object[] values) {
        this.layout = layout;
        this.values = values;
    }

    /**
     * @param layout the table's layout
     * @param m      values; must contain exactly the layout's columns
     * @return a compact copy, or null if m does not fit the layout (caller keeps m)
     */
    public static CompactColumns of(Layout layout, Map<String, Object> m) {
        if (m.size() != layout.names.length) {
            return null;
        }
        Object[] v = new Object[layout.names.length];
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Integer i = layout.index.get(e.getKey());
            if (i == null || e.getValue() == null) {
                return null;
            }
            v[i] = e.getValue();
        }
        return new CompactColumns(layout, v);
    }

    /**
     * @param layout   the table's layout
     * @param partial  decoded columns (a subset of the layout)
     * @param defaults value for each layout column missing from partial
     * @return a compact row, or null if partial has a column outside the layout or a null value
     */
    public static CompactColumns withDefaults(Layout layout, Map<String, Object> partial,
            java.util.function.Function<String, Object> defaults) {
        Object[] v = new Object[layout.names.length];
        int found = 0;
        for (int i = 0; i < v.length; i++) {
            Object x = partial.get(layout.names[i]);
            if (x != null) {
                found++;
            } else {
                x = defaults.apply(layout.names[i]);
            }
            v[i] = x;
        }
        return found == partial.size() ? new CompactColumns(layout, v) : null;
    }

    /**
     * @param changes new values of some columns of this layout
     * @return a copy with those values replaced, or null if a column is outside the layout or a value null
     */
    public CompactColumns replacing(Map<String, Object> changes) {
        Object[] v = values.clone();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            Integer i = layout.index.get(e.getKey());
            if (i == null || e.getValue() == null) {
                return null;
            }
            v[i] = e.getValue();
        }
        return new CompactColumns(layout, v);
    }

    @Override
    public Object get(Object key) {
        Integer i = layout.index.get(key);
        return i == null ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return layout.index.containsKey(key);
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    int i;

                    @Override
                    public boolean hasNext() {
                        return i < values.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (i >= values.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> e = new SimpleImmutableEntry<>(layout.names[i], values[i]);
                        i++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }
}
