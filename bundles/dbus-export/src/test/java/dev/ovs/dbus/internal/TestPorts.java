package dev.ovs.dbus.internal;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * A test interface {@code dev.ovs.test.Ports1} whose errors are in a declared namespace (like a third-party
 * interface passing on the errors of the service it builds on), with read-only and non-blocking members.
 */
@DBusInterfaceName("dev.ovs.test.Ports1")
@ErrorNamespace("dev.ovs.test.Switch1.Error")
public interface TestPorts extends DBusInterface {
    /** @return port names */
    @ReadOnly
    @NonBlocking
    List<String> ListPorts();

    /** @param port a port @return its value; NotFound for an unknown port */
    @ReadOnly
    String Get(String port);

    /** @param port a port @param value its new value */
    void Set(String port, String value);
}
