package dev.ovs.bench;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** Client view of the appliance's {@code org.openvswitch.ovsdb} interface (DESIGN.md), the member measured. */
@DBusInterfaceName("org.openvswitch.ovsdb")
public interface OvsdbDbus extends DBusInterface {
    /**
     * @param bridge bridge name
     * @return whether it exists ({@code s → b})
     */
    boolean BridgeExists(String bridge);
}
