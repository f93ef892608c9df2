package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The public {@link EventBus} service, one instance per using bundle ({@link ServiceScope#BUNDLE}): events it
 * publishes carry that bundle's symbolic name as source, and its subscriptions are closed when the bundle
 * releases the service (bundle stopped or updated), so a consumer cannot leak subscriptions.
 */
@Component(service = EventBus.class, scope = ServiceScope.BUNDLE, property = "service.description=Patchbay event bus")
public final class EventBusService implements EventBus {
    @Reference
    private BusCore core;
    private String source = "unknown";
    private Origin origin = Origin.bundle(source);
    private final Set<Subscription> mine = ConcurrentHashMap.newKeySet();

    /** For DS. */
    public EventBusService() {
    }

    @Activate
    void activate(ComponentContext cc) {
        Bundle b = cc.getUsingBundle();
        if (b != null) {
            source = b.getSymbolicName() == null ? "bundle-" + b.getBundleId() : b.getSymbolicName();
        }
        origin = Origin.bundle(source);
    }

    @Deactivate
    void deactivate() {
        for (Subscription s : mine) {
            s.close();
        }
        mine.clear();
    }

    @Override
    public void publish(String topic, JsonNode payload, String type) {
        core.engine().publish(origin, topic, payload, type);
    }

    @Override
    public void publish(String topic, Map<String, ?> payload, String type) {
        core.engine().publish(origin, topic, payload, type);
    }

    @Override
    public Subscription subscribe(String pattern, EventListener listener) {
        Subscription s = core.engine().subscribe(source, List.of(nonNull(pattern)), listener);
        mine.removeIf(Subscription::isClosed);
        mine.add(s);
        return s;
    }

    private static String nonNull(String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern: must not be null");
        }
        return pattern;
    }

    @Override
    public BusStats stats() {
        return core.stats();
    }

    @Override
    public boolean isEnabled() {
        return core.engine().enabled();
    }
}
