package dev.ovs.itests.framework;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** A test-only D-Bus interface {@code dev.ovs.itests.Echo}: one method, signature {@code s → s}. */
@DBusInterfaceName("dev.ovs.itests.Echo")
public interface EchoService extends DBusInterface {
    /**
     * @param text any string
     * @return {@code text} with {@code "echo:"} in front
     */
    String Echo(String text);
}
