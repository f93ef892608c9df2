/**
 * The D-Bus interface {@code dev.ovs.Health1} (object {@code /dev/ovs/Health1}) as a dbus-java
 * {@link org.freedesktop.dbus.interfaces.DBusInterface}, for clients and for the export by the shell bundle.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.shell.dbus;
