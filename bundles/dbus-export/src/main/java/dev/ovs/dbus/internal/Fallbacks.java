package dev.ovs.dbus.internal;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Map;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * dbus-java's fallback objects (an object answering for an object path with nothing exported at it), used to
 * replace the object exported at a path with no instant in which a call to the path finds nothing.
 */
final class Fallbacks {
    /** Logs under the exporter's name, as every step of an export does. */
    private static final System.Logger LOG = System.getLogger(Exporter.class.getName());

    private Fallbacks() {
    }

    /**
     * Replaces what is exported at {@code path} by {@code stand} with no instant in which a call finds nothing:
     * dbus-java dispatches to the exported object, else to a fallback; so the placeholder is a fallback while
     * the old object is unexported and the placeholder exported (introspection of a fallback is malformed in
     * dbus-java 5.2.0, so it does not stay one).
     *
     * @param c     the connection
     * @param path  the object path
     * @param stand the object exported at {@code path} afterwards
     * @throws DBusException if dbus-java refuses to export {@code stand}
     */
    static void swapIn(DBusConnection c, String path, DBusInterface stand) throws DBusException {
        c.addFallback(path, stand);
        try {
            c.unExportObject(path);
            c.exportObject(path, stand);
        } finally {
            remove(c, path);
        }
    }

    /**
     * Removes the fallback at {@code path}. {@code DBusConnection.removeFallback} of dbus-java 5.2.0 removes
     * nothing: its FallbackContainer keys the map by {@code path.split("/")} arrays, and {@code remove} looks up a
     * new array (identity). The entry, and with it the placeholder and its bundle revision's class loader, would
     * stay forever and keep answering for the path. So the entry is also removed from that map by key contents.
     *
     * @param c    the connection
     * @param path the object path
     */
    static void remove(DBusConnection c, String path) {
        c.removeFallback(path);
        try {
            Object container = container(c);
            if (container == null) {
                return;
            }
            Field m = container.getClass().getDeclaredField("fallbacks");
            m.setAccessible(true);
            String[] key = path.split("/");
            synchronized (container) {
                ((Map<?, ?>) m.get(container)).keySet().removeIf(k -> k instanceof String[] a && Arrays.equals(a, key));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: cannot clean dbus-java's fallback map for " + path + ": " + e);
        }
    }

    /**
     * @param c the connection
     * @return how many fallbacks the connection holds (tests: none may be left behind), -1 if it has no fallback
     *         container
     * @throws ReflectiveOperationException if dbus-java's fallback container is not as in 5.2.0
     */
    static int count(DBusConnection c) throws ReflectiveOperationException {
        Object container = container(c);
        if (container == null) {
            return -1;
        }
        Field m = container.getClass().getDeclaredField("fallbacks");
        m.setAccessible(true);
        return ((Map<?, ?>) m.get(container)).size();
    }

    /** The connection's dbus-java FallbackContainer (field {@code fallbackContainer}), null if there is none. */
    private static Object container(DBusConnection c) throws IllegalAccessException {
        for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.getName().equals("fallbackContainer")) {
                    f.setAccessible(true);
                    Object container = f.get(c);
                    if (container != null) {
                        return container;
                    }
                }
            }
        }
        return null;
    }
}
