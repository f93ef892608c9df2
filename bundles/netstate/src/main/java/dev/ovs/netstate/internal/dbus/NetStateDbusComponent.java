package dev.ovs.netstate.internal.dbus;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExport;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.CheckpointListener;
import dev.ovs.netstate.NetState;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.Json;
import java.util.Optional;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The D-Bus object {@code /dev/ovs/NetState1} (interface {@code dev.ovs.NetState1}), exported by the
 * dbus-export whiteboard. Members throw the service's exceptions; the exporter's one mapping
 * ({@code dev.ovs.dbus.DbusErrors#map}) answers {@code dev.ovs.base.InvalidArgumentException} with
 * {@code org.freedesktop.DBus.Error.InvalidArgs} (message {@code <document path>: <rule>}) and a
 * {@link NetStateException} with {@code dev.ovs.NetState1.Error.<kind>} (message {@code <member>: <message>}),
 * the namespace of the interface.
 * The caller recorded in the journal and the ledger is {@code dbus:<sender> uid=<uid> pid=<pid>}
 * ({@link DbusConnectionService#currentCall()}); Apply, Commit and Rollback are recorded by the network-state
 * service itself ({@link dev.ovs.dbus.RecordedByService}). Signals come from the NetState's own checkpoint
 * events ({@link CheckpointListener}), never from the event bus.
 */
@Component(service = {NetState1.class, CheckpointListener.class}, property = {
        DbusExport.OBJECT_PATH + "=" + NetState1.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + NetState1.BUS_NAME,
        "service.description=D-Bus object dev.ovs.NetState1"})
public final class NetStateDbusComponent implements NetState1, CheckpointListener {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile NetState state;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile DbusConnectionService dbus;

    /** For DS. */
    public NetStateDbusComponent() {
    }

    /**
     * Outside a framework (tests).
     *
     * @param state the service
     * @param dbus  the connection to emit signals on
     */
    public NetStateDbusComponent(NetState state, DbusConnectionService dbus) {
        this.state = state;
        this.dbus = dbus;
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }

    private NetState state() {
        NetState s = state;
        if (s == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the network state service (bundle dev.ovs.netstate) is not running");
        }
        return s;
    }

    /**
     * @return the ledger and journal caller of the D-Bus call being served ({@link DbusCall#callerText()}:
     *         {@code dbus:<sender> uid=<uid> pid=<pid>}, uid and pid from the bus daemon), {@code dbus} outside a call
     */
    String caller() {
        DbusConnectionService d = dbus;
        return (d == null ? Optional.<DbusCall>empty() : d.currentCall()).map(DbusCall::callerText).orElse("dbus");
    }

    @Override
    public String Show() {
        return state().show();
    }

    @Override
    public String Diff(String document) {
        return Json.changes(state().diff(document));
    }

    @Override
    public String Apply(String document, UInt32 confirmSeconds) {
        String who = caller();
        return state().apply(document, confirmSeconds == null ? 0 : confirmSeconds.longValue(), who);
    }

    @Override
    public void Commit(String id) {
        String who = caller();
        state().commit(id == null || id.isEmpty() ? null : id, who);
    }

    @Override
    public void Rollback(String id) {
        String who = caller();
        state().rollback(id == null || id.isEmpty() ? null : id, who);
    }

    @Override
    public String ListCheckpoints() {
        return Json.checkpoints(state().checkpoints());
    }

    @Override
    public void checkpointChanged(Checkpoint c, String event) {
        DbusConnectionService d = dbus;
        if (d == null) {
            return;
        }
        try {
            switch (event) {
                case "created" -> d.emit(new CheckpointCreated(OBJECT_PATH, c.id(), new UInt64(Math.max(0, c.deadlineMicros()))));
                case "committed" -> d.emit(new CheckpointCommitted(OBJECT_PATH, c.id()));
                case "rolledback" -> d.emit(new CheckpointRolledBack(OBJECT_PATH, c.id(), c.reason() == null ? "" : c.reason()));
                default -> {
                }
            }
        } catch (DBusException e) {
            // the signal cannot be built (invalid strings): nothing to emit
        }
    }
}
