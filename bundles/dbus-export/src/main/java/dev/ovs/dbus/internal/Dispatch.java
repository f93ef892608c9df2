package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusAuthorizer;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.ReadOnly;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.freedesktop.dbus.DBusCallInfo;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.utils.DBusNamingUtil;

/**
 * What the exporter puts on the bus in place of a whiteboard service: a {@link Proxy} implementing the same
 * D-Bus interfaces whose every member call
 * <ol>
 * <li>asks the {@link DbusAuthorizer}s (if any): refused → {@value DbusErrors#ACCESS_DENIED};</li>
 * <li>runs the service's method;</li>
 * <li>maps whatever it throws with {@link DbusErrors#map} (namespace of the member's interface,
 * {@link DbusErrors#namespaceOf}) and throws it as a class of the error's name ({@link WireErrors}).</li>
 * </ol>
 * dbus-java builds introspection data and the method table from the interfaces the exported object implements
 * ({@code ExportedObject}), so the proxy looks exactly like the service on the bus. The per-member facts
 * (D-Bus names, namespace, {@link ReadOnly}) are worked out once, when the proxy is made.
 */
final class Dispatch implements InvocationHandler {
    private static final System.Logger LOG = System.getLogger(Dispatch.class.getName());

    /** A member of an exported interface. */
    private record Member(String iface, String name, String namespace, boolean readOnly) {
    }

    private final Object target;
    private final String path;
    private final Map<Method, Member> members;
    private final Supplier<List<DbusAuthorizer>> authorizers;
    private final WireErrors wire;

    private Dispatch(Object target, String path, Set<Class<?>> ifaces, Supplier<List<DbusAuthorizer>> authorizers,
            WireErrors wire) {
        this.target = target;
        this.path = path;
        this.authorizers = authorizers;
        this.wire = wire;
        Map<Method, Member> m = new HashMap<>();
        for (Class<?> i : ifaces) {
            for (Method method : i.getMethods()) {
                Class<?> owner = method.getDeclaringClass();
                if (owner == DBusInterface.class || owner == Object.class
                        || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                    continue;
                }
                m.put(method, new Member(DBusNamingUtil.getInterfaceName(owner), DBusNamingUtil.getMethodName(method),
                        DbusErrors.namespaceOf(owner), method.isAnnotationPresent(ReadOnly.class)));
            }
        }
        this.members = m;
    }

    /**
     * @param target      the whiteboard service object
     * @param path        its object path
     * @param ifaces      the D-Bus interfaces to export (those {@code target} implements)
     * @param authorizers the authorizers to ask before each call (read per call)
     * @param wire        the error classes
     * @return the object to export
     * @throws IllegalArgumentException if a proxy of those interfaces cannot be made
     */
    static DBusInterface proxy(Object target, String path, Set<Class<?>> ifaces,
            Supplier<List<DbusAuthorizer>> authorizers, WireErrors wire) {
        return (DBusInterface) Proxy.newProxyInstance(target.getClass().getClassLoader(),
                ifaces.toArray(Class<?>[]::new), new Dispatch(target, path, ifaces, authorizers, wire));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Member m = members.get(method);
        if (m == null) {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "D-Bus export of " + target + " at " + path;
                default:
                    return call(method, args); // getObjectPath, isRemote
            }
        }
        List<DbusAuthorizer> auth = authorizers.get();
        if (!auth.isEmpty()) {
            authorize(auth, m);
        }
        try {
            return call(method, args);
        } catch (InvocationTargetException e) {
            throw wire.onWire(DbusErrors.map(e.getCause(), m.namespace(), m.name()));
        }
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (IllegalAccessException e) {
            method.setAccessible(true); // a public method of an interface that is not public in its package
            return method.invoke(target, args);
        }
    }

    private void authorize(List<DbusAuthorizer> auth, Member m) {
        DBusCallInfo info = AbstractConnection.getCallInfo();
        String sender = info == null || info.getSource() == null ? "" : info.getSource();
        DbusCall call = new DbusCall(sender, path, m.iface(), m.name(), m.readOnly());
        for (DbusAuthorizer a : auth) {
            boolean ok;
            try {
                ok = a.permits(call);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: authorizer " + a + " failed on " + call + "; refused", e);
                ok = false;
            }
            if (!ok) {
                throw wire.onWire(new DbusError(DbusErrors.ACCESS_DENIED,
                        m.iface() + "." + m.name() + ": not permitted for " + (sender.isEmpty() ? "this peer" : sender)));
            }
        }
    }
}
