package dev.ovs.dbus.internal;

import java.util.List;

/**
 * What the {@code org.openvswitch.ovsdb} object needs from the OVSDB bundle; implemented over the
 * {@code dev.ovs.ovsdb.vswitch.VSwitch} service ({@link VSwitchOps}) and by fakes in tests. Errors:
 * {@code dev.ovs.ovsdb.OvsdbException} (mapped by kind), {@link IllegalArgumentException} (mapped to
 * InvalidArgs), anything else (mapped to Failed).
 */
interface SwitchOps {
    void createBridge(String bridge);

    void deleteBridge(String bridge);

    void addPort(String bridge, String port);

    void deletePort(String bridge, String port);

    boolean bridgeExists(String bridge);

    List<String> listBridges();

    List<String> listBridgePorts(String bridge);

    /** @param params validated RFC 7047 transact params array (JSON text) @return result array (JSON text) */
    String transact(String params);
}
