package dev.ovs.dbus.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.utils.DBusNamingUtil;
import org.freedesktop.dbus.utils.DBusObjects;

/**
 * The whiteboard state machine: the wanted exports (one per OSGi service, keyed by service id) and what is
 * actually exported on the current connection. All methods are synchronized; D-Bus calls
 * ({@code RequestName}, {@code ReleaseName}) are made while holding the lock, so a state change is
 * complete when the method returns.
 *
 * <p>What is exported for a service is not the service object itself but a {@link Dispatch} proxy of the same
 * D-Bus interfaces: it takes the caller's credentials, asks the {@link dev.ovs.dbus.DbusAuthorizer}s, records a
 * mutating call in the ledger, runs the service's method and turns whatever it throws into the D-Bus error of
 * {@link DbusErrors#map} (the one exception mapping), with the error's name on the wire ({@link WireErrors}).
 *
 * <p>Replacement grace: when an exported service goes away while the connection stays (its bundle is
 * stopped or updated), its path and bus name are kept for {@code graceMs} by a placeholder object that
 * implements the same D-Bus interfaces and answers every call with {@code <namespace>.Unavailable}, the
 * namespace its interface declares ({@link dev.ovs.dbus.ErrorNamespace}, {@link DbusErrors#namespaceOf}). A
 * service registering the same path in that time takes the path and name over without the name ever being
 * released, so a client calling
 * through a bundle update sees {@code Unavailable} for a moment, never {@code ServiceUnknown}. When the
 * time is up the placeholder is unexported and the name released. A service whose bundle is uninstalled has no
 * successor coming: {@link #bundleUninstalled(long)} (the framework's {@code UNINSTALLED} bundle event) releases its
 * placeholders at once. The placeholders' timer thread ({@code dev.ovs.dbus-grace}) exists only while a
 * placeholder does (1 s keep-alive).
 *
 * <p>Outside OSGi (tests), call {@link #add}, {@link #remove} and the listener methods directly.
 */
final class Exporter implements DbusConnectionListener {
    private static final System.Logger LOG = System.getLogger(Exporter.class.getName());

    private static final class Entry {
        final long id;
        final long bundleId;
        final String bundle;
        final Object object;
        final String path;
        final String name;
        /** What is exported for {@link #object} ({@link Dispatch}), made when it is first exported. */
        DBusInterface dispatch;
        State state;
        String message = "";
        boolean exported;
        boolean ownsNameRef;

        Entry(long id, long bundleId, String bundle, Object object, String path, String name) {
            this.id = id;
            this.bundleId = bundleId;
            this.bundle = bundle;
            this.object = object;
            this.path = path;
            this.name = name;
        }

        ExportStatus status() {
            return new ExportStatus(id, bundle, path, name, state, message);
        }
    }

    /** A removed service's path (and name) held for a successor; see the class comment. */
    private static final class Placeholder {
        final long bundleId;
        final String path;
        final String name;
        final DBusInterface object;
        boolean ownsNameRef;
        ScheduledFuture<?> expiry;

        Placeholder(long bundleId, String path, String name, DBusInterface object, boolean ownsNameRef) {
            this.bundleId = bundleId;
            this.path = path;
            this.name = name;
            this.object = object;
            this.ownsNameRef = ownsNameRef;
        }
    }

    /** {@link #pathOwner} value of a path held by a placeholder. */
    private static final long PLACEHOLDER = -1;

    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private final Map<String, Long> pathOwner = new HashMap<>();
    private final Map<String, Integer> nameRefs = new HashMap<>();
    private final Map<String, Placeholder> placeholders = new HashMap<>();
    /**
     * D-Bus interface name → names of its {@link NonBlocking} {@link ReadOnly} members, of every service seen. Only
     * grows (a few strings; no class references, so no bundle revision is kept).
     */
    private final Map<String, Set<String>> nonBlocking = new ConcurrentHashMap<>();

    {
        // answered by dbus-java itself from memory on every exported object (its GlobalHandler)
        nonBlocking.computeIfAbsent("org.freedesktop.DBus.Peer", k -> ConcurrentHashMap.newKeySet()).add("Ping");
    }
    private final long graceMs;
    private final Dispatch.Context ctx;
    /** True inside {@link #clear()}: names are left to the connection's close instead of released one by one. */
    private boolean releaseOnClose;
    private final WireErrors wire;
    private ScheduledThreadPoolExecutor timer;
    private DBusConnection connection;

    /**
     * An exporter without replacement grace (services are unexported the moment they go away), no authorizer, no
     * ledger.
     */
    Exporter() {
        this(0, Dispatch.Context.open());
    }

    /**
     * @param graceMs how long a removed service's path and bus name are held for a successor, in ms (0: not at all)
     * @param ctx     what every call uses: authorizers, credentials, ledger, call context, error classes
     * @throws IllegalArgumentException if graceMs is negative
     */
    Exporter(long graceMs, Dispatch.Context ctx) {
        if (graceMs < 0) {
            throw new IllegalArgumentException("unexport.grace.ms: must be >= 0, got " + graceMs);
        }
        this.graceMs = graceMs;
        this.ctx = ctx;
        this.wire = ctx.wire();
    }

    /**
     * Adds (or replaces) the export of one service of no known bundle (outside a framework).
     *
     * @param id       the service id (unique key)
     * @param bundle   a name for the registrant
     * @param object   the service object
     * @param pathProp value of {@value DbusExport#OBJECT_PATH}
     * @param nameProp value of {@value DbusExport#BUS_NAME}, may be null
     * @return the resulting status
     */
    synchronized ExportStatus add(long id, String bundle, Object object, Object pathProp, Object nameProp) {
        return add(id, -1, bundle, object, pathProp, nameProp);
    }

    /**
     * Adds (or replaces) the export of one service.
     *
     * @param id       the service id (unique key)
     * @param bundleId the registering bundle's id ({@link #bundleUninstalled(long)}), -1 if none
     * @param bundle   the registering bundle's symbolic name
     * @param object   the service object
     * @param pathProp value of {@value DbusExport#OBJECT_PATH}
     * @param nameProp value of {@value DbusExport#BUS_NAME}, may be null
     * @return the resulting status
     */
    synchronized ExportStatus add(long id, long bundleId, String bundle, Object object, Object pathProp,
            Object nameProp) {
        if (entries.containsKey(id)) {
            remove(id);
        }
        String path = pathProp == null ? "" : String.valueOf(pathProp);
        String name = nameProp == null ? null : String.valueOf(nameProp);
        Entry e = new Entry(id, bundleId, bundle == null ? "?" : bundle, object, path, name);
        entries.put(id, e);
        String invalid = validate(object, pathProp, nameProp);
        if (invalid != null) {
            e.state = State.INVALID;
            e.message = invalid;
            LOG.log(Level.WARNING, "dev.ovs.dbus: not exporting service " + id + " of " + e.bundle + ": " + invalid);
            return e.status();
        }
        recordNonBlocking(object);
        apply(e);
        return e.status();
    }

    static String validate(Object object, Object pathProp, Object nameProp) {
        if (!(pathProp instanceof String)) {
            return DbusExport.OBJECT_PATH + ": must be a String, got "
                    + (pathProp == null ? "nothing" : pathProp.getClass().getSimpleName());
        }
        if (!DBusObjects.validateObjectPath((String) pathProp)) {
            return DbusExport.OBJECT_PATH + ": not a valid D-Bus object path (D-Bus specification, "
                    + "'Valid Object Paths': '/' followed by '/'-separated elements of [A-Za-z0-9_]): " + pathProp;
        }
        if (nameProp != null) {
            if (!(nameProp instanceof String)) {
                return DbusExport.BUS_NAME + ": must be a String, got " + nameProp.getClass().getSimpleName();
            }
            String n = (String) nameProp;
            if (!isWellKnownBusName(n)) {
                return DbusExport.BUS_NAME + ": not a valid well-known bus name (D-Bus specification, "
                        + "'Valid Bus Names': 2+ '.'-separated elements of [A-Za-z0-9_-], not starting with a digit, "
                        + "at most 255 characters): " + n;
            }
        }
        if (!(object instanceof DBusInterface)) {
            return "service object " + (object == null ? "null" : object.getClass().getName())
                    + " does not implement org.freedesktop.dbus.interfaces.DBusInterface"
                    + " (of bundle dev.ovs.thirdparty.dbus-java)";
        }
        return null;
    }

    /**
     * Well-known bus name rules of the D-Bus specification ("Valid Bus Names"): at most 255 characters, two or
     * more non-empty '.'-separated elements of [A-Za-z0-9_-], no element starting with a digit, no ':'.
     */
    static boolean isWellKnownBusName(String n) {
        if (n == null || n.isEmpty() || n.length() > 255 || n.startsWith(".") || n.endsWith(".")) {
            return false;
        }
        String[] parts = n.split("\\.", -1);
        if (parts.length < 2) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || Character.isDigit(p.charAt(0))) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
                        || c == '-';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Removes the export of one service: exports a service that was waiting for the same path; otherwise,
     * with replacement grace, holds path and name with a placeholder; otherwise unexports it and releases
     * its bus name if it was the last user.
     *
     * @param id the service id
     */
    synchronized void remove(long id) {
        Entry e = entries.remove(id);
        if (e == null) {
            return;
        }
        Entry waiter = null;
        if (e.state != State.INVALID && connection != null) {
            for (Entry w : entries.values()) {
                if (w.state == State.PATH_CONFLICT && w.path.equals(e.path)) {
                    waiter = w;
                    break;
                }
            }
        }
        if (waiter == null && graceMs > 0 && connection != null && e.exported && hold(e)) {
            return;
        }
        withdraw(e);
        if (waiter != null) {
            apply(waiter);
        }
    }

    /** Replaces e's object by a placeholder; false (nothing changed) when that is not possible. */
    private boolean hold(Entry e) {
        DBusInterface stand;
        try {
            stand = placeholderFor(e.object, e.path);
        } catch (RuntimeException | LinkageError ex) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: no placeholder for " + e.path + ": " + ex);
            return false;
        }
        DBusConnection c = connection;
        try {
            swapIn(c, e.path, stand);
        } catch (DBusException | RuntimeException ex) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: placeholder for " + e.path + ": " + ex);
            e.exported = true; // withdraw() unexports whatever is there and releases the name
            return false;
        }
        Placeholder p = new Placeholder(e.bundleId, e.path, e.name, stand, e.ownsNameRef);
        e.exported = false;
        e.ownsNameRef = false;
        pathOwner.put(e.path, PLACEHOLDER);
        placeholders.put(e.path, p);
        p.expiry = timer().schedule(() -> expire(p), graceMs, TimeUnit.MILLISECONDS);
        LOG.log(Level.DEBUG, "dev.ovs.dbus: " + e.path + " held for " + graceMs + " ms (service " + e.id + " of "
                + e.bundle + " went away)");
        return true;
    }

    /** The grace timer (placeholder expiry, name retries), started on first use; its thread ends when idle. */
    private ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dev.ovs.dbus-grace");
                t.setDaemon(true);
                return t;
            });
            timer.setKeepAliveTime(1, TimeUnit.SECONDS);
            timer.allowCoreThreadTimeOut(true);
            timer.setRemoveOnCancelPolicy(true);
        }
        return timer;
    }

    /**
     * With replacement grace on, a name another connection holds is asked for again every second while the
     * export wants it (e.g. the previous revision's connection still closing): the name comes back by itself.
     */
    private void retryName(Entry e, DBusConnection c) {
        if (graceMs <= 0) {
            return;
        }
        timer().schedule(() -> {
            synchronized (this) {
                if (entries.get(e.id) == e && e.state == State.NAME_CONFLICT && connection == c) {
                    apply(e);
                }
            }
        }, 1, TimeUnit.SECONDS);
    }

    /**
     * Replaces what is exported at {@code path} by {@code stand} with no instant in which a call finds nothing:
     * dbus-java dispatches to the exported object, else to a fallback; so the placeholder is a fallback while
     * the old object is unexported and the placeholder exported (introspection of a fallback is malformed in
     * dbus-java 5.2.0, so it does not stay one).
     */
    private static void swapIn(DBusConnection c, String path, DBusInterface stand) throws DBusException {
        c.addFallback(path, stand);
        try {
            c.unExportObject(path);
            c.exportObject(path, stand);
        } finally {
            removeFallback(c, path);
        }
    }

    /**
     * {@code DBusConnection.removeFallback} of dbus-java 5.2.0 removes nothing: its FallbackContainer keys the
     * map by {@code path.split("/")} arrays, and {@code remove} looks up a new array (identity). The entry, and
     * with it the placeholder and its bundle revision's class loader, would stay forever and keep answering
     * for the path. So the entry is also removed from that map by key contents.
     */
    static void removeFallback(DBusConnection c, String path) {
        c.removeFallback(path);
        try {
            Object container = null;
            for (Class<?> k = c.getClass(); k != null && container == null; k = k.getSuperclass()) {
                for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                    if (f.getName().equals("fallbackContainer")) {
                        f.setAccessible(true);
                        container = f.get(c);
                    }
                }
            }
            if (container == null) {
                return;
            }
            java.lang.reflect.Field m = container.getClass().getDeclaredField("fallbacks");
            m.setAccessible(true);
            String[] key = path.split("/");
            synchronized (container) {
                ((Map<?, ?>) m.get(container)).keySet().removeIf(k -> k instanceof String[] a && java.util.Arrays.equals(a, key));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: cannot clean dbus-java's fallback map for " + path + ": " + e);
        }
    }

    /** @return how many fallbacks the connection holds (tests: none may be left behind) */
    static int fallbackCount(DBusConnection c) throws ReflectiveOperationException {
        for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
            for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                if (f.getName().equals("fallbackContainer")) {
                    f.setAccessible(true);
                    Object container = f.get(c);
                    java.lang.reflect.Field m = container.getClass().getDeclaredField("fallbacks");
                    m.setAccessible(true);
                    return ((Map<?, ?>) m.get(container)).size();
                }
            }
        }
        return -1;
    }

    /**
     * A DBusInterface implementing every D-Bus interface of {@code object} whose members all fail with
     * the interface's Unavailable error ({@code <namespace>.Unavailable}).
     */
    private DBusInterface placeholderFor(Object object, String path) {
        Set<Class<?>> ifaces = dbusInterfaces(object.getClass());
        if (ifaces.isEmpty()) {
            throw new IllegalArgumentException("no DBusInterface on " + object.getClass().getName());
        }
        InvocationHandler h = (proxy, m, args) -> {
            switch (m.getName()) {
                case "getObjectPath":
                    return path;
                case "isRemote":
                    return false;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "toString":
                    return "placeholder for " + path;
                default:
                    String msg = "the service at " + path + " is being replaced (bundle updated or stopped); retry";
                    throw wire.onWire(DbusErrors.of(DbusErrors.namespaceOf(m.getDeclaringClass()),
                            ErrorKind.Unavailable, msg));
            }
        };
        return (DBusInterface) Proxy.newProxyInstance(object.getClass().getClassLoader(),
                ifaces.toArray(Class<?>[]::new), h);
    }

    /** The DBusInterface sub-interfaces a class (or a superclass) implements directly, in declaration order. */
    private static Set<Class<?>> dbusInterfaces(Class<?> type) {
        Set<Class<?>> ifaces = new LinkedHashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (DBusInterface.class.isAssignableFrom(i)) {
                    ifaces.add(i);
                }
            }
        }
        return ifaces;
    }

    /**
     * Records the members of the object's D-Bus interfaces that are both {@link NonBlocking} and {@link ReadOnly}
     * (D-Bus interface name → member names, as dbus-java names them on the bus). A mutating member never runs on
     * the reader thread: its caller's credentials may need a D-Bus call, and its ledger entry a write to disk.
     */
    private void recordNonBlocking(Object object) {
        for (Class<?> i : dbusInterfaces(object.getClass())) {
            for (Method m : i.getMethods()) {
                if (m.isAnnotationPresent(NonBlocking.class) && m.isAnnotationPresent(ReadOnly.class)) {
                    nonBlocking.computeIfAbsent(DBusNamingUtil.getInterfaceName(m.getDeclaringClass()),
                            k -> ConcurrentHashMap.newKeySet()).add(DBusNamingUtil.getMethodName(m));
                }
            }
        }
    }

    /**
     * Whether an incoming method call may be answered on the connection's reader thread: its interface and
     * member are those of a {@link NonBlocking} {@link ReadOnly} method of an object exported (now or earlier) by
     * this exporter,
     * or it is {@code org.freedesktop.DBus.Peer.Ping} (answered by dbus-java).
     * Called by dbus-java's reader thread for every incoming call (dev.ovs.dbusjava.InlineDispatch); lock-free.
     *
     * @param call the incoming call
     * @return {@code true} if the call names its interface and that member is {@link NonBlocking} and
     *         {@link ReadOnly}
     */
    boolean answersInline(MethodCall call) {
        String iface = call.getInterface();
        Set<String> members = iface == null ? null : nonBlocking.get(iface);
        return members != null && members.contains(call.getName());
    }

    /**
     * A bundle was uninstalled: no successor of its services is coming, so the placeholders holding their paths
     * and names are removed now (unexported, names released) instead of when the grace is over.
     *
     * @param bundleId the uninstalled bundle's id
     */
    synchronized void bundleUninstalled(long bundleId) {
        for (Placeholder p : new ArrayList<>(placeholders.values())) {
            if (p.bundleId == bundleId && bundleId >= 0) {
                drop(p, true);
                LOG.log(Level.DEBUG, "dev.ovs.dbus: " + p.path + " released (bundle " + bundleId + " uninstalled)");
            }
        }
    }

    private synchronized void expire(Placeholder p) {
        if (placeholders.get(p.path) != p) {
            return;
        }
        drop(p, true);
        LOG.log(Level.DEBUG, "dev.ovs.dbus: " + p.path + " released (no successor within " + graceMs + " ms)");
    }

    /** Removes a placeholder: unexports it and releases its name reference (unexport/release only if live). */
    private void drop(Placeholder p, boolean live) {
        placeholders.remove(p.path);
        if (p.expiry != null) {
            p.expiry.cancel(false);
        }
        if (pathOwner.get(p.path) != null && pathOwner.get(p.path) == PLACEHOLDER) {
            pathOwner.remove(p.path);
        }
        DBusConnection c = live ? connection : null;
        if (c != null) {
            try {
                c.unExportObject(p.path);
            } catch (RuntimeException ex) {
                LOG.log(Level.DEBUG, "dev.ovs.dbus: unexport placeholder " + p.path + ": " + ex);
            }
        }
        if (p.ownsNameRef) {
            p.ownsNameRef = false;
            releaseNameRef(p.name, c);
        }
    }

    private void dropAll(boolean live) {
        for (Placeholder p : new ArrayList<>(placeholders.values())) {
            drop(p, live);
        }
    }

    private void releaseNameRef(String name, DBusConnection c) {
        int left = nameRefs.merge(name, -1, Integer::sum);
        if (left <= 0) {
            nameRefs.remove(name);
            if (c != null && !releaseOnClose) {
                try {
                    c.releaseBusName(name);
                } catch (DBusException | RuntimeException ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: release " + name + ": " + ex);
                }
            }
        }
    }

    private void withdraw(Entry e) {
        DBusConnection c = connection;
        if (e.exported) {
            pathOwner.remove(e.path);
            e.exported = false;
            if (c != null) {
                try {
                    c.unExportObject(e.path);
                } catch (RuntimeException ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: unexport " + e.path + ": " + ex);
                }
            }
        }
        if (e.ownsNameRef) {
            e.ownsNameRef = false;
            releaseNameRef(e.name, c);
        }
    }

    private void apply(Entry e) {
        DBusConnection c = connection;
        if (c == null) {
            e.state = State.PENDING;
            e.message = "not connected to the bus";
            return;
        }
        Placeholder held = placeholders.remove(e.path);
        if (held != null) {
            // a successor: takes the path over (its export below wins over the placeholder fallback, which is
            // removed after it) and keeps the name if it is the same one (never released meanwhile)
            if (held.expiry != null) {
                held.expiry.cancel(false);
            }
            pathOwner.remove(e.path);
            if (held.ownsNameRef && held.name.equals(e.name)) {
                held.ownsNameRef = false;
                e.ownsNameRef = true; // the placeholder's reference, handed over
            }
            try {
                // the placeholder answers as a fallback while the successor's object replaces it (see swapIn)
                c.addFallback(held.path, held.object);
                c.unExportObject(held.path);
            } catch (DBusException | RuntimeException ex) {
                LOG.log(Level.DEBUG, "dev.ovs.dbus: take over " + held.path + ": " + ex);
            }
        }
        try {
            applyExport(e, c);
        } finally {
            if (held != null) {
                try {
                    removeFallback(c, held.path);
                } catch (RuntimeException ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: remove placeholder " + held.path + ": " + ex);
                }
                if (held.ownsNameRef) {
                    held.ownsNameRef = false;
                    releaseNameRef(held.name, c);
                }
            }
        }
    }

    private void applyExport(Entry e, DBusConnection c) {
        Long owner = pathOwner.get(e.path);
        if (owner != null && owner != e.id) {
            e.state = State.PATH_CONFLICT;
            e.message = "object path " + e.path + " is already exported for service " + owner;
            LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
            return;
        }
        if (!e.exported) {
            try {
                if (e.dispatch == null) {
                    e.dispatch = Dispatch.proxy(e.object, e.path, dbusInterfaces(e.object.getClass()), ctx);
                }
                c.exportObject(e.path, e.dispatch);
            } catch (DBusException | RuntimeException ex) {
                e.state = State.FAILED;
                e.message = "cannot export (dbus-java refused the interfaces, or no proxy of them): " + ex;
                LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
                return;
            }
            e.exported = true;
            pathOwner.put(e.path, e.id);
        }
        boolean retrying = e.state == State.NAME_CONFLICT;
        e.state = State.EXPORTED;
        e.message = "";
        if (e.name != null && !e.ownsNameRef) {
            if (!nameRefs.containsKey(e.name)) {
                try {
                    c.requestBusName(e.name);
                } catch (DBusException | RuntimeException ex) {
                    e.state = State.NAME_CONFLICT;
                    e.message = "cannot own bus name " + e.name + " (owned by another connection, or denied by "
                            + "the bus policy): " + ex.getMessage() + "; exported under " + c.getUniqueName();
                    if (!retrying) {
                        LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
                    }
                    retryName(e, c);
                    return;
                }
            }
            nameRefs.merge(e.name, 1, Integer::sum);
            e.ownsNameRef = true;
        }
    }

    /** Exports everything wanted on a new connection, in service id order. */
    @Override
    public synchronized void connected(DBusConnection c) {
        dropAll(false);
        connection = c;
        pathOwner.clear();
        nameRefs.clear();
        for (Entry e : entries.values()) {
            e.exported = false;
            e.ownsNameRef = false;
        }
        for (Entry e : entries.values()) {
            if (e.state != State.INVALID) {
                apply(e);
            }
        }
    }

    /** Marks everything pending (the old connection's exports and names died with it). */
    @Override
    public synchronized void disconnected() {
        dropAll(false);
        connection = null;
        pathOwner.clear();
        nameRefs.clear();
        for (Entry e : entries.values()) {
            e.exported = false;
            e.ownsNameRef = false;
            if (e.state != State.INVALID) {
                e.state = State.PENDING;
                e.message = "not connected to the bus";
            }
        }
    }

    /**
     * Unexports everything and forgets all entries (component deactivation; the connection is closed right after).
     * The names are not released one by one: closing the connection releases them, and a {@code ReleaseName} call
     * on a bus that died unnoticed would wait dbus-java's reply timeout (20 s) per name.
     */
    synchronized void clear() {
        releaseOnClose = true;
        try {
            dropAll(true);
            for (Entry e : new ArrayList<>(entries.values())) {
                withdraw(e);
            }
        } finally {
            releaseOnClose = false;
        }
        entries.clear();
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /**
     * Handover (this component is deactivated while the connection stays up, e.g. its bundle is updated):
     * replaces every export by a placeholder answering Unavailable, keeps every name, and forgets all
     * state without touching the connection further; the caller hands the connection to
     * {@link BusConnector#closeAfterHandover}.
     *
     * @return the well-known names this connection owns
     */
    synchronized List<String> holdAllForHandover() {
        List<String> names = new ArrayList<>(nameRefs.keySet());
        DBusConnection c = connection;
        if (c != null) {
            for (Entry e : entries.values()) {
                if (!e.exported) {
                    continue;
                }
                try {
                    swapIn(c, e.path, placeholderFor(e.object, e.path));
                } catch (DBusException | RuntimeException | LinkageError ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: handover placeholder for " + e.path + ": " + ex);
                }
            }
        }
        for (Placeholder p : placeholders.values()) {
            if (p.expiry != null) {
                p.expiry.cancel(false);
            }
        }
        placeholders.clear();
        entries.clear();
        pathOwner.clear();
        nameRefs.clear();
        connection = null;
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        return names;
    }

    /** @return the object paths currently held by a placeholder (for status and tests) */
    synchronized List<String> heldPaths() {
        return new ArrayList<>(placeholders.keySet());
    }

    synchronized List<ExportStatus> exports() {
        List<ExportStatus> out = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            out.add(e.status());
        }
        return out;
    }

    synchronized ExportStatus status(long id) {
        Entry e = entries.get(id);
        return e == null ? null : e.status();
    }
}
