package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.dbus.PortAgent1;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.freedesktop.dbus.exceptions.DBusException;
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
 * {@link PortAgent1} declares.
 *
 * <p>The caller is the one of the D-Bus call being served ({@link DbusConnectionService#currentCall()}: unique
 * name, uid and pid from the bus daemon); the port agent's ledger entries name it as
 * {@code dbus:<sender> uid=<uid> pid=<pid>}. Those entries are the only record of a call: the mutating members are
 * {@link dev.ovs.dbus.RecordedByService}, so the exporter writes none. A container reference {@code pid:N} or
 * {@code netns:NAME} is for root only: any other caller gets {@code org.freedesktop.DBus.Error.AccessDenied} before
 * the port agent is asked, and nothing is recorded (as for a call an authorizer refuses).
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
     * @param dbus  the connection for signals and the caller of each call, or null
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

    /** The D-Bus call being served, if this runs in one. */
    private Optional<DbusCall> call() {
        DbusConnectionService d = dbus;
        return d == null ? Optional.empty() : d.currentCall();
    }

    /** @return the ledger caller: {@code dbus:<sender> uid=<uid> pid=<pid>}, or {@code dbus} outside a D-Bus call */
    String caller() {
        return call().map(DbusCall::callerText).orElse("dbus");
    }

    /**
     * Refuses a {@code pid:}/{@code netns:} container reference to a caller other than root. A reference that does
     * not parse is left to the port agent (InvalidArgs naming the rule).
     */
    private void checkContainer(String member, String container) {
        Optional<DbusCall> c = call();
        if (c.isEmpty() || c.get().isRoot() || container == null
                || !(container.startsWith("pid:") || container.startsWith("netns:"))) {
            return;
        }
        ContainerRef.Kind kind;
        try {
            kind = ContainerRef.parse("container", container).kind();
        } catch (RuntimeException bad) {
            return;
        }
        if (kind != ContainerRef.Kind.DOCKER) {
            throw new DbusError(DbusErrors.ACCESS_DENIED, member + ": container " + container + ": a pid: or netns: "
                    + "reference is for root only, not uid " + (c.get().uid() < 0 ? "?" : c.get().uid()));
        }
    }

    @Override
    public List<String> ListPorts() {
        return agent().listPorts().stream().map(ContainerPort::port).toList();
    }

    @Override
    public String CreateContainerInterface(String bridge, String iface, String container, Map<String, Variant<?>> options) {
        checkContainer("CreateContainerInterface", container);
        Map<String, Object> plain = new LinkedHashMap<>();
        if (options != null) {
            options.forEach((k, v) -> plain.put(k, v == null ? null : v.getValue()));
        }
        return agent().addPort(bridge, iface, container, PortSettings.fromOptions(plain), caller());
    }

    @Override
    public void RemoveContainerInterface(String bridge, String iface, String container) {
        checkContainer("RemoveContainerInterface", container);
        agent().deletePort(bridge, iface, container, caller());
    }

    @Override
    public void RemoveContainerInterfaces(String bridge, String container) {
        checkContainer("RemoveContainerInterfaces", container);
        agent().deletePorts(bridge, container, caller());
    }

    @Override
    public void SetContainerVlan(String bridge, String iface, String container, UInt16 tag) {
        checkContainer("SetContainerVlan", container);
        VlanTag t = VlanTag.of("tag", tag == null ? -1 : tag.intValue()); // the one type down to the transaction
        agent().setVlan(bridge, iface, container, t, caller());
    }

    @Override
    public String GetBlockchainStats() {
        return PortAgentImpl.toJson(agent().ledgerStats());
    }

    @Override
    public String VerifyLedger() {
        return PortAgentImpl.toJson(agent().verifyLedger());
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
