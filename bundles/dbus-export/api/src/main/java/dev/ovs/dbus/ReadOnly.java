package dev.ovs.dbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a whiteboard D-Bus interface ({@link DbusExport}) as read-only: a call changes no state
 * that anyone can observe (no database transaction, no link, no file, no log entry). Authorization policies
 * ({@link DbusAuthorizer}) see it as {@link DbusCall#readOnly()}, so a policy such as "everybody may read,
 * only root and group {@code patchbay} may change" needs no list of member names; the built-in one is that policy.
 * Every member without the annotation is mutating: the exporter refuses it to callers outside root, the
 * appliance's uid and the configured group, and records each call in the ledger
 * ({@link dev.ovs.dbus.ledger.Ledger}: the intent before the member runs, the outcome after).
 *
 * <p>Independent of {@link NonBlocking}, which is about latency: a read-only member may block (a read sent to a
 * database server, a file read), and a non-blocking member need not be read-only. Like {@link NonBlocking}, the
 * annotation belongs to the interface's contract and applies to every object exported with it.
 *
 * @since dev.ovs.dbus 2.0.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReadOnly {
}
