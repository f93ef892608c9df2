package dev.ovs.metrics.internal;

import dev.ovs.bus.BusStats;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.ovsdb.ConnectionStatus;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.dbus.ledger.LedgerStats;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What the sources report at one scrape. A null part means the source's service is not there (its bundle is
 * stopped, or it failed to answer); its series are then absent and {@code patchbay_metrics_source_up} is 0.
 *
 * @param ovsdb     the OVSDB client's connection ({@code OvsdbClient.status()})
 * @param replica   the VSwitch replica of the Open_vSwitch database, or null
 * @param dbus      the D-Bus connection and its whiteboard exports, or null
 * @param bus       the event bus counters ({@code EventBus.stats()}), or null
 * @param portAgent the port agent's ports, or null
 * @param ledger    the appliance's operation ledger ({@code dev.ovs.dbus.ledger.Ledger}), or null
 */
record Snapshot(ConnectionStatus ovsdb, ReplicaView replica, DbusView dbus, BusStats bus, PortAgentView portAgent,
        LedgerView ledger) {

    /** A snapshot without the ledger. */
    Snapshot(ConnectionStatus ovsdb, ReplicaView replica, DbusView dbus, BusStats bus, PortAgentView portAgent) {
        this(ovsdb, replica, dbus, bus, portAgent, null);
    }

    /**
     * An OVSDB replica.
     *
     * @param database  database name
     * @param rows      table name to the number of rows replicated now
     * @param fullSyncs (re)syncs that transferred the full state
     * @param resumes   reconnects that resumed from the last transaction id
     * @param failing   whether the last subscription attempt failed
     */
    record ReplicaView(String database, Map<String, Integer> rows, long fullSyncs, long resumes, boolean failing) {
        ReplicaView {
            rows = Map.copyOf(rows);
        }
    }

    /**
     * The D-Bus connection.
     *
     * @param connected      whether the connection is up
     * @param connections    connections established since the component's activation
     * @param droppedSignals signals dropped because there was no connection
     * @param exports        the whiteboard exports (empty if the exports service is not there)
     */
    record DbusView(boolean connected, long connections, long droppedSignals, List<ExportStatus> exports) {
        DbusView {
            exports = List.copyOf(exports);
        }
    }

    /**
     * The port agent.
     *
     * @param containerPorts container ports known to OVSDB, or -1 if listing them failed
     */
    record PortAgentView(int containerPorts) {
    }

    /**
     * The operation ledger.
     *
     * @param stats ledger statistics ({@code Ledger.stats()})
     * @param tail  the last {@code n} ledger lines, oldest first ({@code Ledger.tail}; at most the 1000 most recent
     *              are kept in memory)
     */
    record LedgerView(LedgerStats stats, IntFunction<List<LedgerEntry>> tail) {
    }
}
