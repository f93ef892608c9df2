package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.MethodCall;

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
 * <p>Its parts: {@link ExportRules} (which services are exported, and which D-Bus interfaces of them),
 * {@link BusNames} (well-known bus names requested and released by reference count), {@link UnavailableObject}
 * (the placeholder), {@link Fallbacks} (swapping the object at an object path with no gap), {@link GraceTimer}
 * (placeholder expiry and bus name retries) and {@link InlineMembers} (the members answered on the reader thread).
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
    private final BusNames names = new BusNames();
    private final Map<String, Placeholder> placeholders = new HashMap<>();
    /** The members answered on the reader thread ({@link #answersInline}); lock-free. */
    private final InlineMembers inline = new InlineMembers();
    private final long graceMs;
    private final Dispatch.Context ctx;
    private final WireErrors wire;
    private final GraceTimer timer = new GraceTimer();
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
        String invalid = ExportRules.validate(object, pathProp, nameProp);
        if (invalid != null) {
            e.state = State.INVALID;
            e.message = invalid;
            LOG.log(Level.WARNING, "dev.ovs.dbus: not exporting service " + id + " of " + e.bundle + ": " + invalid);
            return e.status();
        }
        inline.record(object);
        apply(e);
        return e.status();
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
            stand = UnavailableObject.of(e.object, e.path, wire);
        } catch (RuntimeException | LinkageError ex) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: no placeholder for " + e.path + ": " + ex);
            return false;
        }
        DBusConnection c = connection;
        try {
            Fallbacks.swapIn(c, e.path, stand);
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
        p.expiry = timer.schedule(() -> expire(p), graceMs, TimeUnit.MILLISECONDS);
        LOG.log(Level.DEBUG, "dev.ovs.dbus: " + e.path + " held for " + graceMs + " ms (service " + e.id + " of "
                + e.bundle + " went away)");
        return true;
    }

    /**
     * With replacement grace on, a name another connection holds is asked for again every second while the
     * export wants it (e.g. the previous revision's connection still closing): the name comes back by itself.
     */
    private void retryName(Entry e, DBusConnection c) {
        if (graceMs <= 0) {
            return;
        }
        timer.schedule(() -> {
            synchronized (this) {
                if (entries.get(e.id) == e && e.state == State.NAME_CONFLICT && connection == c) {
                    apply(e);
                }
            }
        }, 1, TimeUnit.SECONDS);
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
        return inline.contains(call);
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
            names.release(p.name, c);
        }
    }

    private void dropAll(boolean live) {
        for (Placeholder p : new ArrayList<>(placeholders.values())) {
            drop(p, live);
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
            names.release(e.name, c);
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
                // the placeholder answers as a fallback while the successor's object replaces it (see Fallbacks#swapIn)
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
                    Fallbacks.remove(c, held.path);
                } catch (RuntimeException ex) {
                    LOG.log(Level.DEBUG, "dev.ovs.dbus: remove placeholder " + held.path + ": " + ex);
                }
                if (held.ownsNameRef) {
                    held.ownsNameRef = false;
                    names.release(held.name, c);
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
                    e.dispatch = Dispatch.proxy(e.object, e.path, ExportRules.dbusInterfaces(e.object.getClass()),
                            ctx);
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
            try {
                names.acquire(e.name, c);
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
            e.ownsNameRef = true;
        }
    }

    /** Exports everything wanted on a new connection, in service id order. */
    @Override
    public synchronized void connected(DBusConnection c) {
        dropAll(false);
        connection = c;
        pathOwner.clear();
        names.clear();
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
        names.clear();
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
        names.releaseOnClose(true);
        try {
            dropAll(true);
            for (Entry e : new ArrayList<>(entries.values())) {
                withdraw(e);
            }
        } finally {
            names.releaseOnClose(false);
        }
        entries.clear();
        timer.shutdown();
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
        List<String> owned = names.names();
        DBusConnection c = connection;
        if (c != null) {
            for (Entry e : entries.values()) {
                if (!e.exported) {
                    continue;
                }
                try {
                    Fallbacks.swapIn(c, e.path, UnavailableObject.of(e.object, e.path, wire));
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
        names.clear();
        connection = null;
        timer.shutdown();
        return owned;
    }

    /** @return the object paths currently held by a placeholder (for status and tests) */
    synchronized List<String> heldPaths() {
        return new ArrayList<>(placeholders.keySet());
    }

    /** @return the status of every service seen, in service id order */
    synchronized List<ExportStatus> exports() {
        List<ExportStatus> out = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            out.add(e.status());
        }
        return out;
    }

    /**
     * @param id the service id
     * @return the service's status, null if it is not known
     */
    synchronized ExportStatus status(long id) {
        Entry e = entries.get(id);
        return e == null ? null : e.status();
    }
}
