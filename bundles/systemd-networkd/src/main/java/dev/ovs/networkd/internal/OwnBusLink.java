package dev.ovs.networkd.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.networkd.NetworkdException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;

/**
 * A private D-Bus connection of this bundle (used when {@code address} is configured, and in tests): the
 * first attempt in the constructor (on the caller's thread), then a watchdog on one thread ({@code dev.ovs.networkd-dbus}) that
 * checks every {@code periodMs} and reconnects. {@link #close()} closes the connection and the thread.
 */
final class OwnBusLink implements BusLink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OwnBusLink.class.getName());
    private final String address;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile DBusConnection current;
    private volatile String lastError = "not connected yet";
    private volatile boolean closed;

    OwnBusLink(String address, long periodMs) {
        if (address == null || address.isBlank()) {
            throw new InvalidArgumentException("address", "must be 'system', 'session' or a D-Bus address");
        }
        this.address = address.trim();
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dev.ovs.networkd-dbus");
            t.setDaemon(true);
            return t;
        });
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer = ex;
        check();
        timer.scheduleWithFixedDelay(this::check, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void check() {
        if (closed) {
            return;
        }
        DBusConnection c = current;
        if (c != null && c.isConnected()) {
            return;
        }
        if (c != null) {
            current = null;
            closeQuietly(c);
            for (Listener l : listeners) {
                safe(l::disconnected);
            }
        }
        try {
            DBusConnectionBuilder b = switch (address) {
                case "system" -> DBusConnectionBuilder.forSystemBus();
                case "session" -> DBusConnectionBuilder.forSessionBus();
                default -> DBusConnectionBuilder.forAddress(address);
            };
            DBusConnection n = b.withShared(false).receivingThreadConfig().withSignalThreadCount(1)
                    .connectionConfig().build();
            current = n;
            for (Listener l : listeners) {
                safe(() -> l.connected(n));
            }
        } catch (Exception | LinkageError e) {
            lastError = e.toString();
            LOG.log(Level.DEBUG, "dev.ovs.networkd: cannot connect to " + address + ": " + e);
        }
    }

    private static void safe(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.networkd: connection listener failed: " + e, e);
        }
    }

    @Override
    public DBusConnection connection() {
        DBusConnection c = current;
        if (c == null || !c.isConnected()) {
            throw new NetworkdException(ErrorKind.Unavailable,
                    "no D-Bus connection to " + address + " (last error: " + lastError + ")");
        }
        return c;
    }

    @Override
    public synchronized void addListener(Listener l) {
        listeners.add(l);
        DBusConnection c = current;
        if (c != null && c.isConnected()) {
            safe(() -> l.connected(c));
        }
    }

    @Override
    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        DBusConnection c = current;
        current = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(DBusConnection c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            // already gone
        }
    }
}
