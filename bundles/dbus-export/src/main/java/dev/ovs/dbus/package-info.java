/**
 * Patchbay D-Bus API: the bus connection as an OSGi service, the whiteboard contract for exporting
 * objects on D-Bus, and D-Bus errors with stable names.
 *
 * <p><b>Exporting an object</b> (the contract for third-party bundles, see {@code docs/extending.md}):
 * register any OSGi service that implements a dbus-java {@link org.freedesktop.dbus.interfaces.DBusInterface}
 * with the service property {@value dev.ovs.dbus.DbusExport#OBJECT_PATH} (and optionally
 * {@value dev.ovs.dbus.DbusExport#BUS_NAME}). It is exported on the bus while it is registered, re-exported
 * after the bus daemon restarts, and unexported when it is unregistered. Collisions are reported by
 * {@link dev.ovs.dbus.DbusExports#exports()} and logged, never thrown at the registrant.
 *
 * <p><b>Latency</b>: annotate members that answer from memory with {@link dev.ovs.dbus.NonBlocking}; they
 * are then answered on the connection's reader thread (1.1.0).
 *
 * <p><b>Errors</b>: throw {@link dev.ovs.dbus.DbusErrors#invalidArgs(String, String)} for bad input and
 * {@link dev.ovs.dbus.DbusErrors#ovsdb(DbusErrors.Kind, String)} /
 * {@link dev.ovs.dbus.DbusErrors#portAgent(DbusErrors.Kind, String)} for the rest; the D-Bus error names are
 * those pinned in DESIGN.md ("Pinned external contracts / D-Bus").
 */
@org.osgi.annotation.versioning.Version("1.1.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.dbus;
