package dev.ovs.dbusjava.internal;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.freedesktop.dbus.connections.base.AbstractConnectionBase;
import org.freedesktop.dbus.connections.base.ReceivingService;
import org.freedesktop.dbus.connections.shared.ExecutorNames;
import org.freedesktop.dbus.connections.transports.AbstractTransport;
import org.freedesktop.dbus.connections.transports.TransportConnection;
import org.freedesktop.dbus.messages.MethodCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implementation of {@link dev.ovs.dbusjava.InlineDispatch}: replaces two executors of a dbus-java 5.2.0
 * connection by ones that run work on the connection's reader thread when that is safe.
 *
 * <ul>
 * <li>The method-call executor ({@code ReceivingService}'s {@link ExecutorNames#METHODCALL} pool) becomes a
 * {@link Calls}: when it is handed the handler of the method call the reader thread has just read
 * ({@link BufferedMessageReader#takeJustRead()}) and the caller's predicate accepts that call, the handler runs
 * at once on the reader thread; everything else goes to the original pool.</li>
 * <li>The sender executor ({@code AbstractConnectionBase.senderService}, one "DBus Sender Thread") becomes a
 * {@link Sends}: a message sent <em>from the reader thread</em> is written at once on that thread (the
 * reply of an inline call, or an error dbus-java sends while dispatching); messages from any other thread
 * still go through the original sender thread. Writes cannot interleave: {@link CoalescingMessageWriter} is
 * synchronized. Sends of other threads never run inline because a failed write makes dbus-java disconnect
 * on the sending thread, and its disconnect waits (up to 10 s) for the receiving pools, which would include a
 * pool thread sending inline.</li>
 * </ul>
 *
 * <p>dbus-java 5.2.0 has no option for either (its executors are private final fields), so they are swapped
 * by reflection. Every precondition is checked first (the fields exist with the expected types, the transport
 * uses this bundle's {@link BufferedMessageReader} and {@link CoalescingMessageWriter}); if one fails nothing
 * is changed and {@link #install} says why.
 */
public final class InlineDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(InlineDispatcher.class);

    /** An inline call that runs longer than this (ns) is slow: 10 ms. */
    static final long SLOW_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * After this many slow calls a member goes to the pool for good. Not 1: a member's first calls are slow
     * anyway (class loading, the first error reply, a GC pause), and that says nothing about its later calls.
     */
    static final int SLOW_LIMIT = 10;

    private final Calls calls;
    private final String refusal;

    private InlineDispatcher(Calls calls, String refusal) {
        this.calls = calls;
        this.refusal = refusal;
    }

    /**
     * Installs inline dispatch on a connected connection (see the class comment).
     *
     * @param connection a connected dbus-java connection, not null
     * @param inline which method calls may run on the reader thread, not null; called on the reader thread for
     *        every incoming method call, must be fast and must not throw
     * @return the installed dispatcher, or one that says why nothing was installed ({@link #refusal()})
     */
    public static InlineDispatcher install(AbstractConnectionBase connection, Predicate<MethodCall> inline) {
        try {
            Field transportField = AbstractConnectionBase.class.getDeclaredField("transport");
            Field senderField = AbstractConnectionBase.class.getDeclaredField("senderService");
            Field receivingField = AbstractConnectionBase.class.getDeclaredField("receivingService");
            Field readerThreadField = AbstractConnectionBase.class.getDeclaredField("readerThread");
            Field executorsField = ReceivingService.class.getDeclaredField("executors");
            for (Field f : List.of(transportField, senderField, receivingField, readerThreadField, executorsField)) {
                f.setAccessible(true);
            }
            AbstractTransport transport = (AbstractTransport) transportField.get(connection);
            TransportConnection tc = transport == null ? null : transport.getTransportConnection();
            if (tc == null || !(tc.getReader() instanceof BufferedMessageReader reader)
                    || !(tc.getWriter() instanceof CoalescingMessageWriter)) {
                return refused("the connection does not use CoalescingSocketProvider's reader and writer");
            }
            Thread readerThread = (Thread) readerThreadField.get(connection);
            ExecutorService sender = (ExecutorService) senderField.get(connection);
            @SuppressWarnings("unchecked")
            Map<ExecutorNames, ExecutorService> executors =
                    (Map<ExecutorNames, ExecutorService>) executorsField.get(receivingField.get(connection));
            ExecutorService pool = executors.get(ExecutorNames.METHODCALL);
            if (readerThread == null || sender == null || pool == null) {
                return refused("dbus-java's reader thread, sender or method-call executor is missing");
            }
            if (sender instanceof Sends || pool instanceof Calls) {
                return refused("already installed on this connection");
            }
            Calls calls = new Calls(pool, reader, inline);
            senderField.set(connection, new Sends(sender, readerThread));
            executors.put(ExecutorNames.METHODCALL, calls);
            return new InlineDispatcher(calls, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return refused("dbus-java internals differ from 5.2.0 (" + e + ")");
        }
    }

    private static InlineDispatcher refused(String why) {
        LOG.warn("inline dispatch not installed: {}", why);
        return new InlineDispatcher(null, why);
    }

    /** @return {@code null} if installed, else why not */
    public String refusal() {
        return refusal;
    }

    /** @return method calls run on the reader thread so far */
    public long inlineCalls() {
        return calls == null ? 0 : calls.inlined.sum();
    }

    /** @return "interface.member" of calls demoted to the pool after {@value #SLOW_LIMIT} calls longer than 10 ms */
    public Set<String> demoted() {
        return calls == null ? Set.of() : Set.copyOf(calls.demoted);
    }

    /**
     * An executor in front of one of dbus-java's: shutting down, termination and waiting are the original's, so
     * dbus-java's disconnect ({@code shutdown}, {@code awaitTermination}, {@code shutdownNow}) works unchanged.
     */
    private abstract static class Fronting extends AbstractExecutorService {
        /** The executor dbus-java created. */
        final ExecutorService original;

        Fronting(ExecutorService original) {
            this.original = original;
        }

        @Override
        public void shutdown() {
            original.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return original.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return original.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return original.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return original.awaitTermination(timeout, unit);
        }
    }

    /** Method-call executor: inline for the call just read when accepted, else the original pool. */
    static final class Calls extends Fronting {
        private final BufferedMessageReader reader;
        private final Predicate<MethodCall> inline;
        final LongAdder inlined = new LongAdder();
        final Set<String> demoted = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> slowCalls = new ConcurrentHashMap<>();

        Calls(ExecutorService pool, BufferedMessageReader reader, Predicate<MethodCall> inline) {
            super(pool);
            this.reader = reader;
            this.inline = inline;
        }

        @Override
        public void execute(Runnable r) {
            MethodCall mc = reader.takeJustRead();
            if (mc != null && (demoted.isEmpty() || !demoted.contains(key(mc))) && accepts(mc)) {
                inlined.increment(); // before the reply goes out: whoever got the reply sees the count
                long t0 = System.nanoTime();
                try {
                    r.run();
                } catch (Throwable t) { // never let a handler end the reader thread
                    LOG.warn("inline method call {} failed", key(mc), t);
                }
                long took = System.nanoTime() - t0;
                if (took > SLOW_NS) {
                    slow(key(mc), took);
                }
                return;
            }
            original.execute(r);
        }

        /** Counts a slow inline call; the {@value #SLOW_LIMIT}th of a member demotes it to the pool. */
        private void slow(String key, long took) {
            int n = slowCalls.merge(key, 1, Integer::sum);
            if (n == SLOW_LIMIT && demoted.add(key)) {
                LOG.warn("{} took more than {} ms on the D-Bus reader thread {} times (last {} ms); its calls go to "
                        + "dbus-java's method-call pool from now on", key, SLOW_NS / 1_000_000, n, took / 1_000_000);
            }
        }

        private boolean accepts(MethodCall mc) {
            try {
                return inline.test(mc);
            } catch (RuntimeException e) {
                LOG.warn("inline predicate failed for {}", key(mc), e);
                return false;
            }
        }

        private static String key(MethodCall mc) {
            return mc.getInterface() + "." + mc.getName();
        }
    }

    /** Sender executor: inline on the reader thread, else the original sender thread. */
    static final class Sends extends Fronting {
        private final Thread readerThread;

        Sends(ExecutorService sender, Thread readerThread) {
            super(sender);
            this.readerThread = readerThread;
        }

        @Override
        public void execute(Runnable r) {
            if (Thread.currentThread() == readerThread) {
                if (original.isShutdown()) {
                    throw new java.util.concurrent.RejectedExecutionException("D-Bus connection is closing");
                }
                r.run();
            } else {
                original.execute(r);
            }
        }
    }
}
