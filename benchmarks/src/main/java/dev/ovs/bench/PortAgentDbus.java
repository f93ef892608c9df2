package dev.ovs.bench;

import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.Variant;

/**
 * Client view of the appliance's {@code dev.ovs.PortAgent1} interface (DESIGN.md), the members the soak and
 * portagent suites call.
 */
@DBusInterfaceName("dev.ovs.PortAgent1")
public interface PortAgentDbus extends DBusInterface {
    /** @return the container ports this host manages ({@code → as}) */
    List<String> ListPorts();

    /**
     * ovs-docker add-port ({@code sssa{sv} → s}).
     *
     * @param bridge    bridge name
     * @param iface     interface name inside the container
     * @param container container ID or name
     * @param options   {@code ipaddress}, {@code macaddress}, {@code gateway} (s), {@code mtu}, {@code vlan}
     * @return the host-side port name ({@code <13 hex>_l})
     */
    String CreateContainerInterface(String bridge, String iface, String container, Map<String, Variant<?>> options);

    /**
     * ovs-docker del-port ({@code sss → ()}).
     *
     * @param bridge    bridge name
     * @param iface     interface name inside the container
     * @param container container ID or name
     */
    void RemoveContainerInterface(String bridge, String iface, String container);
}
