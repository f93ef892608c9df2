package dev.ovs.dbus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Observation hook of the whiteboard exporter (whiteboard pattern: register an OSGi service of this type), e.g.
 * for metrics. After every call of a member of an exported object has been answered or refused, the exporter
 * calls every registered observer once with the call, how it ended and how long it took.
 *
 * <p>Scope: the same calls as {@link DbusAuthorizer} (the members of the exported objects' own interfaces;
 * {@code org.freedesktop.DBus.Introspectable} and {@code org.freedesktop.DBus.Peer} are answered by dbus-java and
 * not observed). A call refused by an authorizer or because the ledger could not record it is observed too, with
 * its error name.
 *
 * <p>Threading: called on the thread that ran the member, before the reply is sent; for {@link NonBlocking}
 * read-only members that is the connection's reader thread, so an implementation must return at once (no I/O, no
 * D-Bus call). Many calls run concurrently. An observer that throws is logged and does not change the reply.
 *
 * @since dev.ovs.dbus 2.2.0
 */
@ConsumerType
public interface DbusCallObserver {
    /**
     * @param call      the call (interface, member, caller)
     * @param errorName the D-Bus error name the caller got (e.g. {@value DbusErrors#ACCESS_DENIED},
     *                  {@code org.openvswitch.ovsdb.Error.NotFound}), or null if the member returned normally
     * @param nanos     time from the call reaching the exporter until its result or error was known, ns (&gt;= 0)
     */
    void completed(DbusCall call, String errorName, long nanos);
}
