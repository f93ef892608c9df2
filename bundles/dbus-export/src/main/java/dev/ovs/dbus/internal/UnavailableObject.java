package dev.ovs.dbus.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusErrors;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * The placeholder exported at an object path while its service is replaced: it implements the same D-Bus
 * interfaces as the service object and answers every member with {@code <namespace>.Unavailable}, the namespace
 * the member's interface declares ({@link dev.ovs.dbus.ErrorNamespace}, {@link DbusErrors#namespaceOf}).
 */
final class UnavailableObject {
    private UnavailableObject() {
    }

    /**
     * @param object the service object being replaced (its class loader and D-Bus interfaces are used)
     * @param path   the object path the placeholder answers for
     * @param wire   turns the Unavailable error into the exception dbus-java sends with the error's name
     * @return a {@link DBusInterface} implementing every D-Bus interface of {@code object} whose members all fail
     *         with the interface's Unavailable error
     * @throws IllegalArgumentException if the object implements no D-Bus interface
     */
    static DBusInterface of(Object object, String path, WireErrors wire) {
        Set<Class<?>> ifaces = ExportRules.dbusInterfaces(object.getClass());
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
}
