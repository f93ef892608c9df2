/**
 * The D-Bus interface {@code org.openvswitch.ovsdb} (object {@code /org/openvswitch/ovsdb}, bus name
 * {@code org.openvswitch.ovsdb}) as a dbus-java interface: usable as a typed client proxy
 * ({@code connection.getRemoteObject(OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.class)}) and to
 * subscribe to its signals. Pinned in DESIGN.md ("Pinned external contracts / D-Bus").
 */
@org.osgi.annotation.versioning.Version("1.1.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.dbus.ovsdb;
