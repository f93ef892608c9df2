/**
 * Patchbay's systemd and systemd-networkd API: {@link dev.ovs.networkd.Systemd} (units and jobs over
 * org.freedesktop.systemd1), {@link dev.ovs.networkd.Networkd} (links over org.freedesktop.network1),
 * {@link dev.ovs.networkd.NetworkFiles} (Patchbay-owned {@code .network}/{@code .netdev} files in
 * {@code network.dir}) with the typed file model {@link dev.ovs.networkd.NetworkdFile}, and link state events
 * on the bus topic {@code network.link.<name>.state} ({@link dev.ovs.networkd.LinkStateChange}), job results
 * on {@code systemd.unit.<name>.job} ({@link dev.ovs.networkd.JobResult}).
 * Bad input is {@link dev.ovs.base.InvalidArgumentException} (before any side effect); other failures are
 * {@link dev.ovs.networkd.NetworkdException}s (a {@link dev.ovs.base.DomainException}) with a
 * {@link dev.ovs.base.ErrorKind}.
 */
@org.osgi.annotation.versioning.Version("2.1.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.networkd;
