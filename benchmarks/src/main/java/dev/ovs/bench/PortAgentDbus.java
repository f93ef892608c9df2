package dev.ovs.bench;

import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** Client view of the appliance's {@code dev.ovs.PortAgent1} interface (DESIGN.md), the member the soak suite calls. */
@DBusInterfaceName("dev.ovs.PortAgent1")
public interface PortAgentDbus extends DBusInterface {
    /** @return the container ports this host manages ({@code → as}) */
    List<String> ListPorts();
}
