package dev.ovs.netstate.internal.ovs;

import java.util.Map;

/**
 * What one Bridge, Port or Interface row must look like after a change.
 *
 * @param table         Bridge, Port or Interface
 * @param name          row name
 * @param present       false: the row must not exist (a Port is detached from its bridge, a Bridge from the
 *                      Open_vSwitch row, an Interface from its port; ovsdb-server then deletes it and its
 *                      children, RFC 7047 §3.2 isRoot)
 * @param parent        a Port's bridge or an Interface's port: where a created row goes; null for bridges
 * @param moveParent    true: an existing Port on another bridge is moved to {@code parent}
 * @param columns       columns that must have exactly these values (decoded OVSDB values, see
 *                      {@code dev.ovs.ovsdb.Values}); never a reference column
 * @param keys          per map column, keys that must have this value (null: must be absent)
 * @param createColumns further column values used only when the row is created (defaults, a restored row)
 * @param path          the document path that asks for it, or null
 */
public record RowTarget(String table, String name, boolean present, String parent, boolean moveParent,
        Map<String, Object> columns, Map<String, Map<String, String>> keys, Map<String, Object> createColumns, String path) {

    /**
     * @param table Bridge, Port or Interface
     * @param name  row name
     * @param path  document path or null
     * @return a target that removes the row
     */
    public static RowTarget absent(String table, String name, String path) {
        return new RowTarget(table, name, false, null, false, Map.of(), Map.of(), Map.of(), path);
    }
}
