/**
 * The appliance's operation ledger: one keyed hash chain (HMAC-SHA-256) of every change made through Patchbay,
 * written by the D-Bus exporter for every mutating call and by domain bundles for their own operations, intent
 * before the operation and outcome after ({@link dev.ovs.dbus.ledger.Ledger}). Implemented by bundle
 * {@code dev.ovs.dbus} (configuration PID {@code dev.ovs.ledger}).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.dbus.ledger;
