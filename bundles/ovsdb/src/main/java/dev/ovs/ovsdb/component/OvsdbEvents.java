package dev.ovs.ovsdb.component;

import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Publishes the Open_vSwitch replica's changes on the event bus (optional, dynamic):
 * {@code ovsdb.bridge.<name>.{added,removed,updated}}, {@code ovsdb.port.<name>...},
 * {@code ovsdb.interface.<name>...}, whoever made the change. Payload: {@code name}, {@code uuid},
 * {@code table}, {@code changed} (column names), {@code values} (new values of changed columns),
 * {@code external_ids}, and {@code bridge} for ports, {@code port} for interfaces.
 */
@Component(service = {}, immediate = true)
public class OvsdbEvents implements ReplicaListener {
    /** One event to publish. */
    record BusEvent(String topic, Map<String, Object> payload, String type) {
    }

    private static final Map<String, String> KINDS = Map.of("Bridge", "bridge", "Port", "port", "Interface", "interface");

    @Reference
    private VSwitch vswitch;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventBus bus;

    /** Registers with the replica. */
    @Activate
    public void activate() {
        vswitch.replica().addListener(this);
    }

    /** Unregisters. */
    @Deactivate
    public void deactivate() {
        vswitch.replica().removeListener(this);
    }

    @Override
    public void onChanges(List<RowEvent> events) {
        EventBus b = bus;
        if (b == null) {
            return;
        }
        for (BusEvent e : toBusEvents(events, vswitch.replica())) {
            try {
                b.publish(e.topic(), e.payload(), e.type());
            } catch (RuntimeException ex) {
                // the bus is fire-and-forget; a failing bus must not break the replica
            }
        }
    }

    /**
     * Converts one replica batch to bus events.
     *
     * @param events  the batch (one transaction)
     * @param replica current replica (fallback to find owners)
     * @return events to publish, in order
     */
    static List<BusEvent> toBusEvents(List<RowEvent> events, Replica replica) {
        Map<UUID, String> portBridge = new HashMap<>();
        Map<UUID, String> ifacePort = new HashMap<>();
        for (RowEvent e : events) {
            for (Row r : new Row[] {e.oldRow(), e.newRow()}) {
                if (r == null) {
                    continue;
                }
                if ("Bridge".equals(e.table())) {
                    for (Object p : r.getSet("ports")) {
                        portBridge.putIfAbsent((UUID) p, r.getString("name"));
                    }
                } else if ("Port".equals(e.table())) {
                    for (Object i : r.getSet("interfaces")) {
                        ifacePort.putIfAbsent((UUID) i, r.getString("name"));
                    }
                }
            }
        }
        boolean portBridgeFromReplica = false;
        boolean ifacePortFromReplica = false;
        List<BusEvent> out = new ArrayList<>();
        for (RowEvent e : events) {
            String kind = KINDS.get(e.table());
            if (kind == null) {
                continue;
            }
            Row r = e.row();
            String name = r.getString("name");
            if (name == null || name.isEmpty()) {
                continue;
            }
            String type = switch (e.type()) {
                case INSERT -> "added";
                case DELETE -> "removed";
                default -> "updated";
            };
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("name", name);
            payload.put("uuid", e.uuid().toString());
            payload.put("table", e.table());
            payload.put("changed", new ArrayList<>(new TreeSet<>(e.changedColumns())));
            if (e.type() == RowEvent.Type.UPDATE) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (String c : new TreeSet<>(e.changedColumns())) {
                    values.put(c, plain(e.newRow().get(c)));
                }
                payload.put("values", values);
            }
            payload.put("external_ids", plain(r.getMap("external_ids")));
            if ("Port".equals(e.table())) {
                String br = portBridge.get(e.uuid());
                if (br == null && !portBridgeFromReplica) {
                    // an owner outside the batch: index the replica's bridges once per batch (not once per row:
                    // ovs-vswitchd updates every new port in one transaction)
                    owners(replica, "Bridge", "ports", portBridge);
                    portBridgeFromReplica = true;
                    br = portBridge.get(e.uuid());
                }
                payload.put("bridge", br);
            } else if ("Interface".equals(e.table())) {
                String p = ifacePort.get(e.uuid());
                if (p == null && !ifacePortFromReplica) {
                    owners(replica, "Port", "interfaces", ifacePort);
                    ifacePortFromReplica = true;
                    p = ifacePort.get(e.uuid());
                }
                payload.put("port", p);
            }
            out.add(new BusEvent(Topics.of("ovsdb", kind, name, type), payload, type));
        }
        return out;
    }

    /**
     * Adds the owner of every referenced row as the replica has it now: for each row of {@code table}, each UUID in
     * its set column {@code refs} maps to the row's {@code name}. Owners already known (from the batch) are kept.
     */
    private static void owners(Replica replica, String table, String refs, Map<UUID, String> out) {
        for (Row r : replica.find(table, x -> true)) {
            String name = r.getString("name");
            for (Object ref : r.getSet(refs)) {
                out.putIfAbsent((UUID) ref, name);
            }
        }
    }

    /** Java replica values to JSON-friendly values: UUIDs as strings, sets as lists, maps with string keys. */
    static Object plain(Object v) {
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof Set<?> s) {
            List<Object> l = new ArrayList<>();
            s.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> o = new LinkedHashMap<>();
            m.forEach((k, x) -> o.put(String.valueOf(plain(k)), plain(x)));
            return o;
        }
        return v;
    }
}
