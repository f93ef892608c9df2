package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExport;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.dbus.PortAgent1;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.internal.ledger.Ledger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.freedesktop.dbus.DBusCallInfo;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The D-Bus object {@code /dev/ovs/PortAgent1} (interface {@link PortAgent1}), a whiteboard service that
 * {@code dev.ovs.dbus} exports and whose exceptions it maps ({@code dev.ovs.dbus.DbusErrors#map}):
 * {@link dev.ovs.base.InvalidArgumentException} to {@code InvalidArgs}, {@link PortAgentException} (and an
 * {@code OvsdbException} of a read straight from OVSDB) to {@code dev.ovs.PortAgent1.Error.<Kind>}, the namespace
 * {@link PortAgent1} declares. The ledger caller is {@code dbus:<sender> uid=<uid>} (uid from
 * {@code org.freedesktop.DBus.GetConnectionUnixUser}, asked once per sender and bus connection).
 *
 * <p>Signals {@code PortCreated}/{@code PortRemoved} come from the port agent's own in-process port events
 * ({@link PortAgentImpl.Listener}, a service of this bundle that the {@link PortAgentImpl} component calls for every
 * port it creates or removes, whoever asked: D-Bus, the shell, auto-attach), not through the event bus.
 */
@Component(service = {PortAgent1.class, PortAgentImpl.Listener.class}, property = {
        DbusExport.OBJECT_PATH + "=" + PortAgent1.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + PortAgent1.BUS_NAME,
        "service.description=D-Bus object dev.ovs.PortAgent1"})
public final class PortAgentDbusComponent implements PortAgent1, PortAgentImpl.Listener {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile PortAgent agent;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile DbusConnectionService dbus;

    /** For DS. */
    public PortAgentDbusComponent() {
    }

    /**
     * Outside a framework (tests).
     *
     * @param agent the port agent, or null (every member is Unavailable)
     * @param dbus  the connection for signals and caller uids, or null
     */
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
            throw new PortAgentException(ErrorKind.Unavailable, "the port agent service is not available", null);
        }
        return a;
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
        return agent().listPorts().stream().map(ContainerPort::port).toList();
    }

    @Override
    public String CreateContainerInterface(String bridge, String iface, String container, Map<String, Variant<?>> options) {
        String who = caller();
        Map<String, Object> plain = new LinkedHashMap<>();
        if (options != null) {
            options.forEach((k, v) -> plain.put(k, v == null ? null : v.getValue()));
        }
        return agent().addPort(bridge, iface, container, PortSettings.fromOptions(plain), who);
    }

    @Override
    public void RemoveContainerInterface(String bridge, String iface, String container) {
        agent().deletePort(bridge, iface, container, caller());
    }

    @Override
    public void RemoveContainerInterfaces(String bridge, String container) {
        agent().deletePorts(bridge, container, caller());
    }

    @Override
    public void SetContainerVlan(String bridge, String iface, String container, UInt16 tag) {
        VlanTag t = VlanTag.of("tag", tag == null ? -1 : tag.intValue()); // the one type down to the transaction
        agent().setVlan(bridge, iface, container, t, caller());
    }

    @Override
    public String GetBlockchainStats() {
        return Ledger.toJson(agent().ledgerStats());
    }

    /**
     * A port of the agent was created or removed: signal {@code PortCreated}/{@code PortRemoved(sss)}
     * (container, interface, port) while connected (at-most-once); failures are not signalled.
     */
    @Override
    public void portEvent(String what, String container, String iface, String port, String error) {
        DbusConnectionService d = dbus;
        if (d == null || port == null) {
            return;
        }
        try {
            if ("created".equals(what)) {
                d.emit(new PortCreated(OBJECT_PATH, container, iface, port));
            } else if ("removed".equals(what)) {
                d.emit(new PortRemoved(OBJECT_PATH, container, iface, port));
            }
        } catch (DBusException e) {
            // cannot build the signal (strings D-Bus does not carry): nothing to emit
        }
    }
}
