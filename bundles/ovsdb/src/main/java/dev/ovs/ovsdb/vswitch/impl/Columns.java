package dev.ovs.ovsdb.vswitch.impl;

import static dev.ovs.ovsdb.vswitch.impl.OvsContext.DB;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.notFound;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.validateMap;

import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.NamedTable;
import dev.ovs.ovsdb.vswitch.VlanMode;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Column changes of named Bridge, Port and Interface rows (ovs-vsctl set/clear/remove): the generic
 * {@code setColumn}/{@code updateMapColumn} and the typed Port VLAN, Interface MTU and external_ids operations
 * (ovs-vswitchd.conf.db(5)). Each checks its arguments, resolves the row once, then sends one transaction.
 */
final class Columns {
    private static final Set<String> NAMED_TABLES = Set.of("Bridge", "Port", "Interface");
    /** Largest mtu_request accepted: the largest IPv4/IPv6 packet without jumbograms. */
    static final int MAX_MTU = 65535;

    private final OvsContext ctx;

    Columns(OvsContext ctx) {
        this.ctx = ctx;
    }

    private static void checkNamedTable(String table, String name, String column) {
        if (!NAMED_TABLES.contains(table)) {
            throw new InvalidArgumentException("table", "must be one of " + new TreeSet<>(NAMED_TABLES) + ", got '" + table + "'");
        }
        InterfaceName.check(table.toLowerCase(Locale.ROOT), name);
        if (column == null || "name".equals(column) || column.startsWith("_")) {
            throw new InvalidArgumentException("column", "'" + column + "' cannot be set (name and implicit columns are fixed)");
        }
    }

    void setColumn(String table, String name, String column, Object value) {
        checkNamedTable(table, name, column);
        Map<String, Object> row = new HashMap<>();
        row.put(column, value);
        ctx.client.transaction(DB).update(table, List.of(Condition.eq("name", name)), row); // validates, sends nothing
        updateRow(table, name, row);
    }

    /**
     * Updates columns of one named row: resolves the name once (replica, echo barrier on a miss), then one
     * transaction {@code update where _uuid == row} with the next_cfg increment, then waits for ovs-vswitchd.
     * The caller has checked the arguments.
     *
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such row or it is deleted before the commit
     */
    private void updateRow(String table, String name, Map<String, Object> columns) {
        ctx.ready();
        Row target = ctx.require(table, name, table);
        ctx.commitOne(ctx.client.transaction(DB).update(table, List.of(Condition.eq("_uuid", target.uuid())), columns), 0,
                () -> notFound(table + " '" + name + "' was deleted concurrently"));
    }

    /** Port trunks as the column's set of integers; null elements are refused. */
    static Set<Long> trunkSet(String argument, Set<VlanTag> trunks) {
        Set<Long> s = new TreeSet<>();
        if (trunks != null) {
            for (VlanTag t : trunks) {
                if (t == null) {
                    throw new InvalidArgumentException(argument, "must not contain null");
                }
                s.add((long) t.value());
            }
        }
        return s;
    }

    /** @throws InvalidArgumentException {@code mtu_request: must be 1..65535, got N} */
    static int checkMtu(int mtu) {
        if (mtu < 1 || mtu > MAX_MTU) {
            throw new InvalidArgumentException("mtu_request", "must be 1.." + MAX_MTU + ", got " + mtu);
        }
        return mtu;
    }

    /** An optional column's value: the value, or the empty set that clears it (RFC 7047 §5.1). */
    private static Object optional(Object v) {
        return v == null ? Set.of() : v;
    }

    void setPortTag(String port, VlanTag tag) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("tag", optional(tag == null ? null : (long) tag.value())));
    }

    void setPortTrunks(String port, Set<VlanTag> trunks) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("trunks", trunkSet("trunks", trunks)));
    }

    void setPortVlanMode(String port, VlanMode mode) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("vlan_mode", optional(mode == null ? null : mode.column())));
    }

    void setPortVlan(String port, VlanMode mode, VlanTag tag, Set<VlanTag> trunks) {
        InterfaceName.check("port", port);
        Set<Long> t = trunkSet("trunks", trunks);
        updateRow("Port", port, Map.of("vlan_mode", optional(mode == null ? null : mode.column()),
                "tag", optional(tag == null ? null : (long) tag.value()), "trunks", t));
    }

    void setInterfaceMtuRequest(String iface, Integer mtu) {
        InterfaceName.check("interface", iface);
        updateRow("Interface", iface, Map.of("mtu_request", optional(mtu == null ? null : (long) checkMtu(mtu))));
    }

    void setExternalIds(NamedTable table, String name, Map<String, String> externalIds) {
        checkTable(table);
        InterfaceName.check(table.argument(), name);
        Map<String, String> ids = externalIds == null ? Map.of() : externalIds;
        validateMap("external_ids", ids);
        updateRow(table.table(), name, Map.of("external_ids", ids));
    }

    void updateExternalIds(NamedTable table, String name, Map<String, String> put, Set<String> remove) {
        checkTable(table);
        updateMapColumn(table.table(), name, "external_ids", put, remove);
    }

    private static void checkTable(NamedTable table) {
        if (table == null) {
            throw new InvalidArgumentException("table", "must be one of " + List.of(NamedTable.values()));
        }
    }

    void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove) {
        checkNamedTable(table, name, column);
        Map<String, String> p = put == null ? Map.of() : put;
        Set<String> rm = remove == null ? Set.of() : remove;
        validateMap(column, p);
        for (String k : rm) {
            if (k == null) {
                throw new InvalidArgumentException(column, "keys to remove must not be null");
            }
        }
        if (!ctx.client.schema(DB).table(table).columnType(column).isMap()) {
            throw new InvalidArgumentException("column", table + "." + column + " is not a map column");
        }
        if (p.isEmpty() && rm.isEmpty()) {
            throw new InvalidArgumentException("put/remove", "nothing to change");
        }
        ctx.ready();
        Row target = ctx.require(table, name, table);
        Set<String> deleteKeys = new TreeSet<>(rm);
        deleteKeys.addAll(p.keySet()); // map insert does not overwrite existing keys (RFC 7047 §5.1)
        List<Mutation> muts = new ArrayList<>();
        muts.add(Mutation.delete(column, deleteKeys));
        if (!p.isEmpty()) {
            muts.add(Mutation.insert(column, p));
        }
        ctx.commitOne(ctx.client.transaction(DB).mutate(table, List.of(Condition.eq("_uuid", target.uuid())), muts), 0,
                () -> notFound(table + " '" + name + "' was deleted concurrently"));
    }
}
