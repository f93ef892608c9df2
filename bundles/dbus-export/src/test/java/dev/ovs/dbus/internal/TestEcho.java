package dev.ovs.dbus.internal;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** A test interface: {@code dev.ovs.test.Echo1}. */
@DBusInterfaceName("dev.ovs.test.Echo1")
public interface TestEcho extends DBusInterface {
    /** Echoes; throws the error named by {@code text} when it starts with "error:". */
    String Echo(String text);
}
