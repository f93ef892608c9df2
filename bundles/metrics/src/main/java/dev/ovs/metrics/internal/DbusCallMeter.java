package dev.ovs.metrics.internal;

import dev.ovs.dbus.DbusAuthorizer;
import dev.ovs.dbus.DbusCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Counts the method calls of exported D-Bus objects per interface and member ({@code patchbay_dbus_calls_total}),
 * through the exporter's one per-call hook: a {@link DbusAuthorizer} that permits every call. The whiteboard
 * exporter of {@code dev.ovs.dbus} asks every authorizer before a member runs, so a call is counted when it reaches
 * the exporter, whether another authorizer then refuses it or the member fails. Answers from memory (a counter
 * increment), as the contract requires for members run on the connection's reader thread.
 */
@Component(service = DbusAuthorizer.class)
public final class DbusCallCounter implements DbusAuthorizer {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param metrics the registry's component
     */
    @Activate
    public DbusCallCounter(@Reference MetricsService metrics) {
        this.registry = metrics.registry();
    }

    /**
     * Counts the call.
     *
     * @param call the call
     * @return true: counting never refuses anything
     */
    @Override
    public boolean permits(DbusCall call) {
        counters.computeIfAbsent(call.interfaceName() + '\0' + call.member(), k -> Counter.builder("patchbay.dbus.calls")
                .description("method calls of exported D-Bus objects that reached the exporter, per interface and member")
                .tags("interface", call.interfaceName(), "member", call.member()).register(registry)).increment();
        return true;
    }

    /** Removes this component's counters from the registry. */
    @Deactivate
    public void deactivate() {
        counters.values().forEach(registry::remove);
        counters.clear();
    }
}
