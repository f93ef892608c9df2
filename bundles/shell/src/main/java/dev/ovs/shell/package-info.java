/**
 * Patchbay's administrative shell: the wire protocol of the admin Unix socket and a client for it.
 *
 * <p>The running appliance serves its Gogo shell on {@code <state>/admin.sock} (mode 0600). Only root or
 * the user the appliance runs as may connect (checked with {@code SO_PEERCRED}). {@code bin/patchbay shell}
 * is {@link dev.ovs.shell.AdminClient}. The protocol is described in {@link dev.ovs.shell.AdminProtocol}.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.shell;
