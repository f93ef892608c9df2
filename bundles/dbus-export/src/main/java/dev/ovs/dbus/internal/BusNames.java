package dev.ovs.dbus.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;

/**
 * The well-known bus names owned on the current connection, each counted by the exports (and placeholders) using
 * it: a name is requested ({@code RequestName}) for its first user and released ({@code ReleaseName}) after its
 * last. Not thread-safe: guarded by the {@link Exporter}'s lock.
 */
final class BusNames {
    /** Logs under the exporter's name, as every step of an export does. */
    private static final System.Logger LOG = System.getLogger(Exporter.class.getName());

    private final Map<String, Integer> refs = new HashMap<>();
    /** While true, names are left to the connection's close instead of released one by one. */
    private boolean releaseOnClose;

    /**
     * Takes one reference to {@code name}, requesting it on {@code c} if nothing uses it yet.
     *
     * @param name a well-known bus name
     * @param c    the connection
     * @throws DBusException if the bus refuses the name (owned by another connection, or denied by the policy);
     *                       no reference is taken then
     */
    void acquire(String name, DBusConnection c) throws DBusException {
        if (!refs.containsKey(name)) {
            c.requestBusName(name);
        }
        refs.merge(name, 1, Integer::sum);
    }

    /**
     * Gives back one reference to {@code name}; after the last one the name is released on {@code c} (errors are
     * logged), unless {@code c} is null or names are left to the connection's close.
     *
     * @param name a well-known bus name taken with {@link #acquire}
     * @param c    the connection, null if there is none
     */
    void release(String name, DBusConnection c) {
        int left = refs.merge(name, -1, Integer::sum);
        if (left <= 0) {
            refs.remove(name);
            if (c != null && !releaseOnClose) {
                try {
                    c.releaseBusName(name);
                } catch (DBusException | RuntimeException ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: release " + name + ": " + ex);
                }
            }
        }
    }

    /**
     * @param onClose true: {@link #release} releases no name on the bus (closing the connection releases them all)
     */
    void releaseOnClose(boolean onClose) {
        releaseOnClose = onClose;
    }

    /** @return the names referenced now */
    List<String> names() {
        return new ArrayList<>(refs.keySet());
    }

    /** Forgets every reference without a call on the bus (the connection that owned the names is gone). */
    void clear() {
        refs.clear();
    }
}
