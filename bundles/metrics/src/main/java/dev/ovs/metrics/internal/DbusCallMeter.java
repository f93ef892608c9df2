package dev.ovs.metrics.internal;

import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusCallObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Meters the method calls of exported D-Bus objects per interface and member, through the exporter's call hook
 * ({@link DbusCallObserver}, told of every call that reached the exporter once it was answered or refused):
 * <ul>
 *   <li>{@code patchbay_dbus_calls_total{interface,member}}: calls;</li>
 *   <li>{@code patchbay_dbus_call_errors_total{interface,member,error}}: calls answered with a D-Bus error, by
 *   error name (refusals by an authorizer are {@code org.freedesktop.DBus.Error.AccessDenied});</li>
 *   <li>{@code patchbay_dbus_call_duration_seconds{interface,member}}: histogram of the time from the call reaching
 *   the exporter until its result or error was known (buckets {@link #BUCKETS}).</li>
 * </ul>
 * Answers from memory (counter increments), as the hook requires for members run on the reader thread.
 */
@Component(service = DbusCallObserver.class)
public final class DbusCallMeter implements DbusCallObserver {
    /** Upper bounds of the latency histograms' buckets (besides +Inf): 100 µs to 10 s. */
    static final Duration[] BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private record Meters(Counter calls, Timer duration) {
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Meters> meters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

    /**
     * @param metrics the registry's component
     */
    @Activate
    public DbusCallMeter(@Reference MetricsService metrics) {
        this.registry = metrics.registry();
    }

    /**
     * Counts the call, its error if any, and records its duration.
     *
     * @param call      the call
     * @param errorName its D-Bus error name, or null
     * @param nanos     its duration, ns
     */
    @Override
    public void completed(DbusCall call, String errorName, long nanos) {
        String key = call.interfaceName() + '\0' + call.member();
        Meters m = meters.computeIfAbsent(key, k -> new Meters(
                Counter.builder("patchbay.dbus.calls")
                        .description("method calls of exported D-Bus objects that reached the exporter, per interface "
                                + "and member")
                        .tags("interface", call.interfaceName(), "member", call.member()).register(registry),
                Timer.builder("patchbay.dbus.call.duration")
                        .description("time from a call of an exported D-Bus member reaching the exporter until its "
                                + "result or error was known")
                        .tags("interface", call.interfaceName(), "member", call.member())
                        .serviceLevelObjectives(BUCKETS).register(registry)));
        m.calls().increment();
        m.duration().record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        if (errorName != null) {
            errors.computeIfAbsent(key + '\0' + errorName, k -> Counter.builder("patchbay.dbus.call.errors")
                    .description("calls of exported D-Bus members answered with a D-Bus error, by error name")
                    .tags("interface", call.interfaceName(), "member", call.member(), "error", errorName)
                    .register(registry)).increment();
        }
    }

    /** Removes this component's meters from the registry. */
    @Deactivate
    public void deactivate() {
        meters.values().forEach(m -> {
            registry.remove(m.calls());
            registry.remove(m.duration());
        });
        errors.values().forEach(registry::remove);
        meters.clear();
        errors.clear();
    }
}
