package dev.ovs.dbus.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusAuthorizer;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusCallObserver;
import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import dev.ovs.dbus.RecordedByService;
import dev.ovs.dbus.ledger.Ledger;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
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
 * <li>takes the caller's credentials from the bus daemon ({@link Callers}; a {@link ReadOnly} {@link NonBlocking}
 * member only what is already known, since it may run on the reader thread);</li>
 * <li>asks the {@link DbusAuthorizer}s (if any): refused → {@value DbusErrors#ACCESS_DENIED}, nothing recorded;</li>
 * <li>for a member that is neither {@link ReadOnly} nor {@link RecordedByService} (whose implementation records
 * the call itself): writes the intent to the {@link Ledger} (caller, member {@code <interface>.<member>},
 * arguments as text: {@link Args}); if that fails the member does not run and the
 * caller gets {@code <namespace>.Unavailable} ({@code <member>: ledger: <reason>}); without a ledger service the
 * same, when one is required (in a framework), else nothing is recorded (outside a framework);</li>
 * <li>runs the service's method with the call as {@link dev.ovs.dbus.DbusConnectionService#currentCall()};</li>
 * <li>writes the outcome ({@code ok[: <result>]} or {@code error: <error name>: <message>}; a failure to write it
 * is logged, the caller still gets the member's own result);</li>
 * <li>maps whatever the member threw with {@link DbusErrors#map} (namespace of the member's interface,
 * {@link DbusErrors#namespaceOf}) and throws it as a class of the error's name ({@link WireErrors}).</li>
 * </ol>
 * dbus-java builds introspection data and the method table from the interfaces the exported object implements
 * ({@code ExportedObject}), so the proxy looks exactly like the service on the bus. The per-member facts
 * (D-Bus names, namespace, {@link ReadOnly}, {@link NonBlocking}, {@link RecordedByService}) are worked out once,
 * when the proxy is made.
 */
final class Dispatch implements InvocationHandler {
    private static final System.Logger LOG = System.getLogger(Dispatch.class.getName());

    /**
     * What every call of every export uses.
     *
     * @param authorizers    the authorizers to ask (read per call)
     * @param callers        the credentials cache of the connection
     * @param ledger         the ledger, or a supplier of null while there is none
     * @param ledgerRequired whether a mutating call is refused while there is no ledger
     * @param current        the call being served, per thread ({@link dev.ovs.dbus.DbusConnectionService#currentCall()})
     * @param wire           the error classes
     * @param observers      the observers to tell of every call's end (read per call)
     */
    record Context(Supplier<List<DbusAuthorizer>> authorizers, Callers callers, Supplier<Ledger> ledger,
            boolean ledgerRequired, ThreadLocal<DbusCall> current, WireErrors wire,
            Supplier<List<DbusCallObserver>> observers) {
        /** A context without observers. */
        Context(Supplier<List<DbusAuthorizer>> authorizers, Callers callers, Supplier<Ledger> ledger,
                boolean ledgerRequired, ThreadLocal<DbusCall> current, WireErrors wire) {
            this(authorizers, callers, ledger, ledgerRequired, current, wire, List::of);
        }

        /** No authorizer, no ledger: every call runs (tests of the exporter itself). */
        static Context open() {
            return new Context(List::of, new Callers(), () -> null, false, new ThreadLocal<>(), new WireErrors());
        }
    }

    /**
     * A member of an exported interface.
     *
     * @param recorded whether the exporter records its calls in the ledger (neither {@link ReadOnly} nor
     *                 {@link RecordedByService})
     */
    private record Member(String iface, String name, String namespace, boolean readOnly, boolean nonBlocking,
            boolean recorded, List<String> params) {
    }

    private final Object target;
    private final String path;
    private final Map<Method, Member> members;
    private final Context ctx;

    private Dispatch(Object target, String path, Set<Class<?>> ifaces, Context ctx) {
        this.target = target;
        this.path = path;
        this.ctx = ctx;
        Map<Method, Member> m = new HashMap<>();
        for (Class<?> i : ifaces) {
            for (Method method : i.getMethods()) {
                Class<?> owner = method.getDeclaringClass();
                if (owner == DBusInterface.class || owner == Object.class
                        || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                    continue;
                }
                List<String> params = java.util.Arrays.stream(method.getParameters()).map(Parameter::getName).toList();
                boolean readOnly = method.isAnnotationPresent(ReadOnly.class);
                m.put(method, new Member(DBusNamingUtil.getInterfaceName(owner), DBusNamingUtil.getMethodName(method),
                        DbusErrors.namespaceOf(owner), readOnly, method.isAnnotationPresent(NonBlocking.class),
                        !readOnly && !method.isAnnotationPresent(RecordedByService.class), params));
            }
        }
        this.members = m;
    }

    /**
     * @param target the whiteboard service object
     * @param path   its object path
     * @param ifaces the D-Bus interfaces to export (those {@code target} implements)
     * @param ctx    authorizers, credentials, ledger, call context and error classes
     * @return the object to export
     * @throws IllegalArgumentException if a proxy of those interfaces cannot be made
     */
    static DBusInterface proxy(Object target, String path, Set<Class<?>> ifaces, Context ctx) {
        return (DBusInterface) Proxy.newProxyInstance(target.getClass().getClassLoader(),
                ifaces.toArray(Class<?>[]::new), new Dispatch(target, path, ifaces, ctx));
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
        DBusCallInfo info = AbstractConnection.getCallInfo();
        String sender = info == null || info.getSource() == null ? "" : info.getSource();
        Callers.Credentials cr = m.readOnly() && m.nonBlocking()
                ? ctx.callers().cached(sender).orElse(Callers.Credentials.UNKNOWN)
                : ctx.callers().resolve(sender);
        DbusCall call = new DbusCall(sender, path, m.iface(), m.name(), m.readOnly(), cr.uid(), cr.pid(), cr.groups());
        List<DbusCallObserver> obs = ctx.observers().get();
        if (obs.isEmpty()) {
            return serve(m, method, args, call);
        }
        long t0 = System.nanoTime();
        String error = null;
        try {
            return serve(m, method, args, call);
        } catch (DbusError e) {
            error = e.errorName();
            throw e;
        } catch (Throwable t) {
            error = DbusErrors.map(t, m.namespace(), m.name()).errorName();
            throw t;
        } finally {
            observe(obs, call, error, System.nanoTime() - t0);
        }
    }

    private static void observe(List<DbusCallObserver> obs, DbusCall call, String error, long nanos) {
        for (DbusCallObserver o : obs) {
            try {
                o.completed(call, error, nanos);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: call observer " + o + " failed on " + call, e);
            }
        }
    }

    /** Authorizes, records and runs one call of an exported member. */
    private Object serve(Member m, Method method, Object[] args, DbusCall call) throws Throwable {
        List<DbusAuthorizer> auth = ctx.authorizers().get();
        if (!auth.isEmpty()) {
            authorize(auth, m, call);
        }
        Ledger.Intent intent = m.recorded() ? intent(m, call, args) : null;
        DbusCall outer = ctx.current().get();
        ctx.current().set(call);
        try {
            Object result = call(method, args);
            if (intent != null) {
                intent.succeeded(method.getReturnType() == void.class ? null : Args.text(result));
            }
            return result;
        } catch (InvocationTargetException e) {
            DbusError err = DbusErrors.map(e.getCause(), m.namespace(), m.name());
            if (intent != null) {
                intent.failed(err.errorName() + ": " + err.getMessage());
            }
            throw ctx.wire().onWire(err);
        } catch (Throwable t) {
            if (intent != null) {
                intent.failed(t.toString());
            }
            throw t;
        } finally {
            if (outer == null) {
                ctx.current().remove();
            } else {
                ctx.current().set(outer);
            }
        }
    }

    /** Writes the intent of a mutating call; refuses the call (Unavailable) if that is not possible. */
    private Ledger.Intent intent(Member m, DbusCall call, Object[] args) {
        Ledger l = ctx.ledger().get();
        try {
            if (l == null) {
                if (ctx.ledgerRequired()) {
                    throw new DomainException(ErrorKind.Unavailable,
                            "ledger: not available (component dev.ovs.ledger is not active)", null);
                }
                return null;
            }
            return l.begin(call.callerText(), m.iface() + "." + m.name(), Args.summarize(m.params(), args));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.dbus: refused " + m.iface() + "." + m.name() + " of " + call.callerText()
                    + ": " + e.getMessage());
            throw ctx.wire().onWire(DbusErrors.map(e, m.namespace(), m.name()));
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

    private void authorize(List<DbusAuthorizer> auth, Member m, DbusCall call) {
        for (DbusAuthorizer a : auth) {
            boolean ok;
            try {
                ok = a.permits(call);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: authorizer " + a + " failed on " + call + "; refused", e);
                ok = false;
            }
            if (!ok) {
                throw ctx.wire().onWire(new DbusError(DbusErrors.ACCESS_DENIED,
                        m.iface() + "." + m.name() + ": not permitted for uid " + (call.uid() < 0 ? "?" : call.uid())
                                + " (" + (call.sender().isEmpty() ? "peer" : call.sender()) + ")"));
            }
        }
    }
}
