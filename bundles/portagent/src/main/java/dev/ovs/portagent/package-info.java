/**
 * Patchbay port agent API: ovs-docker-compatible container ports (see {@code /usr/bin/ovs-docker}),
 * input validation ({@link dev.ovs.portagent.Validate}), container references
 * ({@link dev.ovs.portagent.ContainerRef}) and their resolution to network namespaces
 * ({@link dev.ovs.portagent.Container}), errors with stable kinds
 * ({@link dev.ovs.portagent.PortAgentException}), and ledger statistics
 * ({@link dev.ovs.portagent.LedgerStats}).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.portagent;
