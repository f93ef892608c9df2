/**
 * OVSDB management protocol client (RFC 7047 plus the ovsdb-server(7) extensions): JSON-RPC connection,
 * schema model, OVSDB JSON value encoding, transaction builder, typed errors and an in-memory replica.
 * Obtain an {@link dev.ovs.ovsdb.OvsdbClient} as an OSGi service (PID {@code dev.ovs.ovsdb}) or with
 * {@link dev.ovs.ovsdb.OvsdbClient#connect(ClientOptions)} outside a framework.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb;
