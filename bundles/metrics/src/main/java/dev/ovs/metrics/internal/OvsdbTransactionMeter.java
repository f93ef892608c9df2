package dev.ovs.metrics.internal;

import dev.ovs.ovsdb.TransactionObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Meters the OVSDB client's transactions through its hook ({@link TransactionObserver}):
 * {@code patchbay_ovsdb_transaction_duration_seconds{database,outcome}}, a histogram of the time from sending a
 * {@code transact} request (RFC 7047 §4.1.3) until its reply or failure (buckets {@link DbusCallMeter#BUCKETS});
 * outcome {@code committed}, {@code aborted} or {@code failed}. Its {@code _count} is the number of transactions.
 * Answers from memory, as the hook requires (it runs on the client's reader thread).
 */
@Component(service = TransactionObserver.class)
public final class OvsdbTransactionMeter implements TransactionObserver {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * @param metrics the registry's component
     */
    @Activate
    public OvsdbTransactionMeter(@Reference MetricsService metrics) {
        this.registry = metrics.registry();
    }

    /**
     * Records the transaction's duration.
     *
     * @param database the database
     * @param outcome  committed, aborted or failed
     * @param nanos    duration, ns
     */
    @Override
    public void transacted(String database, String outcome, long nanos) {
        timers.computeIfAbsent(database + '\0' + outcome, k -> Timer.builder("patchbay.ovsdb.transaction.duration")
                .description("time from sending an OVSDB transact request until its reply or failure")
                .tags("database", database, "outcome", outcome)
                .serviceLevelObjectives(DbusCallMeter.BUCKETS).register(registry))
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** Removes this component's meters from the registry. */
    @Deactivate
    public void deactivate() {
        timers.values().forEach(registry::remove);
        timers.clear();
    }
}
