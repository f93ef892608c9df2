package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusConnectionListener;
import java.lang.System.Logger.Level;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusSigHandler;
import org.freedesktop.dbus.types.Variant;

/**
 * The credentials of callers, from the bus daemon: {@code org.freedesktop.DBus.GetConnectionCredentials}
 * (D-Bus specification, "Message Bus Messages": {@code UnixUserID}, {@code ProcessID}, {@code UnixGroupIDs}) of a
 * unique name, asked once and kept until the daemon signals the name gone ({@code NameOwnerChanged} with an empty
 * new owner) or the connection goes (at most {@value #MAX} names; beyond that the cache starts over). Without
 * {@code UnixGroupIDs} the groups are read from {@code /proc/<pid>/status} ({@link ProcStatus}) while that process
 * still has the reported uid. Unique names are never reused while a daemon runs, so a cached entry can only be
 * stale in memory, never wrong.
 */
final class Callers implements DbusConnectionListener {
    /** Most unique names kept. */
    static final int MAX = 4096;
    private static final System.Logger LOG = System.getLogger(Callers.class.getName());

    /** Credentials of one unique name; {@link DbusCall#UNKNOWN} where the daemon gave none. */
    record Credentials(long uid, long pid, List<Long> groups) {
        static final Credentials UNKNOWN = new Credentials(DbusCall.UNKNOWN, DbusCall.UNKNOWN, List.of());
    }

    /** What belongs to one connection. */
    private record Bus(DBusConnection connection, DBus daemon, Map<String, Credentials> known) {
    }

    private volatile Bus bus;

    @Override
    public void connected(DBusConnection c) {
        Map<String, Credentials> known = new ConcurrentHashMap<>();
        DBus daemon;
        try {
            daemon = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: no proxy of org.freedesktop.DBus (" + e + "); caller credentials"
                    + " are not known on this connection");
            bus = null;
            return;
        }
        try {
            DBusSigHandler<DBus.NameOwnerChanged> gone = s -> {
                if (s.name.startsWith(":") && s.newOwner.isEmpty()) {
                    known.remove(s.name);
                }
            };
            c.addSigHandler(DBus.NameOwnerChanged.class, gone);
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: cannot watch NameOwnerChanged (" + e + "); caller credentials are"
                    + " kept until the connection goes");
        }
        bus = new Bus(c, daemon, known);
    }

    @Override
    public void disconnected() {
        bus = null;
    }

    /**
     * @param sender a unique name
     * @return its credentials if already known (never blocks), else empty
     */
    Optional<Credentials> cached(String sender) {
        Bus b = bus;
        return b == null || sender == null || sender.isEmpty() ? Optional.empty()
                : Optional.ofNullable(b.known().get(sender));
    }

    /**
     * The credentials of a unique name, asking the bus daemon if they are not known yet (a blocking D-Bus call:
     * never on the connection's reader thread).
     *
     * @param sender a unique name, e.g. {@code :1.42}
     * @return its credentials; {@link Credentials#UNKNOWN} if there is no connection, no sender, or the daemon does
     *         not answer (e.g. the caller is gone)
     */
    Credentials resolve(String sender) {
        Bus b = bus;
        if (b == null || sender == null || sender.isEmpty()) {
            return Credentials.UNKNOWN;
        }
        Credentials c = b.known().get(sender);
        if (c != null) {
            return c;
        }
        Map<String, Variant<?>> m;
        try {
            m = b.daemon().GetConnectionCredentials(sender);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: no credentials for " + sender + ": " + e);
            return Credentials.UNKNOWN;
        }
        c = of(m);
        if (b.known().size() >= MAX) {
            b.known().clear();
        }
        b.known().put(sender, c);
        return c;
    }

    /** Credentials from a {@code GetConnectionCredentials} reply, groups from /proc when the reply has none. */
    static Credentials of(Map<String, Variant<?>> m) {
        long uid = number(m.get("UnixUserID"));
        long pid = number(m.get("ProcessID"));
        TreeSet<Long> groups = new TreeSet<>();
        Variant<?> g = m.get("UnixGroupIDs");
        if (g != null) {
            for (Object o : elements(g.getValue())) {
                if (o instanceof Number n) {
                    groups.add(n.longValue() & 0xffffffffL);
                }
            }
        } else if (uid >= 0 && pid > 0) {
            ProcStatus.of(pid).filter(s -> s.effectiveUid() == uid).ifPresent(s -> groups.addAll(s.groups()));
        }
        return new Credentials(uid, pid, List.copyOf(groups));
    }

    private static long number(Variant<?> v) {
        return v != null && v.getValue() instanceof Number n ? n.longValue() & 0xffffffffL : DbusCall.UNKNOWN;
    }

    private static Collection<?> elements(Object value) {
        if (value instanceof Collection<?> c) {
            return c;
        }
        List<Object> out = new ArrayList<>();
        if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(Array.get(value, i));
            }
        }
        return out;
    }
}
