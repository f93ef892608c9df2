package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusExport;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ExportStatus.State;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.utils.DBusObjects;

/**
 * The whiteboard state machine: the wanted exports (one per OSGi service, keyed by service id) and what is
 * actually exported on the current connection. All methods are synchronized; D-Bus calls
 * ({@code RequestName}, {@code ReleaseName}) are made while holding the lock, so a state change is
 * complete when the method returns.
 *
 * <p>Outside OSGi (tests), call {@link #add}, {@link #remove} and the listener methods directly.
 */
final class Exporter implements DbusConnectionListener {
    private static final System.Logger LOG = System.getLogger(Exporter.class.getName());

    private static final class Entry {
        final long id;
        final String bundle;
        final Object object;
        final String path;
        final String name;
        State state;
        String message = "";
        boolean exported;
        boolean ownsNameRef;

        Entry(long id, String bundle, Object object, String path, String name) {
            this.id = id;
            this.bundle = bundle;
            this.object = object;
            this.path = path;
            this.name = name;
        }

        ExportStatus status() {
            return new ExportStatus(id, bundle, path, name, state, message);
        }
    }

    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private final Map<String, Long> pathOwner = new HashMap<>();
    private final Map<String, Integer> nameRefs = new HashMap<>();
    private DBusConnection connection;

    /**
     * Adds (or replaces) the export of one service.
     *
     * @param id       the service id (unique key)
     * @param bundle   the registering bundle's symbolic name
     * @param object   the service object
     * @param pathProp value of {@value DbusExport#OBJECT_PATH}
     * @param nameProp value of {@value DbusExport#BUS_NAME}, may be null
     * @return the resulting status
     */
    synchronized ExportStatus add(long id, String bundle, Object object, Object pathProp, Object nameProp) {
        if (entries.containsKey(id)) {
            remove(id);
        }
        String path = pathProp == null ? "" : String.valueOf(pathProp);
        String name = nameProp == null ? null : String.valueOf(nameProp);
        Entry e = new Entry(id, bundle == null ? "?" : bundle, object, path, name);
        entries.put(id, e);
        String invalid = validate(object, pathProp, nameProp);
        if (invalid != null) {
            e.state = State.INVALID;
            e.message = invalid;
            LOG.log(Level.WARNING, "dev.ovs.dbus: not exporting service " + id + " of " + e.bundle + ": " + invalid);
            return e.status();
        }
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
     * Removes the export of one service: unexports it, releases its bus name if it was the last user, and
     * exports a service that was waiting for the same path.
     *
     * @param id the service id
     */
    synchronized void remove(long id) {
        Entry e = entries.remove(id);
        if (e == null) {
            return;
        }
        withdraw(e);
        if (e.state != State.INVALID && connection != null) {
            for (Entry w : entries.values()) {
                if (w.state == State.PATH_CONFLICT && w.path.equals(e.path)) {
                    apply(w);
                    break;
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
            int left = nameRefs.merge(e.name, -1, Integer::sum);
            if (left <= 0) {
                nameRefs.remove(e.name);
                if (c != null) {
                    try {
                        c.releaseBusName(e.name);
                    } catch (DBusException | RuntimeException ex) {
                        LOG.log(Level.DEBUG, "dev.ovs.dbus: release " + e.name + ": " + ex);
                    }
                }
            }
        }
    }

    private void apply(Entry e) {
        DBusConnection c = connection;
        if (c == null) {
            e.state = State.PENDING;
            e.message = "not connected to the bus";
            return;
        }
        Long owner = pathOwner.get(e.path);
        if (owner != null && owner != e.id) {
            e.state = State.PATH_CONFLICT;
            e.message = "object path " + e.path + " is already exported for service " + owner;
            LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
            return;
        }
        if (!e.exported) {
            try {
                c.exportObject(e.path, (DBusInterface) e.object);
            } catch (DBusException | RuntimeException ex) {
                e.state = State.FAILED;
                e.message = "dbus-java refused the export: " + ex;
                LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
                return;
            }
            e.exported = true;
            pathOwner.put(e.path, e.id);
        }
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
                    LOG.log(Level.WARNING, "dev.ovs.dbus: service " + e.id + " of " + e.bundle + ": " + e.message);
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

    /** Unexports everything and forgets all entries (component deactivation). */
    synchronized void clear() {
        for (Entry e : new ArrayList<>(entries.values())) {
            withdraw(e);
        }
        entries.clear();
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
