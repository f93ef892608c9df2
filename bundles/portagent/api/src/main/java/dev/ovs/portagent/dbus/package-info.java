/**
 * The D-Bus interface {@code dev.ovs.PortAgent1} (object {@code /dev/ovs/PortAgent1}, DESIGN.md) as a
 * dbus-java {@link org.freedesktop.dbus.interfaces.DBusInterface}, for clients and for the export. 1.1.0: its
 * error namespace and read-only members are declared on it ({@code dev.ovs.dbus.ErrorNamespace},
 * {@code dev.ovs.dbus.ReadOnly}). 1.2.0: {@code VerifyLedger}; the interface is a provider type (clients call it, only the face implements it).
 * 1.2.1: its mutating members are {@code dev.ovs.dbus.RecordedByService} (the port agent records each call).
 */
@org.osgi.annotation.versioning.Version("1.2.1")
@org.osgi.annotation.bundle.Export
package dev.ovs.portagent.dbus;
