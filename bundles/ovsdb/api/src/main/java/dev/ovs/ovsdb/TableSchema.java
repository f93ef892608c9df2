package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 7047 §3.2 {@code <table-schema>}: columns (without the implicit {@code _uuid} and {@code _version}),
 * isRoot, maxRows and indexes.
 *
 * @param name    table name
 * @param columns columns by name (unmodifiable, schema order)
 * @param isRoot  true for root tables (rows not garbage-collected)
 * @param maxRows maximum rows, Long.MAX_VALUE if unlimited
 * @param indexes each index is a list of column names whose values are unique together
 */
public record TableSchema(String name, Map<String, ColumnSchema> columns, boolean isRoot, long maxRows,
        List<List<String>> indexes) {

    /** Type of the implicit {@code _uuid} and {@code _version} columns. */
    public static final ColumnType UUID_TYPE = ColumnType.atomic(AtomicType.UUID);

    /**
     * @param name table name
     * @param json the table schema object
     * @return parsed table
     * @throws IllegalArgumentException if malformed
     */
    public static TableSchema parse(String name, JsonNode json) {
        Map<String, ColumnSchema> cols = new LinkedHashMap<>();
        JsonNode c = json.get("columns");
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("table " + name + " has no columns object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode cj = e.getValue();
            cols.put(e.getKey(), new ColumnSchema(e.getKey(), ColumnType.parse(cj.get("type")),
                    cj.path("ephemeral").asBoolean(false), cj.path("mutable").asBoolean(true)));
        }
        List<List<String>> idx = new ArrayList<>();
        for (JsonNode i : json.path("indexes")) {
            List<String> l = new ArrayList<>();
            i.forEach(x -> l.add(x.asText()));
            idx.add(Collections.unmodifiableList(l));
        }
        return new TableSchema(name, Collections.unmodifiableMap(cols), json.path("isRoot").asBoolean(false),
                json.has("maxRows") ? json.get("maxRows").asLong() : Long.MAX_VALUE, Collections.unmodifiableList(idx));
    }

    /**
     * @param column column name, including {@code _uuid} and {@code _version}
     * @return the column's type
     * @throws InvalidArgumentException ({@code column}) if the table has no such column
     */
    public ColumnType columnType(String column) {
        if ("_uuid".equals(column) || "_version".equals(column)) {
            return UUID_TYPE;
        }
        ColumnSchema cs = columns.get(column);
        if (cs == null) {
            throw new InvalidArgumentException("column", "unknown column '" + column + "' in table " + name);
        }
        return cs.type();
    }

    /** @return true if the table has a unique index on exactly this one column */
    public boolean hasIndexOn(String column) {
        return indexes.stream().anyMatch(i -> i.size() == 1 && i.get(0).equals(column));
    }
}
