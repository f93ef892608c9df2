package dev.ovs.dbus.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.ovs.dbus} ({@code etc/dev.ovs.dbus.cfg}). */
@ObjectClassDefinition(id = "dev.ovs.dbus", name = "Patchbay D-Bus connection",
        description = "The D-Bus connection every Patchbay export and client uses.")
public @interface DbusConfig {
    /**
     * @return {@code system} (default), {@code session}, or a D-Bus address such as
     *         {@code unix:path=/run/dbus/system_bus_socket}
     */
    @AttributeDefinition(name = "Bus address",
            description = "'system' (default), 'session', or a D-Bus address such as unix:path=/run/x/bus.sock")
    String address() default "system";
}
