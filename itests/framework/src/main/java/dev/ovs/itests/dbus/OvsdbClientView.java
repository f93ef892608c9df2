package dev.ovs.itests.dbus;

import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * The test's own client-side declaration of the pinned {@code org.openvswitch.ovsdb} members it calls
 * (DESIGN.md), written independently of the dbus-export bundle's classes, as any client would.
 */
@DBusInterfaceName("org.openvswitch.ovsdb")
public interface OvsdbClientView extends DBusInterface {
    /**
     * @param bridge bridge name
     * @return whether it exists
     */
    boolean BridgeExists(String bridge);

    /**
     * @param bridge bridge name to create
     */
    void CreateBridge(String bridge);

    /** @return bridge names */
    List<String> ListBridges();
}
