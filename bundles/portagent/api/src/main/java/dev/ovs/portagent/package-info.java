/**
 * Patchbay port agent API: ovs-docker-compatible container ports (see {@code /usr/bin/ovs-docker}) as the
 * {@link dev.ovs.portagent.PortAgent} service, its settings ({@link dev.ovs.portagent.PortSettings}), input
 * rules ({@link dev.ovs.portagent.Validate}; interface names follow {@link dev.ovs.base.InterfaceName}),
 * container references ({@link dev.ovs.portagent.ContainerRef}), errors with stable kinds
 * ({@link dev.ovs.portagent.PortAgentException}, a {@link dev.ovs.base.DomainException}; bad input is
 * {@link dev.ovs.base.InvalidArgumentException}) and the ledger ({@link dev.ovs.portagent.LedgerEntry},
 * {@link dev.ovs.portagent.LedgerStats}). Implemented by the bundle {@code dev.ovs.portagent}, which this
 * package never names.
 */
@org.osgi.annotation.versioning.Version("2.1.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.portagent;
