package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbusjava.InlineDispatch;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.lang.System.Logger.Level;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.MethodCall;

/**
 * Owns one dbus-java {@link DBusConnection} (not shared) and keeps it up: the first attempt is started by
 * {@link #start()} on the connector thread; after a failure or a loss, attempts are repeated on that private
 * thread ({@code dev.ovs.dbus-connector}) with exponential backoff (100 ms doubling to 5 s). A loss is
 * noticed through dbus-java's disconnect callback and a 1 s watchdog on {@code isConnected()}.
 *
 * <p>Listeners are called on the connector thread, one at a time, without holding the connector's lock. A lost
 * connection is closed on a thread of its own, so that a reconnect never waits for it.
 * {@link #close()} closes the connection (which ends dbus-java's own receive threads), stops the
 * connector thread and waits for lost connections still closing.
 */
final class BusConnector implements AutoCloseable {
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5000;
    private static final long WATCHDOG_MS = 1000;
    /** After a handover, how long the old connection stays open for replies to calls already delivered, ms. */
    static final long DRAIN_MS = 250;
    private static final System.Logger LOG = System.getLogger(BusConnector.class.getName());

    private final String address;
    private final Predicate<MethodCall> inline;
    private final List<DbusConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    private final AtomicLong connects = new AtomicLong();
    private final Object lock = new Object();
    /** Threads closing lost connections ({@link #closeInBackground}); joined by {@link #close()}. */
    private final List<Thread> closers = new CopyOnWriteArrayList<>();
    private volatile DBusConnection current;
    /** Inline dispatch of {@link #current} (null while there is none, or if dbus-java refused it). */
    private volatile InlineDispatch currentInline;
    private long backoff = MIN_BACKOFF_MS;
    private ScheduledFuture<?> pendingAttempt;
    /** Longest wait for dbus-java's disconnect in {@link #close()} and the other closes, ms: {@value}. */
    static final long CLOSE_WAIT_MS = 2000;
    private volatile boolean closed;
    private volatile String lastError = "";

    /**
     * A connector whose connections answer some calls on their reader thread; not started.
     *
     * @param address {@code system}, {@code session} or a D-Bus address ({@code unix:path=...})
     * @param inline  which incoming method calls are answered on the connection's reader thread
     *                ({@link InlineDispatch}; the exporter's {@link Exporter#answersInline})
     * @throws IllegalArgumentException if address is null or blank
     */
    BusConnector(String address, Predicate<MethodCall> inline) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address: must be 'system', 'session' or a D-Bus address");
        }
        this.address = address.trim();
        this.inline = inline;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dev.ovs.dbus-connector");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = ex;
    }

    /**
     * Builds a private (not shared) connection for the address: 4 method-call threads, 1 signal thread (keeps
     * signal order), weak references to imported (remote) objects, the disconnect callback installed, and
     * {@link InlineDispatch} for the calls {@link #inline} accepts (kept in {@link #currentInline} by the caller).
     */
    private DBusConnection open(IDisconnectCallback cb, InlineDispatch[] dispatch) throws DBusException {
        DBusConnectionBuilder b;
        switch (address) {
            case "system":
                b = DBusConnectionBuilder.forSystemBus();
                break;
            case "session":
                b = DBusConnectionBuilder.forSessionBus();
                break;
            default:
                b = DBusConnectionBuilder.forAddress(address);
        }
        // weak imports: dbus-java otherwise keeps every proxy getRemoteObject ever returned on this long-lived
        // shared connection (importedObjects), and with it the interface's bundle revision (~190 KiB per
        // update of dev.ovs.networkd, and growth with every call that looks up a remote object)
        DBusConnection c = b.withShared(false)
                .withImportWeakReferences(true)
                .withDisconnectCallback(cb)
                .receivingThreadConfig().withSignalThreadCount(1).withMethodCallThreadCount(4).connectionConfig()
                .build();
        // before anything is exported: @NonBlocking members are answered on the reader thread (two thread
        // hand-offs less per call; issue 5). If dbus-java's internals differ, the connection works as built.
        InlineDispatch d = InlineDispatch.install(c, inline);
        if (!d.installed()) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: every call goes through dbus-java's pool: " + d.refusal());
        }
        dispatch[0] = d;
        return c;
    }

    /**
     * Inline dispatch of the current connection, for diagnostics ({@code dbus:status}) and tests.
     *
     * @return its {@link InlineDispatch} (installed, or with the refusal), empty while there is no connection
     */
    Optional<InlineDispatch> inlineDispatch() {
        DBusConnection c = current;
        InlineDispatch d = currentInline;
        return c != null && c.isConnected() && d != null ? Optional.of(d) : Optional.empty();
    }

    String address() {
        return address;
    }

    /**
     * Starts connecting on the connector thread (never on the caller's: a missing bus makes dbus-java wait
     * seconds, and the caller is usually the framework's start thread), then keeps trying in the background;
     * starts the watchdog.
     */
    void start() {
        executor.execute(() -> {
            synchronized (lock) {
                attempt();
            }
        });
        executor.scheduleWithFixedDelay(this::watchdog, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
    }

    Optional<DBusConnection> connection() {
        DBusConnection c = current;
        return c != null && c.isConnected() ? Optional.of(c) : Optional.empty();
    }

    long connectCount() {
        return connects.get();
    }

    String lastError() {
        return lastError;
    }

    void addListener(DbusConnectionListener l) {
        listeners.add(l);
    }

    void removeListener(DbusConnectionListener l) {
        listeners.remove(l);
    }

    private void attempt() {
        if (closed || current != null) {
            return;
        }
        pendingAttempt = null;
        DBusConnection c;
        InlineDispatch[] dispatch = new InlineDispatch[1];
        try {
            Callback cb = new Callback();
            c = open(cb, dispatch);
            cb.owner = c;
        } catch (DBusException | RuntimeException e) {
            lastError = String.valueOf(e.getMessage());
            LOG.log(backoff == MIN_BACKOFF_MS ? Level.WARNING : Level.DEBUG,
                    "dev.ovs.dbus: cannot connect to D-Bus " + address + " (retry in " + backoff + " ms): " + e);
            scheduleAttempt();
            return;
        }
        if (closed) {
            closeQuietly(c);
            return;
        }
        currentInline = dispatch[0];
        current = c;
        backoff = MIN_BACKOFF_MS;
        lastError = "";
        LOG.log(Level.INFO, "dev.ovs.dbus: connected to D-Bus " + address + " as " + c.getUniqueName());
        for (DbusConnectionListener l : listeners) {
            try {
                l.connected(c);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: connection listener failed", e);
            }
        }
        connects.incrementAndGet(); // after the listeners: a counted connect has its exports in place
    }

    private void scheduleAttempt() {
        if (closed || pendingAttempt != null) {
            return;
        }
        long delay = backoff;
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        try {
            pendingAttempt = executor.schedule(() -> {
                synchronized (lock) {
                    pendingAttempt = null;
                    attempt();
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void watchdog() {
        DBusConnection c = current;
        if (c != null && !c.isConnected()) {
            lost(c, "watchdog: connection no longer connected");
        }
    }

    /**
     * Runs on the connector thread only (the watchdog and the disconnect callback hand over to it), so it never
     * overlaps {@link #attempt()}. The listeners are called without holding {@link #lock}: a listener that blocks
     * (e.g. a D-Bus call on the dropped connection waiting for its reply timeout) must not hold up {@link #close()}
     * on the framework's thread.
     */
    private void lost(DBusConnection c, String why) {
        synchronized (lock) {
            if (c != current || closed) {
                return;
            }
            current = null;
            currentInline = null;
        }
        LOG.log(Level.WARNING, "dev.ovs.dbus: lost D-Bus connection to " + address + " (" + why + "), reconnecting");
        for (DbusConnectionListener l : listeners) {
            try {
                l.disconnected();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: connection listener failed", e);
            }
        }
        closeInBackground(c);
        synchronized (lock) {
            scheduleAttempt();
        }
    }

    /**
     * Closes a lost connection on its own daemon thread ({@code dev.ovs.dbus-close}): dbus-java's close waits up to
     * 10 s for the connection's method-call threads, which may be blocked in calls on the dropped connection (e.g.
     * {@code GetConnectionCredentials} of a caller) until their reply timeout; on the connector thread that wait
     * would keep every export and bus name off the new bus. {@link #close()} waits for these threads.
     */
    private void closeInBackground(DBusConnection c) {
        Thread t = new Thread(() -> closeQuietly(c), "dev.ovs.dbus-close");
        t.setDaemon(true);
        closers.add(t);
        t.start();
        closers.removeIf(x -> !x.isAlive());
    }

    /**
     * Closes a connection, waiting for dbus-java's disconnect at most {@link #CLOSE_WAIT_MS}. The disconnect sends a
     * blocking {@code ReleaseName} for every well-known name the connection requested; when the bus died and the
     * connection has not noticed yet, each of them waits for dbus-java's reply timeout (20 s). So it runs on a thread
     * of its own ({@code dev.ovs.dbus-close}, a daemon thread); one that takes longer finishes in the background and
     * ends with the connection's own threads (a dead bus has dropped the names already).
     */
    private static void closeQuietly(DBusConnection c) {
        Thread t = new Thread(() -> {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                // going away anyway
            }
        }, "dev.ovs.dbus-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: the bus does not answer while the connection closes; finishing the "
                    + "close in the background (it releases each bus name with a call that times out after 20 s)");
        }
    }

    /** Closes the connection and stops the connector thread; idempotent. */
    @Override
    public void close() {
        DBusConnection c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            currentInline = null;
            if (pendingAttempt != null) {
                pendingAttempt.cancel(false);
            }
        }
        executor.shutdownNow();
        if (c != null) {
            for (DbusConnectionListener l : listeners) {
                try {
                    l.disconnected();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "dev.ovs.dbus: connection listener failed", e);
                }
            }
            closeQuietly(c);
        }
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            for (Thread t : closers) {
                t.join(TimeUnit.SECONDS.toMillis(15)); // dbus-java gives its method-call threads 10 s
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops like {@link #close()} but hands the open connection over instead of closing it: each name in
     * {@code names} is re-requested with {@code DBUS_NAME_FLAG_ALLOW_REPLACEMENT} (the bus updates the flags of
     * its primary owner), so the next connection asking with {@code REPLACE_EXISTING} (the updated bundle's)
     * takes it over at once and the name is never without an owner; a daemon thread
     * ({@code dev.ovs.dbus-handover}) closes this connection {@link #DRAIN_MS} after another connection owns
     * every name (replies to calls already delivered still go out), or after {@code maxMs}. Meanwhile its exports (placeholders, see {@link Exporter#holdAllForHandover})
     * keep answering. Listeners are told {@code disconnected()} now.
     *
     * @param names the well-known names the connection owns
     * @param maxMs the longest the connection stays open, in ms
     */
    void closeAfterHandover(java.util.Collection<String> names, long maxMs) {
        DBusConnection c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            currentInline = null;
            if (pendingAttempt != null) {
                pendingAttempt.cancel(false);
            }
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (c == null) {
            return;
        }
        for (DbusConnectionListener l : listeners) {
            try {
                l.disconnected();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: connection listener failed", e);
            }
        }
        if (names.isEmpty() || maxMs <= 0 || !c.isConnected()) {
            closeQuietly(c);
            return;
        }
        List<String> held = new java.util.ArrayList<>(names);
        org.freedesktop.dbus.interfaces.DBus dbus;
        try {
            // now, before this returns: the next revision starts only after this deactivation, and its
            // REPLACE_EXISTING|DO_NOT_QUEUE request must find the names replaceable (else it gets EXISTS and the
            // names vanish when this connection closes)
            dbus = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus",
                    org.freedesktop.dbus.interfaces.DBus.class);
            org.freedesktop.dbus.types.UInt32 flags = new org.freedesktop.dbus.types.UInt32(
                    org.freedesktop.dbus.interfaces.DBus.DBUS_NAME_FLAG_ALLOW_REPLACEMENT
                            | org.freedesktop.dbus.interfaces.DBus.DBUS_NAME_FLAG_DO_NOT_QUEUE);
            // asynchronously, waited for at most CLOSE_WAIT_MS in all: a bus that died unnoticed never answers, and
            // a blocking call would wait dbus-java's reply timeout (20 s) per name
            List<org.freedesktop.dbus.DBusAsyncReply<?>> replies = new java.util.ArrayList<>();
            for (String n : held) {
                replies.add(c.callMethodAsync(dbus, "RequestName", n, flags));
            }
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MS);
            for (org.freedesktop.dbus.DBusAsyncReply<?> r : replies) {
                while (!r.hasReply() && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                if (!r.hasReply()) {
                    throw new DBusException("no answer to RequestName within " + CLOSE_WAIT_MS + " ms");
                }
                r.getReply(); // throws the bus's error, if any
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(c);
            return;
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: handover: " + e);
            closeQuietly(c);
            return;
        }
        Thread t = new Thread(() -> {
            try {
                String me = c.getUniqueName();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
                while (System.nanoTime() < end && c.isConnected()) {
                    boolean mine = false;
                    for (String n : held) {
                        try {
                            mine |= me.equals(dbus.GetNameOwner(n));
                        } catch (RuntimeException noOwner) {
                            // NameHasNoOwner: not ours any more
                        }
                    }
                    if (!mine) {
                        break;
                    }
                    Thread.sleep(20);
                }
                // calls delivered here just before a name moved are still being answered (by placeholders, at
                // once): let them reply before closing, or their callers get NoReply
                Thread.sleep(DRAIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "dev.ovs.dbus: handover: " + e);
            } finally {
                closeQuietly(c);
            }
        }, "dev.ovs.dbus-handover");
        t.setDaemon(true);
        t.start();
    }

    /** dbus-java's disconnect callback: runs on a dbus-java thread, hands over to the connector thread. */
    private final class Callback implements IDisconnectCallback {
        private volatile DBusConnection owner;

        @Override
        public void disconnectOnError(IOException e) {
            handOver("I/O error: " + e.getMessage());
        }

        @Override
        public void exceptionOnTerminate(IOException e) {
            handOver("terminated: " + e.getMessage());
        }

        private void handOver(String why) {
            try {
                executor.execute(() -> {
                    DBusConnection o = owner;
                    if (o != null) {
                        lost(o, why);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }
}
