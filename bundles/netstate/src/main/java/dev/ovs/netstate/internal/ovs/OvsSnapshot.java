package dev.ovs.netstate.internal.ovs;

import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Bridge, Port and Interface rows of the Open_vSwitch database (ovs-vswitchd.conf.db(5)) at one moment,
 * from a replica, indexed by name, with each port's bridge and each interface's port.
 */
public final class OvsSnapshot {
    /** Database name. */
    public static final String DB = "Open_vSwitch";

    final DatabaseSchema schema;
    final Row root;
    final Map<String, Row> bridges = new TreeMap<>();
    final Map<String, Row> ports = new TreeMap<>();
    final Map<String, Row> ifaces = new TreeMap<>();
    final Map<UUID, Row> byUuid = new HashMap<>();
    /** Port name to its bridge's name. */
    final Map<String, String> portBridge = new HashMap<>();
    /** Interface name to its port's name. */
    final Map<String, String> ifacePort = new HashMap<>();

    private OvsSnapshot(DatabaseSchema schema, Row root) {
        this.schema = schema;
        this.root = root;
    }

    /**
     * Reads the replica as it is now (callers run its echo barrier first when they need others' changes).
     *
     * @param replica a synced replica of Open_vSwitch, Bridge, Port and Interface
     * @return the snapshot
     * @throws IllegalStateException if the replica has no schema or no Open_vSwitch row yet
     */
    public static OvsSnapshot of(Replica replica) {
        DatabaseSchema schema = replica.schema();
        Collection<Row> roots = replica.rows(DB);
        if (schema == null || roots.isEmpty()) {
            throw new IllegalStateException("the Open_vSwitch database has no root row (ovs-vsctl init was not run)");
        }
        OvsSnapshot s = new OvsSnapshot(schema, roots.iterator().next());
        for (Row r : replica.rows("Bridge")) {
            s.bridges.put(r.getString("name"), r);
            s.byUuid.put(r.uuid(), r);
        }
        for (Row r : replica.rows("Port")) {
            s.ports.put(r.getString("name"), r);
            s.byUuid.put(r.uuid(), r);
        }
        for (Row r : replica.rows("Interface")) {
            s.ifaces.put(r.getString("name"), r);
            s.byUuid.put(r.uuid(), r);
        }
        for (Row b : s.bridges.values()) {
            for (Object u : b.getSet("ports")) {
                Row p = s.byUuid.get(u);
                if (p != null) {
                    s.portBridge.put(p.getString("name"), b.getString("name"));
                }
            }
        }
        for (Row p : s.ports.values()) {
            for (Object u : p.getSet("interfaces")) {
                Row i = s.byUuid.get(u);
                if (i != null) {
                    s.ifacePort.put(i.getString("name"), p.getString("name"));
                }
            }
        }
        return s;
    }

    /**
     * @param table Bridge, Port or Interface
     * @param name  row name
     * @return the row, or null
     */
    public Row row(String table, String name) {
        return map(table).get(name);
    }

    Map<String, Row> map(String table) {
        return switch (table) {
            case "Bridge" -> bridges;
            case "Port" -> ports;
            case "Interface" -> ifaces;
            default -> throw new IllegalArgumentException("table " + table);
        };
    }

    /**
     * @param table Bridge, Port or Interface
     * @param name  row name
     * @return the parent's name: a port's bridge, an interface's port; null for bridges and unattached rows
     */
    public String parent(String table, String name) {
        return switch (table) {
            case "Port" -> portBridge.get(name);
            case "Interface" -> ifacePort.get(name);
            default -> null;
        };
    }

    /** @return the database schema */
    public DatabaseSchema schema() {
        return schema;
    }

    /** @return the Open_vSwitch root row */
    public Row root() {
        return root;
    }
}
