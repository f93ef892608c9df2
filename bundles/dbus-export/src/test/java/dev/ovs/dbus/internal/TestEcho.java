package dev.ovs.dbus.internal;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** A test interface: {@code dev.ovs.test.Echo1}, default error namespace {@code dev.ovs.test.Echo1.Error}. */
@DBusInterfaceName("dev.ovs.test.Echo1")
public interface TestEcho extends DBusInterface {
    /** @param text echoed, or the failure it names ({@link EchoImpl}) @return tag and text */
    String Echo(String text);
}
