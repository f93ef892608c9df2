package dev.ovs.dbus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Authorization hook of the whiteboard exporter (whiteboard pattern: register an OSGi service of this type).
 * Before a member of an exported object runs, the exporter asks every registered authorizer; if one of them
 * does not {@link #permits permit} the call (or throws), the member does not run and the caller gets
 * {@value DbusErrors#ACCESS_DENIED} with the message
 * {@code "<interface>.<member>: not permitted for <sender>"}. With no authorizer registered every call is
 * permitted, and the bus daemon's policy file (docs/dbus.md, "Policy") is the only check.
 *
 * <p>Scope: the members of the exported objects' own interfaces (what their Java interfaces declare).
 * {@code org.freedesktop.DBus.Introspectable} and {@code org.freedesktop.DBus.Peer} are answered by dbus-java
 * without asking.
 *
 * <p>Threading: called on the thread that runs the member; for {@link NonBlocking} members that is the
 * connection's reader thread, so an implementation must answer from memory (no I/O, no D-Bus call of its own:
 * the reply could never be read). Many calls run concurrently.
 *
 * @since dev.ovs.dbus 2.0.0
 */
@ConsumerType
public interface DbusAuthorizer {
    /**
     * @param call the call, with the caller's unique bus name and whether the member is {@link ReadOnly}
     * @return true to let it run, false to refuse it with {@value DbusErrors#ACCESS_DENIED}
     */
    boolean permits(DbusCall call);
}
