package dev.ovs.dbus;

/**
 * Service property names of the D-Bus whiteboard (the contract a third-party bundle relies on).
 *
 * <p>An OSGi service whose object implements at least one dbus-java
 * {@link org.freedesktop.dbus.interfaces.DBusInterface} sub-interface and that carries
 * {@link #OBJECT_PATH} is exported at that path on the connection of {@link DbusConnectionService}
 * while it is registered. Every {@code DBusInterface} sub-interface it implements is exported (the
 * D-Bus interface name is the Java interface name, or the value of
 * {@link org.freedesktop.dbus.annotations.DBusInterfaceName}); {@code org.freedesktop.DBus.Introspectable}
 * and {@code org.freedesktop.DBus.Peer} are added by dbus-java.
 *
 * <p>Rules (D-Bus specification, "Valid Object Paths" and "Valid Bus Names"):
 * <ul>
 * <li>{@link #OBJECT_PATH}: String, a valid object path such as {@code /dev/ovs/Vlan1}; not {@code /}.
 * A second service with the same path is not exported (state {@link ExportStatus.State#PATH_CONFLICT})
 * until the first one goes away.</li>
 * <li>{@link #BUS_NAME}: optional String, a well-known bus name such as {@code dev.ovs.Vlan1}. It is
 * requested (flags {@code REPLACE_EXISTING|DO_NOT_QUEUE}) when the first service naming it is exported and
 * released when the last one goes away. Several services may share one name. If another connection owns
 * it (or the bus policy forbids owning it) the object is still exported under the connection's unique name
 * and the state is {@link ExportStatus.State#NAME_CONFLICT}; the name is requested again after every
 * reconnect.</li>
 * </ul>
 */
public final class DbusExport {
    /** Service property: the D-Bus object path to export the service at (String): {@value}. */
    public static final String OBJECT_PATH = "dbus.object.path";
    /** Service property: an optional well-known bus name to own while the object is exported (String): {@value}. */
    public static final String BUS_NAME = "dbus.bus.name";
    /** LDAP filter matching every whiteboard candidate: {@value}. */
    public static final String FILTER = "(" + OBJECT_PATH + "=*)";

    private DbusExport() {
    }
}
