package dev.ovs.netstate.internal.ovs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The journaled before-image of one row a change touches: whether it existed, its parent, every restorable
 * column (OVSDB JSON encoding of RFC 7047 §5.1) and which columns or map keys the change touched.
 *
 * @param table   Bridge, Port or Interface
 * @param name    row name
 * @param existed whether the row existed before
 * @param parent  a Port's bridge or an Interface's port before, or null
 * @param columns restorable columns (not ephemeral, not written by ovs-vswitchd, not references), encoded;
 *                empty when it did not exist
 * @param touched {@code "*"} (the whole row: it is deleted or created), column names and {@code column:key}
 *                entries for map keys
 */
public record RowImage(String table, String name, boolean existed, String parent, ObjectNode columns, List<String> touched) {
}
