package dev.ovs.dbus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Topics;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import java.lang.System.Logger.Level;
import java.util.List;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.DBusSignal;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Turns the OVSDB bundle's replica events on the event bus into the D-Bus signals of
 * {@code org.openvswitch.ovsdb}: {@code ovsdb.bridge.<name>.added|removed} → {@code BridgeAdded/BridgeRemoved(s)},
 * {@code ovsdb.port.<name>.added|removed} → {@code PortAdded/PortRemoved(ss)} (bridge name from the event
 * payload's {@code "bridge"} member; the bridge's own local port, named like the bridge, is not signalled,
 * matching {@code ListBridgePorts}). Whoever made the change (Patchbay, ovs-vsctl, ...), the replica sees
 * it, so it is signalled. Signals while the D-Bus connection is down are dropped (at-most-once).
 */
@Component(service = EventListener.class, property = {
        EventListener.TOPICS + "=ovsdb.bridge.*.added", EventListener.TOPICS + "=ovsdb.bridge.*.removed",
        EventListener.TOPICS + "=ovsdb.port.*.added", EventListener.TOPICS + "=ovsdb.port.*.removed"})
public final class OvsdbSignals implements EventListener {
    private static final System.Logger LOG = System.getLogger(OvsdbSignals.class.getName());

    @Reference
    private DbusConnectionService dbus;

    /** For DS. */
    public OvsdbSignals() {
    }

    /** Outside OSGi (tests). */
    OvsdbSignals(DbusConnectionService dbus) {
        this.dbus = dbus;
    }

    @Override
    public void onEvent(Event event) {
        DBusSignal s;
        try {
            s = toSignal(event.topic(), event.payload());
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: no signal for " + event + ": " + e);
            return;
        }
        if (s != null) {
            dbus.emit(s);
        }
    }

    /**
     * @return the signal for a topic, or null if the event does not map to one (unknown topic, port without
     *         bridge)
     */
    static DBusSignal toSignal(String topic, JsonNode payload) throws DBusException {
        List<String> names = Topics.names(topic);
        if (names.size() != 4 || !"ovsdb".equals(names.get(0))) {
            return null;
        }
        String table = names.get(1);
        String name = names.get(2);
        String what = names.get(3);
        String path = OvsdbBus.OBJECT_PATH;
        if ("bridge".equals(table)) {
            if ("added".equals(what)) {
                return new OvsdbBus.BridgeAdded(path, name);
            }
            if ("removed".equals(what)) {
                return new OvsdbBus.BridgeRemoved(path, name);
            }
            return null;
        }
        if ("port".equals(table)) {
            String bridge = bridgeOf(payload);
            if (bridge == null) {
                LOG.log(Level.DEBUG, "dev.ovs.dbus: port event without bridge: " + topic + " " + payload);
                return null;
            }
            if (bridge.equals(name)) {
                return null; // the bridge's own local port: not listed by ListBridgePorts, not signalled
            }
            if ("added".equals(what)) {
                return new OvsdbBus.PortAdded(path, bridge, name);
            }
            if ("removed".equals(what)) {
                return new OvsdbBus.PortRemoved(path, bridge, name);
            }
        }
        return null;
    }

    private static String bridgeOf(JsonNode payload) {
        if (payload == null) {
            return null;
        }
        JsonNode b = payload.get("bridge");
        if (b != null && b.isTextual() && !b.asText().isEmpty()) {
            return b.asText();
        }
        return null;
    }
}
