package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One table's RFC 7047 §4.1.5 {@code <monitor-request>} (plus the ovsdb-server(7) {@code where} of
 * monitor_cond).
 *
 * @param columns columns to monitor, null or empty for all
 * @param where   monitor_cond condition (conjunction), null for none (all rows); ignored by plain monitor
 * @param initial send initial rows
 * @param insert  send inserts
 * @param delete  send deletes
 * @param modify  send modifications
 */
public record MonitorRequest(List<String> columns, List<Condition> where, boolean initial, boolean insert,
        boolean delete, boolean modify) {

    /** @param columns columns, null for all @return a request for everything on those columns */
    public static MonitorRequest of(List<String> columns) {
        return new MonitorRequest(columns, null, true, true, true, true);
    }

    /**
     * @param table     the table (validates columns and condition values)
     * @param withWhere include the {@code where} member (monitor_cond and later)
     * @return the JSON request object
     * @throws dev.ovs.base.InvalidArgumentException on unknown columns or bad condition values
     */
    public ObjectNode toJson(TableSchema table, boolean withWhere) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        if (columns != null && !columns.isEmpty()) {
            ArrayNode c = o.putArray("columns");
            for (String col : columns) {
                table.columnType(col);
                c.add(col);
            }
        }
        if (withWhere && where != null) {
            ArrayNode w = o.putArray("where");
            for (Condition cond : where) {
                w.add(cond.toJson(table));
            }
        }
        ObjectNode s = o.putObject("select");
        s.put("initial", initial).put("insert", insert).put("delete", delete).put("modify", modify);
        return o;
    }
}
