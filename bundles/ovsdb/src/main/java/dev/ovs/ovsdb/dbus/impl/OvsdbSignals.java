package dev.ovs.ovsdb.dbus.impl;

import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.dbus.OvsdbBus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.DBusSignal;

/**
 * The {@code org.openvswitch.ovsdb} signals of one replica update (a class of its own so that the rule is
 * tested without a bus): a Bridge row inserted → {@code BridgeAdded(s)}, deleted → {@code BridgeRemoved(s)};
 * a Port row inserted → {@code PortAdded(ss)}, deleted → {@code PortRemoved(ss)}. Updates of rows are not
 * signalled. The bridge of a port is the Bridge row of the same update whose {@code ports} contain it (new
 * row for an insert, old row for a delete: ovs-vsctl and Patchbay change both in one transaction), else the
 * bridge that holds it in the replica; a port of no bridge is not signalled, nor is a bridge's own local port
 * (named like the bridge; {@code ListBridgePorts} does not list it either).
 */
final class OvsdbSignals {
    private OvsdbSignals() {
    }

    /**
     * @param events  one update of the replica, in order
     * @param replica the replica as it stands (for a port whose bridge is not in the update)
     * @return the signals, in the order of the events
     * @throws DBusException if dbus-java refuses to build a signal
     */
    static List<DBusSignal> of(List<RowEvent> events, Replica replica) throws DBusException {
        List<DBusSignal> out = new ArrayList<>();
        for (RowEvent e : events) {
            if (e.type() == RowEvent.Type.UPDATE) {
                continue;
            }
            boolean added = e.type() == RowEvent.Type.INSERT;
            String name = e.row().getString("name");
            if (name == null || name.isEmpty()) {
                continue;
            }
            if ("Bridge".equals(e.table())) {
                out.add(added ? new OvsdbBus.BridgeAdded(OvsdbBus.OBJECT_PATH, name)
                        : new OvsdbBus.BridgeRemoved(OvsdbBus.OBJECT_PATH, name));
            } else if ("Port".equals(e.table())) {
                String bridge = bridgeOf(e, events, replica).orElse(null);
                if (bridge == null || bridge.equals(name)) {
                    continue;
                }
                out.add(added ? new OvsdbBus.PortAdded(OvsdbBus.OBJECT_PATH, bridge, name)
                        : new OvsdbBus.PortRemoved(OvsdbBus.OBJECT_PATH, bridge, name));
            }
        }
        return out;
    }

    private static Optional<String> bridgeOf(RowEvent port, List<RowEvent> events, Replica replica) {
        for (RowEvent b : events) {
            if (!"Bridge".equals(b.table())) {
                continue;
            }
            Row r = port.type() == RowEvent.Type.INSERT ? b.newRow() : b.oldRow();
            if (r != null && r.getSet("ports").contains(port.uuid())) {
                return Optional.ofNullable(r.getString("name"));
            }
        }
        return replica.find("Bridge", b -> b.getSet("ports").contains(port.uuid())).stream()
                .map(b -> b.getString("name")).findFirst();
    }
}
