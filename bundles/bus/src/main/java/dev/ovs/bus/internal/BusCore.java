package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.Topics;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The bus component (PID {@code dev.ovs.bus}): owns a {@link BusEngine}, tracks whiteboard
 * {@link EventListener} services and publishes framework bundle events. Registered under its own (private)
 * class; the public {@link dev.ovs.bus.EventBus} service is {@link EventBusService}, a per-bundle view.
 * A configuration change re-activates the component (no {@code @Modified}): a new engine, a new socket.
 *
 * <p>Configuration that {@link Settings#of} rejects does not take the bus away: the component runs with the last
 * good configuration (kept in the bundle's data area, {@value #LAST_GOOD}) and shows the reason in
 * {@link BusStats#configError()} and the log; only if there is no last good configuration does activation fail
 * with the reason (SCR shows it, {@code scr:info dev.ovs.bus}).
 */
@Component(name = "dev.ovs.bus", configurationPid = "dev.ovs.bus", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = BusCore.class, immediate = true)
@Designate(ocd = BusConfig.class)
public final class BusCore implements BundleListener {
    private final Object lock = new Object();
    /** Whiteboard entries by service.id; subscription null while inactive or when the topics are invalid. */
    private final Map<Long, Whiteboard> whiteboard = new LinkedHashMap<>();
    private BusEngine engine;
    private BundleContext context;
    /** File name of the last good configuration in the bundle's data area: {@value}. */
    static final String LAST_GOOD = "last-good.properties";

    private static final class Whiteboard {
        final EventListener listener;
        List<String> topics;
        Subscription subscription;

        Whiteboard(EventListener listener, List<String> topics) {
            this.listener = listener;
            this.topics = topics;
        }
    }

    /** For DS. */
    public BusCore() {
    }

    @Activate
    void activate(BundleContext ctx, Map<String, Object> config) {
        Settings s;
        String rejected = "";
        Path lastGood = dataFile(ctx);
        try {
            s = Settings.of(config);
            LastGood.save(lastGood, config);
        } catch (IllegalArgumentException bad) {
            Map<String, Object> good = LastGood.load(lastGood);
            if (good == null) {
                throw bad;
            }
            try {
                s = Settings.of(good);
            } catch (IllegalArgumentException alsoBad) {
                throw bad; // the last good one no longer is (a group removed): the reason of the new one counts
            }
            rejected = bad.getMessage() + " (configuration rejected; running with the last good configuration)";
            BusEngine.LOG.log(Level.ERROR, "bus: " + rejected);
        }
        BusEngine e = new BusEngine(s);
        e.configError(rejected);
        e.start();
        synchronized (lock) {
            engine = e;
            context = ctx;
            for (Map.Entry<Long, Whiteboard> w : whiteboard.entrySet()) {
                subscribeWhiteboard(w.getKey(), w.getValue());
            }
        }
        if (s.enabled()) {
            ctx.addBundleListener(this);
        }
    }

    @Deactivate
    void deactivate(BundleContext ctx) {
        try {
            ctx.removeBundleListener(this);
        } catch (IllegalStateException ignored) {
            // framework stopping
        }
        BusEngine e;
        synchronized (lock) {
            e = engine;
            engine = null;
            context = null;
            for (Whiteboard w : whiteboard.values()) {
                w.subscription = null;
            }
        }
        if (e != null) {
            e.close();
        }
    }

    private static Path dataFile(BundleContext ctx) {
        try {
            java.io.File f = ctx.getDataFile(LAST_GOOD);
            return f == null ? null : f.toPath();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    BusEngine engine() {
        synchronized (lock) {
            if (engine == null) {
                throw new IllegalStateException("bus: not active");
            }
            return engine;
        }
    }

    BusStats stats() {
        return engine().stats();
    }

    // ------------------------------------------------------------ whiteboard

    @Reference(service = EventListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeListener", updated = "updatedListener")
    void addListener(EventListener listener, Map<String, Object> props) {
        long sid = serviceId(props);
        synchronized (lock) {
            Whiteboard w = new Whiteboard(listener, topics(props));
            whiteboard.put(sid, w);
            subscribeWhiteboard(sid, w);
        }
    }

    void updatedListener(EventListener listener, Map<String, Object> props) {
        long sid = serviceId(props);
        synchronized (lock) {
            Whiteboard w = whiteboard.get(sid);
            List<String> topics = topics(props);
            if (w == null) {
                w = new Whiteboard(listener, topics);
                whiteboard.put(sid, w);
            } else if (topics.equals(w.topics) && w.subscription != null) {
                return;
            }
            if (w.subscription != null) {
                w.subscription.close();
                w.subscription = null;
            }
            w.topics = topics;
            subscribeWhiteboard(sid, w);
        }
    }

    void removeListener(EventListener listener, Map<String, Object> props) {
        long sid = serviceId(props);
        synchronized (lock) {
            Whiteboard w = whiteboard.remove(sid);
            if (w != null && w.subscription != null) {
                w.subscription.close();
            }
        }
    }

    private void subscribeWhiteboard(long sid, Whiteboard w) {
        if (engine == null) {
            return;
        }
        if (w.topics.isEmpty()) {
            BusEngine.LOG.log(Level.WARNING, "bus: EventListener service " + sid + " has no " + EventListener.TOPICS
                    + " property; it receives nothing");
            return;
        }
        try {
            w.subscription = engine.subscribe("whiteboard:" + sid, w.topics, w.listener);
        } catch (IllegalArgumentException ex) {
            BusEngine.LOG.log(Level.WARNING, "bus: EventListener service " + sid + ": invalid " + EventListener.TOPICS
                    + ": " + ex.getMessage() + "; it receives nothing");
        }
    }

    private static long serviceId(Map<String, Object> props) {
        Object o = props.get(Constants.SERVICE_ID);
        return o instanceof Number ? ((Number) o).longValue() : -1L;
    }

    static List<String> topics(Map<String, Object> props) {
        Object o = props.get(EventListener.TOPICS);
        List<String> out = new ArrayList<>();
        if (o instanceof String) {
            out.add((String) o);
        } else if (o instanceof String[]) {
            out.addAll(Arrays.asList((String[]) o));
        } else if (o instanceof Collection) {
            for (Object x : (Collection<?>) o) {
                out.add(String.valueOf(x));
            }
        }
        return out;
    }

    // ------------------------------------------------------------ bundle events

    @Override
    public void bundleChanged(BundleEvent event) {
        BusEngine e;
        synchronized (lock) {
            e = engine;
        }
        if (e == null) {
            return;
        }
        String state = state(event.getType());
        Bundle b = event.getBundle();
        String bsn = b.getSymbolicName() == null ? "bundle-" + b.getBundleId() : b.getSymbolicName();
        ObjectNode p = e.mapper.createObjectNode();
        p.put("bsn", bsn);
        p.put("id", b.getBundleId());
        p.put("version", String.valueOf(b.getVersion()));
        p.put("state", state);
        try {
            e.publishOwned(BusEngine.BUS, Topics.of("system", "bundle", bsn, state), p, state);
        } catch (RuntimeException ex) {
            BusEngine.LOG.log(Level.WARNING, "bus: cannot publish bundle event for " + bsn, ex);
        }
    }

    static String state(int type) {
        switch (type) {
            case BundleEvent.INSTALLED: return "installed";
            case BundleEvent.STARTED: return "started";
            case BundleEvent.STOPPED: return "stopped";
            case BundleEvent.UPDATED: return "updated";
            case BundleEvent.UNINSTALLED: return "uninstalled";
            case BundleEvent.RESOLVED: return "resolved";
            case BundleEvent.UNRESOLVED: return "unresolved";
            case BundleEvent.STARTING: return "starting";
            case BundleEvent.STOPPING: return "stopping";
            case BundleEvent.LAZY_ACTIVATION: return "lazy_activation";
            default: return "type" + type;
        }
    }
}
