package dev.ovs.dbus.internal;

import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.utils.DBusNamingUtil;

/**
 * The members answered on the connection's reader thread: D-Bus interface name → names of its {@link NonBlocking}
 * {@link ReadOnly} members, of every service object recorded, plus {@code org.freedesktop.DBus.Peer.Ping}. Only
 * grows (a few strings; no class references, so no bundle revision is kept). Thread-safe and lock-free.
 */
final class InlineMembers {
    private final Map<String, Set<String>> members = new ConcurrentHashMap<>();

    InlineMembers() {
        // answered by dbus-java itself from memory on every exported object (its GlobalHandler)
        members.computeIfAbsent("org.freedesktop.DBus.Peer", k -> ConcurrentHashMap.newKeySet()).add("Ping");
    }

    /**
     * Records the members of the object's D-Bus interfaces that are both {@link NonBlocking} and {@link ReadOnly}
     * (D-Bus interface name → member names, as dbus-java names them on the bus). A mutating member never runs on
     * the reader thread: its caller's credentials may need a D-Bus call, and its ledger entry a write to disk.
     *
     * @param object a service object about to be exported
     */
    void record(Object object) {
        for (Class<?> i : ExportRules.dbusInterfaces(object.getClass())) {
            for (Method m : i.getMethods()) {
                if (m.isAnnotationPresent(NonBlocking.class) && m.isAnnotationPresent(ReadOnly.class)) {
                    members.computeIfAbsent(DBusNamingUtil.getInterfaceName(m.getDeclaringClass()),
                            k -> ConcurrentHashMap.newKeySet()).add(DBusNamingUtil.getMethodName(m));
                }
            }
        }
    }

    /**
     * @param call an incoming method call
     * @return {@code true} if the call names its interface and its member is a recorded one
     */
    boolean contains(MethodCall call) {
        String iface = call.getInterface();
        Set<String> names = iface == null ? null : members.get(iface);
        return names != null && names.contains(call.getName());
    }
}
