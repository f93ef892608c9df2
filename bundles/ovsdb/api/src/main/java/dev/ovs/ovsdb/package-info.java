/**
 * OVSDB management protocol client (RFC 7047 plus the ovsdb-server(7) extensions): JSON-RPC connection,
 * schema model, OVSDB JSON value encoding, transaction builder, typed errors ({@link dev.ovs.ovsdb.OvsdbException},
 * a {@link dev.ovs.base.DomainException} with a {@link dev.ovs.base.ErrorKind}) and an in-memory replica.
 * Inside an OSGi framework an {@link dev.ovs.ovsdb.OvsdbClient} is the service of bundle {@code dev.ovs.ovsdb}
 * (PID {@code dev.ovs.ovsdb}); outside one (tests, tools, benchmarks) the implementation bundle's jar makes
 * clients (see docs/ovsdb.md). This package names no implementation class. {@link dev.ovs.ovsdb.TransactionObserver}
 * services hear of every transaction of the client service (outcome, duration; since 2.2.0).
 */
@org.osgi.annotation.versioning.Version("2.2.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb;
