package dev.ovs.dbus.internal;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.BundleReference;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Keeps dbus-java 5.2.0's static caches from holding on to classes of bundle revisions that are gone.
 *
 * <p>dbus-java caches reflection results in static maps keyed by {@code Class}/{@code Type}
 * ({@code Marshalling.TYPE_CACHE}, {@code Container.TYPE_CACHE}, {@code DBusSignal.CLASS_CACHE/TYPE_CACHE/
 * CACHED_CONSTRUCTORS}, {@code DBusMatchRule.SIGNALTYPEMAP}). Inside OSGi the library bundle outlives the
 * bundles whose D-Bus interfaces, structs and signals it has seen, so without cleaning every update of such a
 * bundle (the port agent, systemd-networkd, a third-party extension) leaves its old class loader and all its
 * classes reachable: about 280 KiB of metaspace per update of a bundle with a D-Bus face. This
 * component removes the entries whose classes come from a bundle revision that is no longer current, when a
 * bundle is unresolved or uninstalled, after a refresh, and once at activation (for what an earlier revision
 * of this bundle saw). The maps are {@code ConcurrentHashMap}s, so removing from them while dbus-java works is
 * safe; an entry removed by mistake is only recomputed.
 */
@Component(service = {}, immediate = true)
public final class DbusJavaCaches implements BundleListener, FrameworkListener {
    private static final System.Logger LOG = System.getLogger(DbusJavaCaches.class.getName());

    /** Class name and static field name of every cache cleaned. */
    static final List<String[]> CACHES = List.of(
            new String[] {"org.freedesktop.dbus.Marshalling", "TYPE_CACHE"},
            new String[] {"org.freedesktop.dbus.Container", "TYPE_CACHE"},
            new String[] {"org.freedesktop.dbus.messages.DBusSignal", "CLASS_CACHE"},
            new String[] {"org.freedesktop.dbus.messages.DBusSignal", "TYPE_CACHE"},
            new String[] {"org.freedesktop.dbus.messages.DBusSignal", "CACHED_CONSTRUCTORS"},
            new String[] {"org.freedesktop.dbus.DBusMatchRule", "SIGNALTYPEMAP"},
            new String[] {"org.freedesktop.dbus.matchrules.DBusMatchRule", "SIGNALTYPEMAP"});

    private BundleContext context;

    /** @param context to listen for bundle and framework events */
    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
        context.addFrameworkListener(this);
        purge(DbusJavaCaches::stale);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
        context.removeFrameworkListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UNRESOLVED || event.getType() == BundleEvent.UNINSTALLED) {
            purge(DbusJavaCaches::stale);
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
            purge(DbusJavaCaches::stale);
        }
    }

    /**
     * @param c a class
     * @return true if c was loaded by a bundle revision that is not its bundle's current one (updated,
     *         refreshed, uninstalled); false for classes of current revisions and of non-bundle loaders
     */
    static boolean stale(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        if (!(l instanceof BundleReference)) {
            return false;
        }
        Bundle b = ((BundleReference) l).getBundle();
        if (b == null || b.getState() == Bundle.UNINSTALLED) {
            return true;
        }
        BundleWiring w = b.adapt(BundleWiring.class);
        return w == null || w.getClassLoader() != l;
    }

    /**
     * Removes from every cache of {@link #CACHES} the entries whose key or value names a class that
     * {@code stale} accepts (a {@code Class}, or a {@code Type} built from one, or an array of those).
     *
     * @param stale which classes must go
     * @return how many entries were removed (0 when dbus-java's fields are not found: a newer version)
     */
    static int purge(Predicate<Class<?>> stale) {
        int removed = 0;
        for (String[] f : CACHES) {
            ConcurrentMap<?, ?> map = cache(f[0], f[1]);
            if (map == null) {
                continue;
            }
            List<Object> gone = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (names(e.getKey(), stale, 0) || names(e.getValue(), stale, 0)) {
                    gone.add(e.getKey());
                }
            }
            for (Object k : gone) {
                map.remove(k);
            }
            removed += gone.size();
        }
        if (removed > 0) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: removed " + removed + " dbus-java cache entries of old bundle revisions");
        }
        return removed;
    }

    private static ConcurrentMap<?, ?> cache(String className, String field) {
        try {
            Class<?> c = Class.forName(className, false, org.freedesktop.dbus.connections.impl.DBusConnection.class
                    .getClassLoader());
            Field fd = c.getDeclaredField(field);
            if (!Modifier.isStatic(fd.getModifiers())) {
                return null;
            }
            fd.setAccessible(true);
            Object v = fd.get(null);
            return v instanceof ConcurrentMap<?, ?> m ? m : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.dbus: no dbus-java cache " + className + "." + field + ": " + e);
            return null;
        }
    }

    /** Whether o (a Class, Type, array or list of them) names a class stale accepts. */
    private static boolean names(Object o, Predicate<Class<?>> stale, int depth) {
        if (o == null || depth > 8) {
            return false;
        }
        if (o instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            return stale.test(c);
        }
        if (o instanceof ParameterizedType p) {
            if (names(p.getRawType(), stale, depth + 1)) {
                return true;
            }
            for (Type a : p.getActualTypeArguments()) {
                if (names(a, stale, depth + 1)) {
                    return true;
                }
            }
            return false;
        }
        if (o instanceof GenericArrayType g) {
            return names(g.getGenericComponentType(), stale, depth + 1);
        }
        if (o instanceof WildcardType w) {
            for (Type t : w.getUpperBounds()) {
                if (names(t, stale, depth + 1)) {
                    return true;
                }
            }
            for (Type t : w.getLowerBounds()) {
                if (names(t, stale, depth + 1)) {
                    return true;
                }
            }
            return false;
        }
        if (o instanceof Object[] a) {
            for (Object x : a) {
                if (names(x, stale, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }
}
