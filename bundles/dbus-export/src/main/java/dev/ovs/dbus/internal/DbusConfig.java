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

    /**
     * @return how long, in ms, the path and bus name of an exported service that went away are held by a
     *         placeholder answering {@code Unavailable}, so that a bundle update never makes the name vanish
     *         (0: unexport at once)
     */
    @AttributeDefinition(name = "Replacement grace (ms)",
            description = "Path and bus name of a whiteboard service that went away are held this long by a "
                    + "placeholder answering Unavailable, for its successor (bundle update); 0 = unexport at once")
    long unexport_grace_ms() default 5000;
}
