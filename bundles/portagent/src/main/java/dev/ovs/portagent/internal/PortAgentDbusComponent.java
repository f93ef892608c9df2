package dev.ovs.portagent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.dbus.PortAgent1;
import dev.ovs.portagent.internal.ledger.Ledger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.freedesktop.dbus.DBusCallInfo;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The D-Bus object {@code /dev/ovs/PortAgent1} (interface {@code dev.ovs.PortAgent1}), exported by the
 * dbus-export whiteboard. Maps {@link IllegalArgumentException} to {@code InvalidArgs} and
 * {@link PortAgentException} kinds to {@code dev.ovs.PortAgent1.Error.<Kind>}; the ledger caller is
 * {@code dbus:<sender> uid=<uid>} (uid from {@code org.freedesktop.DBus.GetConnectionUnixUser}, asked once per
 * sender and bus connection). Signals
 * {@code PortCreated}/{@code PortRemoved} are emitted from the bus events
 * {@code portagent.container.*.port.{created,removed}}, so ports made through the shell are signalled too.
 */
@Component(service = {PortAgent1.class, EventListener.class}, property = {
        DbusExport.OBJECT_PATH + "=" + PortAgent1.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + PortAgent1.BUS_NAME,
        EventListener.TOPICS + "=portagent.container.*.port.>",
        "service.description=D-Bus object dev.ovs.PortAgent1"})
public final class PortAgentDbusComponent implements PortAgent1, EventListener {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile PortAgent agent;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile DbusConnectionService dbus;

    /** For DS. */
    public PortAgentDbusComponent() {
    }

    PortAgentDbusComponent(PortAgent agent, DbusConnectionService dbus) {
        this.agent = agent;
        this.dbus = dbus;
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }

    private PortAgent agent() {
        PortAgent a = agent;
        if (a == null) {
            throw DbusErrors.portAgent(DbusErrors.Kind.Unavailable, "the port agent service is not available");
        }
        return a;
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "invalid argument" : e.getMessage();
            int colon = m.indexOf(": ");
            throw colon > 0 ? DbusErrors.invalidArgs(m.substring(0, colon), m.substring(colon + 2))
                    : DbusErrors.invalidArgs("argument", m);
        } catch (PortAgentException e) {
            throw DbusErrors.portAgent(DbusErrors.Kind.of(e.kind().name()), e.getMessage());
        } catch (dev.ovs.ovsdb.OvsdbException e) {
            // a read straight from OVSDB (ListPorts) while ovsdb-server or the ovsdb bundle is away: the same
            // stable kinds (Unavailable, Timeout, ...), under this interface's error names
            throw DbusErrors.portAgent(DbusErrors.Kind.of(e.kind().name()), e.getMessage());
        }
    }

    /**
     * Uids of senders already asked, per bus connection: the bus daemon never reuses a unique name while it
     * runs, and a connection's uid does not change, so one {@code GetConnectionUnixUser} per sender suffices
     * (dropped with the connection: a new daemon may hand out the same names). At most 1024 senders.
     */
    private record Uids(DBusConnection connection, DBus daemon, Map<String, String> bySender) {
    }

    private volatile Uids uids;

    String caller() {
        DBusCallInfo info = AbstractConnection.getCallInfo();
        String sender = info == null ? null : info.getSource();
        if (sender == null) {
            return "dbus";
        }
        String uid = "?";
        try {
            DbusConnectionService d = dbus;
            Optional<DBusConnection> conn = d == null ? Optional.empty() : d.connection();
            if (conn.isPresent()) {
                Uids u = uids;
                if (u == null || u.connection() != conn.get()) {
                    u = new Uids(conn.get(), conn.get().getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class),
                            new java.util.concurrent.ConcurrentHashMap<>());
                    uids = u;
                }
                String known = u.bySender().get(sender);
                if (known != null) {
                    uid = known;
                } else {
                    uid = u.daemon().GetConnectionUnixUser(sender).toString();
                    if (u.bySender().size() >= 1024) {
                        u.bySender().clear();
                    }
                    u.bySender().put(sender, uid);
                }
            }
        } catch (Exception e) {
            // the sender may be gone already; keep "?"
        }
        return "dbus:" + sender + " uid=" + uid;
    }

    @Override
    public List<String> ListPorts() {
        return call(() -> agent().listPorts().stream().map(ContainerPort::port).toList());
    }

    @Override
    public String CreateContainerInterface(String bridge, String iface, String container, Map<String, Variant<?>> options) {
        String who = caller();
        return call(() -> {
            Map<String, Object> plain = new LinkedHashMap<>();
            if (options != null) {
                options.forEach((k, v) -> plain.put(k, v == null ? null : v.getValue()));
            }
            return agent().addPort(bridge, iface, container, PortSettings.fromOptions(plain), who);
        });
    }

    @Override
    public void RemoveContainerInterface(String bridge, String iface, String container) {
        String who = caller();
        call(() -> {
            agent().deletePort(bridge, iface, container, who);
            return null;
        });
    }

    @Override
    public void RemoveContainerInterfaces(String bridge, String container) {
        String who = caller();
        call(() -> agent().deletePorts(bridge, container, who));
    }

    @Override
    public void SetContainerVlan(String bridge, String iface, String container, UInt16 tag) {
        String who = caller();
        call(() -> {
            agent().setVlan(bridge, iface, container, dev.ovs.ovsdb.vswitch.VlanTag.of("tag", tag == null ? -1 : tag.intValue()), who);
            return null;
        });
    }

    @Override
    public String GetBlockchainStats() {
        return call(() -> Ledger.toJson(agent().ledgerStats()));
    }

    @Override
    public void onEvent(Event event) {
        DbusConnectionService d = dbus;
        if (d == null) {
            return;
        }
        JsonNode p = event.payload();
        String c = p.path("container").asText("");
        String i = p.path("interface").asText("");
        String port = p.path("port").asText("");
        try {
            if (event.topic().endsWith(".port.created")) {
                d.emit(new PortCreated(OBJECT_PATH, c, i, port));
            } else if (event.topic().endsWith(".port.removed")) {
                d.emit(new PortRemoved(OBJECT_PATH, c, i, port));
            }
        } catch (org.freedesktop.dbus.exceptions.DBusException e) {
            // cannot build the signal (invalid strings): nothing to emit
        }
    }
}
