package dev.ovs.dbus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Authorization hook of the whiteboard exporter (whiteboard pattern: register an OSGi service of this type).
 * Before a member of an exported object runs, the exporter asks every registered authorizer; if one of them
 * does not {@link #permits permit} the call (or throws), the member does not run, nothing is written to the
 * ledger, and the caller gets {@value DbusErrors#ACCESS_DENIED} with the message
 * {@code "<interface>.<member>: not permitted for uid <uid> (<sender>)"} ({@code uid ?} when the uid is not known).
 *
 * <p>{@code dev.ovs.dbus} registers one itself (configuration {@code dev.ovs.dbus}: {@code authz.enabled},
 * default true; {@code authz.group}, default {@code patchbay}): {@link ReadOnly} members are open to every caller;
 * every other member is permitted to root, to the appliance's own uid and to members of the group, and refused to
 * everyone else, including callers whose uid is not known (docs/security.md, "D-Bus"). Further authorizers can
 * only restrict more.
 *
 * <p>Scope: the members of the exported objects' own interfaces (what their Java interfaces declare).
 * {@code org.freedesktop.DBus.Introspectable} and {@code org.freedesktop.DBus.Peer} are answered by dbus-java
 * without asking.
 *
 * <p>Threading: called on the thread that runs the member; for {@link NonBlocking} read-only members that is the
 * connection's reader thread, so an implementation must answer from memory (no I/O, no D-Bus call of its own:
 * the reply could never be read). Many calls run concurrently.
 *
 * @since dev.ovs.dbus 2.0.0
 */
@ConsumerType
public interface DbusAuthorizer {
    /**
     * @param call the call: the caller's unique bus name and credentials ({@link DbusCall#uid()},
     *             {@link DbusCall#groups()}) and whether the member is {@link ReadOnly}
     * @return true to let it run, false to refuse it with {@value DbusErrors#ACCESS_DENIED}
     */
    boolean permits(DbusCall call);
}
