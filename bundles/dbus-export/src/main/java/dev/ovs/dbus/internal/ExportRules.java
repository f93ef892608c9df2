package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusExport;
import java.util.LinkedHashSet;
import java.util.Set;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.utils.DBusObjects;

/**
 * What a whiteboard service must be to be exported: its {@value DbusExport#OBJECT_PATH} a valid object path, its
 * {@value DbusExport#BUS_NAME} (if any) a valid well-known bus name (D-Bus specification, "Valid Object Paths" and
 * "Valid Bus Names"), its object a {@link DBusInterface}; and which D-Bus interfaces of the object are exported.
 */
final class ExportRules {
    private ExportRules() {
    }

    /**
     * @param object   the service object
     * @param pathProp value of {@value DbusExport#OBJECT_PATH}
     * @param nameProp value of {@value DbusExport#BUS_NAME}, may be null
     * @return why the service cannot be exported (the property and the rule it breaks), or null if it can
     */
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
     *
     * @param n a bus name, may be null
     * @return whether it is a valid well-known bus name
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
     * @param type a service object's class
     * @return the D-Bus interfaces exported for it: the {@link DBusInterface} sub-interfaces the class (or a
     *         superclass) implements directly, in declaration order
     */
    static Set<Class<?>> dbusInterfaces(Class<?> type) {
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
}
