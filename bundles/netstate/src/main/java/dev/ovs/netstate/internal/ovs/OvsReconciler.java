package dev.ovs.netstate.internal.ovs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.ovsdb.AtomicType;
import dev.ovs.ovsdb.ColumnSchema;
import dev.ovs.ovsdb.ColumnType;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.Values;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Compares {@link RowTarget}s with a snapshot and turns the difference into one RFC 7047 transaction:
 * <ul>
 * <li>{@link #plan}: the operations, the user-visible {@link Change}s and the before-image ({@link RowImage})
 * of every row they touch (a deleted bridge or port with all its children);</li>
 * <li>{@link #emit}: guards first (RFC 7047 §5.2.6 {@code wait} with timeout 0 on the before-image: a row to
 * create is still absent (no wait where the table's unique index on {@code name} makes ovsdb-server refuse a
 * duplicate by itself), a row to update still has the values read, a row to delete still has every
 * restorable column and the same children, a port to move is still on its bridge), then inserts (with
 * named-uuids, children first), updates and the set mutations of {@code Bridge.ports},
 * {@code Port.interfaces} and {@code Open_vSwitch.bridges};</li>
 * <li>{@link #restoreTargets}: the targets that bring touched rows back to a before-image.</li>
 * </ul>
 * Not thread-safe; plans are immutable once made.
 */
public final class OvsReconciler {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Non-ephemeral columns that ovs-vswitchd writes (ovs-vswitchd.conf.db(5)): never restored or guarded. */
    static final Set<String> VOLATILE = Set.of("Bridge.datapath_version", "Interface.ofport", "Interface.error");
    /** Marker in {@link RowImage#touched()} for a row's parent (a port's bridge). */
    static final String PARENT = "@parent";
    /** Marker in {@link RowImage#touched()} for a created or deleted row. */
    static final String ALL = "*";

    private OvsReconciler() {
    }

    /** An operation of a plan. */
    sealed interface Op permits Create, Update, Move, Delete {
        String table();

        String name();
    }

    /** Insert a row with these columns under a parent (null for bridges). */
    record Create(String table, String name, Map<String, Object> columns, String parent) implements Op {
    }

    /** Update an existing row's columns: {@code before} as read, {@code after} as wanted. */
    record Update(String table, String name, UUID uuid, Map<String, Object> after, Map<String, Object> before) implements Op {
    }

    /** Move a port from one bridge (null: none) to another. */
    record Move(String table, String name, UUID uuid, String from, String to) implements Op {
    }

    /** Detach a row from its parent (ovsdb-server deletes it with its children). */
    record Delete(String table, String name, UUID uuid) implements Op {
    }

    /**
     * @param ops     operations in target order
     * @param changes the changes, as {@code NetState.diff} reports them
     * @param images  before-images of every touched row, bridges first
     */
    public record Plan(List<Op> ops, List<Change> changes, List<RowImage> images) {
        /** @return true when nothing needs to change */
        public boolean isEmpty() {
            return ops.isEmpty();
        }

        /** @return names of interfaces created or updated (their ovs-vswitchd {@code error} is checked) */
        public Set<String> interfacesWritten() {
            Set<String> out = new TreeSet<>();
            for (Op op : ops) {
                if (op.table().equals("Interface") && (op instanceof Create || op instanceof Update)) {
                    out.add(op.name());
                }
            }
            return out;
        }
    }

    /**
     * @param targets targets (bridges, then ports, then interfaces)
     * @param s       current state
     * @return the plan; empty when the state satisfies every target
     * @throws InvalidArgumentException for a port that must stay on a bridge the same targets remove
     */
    public static Plan plan(List<RowTarget> targets, OvsSnapshot s) {
        List<Op> ops = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        Map<String, RowImage> images = new LinkedHashMap<>();
        Set<String> deleted = new HashSet<>();
        for (RowTarget t : targets) {
            Row row = s.row(t.table(), t.name());
            String key = t.table() + ":" + t.name();
            if (!t.present()) {
                if (row == null || deleted.contains(key)) {
                    continue;
                }
                ops.add(new Delete(t.table(), t.name(), row.uuid()));
                changes.add(new Change(Change.DELETE, kind(t.table()), t.name(), null, docValues(s.schema, row), null, t.path()));
                imageTree(s, t.table(), row, images, deleted, changes);
                continue;
            }
            if (row == null) {
                Map<String, Object> cols = new LinkedHashMap<>(t.createColumns());
                cols.putAll(t.columns());
                t.keys().forEach((c, kv) -> {
                    Map<String, String> m = new TreeMap<>();
                    kv.forEach((k, v) -> {
                        if (v != null) {
                            m.put(k, v);
                        }
                    });
                    cols.put(c, m);
                });
                if (!t.table().equals("Bridge") && t.parent() == null) {
                    throw new IllegalStateException(key + ": a new row needs a parent");
                }
                ops.add(new Create(t.table(), t.name(), cols, t.parent()));
                Map<String, Object> shown = new TreeMap<>();
                cols.forEach((c, v) -> shown.put(field(t.table(), c), docValue(v)));
                if (t.parent() != null) {
                    shown.put(t.table().equals("Port") ? "bridge" : "port", t.parent());
                }
                changes.add(new Change(Change.CREATE, kind(t.table()), t.name(), null, null, shown, t.path()));
                images.putIfAbsent(key, new RowImage(t.table(), t.name(), false, null, F.objectNode(), List.of(ALL)));
                continue;
            }
            if (deleted.contains(key)) {
                if (!t.table().equals("Port") || !t.moveParent()) {
                    throw new InvalidArgumentException(t.path() == null ? t.name() : t.path(), "'" + t.name() + "' is on '"
                            + s.parent(t.table(), t.name()) + "', which the document removes");
                }
                // a port moving off a bridge that is removed: it survives (its image stays whole)
                deleted.remove(key);
                changes.removeIf(c -> c.path() == null && c.op().equals(Change.DELETE) && c.kind().equals("port")
                        && c.name().equals(t.name()));
                for (Object u : row.getSet("interfaces")) {
                    Row i = s.byUuid.get(u);
                    if (i != null) {
                        deleted.remove("Interface:" + i.getString("name"));
                        changes.removeIf(c -> c.path() == null && c.op().equals(Change.DELETE) && c.kind().equals("interface")
                                && c.name().equals(i.getString("name")));
                    }
                }
            }
            TableSchema ts = s.schema.table(t.table());
            Map<String, Object> after = new LinkedHashMap<>();
            Map<String, Object> before = new LinkedHashMap<>();
            List<String> touched = new ArrayList<>();
            for (Map.Entry<String, Object> c : t.columns().entrySet()) {
                Object cur = current(row, ts, c.getKey());
                if (!Objects.equals(cur, c.getValue())) {
                    after.put(c.getKey(), c.getValue());
                    before.put(c.getKey(), cur);
                    touched.add(c.getKey());
                    changes.add(new Change(Change.UPDATE, kind(t.table()), t.name(), field(t.table(), c.getKey()),
                            docValue(cur), docValue(c.getValue()), t.path()));
                }
            }
            for (Map.Entry<String, Map<String, String>> mc : t.keys().entrySet()) {
                Map<String, String> cur = row.getMap(mc.getKey());
                Map<String, String> next = new TreeMap<>(cur);
                for (Map.Entry<String, String> kv : mc.getValue().entrySet()) {
                    String was = cur.get(kv.getKey());
                    if (Objects.equals(was, kv.getValue())) {
                        continue;
                    }
                    if (kv.getValue() == null) {
                        next.remove(kv.getKey());
                    } else {
                        next.put(kv.getKey(), kv.getValue());
                    }
                    touched.add(mc.getKey() + ":" + kv.getKey());
                    changes.add(new Change(Change.UPDATE, kind(t.table()), t.name(), field(t.table(), mc.getKey()) + "."
                            + kv.getKey(), was, kv.getValue(), t.path()));
                }
                if (!next.equals(cur)) {
                    after.put(mc.getKey(), next);
                    before.put(mc.getKey(), cur);
                }
            }
            if (t.moveParent() && t.table().equals("Port")) {
                String curParent = s.parent("Port", t.name());
                if (!t.parent().equals(curParent)) {
                    ops.add(new Move("Port", t.name(), row.uuid(), curParent, t.parent()));
                    touched.add(PARENT);
                    changes.add(new Change(Change.UPDATE, "port", t.name(), "bridge", curParent, t.parent(), t.path()));
                }
            }
            if (!after.isEmpty()) {
                ops.add(new Update(t.table(), t.name(), row.uuid(), after, before));
            }
            if (!touched.isEmpty()) {
                RowImage old = images.get(key);
                if (old == null) {
                    images.put(key, new RowImage(t.table(), t.name(), true, s.parent(t.table(), t.name()),
                            encode(s.schema, row), List.copyOf(touched)));
                } else if (!old.touched().contains(ALL)) {
                    List<String> both = new ArrayList<>(old.touched());
                    both.addAll(touched);
                    images.put(key, new RowImage(old.table(), old.name(), old.existed(), old.parent(), old.columns(), both));
                }
            }
        }
        refuseMoveWithTypeChange(ops, targets);
        return new Plan(List.copyOf(ops), List.copyOf(changes), List.copyOf(images.values()));
    }

    /**
     * ovs-vswitchd 3.1 aborts (ofproto/tunnel.c:160, assertion in tnl_port_add__) when one reconfiguration moves
     * a port to another bridge and changes its interface's type (seen for a vxlan interface becoming internal):
     * such a plan is refused before anything is written.
     */
    private static void refuseMoveWithTypeChange(List<Op> ops, List<RowTarget> targets) {
        for (Op op : ops) {
            if (!(op instanceof Move m)) {
                continue;
            }
            for (Op other : ops) {
                if (other instanceof Update u && u.table().equals("Interface") && u.name().equals(m.name())
                        && u.after().containsKey("type")) {
                    String path = targets.stream().filter(t -> t.table().equals("Port") && t.name().equals(m.name()))
                            .map(RowTarget::path).filter(Objects::nonNull).findFirst().orElse(m.name());
                    throw new InvalidArgumentException(path, "port '" + m.name() + "' moves from bridge '" + m.from() + "' to '"
                            + m.to() + "' and its interface type changes from '" + u.before().get("type") + "' to '"
                            + u.after().get("type") + "': ovs-vswitchd cannot do both in one step; apply them one after the other");
                }
            }
        }
    }

    /** Images (whole row) of a row to delete and of its children; marks them deleted. */
    private static void imageTree(OvsSnapshot s, String table, Row row, Map<String, RowImage> images, Set<String> deleted,
            List<Change> changes) {
        String name = row.getString("name");
        String key = table + ":" + name;
        deleted.add(key);
        images.put(key, new RowImage(table, name, true, s.parent(table, name), encode(s.schema, row), List.of(ALL)));
        String childTable = childTable(table);
        if (childTable == null) {
            return;
        }
        for (Object u : row.getSet(childColumn(table))) {
            Row child = s.byUuid.get(u);
            if (child != null && !deleted.contains(childTable + ":" + child.getString("name"))) {
                if (!(table.equals("Port") && child.getString("name").equals(name))
                        && !(table.equals("Bridge") && child.getString("name").equals(name))) {
                    changes.add(new Change(Change.DELETE, kind(childTable), child.getString("name"), null,
                            docValues(s.schema, child), null, null));
                }
                imageTree(s, childTable, child, images, deleted, changes);
            }
        }
    }

    static String childTable(String table) {
        return switch (table) {
            case "Bridge" -> "Port";
            case "Port" -> "Interface";
            default -> null;
        };
    }

    static String childColumn(String table) {
        return switch (table) {
            case "Bridge" -> "ports";
            case "Port" -> "interfaces";
            default -> null;
        };
    }

    static String parentTable(String table) {
        return switch (table) {
            case "Port" -> "Bridge";
            case "Interface" -> "Port";
            default -> OvsSnapshot.DB;
        };
    }

    /**
     * Adds the plan's operations to a transaction.
     *
     * @param p      the plan
     * @param s      the snapshot it was made from
     * @param tx     the transaction
     * @param guards true: {@code wait} operations on the before-image first (apply); false: none (rollback,
     *               which restores whatever happened meanwhile)
     * @return the number of guard operations added (they are the first ones)
     */
    public static int emit(Plan p, OvsSnapshot s, TransactionBuilder tx, boolean guards) {
        Map<String, NamedUuid> named = new HashMap<>();
        int n = 0;
        for (Op op : p.ops()) {
            if (op instanceof Create c) {
                named.put(c.table() + ":" + c.name(), new NamedUuid("row" + n++));
            }
        }
        int guardOps = 0;
        if (guards) {
            int before = tx.size();
            for (Op op : p.ops()) {
                guard(op, s, tx, named);
            }
            guardOps = tx.size() - before;
        }
        // inserts: interfaces, then ports (with their new interfaces), then bridges (with their new/moved ports)
        Map<String, Set<Object>> newChildren = new HashMap<>();
        for (String table : List.of("Interface", "Port", "Bridge")) {
            for (Op op : p.ops()) {
                if (op instanceof Create c && c.table().equals(table)) {
                    Map<String, Object> row = new LinkedHashMap<>(c.columns());
                    row.put("name", c.name());
                    String childCol = childColumn(table);
                    if (childCol != null) {
                        row.put(childCol, newChildren.getOrDefault(table + ":" + c.name(), Set.of()));
                    }
                    tx.insert(table, row, named.get(table + ":" + c.name()).name());
                    String parentKey = parentTable(table) + ":" + c.parent();
                    if (c.parent() != null && named.containsKey(parentKey)) {
                        newChildren.computeIfAbsent(parentKey, k -> new LinkedHashSet<>()).add(named.get(table + ":" + c.name()));
                    } else if (c.parent() != null) {
                        Row parent = s.row(parentTable(table), c.parent());
                        if (parent == null) {
                            throw new IllegalStateException(table + " " + c.name() + ": parent " + c.parent() + " does not exist");
                        }
                        tx.mutate(parentTable(table), List.of(Condition.eq("_uuid", parent.uuid())),
                                List.of(Mutation.insert(childColumn(parentTable(table)), Set.of(named.get(table + ":" + c.name())))));
                    } else {
                        tx.mutate(OvsSnapshot.DB, List.of(Condition.eq("_uuid", s.root.uuid())),
                                List.of(Mutation.insert("bridges", Set.of(named.get(table + ":" + c.name())))));
                    }
                }
            }
            if (table.equals("Port")) {
                // existing ports moving to a new bridge go into its insert
                for (Op op : p.ops()) {
                    if (op instanceof Move m && named.containsKey("Bridge:" + m.to())) {
                        newChildren.computeIfAbsent("Bridge:" + m.to(), k -> new LinkedHashSet<>()).add(m.uuid());
                    }
                }
            }
        }
        for (Op op : p.ops()) {
            if (op instanceof Update u) {
                tx.update(u.table(), List.of(Condition.eq("_uuid", u.uuid())), u.after());
            } else if (op instanceof Move m) {
                if (m.from() != null) {
                    tx.mutate("Bridge", List.of(Condition.eq("_uuid", s.row("Bridge", m.from()).uuid())),
                            List.of(Mutation.delete("ports", Set.of(m.uuid()))));
                }
                if (!named.containsKey("Bridge:" + m.to())) {
                    tx.mutate("Bridge", List.of(Condition.eq("_uuid", s.row("Bridge", m.to()).uuid())),
                            List.of(Mutation.insert("ports", Set.of(m.uuid()))));
                }
            } else if (op instanceof Delete d) {
                String parentTable = parentTable(d.table());
                UUID parent = parentTable.equals(OvsSnapshot.DB) ? s.root.uuid()
                        : s.row(parentTable, s.parent(d.table(), d.name())).uuid();
                String col = parentTable.equals(OvsSnapshot.DB) ? "bridges" : childColumn(parentTable);
                tx.mutate(parentTable, List.of(Condition.eq("_uuid", parent)), List.of(Mutation.delete(col, Set.of(d.uuid()))));
            }
        }
        return guardOps;
    }

    private static void guard(Op op, OvsSnapshot s, TransactionBuilder tx, Map<String, NamedUuid> named) {
        if (op instanceof Create c) {
            if (!s.schema.table(c.table()).hasIndexOn("name")) {
                // with a unique index on name (Bridge, Port, Interface of vswitch.ovsschema) ovsdb-server refuses a
                // row of a name someone else created meanwhile by itself (a constraint violation: nothing changed)
                tx.wait(c.table(), List.of(Condition.eq("name", c.name())), List.of("name"), true, List.of(), 0L);
            }
            if (c.parent() != null && !named.containsKey(parentTable(c.table()) + ":" + c.parent())) {
                Row parent = s.row(parentTable(c.table()), c.parent());
                if (parent != null) {
                    tx.verify(parent.table(), parent.uuid(), Map.of("name", c.parent()));
                }
            }
        } else if (op instanceof Update u) {
            tx.verify(u.table(), u.uuid(), u.before());
        } else if (op instanceof Move m) {
            if (m.from() != null) {
                Row from = s.row("Bridge", m.from());
                tx.wait("Bridge", List.of(Condition.eq("_uuid", from.uuid()), Condition.includes("ports", Set.of(m.uuid()))),
                        List.of("name"), true, List.of(Map.of("name", m.from())), 0L);
            }
            Row to = s.row("Bridge", m.to());
            if (to != null) {
                tx.verify("Bridge", to.uuid(), Map.of("name", m.to()));
            }
        } else if (op instanceof Delete d) {
            guardTree(s, s.row(d.table(), d.name()), tx);
        }
    }

    /** A row to delete still has every restorable column and the same children; and so have its children. */
    private static void guardTree(OvsSnapshot s, Row row, TransactionBuilder tx) {
        TableSchema ts = s.schema.table(row.table());
        Map<String, Object> expected = new LinkedHashMap<>();
        for (ColumnSchema c : ts.columns().values()) {
            if (restorable(ts, c) && row.columns().containsKey(c.name())) {
                expected.put(c.name(), row.get(c.name()));
            }
        }
        String childCol = childColumn(row.table());
        if (childCol != null) {
            expected.put(childCol, row.getSet(childCol));
        }
        tx.verify(row.table(), row.uuid(), expected);
        if (childCol != null) {
            for (Object u : row.getSet(childCol)) {
                Row child = s.byUuid.get(u);
                if (child != null) {
                    guardTree(s, child, tx);
                }
            }
        }
    }

    /**
     * @param images before-images from a plan (a journal)
     * @param schema the database schema (to decode the columns)
     * @return targets that restore every touched row to its image and remove every row the plan created,
     *         bridges first
     */
    public static List<RowTarget> restoreTargets(List<RowImage> images, DatabaseSchema schema) {
        List<RowTarget> out = new ArrayList<>();
        for (String table : List.of("Bridge", "Port", "Interface")) {
            for (RowImage img : images) {
                if (!img.table().equals(table)) {
                    continue;
                }
                if (!img.existed()) {
                    out.add(RowTarget.absent(table, img.name(), null));
                    continue;
                }
                TableSchema ts = schema.table(table);
                Map<String, Object> decoded = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : img.columns().properties()) {
                    ColumnSchema cs = ts.columns().get(e.getKey());
                    if (cs != null) {
                        decoded.put(e.getKey(), Values.decode(e.getValue(), cs.type()));
                    }
                }
                boolean all = img.touched().contains(ALL);
                Map<String, Object> cols = new LinkedHashMap<>();
                Map<String, Map<String, String>> keys = new LinkedHashMap<>();
                if (all) {
                    cols.putAll(decoded);
                } else {
                    for (String t : img.touched()) {
                        int colon = t.indexOf(':');
                        if (t.equals(PARENT)) {
                            continue;
                        }
                        if (colon < 0) {
                            cols.put(t, decoded.containsKey(t) ? decoded.get(t) : empty(ts, t));
                        } else {
                            String col = t.substring(0, colon);
                            Object m = decoded.get(col);
                            @SuppressWarnings("unchecked")
                            Map<String, String> map = m instanceof Map<?, ?> mm ? (Map<String, String>) mm : Map.of();
                            keys.computeIfAbsent(col, k -> new LinkedHashMap<>()).put(t.substring(colon + 1), map.get(t.substring(colon + 1)));
                        }
                    }
                }
                boolean move = all || img.touched().contains(PARENT);
                out.add(new RowTarget(table, img.name(), true, img.parent(), move && img.parent() != null, cols, keys,
                        decoded, null));
            }
        }
        return out;
    }

    private static Object empty(TableSchema ts, String column) {
        ColumnType t = ts.columnType(column);
        return t.isMap() ? Map.of() : Set.of();
    }

    /** Whether a column is restored from a before-image (config, not status, not a reference). */
    static boolean restorable(TableSchema t, ColumnSchema c) {
        if (c.ephemeral() || !c.mutable() || VOLATILE.contains(t.name() + "." + c.name())) {
            return false;
        }
        ColumnType type = c.type();
        return type.key().type() != AtomicType.UUID && (type.value() == null || type.value().type() != AtomicType.UUID);
    }

    /** Encodes every restorable column of a row (RFC 7047 §5.1 notation). */
    static ObjectNode encode(DatabaseSchema schema, Row row) {
        TableSchema ts = schema.table(row.table());
        ObjectNode o = F.objectNode();
        for (ColumnSchema c : ts.columns().values()) {
            Object v = row.get(c.name());
            if (v != null && restorable(ts, c)) {
                o.set(c.name(), Values.encode(v, c.type(), row.table() + "." + c.name()));
            }
        }
        return o;
    }

    private static Object current(Row row, TableSchema ts, String column) {
        Object v = row.get(column);
        if (v != null) {
            return v;
        }
        ColumnType t = ts.columnType(column);
        if (t.isMap()) {
            return Map.of();
        }
        return t.isScalar() ? null : Set.of();
    }

    static String kind(String table) {
        return switch (table) {
            case "Bridge" -> "bridge";
            case "Port" -> "port";
            default -> "interface";
        };
    }

    /** The document field of a column (docs/state.md), or the column name for columns the document lacks. */
    static String field(String table, String column) {
        return switch (table + "." + column) {
            case "Bridge.datapath_type" -> "bridge.options.datapath";
            case "Bridge.fail_mode" -> "bridge.options.fail-mode";
            case "Port.vlan_mode" -> "vlan.mode";
            case "Port.tag" -> "vlan.tag";
            case "Port.trunks" -> "vlan.trunk-tags";
            case "Interface.mtu_request" -> "mtu";
            case "Interface.ingress_policing_rate" -> "ingress-policing.rate-kbps";
            case "Interface.ingress_policing_burst" -> "ingress-policing.burst-kb";
            case "Interface.type" -> "type";
            case "Interface.options" -> "options";
            default -> column.equals("external_ids") ? "ovs-db.external_ids" : column;
        };
    }

    /** A value as a change reports it: optional sets as their element or null, sets as sorted lists. */
    static Object docValue(Object v) {
        if (v instanceof Set<?> set) {
            if (set.isEmpty()) {
                return null;
            }
            if (set.size() == 1) {
                return docValue(set.iterator().next());
            }
            List<Object> l = new ArrayList<>();
            set.forEach(x -> l.add(docValue(x)));
            l.sort((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
            if (l.stream().allMatch(x -> x instanceof Long)) {
                l.sort((a, b) -> Long.compare((Long) a, (Long) b));
            }
            return l;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), docValue(x)));
            return out;
        }
        if (v instanceof UUID || v instanceof NamedUuid) {
            return v.toString();
        }
        return v;
    }

    private static Map<String, Object> docValues(DatabaseSchema schema, Row row) {
        TableSchema ts = schema.table(row.table());
        Map<String, Object> out = new TreeMap<>();
        for (String c : List.of("datapath_type", "fail_mode", "vlan_mode", "tag", "trunks", "type", "options", "mtu_request",
                "ingress_policing_rate", "ingress_policing_burst", "external_ids")) {
            if (ts.columns().containsKey(c)) {
                Object v = docValue(row.get(c));
                if (v != null && !(v instanceof Map<?, ?> m && m.isEmpty()) && !(v instanceof Collection<?> cl && cl.isEmpty())
                        && !"".equals(v) && !(c.startsWith("ingress_policing_") && Long.valueOf(0).equals(v))) {
                    out.put(field(row.table(), c), v);
                }
            }
        }
        return out;
    }
}
