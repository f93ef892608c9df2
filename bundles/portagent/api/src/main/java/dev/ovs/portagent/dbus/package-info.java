/**
 * The D-Bus interface {@code dev.ovs.PortAgent1} (object {@code /dev/ovs/PortAgent1}, DESIGN.md) as a
 * dbus-java {@link org.freedesktop.dbus.interfaces.DBusInterface}, for clients and for the export.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.portagent.dbus;
