package dev.ovs.dbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a whiteboard D-Bus interface ({@link DbusExport}) as answering from memory, without
 * blocking: no I/O, no waiting on a lock that is held across I/O, no D-Bus call of its own. dev.ovs.dbus may
 * then run its calls on the connection's reader thread and write the reply from there, which saves two thread
 * hand-offs per call (docs/dbus.md, "Inline dispatch"; on the benchmark machine {@code BridgeExists} from another
 * process went from about 170 µs to 106–127 µs p50).
 *
 * <p>Only members that are also {@link ReadOnly} run there: a member that changes something is recorded in the
 * ledger first (a write to disk) and needs its caller's credentials from the bus daemon (a D-Bus call of its own),
 * so it always runs on the method-call pool, annotated or not.
 *
 * <p>While such a call runs, the connection reads nothing else: a slow one delays every other call and signal.
 * As a guard, a member whose calls take longer than 10 ms ten times is logged and dispatched to the method-call pool
 * from then on. Methods without the annotation always run on the pool (up to 4 at a time).
 *
 * <p>The annotation belongs to the interface's contract: it applies to every object exported with a Java
 * interface that declares it, matched by D-Bus interface name ({@link org.freedesktop.dbus.annotations.DBusInterfaceName}
 * or the Java name) and member name ({@link org.freedesktop.dbus.annotations.DBusMemberName} or the method name).
 * Example: members that answer from an in-memory replica of a database. Whether a member changes anything is a separate property ({@link ReadOnly}).
 *
 * @since dev.ovs.dbus 1.1.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonBlocking {
}
