package dev.ovs.dbusjava;

import dev.ovs.dbusjava.internal.InlineDispatcher;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.freedesktop.dbus.connections.base.AbstractConnectionBase;
import org.freedesktop.dbus.messages.MethodCall;

/**
 * Inline dispatch for a dbus-java 5.2.0 connection: selected method calls are answered on the connection's
 * reader thread, and the reply is written from that thread, instead of passing through two thread hand-offs
 * (reader → method-call pool → sender thread). On a round trip through the bus daemon those hand-offs are
 * a large part of the latency (issue 5, docs/benchmarks.md); dbus-java has no option for it.
 *
 * <p>What changes, once {@link #install installed}:
 * <ul>
 * <li>An incoming method call that {@code inline} accepts runs on the reader thread. While it runs, the
 * connection reads nothing else, so only calls that answer from memory belong here: no I/O, no waiting on
 * locks held across I/O, and never a blocking D-Bus call on the same connection (its reply could not be read:
 * deadlock). As a guard, a member whose inline calls take longer than 10 ms ten times is logged and dispatched to
 * the pool from then on ({@link #demoted()}).</li>
 * <li>Every message sent from the reader thread (the reply of an inline call, errors dbus-java sends while
 * dispatching) is written at once on that thread. Messages sent from other threads still go through
 * dbus-java's sender thread, so their order among themselves is unchanged.</li>
 * <li>Everything else (other calls, signals, method returns for this connection's own calls) is dispatched as
 * before.</li>
 * </ul>
 *
 * <p>Requirements: the connection must be connected and use this bundle's socket provider (the default inside
 * the OSGi framework, see {@code dev.ovs.dbusjava.internal.CoalescingSocketProvider}). Otherwise, or if dbus-java's
 * internals are not those of 5.2.0 (the executors are swapped by reflection), nothing is changed and
 * {@link #refusal()} says why; the connection then works exactly as without this class.
 *
 * <p>Source: dbus-java 5.2.0 {@code AbstractConnectionBase} (sender executor, reader thread),
 * {@code ReceivingService} (method-call executor), {@code ConnectionMethodInvocation#queueInvokeMethod}.
 */
public final class InlineDispatch {
    private final InlineDispatcher impl;

    private InlineDispatch(InlineDispatcher impl) {
        this.impl = impl;
    }

    /**
     * Installs inline dispatch on a connection. Call it once per connection, right after it was built and before
     * objects are exported (messages already queued for the sender thread when it is installed may otherwise be
     * overtaken by the reader thread's inline replies).
     *
     * @param connection a connected dbus-java connection, not null
     * @param inline which incoming method calls run on the reader thread (typically by
     *        {@link MethodCall#getInterface()} and {@link MethodCall#getName()}), not null; called on the reader
     *        thread for every incoming method call, must be fast; if it throws, the call goes to the pool
     * @return the result: {@link #installed()} or, if not, {@link #refusal()}
     * @throws NullPointerException if an argument is null
     */
    public static InlineDispatch install(AbstractConnectionBase connection, Predicate<MethodCall> inline) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(inline, "inline");
        return new InlineDispatch(InlineDispatcher.install(connection, inline));
    }

    /** @return whether inline dispatch is in effect on the connection */
    public boolean installed() {
        return impl.refusal() == null;
    }

    /** @return why inline dispatch was not installed, or {@code null} if it was */
    public String refusal() {
        return impl.refusal();
    }

    /** @return how many method calls have run on the reader thread so far (0 if not installed) */
    public long inlineCalls() {
        return impl.inlineCalls();
    }

    /**
     * Members taken off the reader thread because ten of their calls took longer than 10 ms each.
     *
     * @return {@code "interface.member"} strings, empty if none (or not installed)
     */
    public Set<String> demoted() {
        return impl.demoted();
    }
}
