/**
 * The D-Bus interface {@code org.openvswitch.ovsdb} (object {@code /org/openvswitch/ovsdb}, bus name
 * {@code org.openvswitch.ovsdb}) as a dbus-java interface: what bundle {@code dev.ovs.ovsdb} exports on D-Bus,
 * and a typed client proxy and signal types for D-Bus clients. Needs dbus-java and {@code dev.ovs.dbus} at run
 * time; the rest of the OVSDB API does not.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb.dbus;
