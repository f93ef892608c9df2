package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 7047 §3.2 {@code <database-schema>} as returned by {@code get_schema}.
 *
 * @param name    database name
 * @param version schema version (e.g. "8.3.1"), may be null
 * @param tables  tables by name (unmodifiable)
 * @param json    the original JSON
 */
public record DatabaseSchema(String name, String version, Map<String, TableSchema> tables, JsonNode json) {

    /**
     * @param json the schema JSON
     * @return the parsed schema
     * @throws IllegalArgumentException if malformed
     */
    public static DatabaseSchema parse(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("name").isTextual() || !json.path("tables").isObject()) {
            throw new IllegalArgumentException("not a database schema: needs \"name\" and \"tables\"");
        }
        Map<String, TableSchema> t = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.get("tables").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            t.put(e.getKey(), TableSchema.parse(e.getKey(), e.getValue()));
        }
        return new DatabaseSchema(json.get("name").asText(), json.path("version").asText(null),
                Collections.unmodifiableMap(t), json);
    }

    /**
     * @param table table name
     * @return its schema
     * @throws InvalidArgumentException ({@code table}) if unknown
     */
    public TableSchema table(String table) {
        TableSchema ts = tables.get(table);
        if (ts == null) {
            throw new InvalidArgumentException("table", "unknown table '" + table + "' in database " + name);
        }
        return ts;
    }
}
