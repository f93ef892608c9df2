package dev.ovs.bench;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/** Client view of the appliance's {@code dev.ovs.NetState1} interface (DESIGN.md, docs/state.md), the members the netstate suite calls. */
@DBusInterfaceName("dev.ovs.NetState1")
public interface NetStateDbus extends DBusInterface {
    /** @return {@code → s}: the current state document */
    String Show();

    /**
     * {@code su → s}: applies a document; returns once it is verified.
     *
     * @param document       YAML document
     * @param confirmSeconds 0: committed at once; else pending
     * @return the checkpoint id
     */
    String Apply(String document, UInt32 confirmSeconds);

    /**
     * {@code s → ()}: rolls a pending checkpoint back.
     *
     * @param id checkpoint id; empty: the pending one
     */
    void Rollback(String id);

    /** @return {@code → s}: the checkpoints as a JSON list */
    String ListCheckpoints();
}
