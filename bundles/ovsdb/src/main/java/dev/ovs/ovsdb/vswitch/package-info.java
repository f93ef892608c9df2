/**
 * The Open_vSwitch database ({@code vswitch.ovsschema}) as a service: bridges, ports and interfaces with the
 * semantics of ovs-vsctl(8) (may-exist / if-exists, wait/verify guards, optional wait for ovs-vswitchd).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb.vswitch;
