package dev.ovs.dbus.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of PID {@code dev.ovs.dbus} ({@code etc/dev.ovs.dbus.cfg}), read by the connection component
 * ({@link DbusConnectionComponent}) and the built-in authorizer ({@link UidAuthorizer}).
 */
@ObjectClassDefinition(id = "dev.ovs.dbus", name = "Patchbay D-Bus connection",
        description = "The D-Bus connection every Patchbay export and client uses, and who may call what.")
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
     *         (0: unexport at once); a service whose bundle is uninstalled is unexported at once regardless
     */
    @AttributeDefinition(name = "Replacement grace (ms)",
            description = "Path and bus name of a whiteboard service that went away are held this long by a "
                    + "placeholder answering Unavailable, for its successor (bundle update); 0 = unexport at once. "
                    + "A service whose bundle is uninstalled goes at once.")
    long unexport_grace_ms() default 5000;

    /**
     * @return whether the built-in authorization applies ({@code authz.enabled}): read-only members for everybody,
     *         the others for root, the appliance's uid and {@link #authz_group()} only
     */
    @AttributeDefinition(name = "Authorize mutating calls",
            description = "Read-only members for everybody; every other member only for root, the appliance's own "
                    + "uid and members of authz.group (AccessDenied for the rest). false: the bus policy file is the "
                    + "only check")
    boolean authz_enabled() default true;

    /**
     * @return the group whose members may call mutating members ({@code authz.group}): a group name from
     *         {@code /etc/group} or a numeric gid; empty: none
     */
    @AttributeDefinition(name = "Group allowed to change",
            description = "Group name (from /etc/group) or numeric gid whose members may call mutating members; "
                    + "empty: root and the appliance's uid only")
    String authz_group() default "patchbay";
}
