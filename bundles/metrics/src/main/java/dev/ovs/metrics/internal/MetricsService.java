package dev.ovs.metrics.internal;

import dev.ovs.bus.EventBus;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExports;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The meter registry of the appliance and its scrape: a Micrometer {@link PrometheusMeterRegistry} with the JVM's
 * memory and thread meters, and the Patchbay series read from the sources' services at each scrape
 * ({@link OvsdbClient}, {@link VSwitch}, {@link DbusConnectionService}, {@link DbusExports}, {@link EventBus},
 * {@link PortAgent}, {@link Ledger}; every reference optional and dynamic: a missing source only removes its series).
 *
 * <p>The registry is also registered as a {@link MeterRegistry} service, so any bundle can add meters of its own
 * (they appear in the same scrape). Deactivation unregisters it and closes the registry.
 */
@Component(service = MetricsService.class, immediate = true)
public final class MetricsService {
    private static final System.Logger LOG = System.getLogger(MetricsService.class.getName());

    /** Content type of the Prometheus text format 0.0.4. */
    public static final String PROMETHEUS_TEXT = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** Content type of the OpenMetrics text format 1.0.0. */
    public static final String OPENMETRICS_TEXT = OpenMetricsTextFormatWriter.CONTENT_TYPE;

    /**
     * One scrape.
     *
     * @param contentType the HTTP content type of {@code body}
     * @param body        the exposition, UTF-8
     */
    public record Scrape(String contentType, byte[] body) {
    }

    private final PrometheusMeterRegistry registry;
    private final SyncedMeters synced;
    private final PatchbayMeters meters;
    private final ServiceRegistration<MeterRegistry> registration;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile OvsdbClient ovsdb;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile VSwitch vswitch;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DbusConnectionService dbus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DbusExports exports;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventBus bus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortAgent portAgent;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Ledger ledger;

    /**
     * Makes the registry, binds the JVM meters and registers the {@link MeterRegistry} service.
     *
     * @param context this bundle's context (for the service registration)
     */
    @Activate
    public MetricsService(BundleContext context) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        this.synced = new SyncedMeters(registry);
        this.meters = new PatchbayMeters(synced);
        this.registration = context == null ? null : context.registerService(MeterRegistry.class, registry, null);
    }

    /** Unregisters the {@link MeterRegistry} service and closes the registry. */
    @Deactivate
    public void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it when the bundle stopped
            }
        }
        synced.clear();
        registry.close();
    }

    /** @return the registry (for meters of this bundle's other components) */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Reads every source and writes the exposition.
     *
     * @param accept the client's {@code Accept} header (null or empty: Prometheus text 0.0.4); a value that accepts
     *               {@code application/openmetrics-text} selects OpenMetrics 1.0.0
     * @return the content type and the text
     */
    public synchronized Scrape scrape(String accept) {
        meters.update(snapshot());
        String type = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            registry.scrape(out, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return new Scrape(type, out.toByteArray());
    }

    Snapshot snapshot() {
        OvsdbClient o = ovsdb;
        VSwitch v = vswitch;
        DbusConnectionService d = dbus;
        DbusExports x = exports;
        EventBus b = bus;
        PortAgent p = portAgent;
        Ledger l = ledger;
        return new Snapshot(o == null ? null : read("ovsdb", o::status), v == null ? null : read("replica", () -> replica(v)),
                d == null ? null : read("dbus", () -> new Snapshot.DbusView(d.isConnected(), d.connectCount(),
                        d.droppedSignals(), x == null ? List.<ExportStatus>of() : x.exports())),
                b == null ? null : read("bus", b::stats), p == null ? null : read("portagent", () -> portAgent(p)),
                l == null ? null : read("ledger", () -> new Snapshot.LedgerView(l.stats(), l::tail)));
    }

    private static Snapshot.ReplicaView replica(VSwitch v) {
        Replica r = v.replica();
        Map<String, Integer> rows = new TreeMap<>();
        if (r.schema() != null) {
            for (TableSchema t : r.schema().tables().values()) {
                try {
                    rows.put(t.name(), r.rows(t.name()).size());
                } catch (IllegalArgumentException notReplicated) {
                    // a table of the schema this replica does not keep
                }
            }
        }
        return new Snapshot.ReplicaView(r.database(), rows, r.fullSyncs(), r.resumes(), r.lastError() != null);
    }

    private static Snapshot.PortAgentView portAgent(PortAgent p) {
        int ports;
        try {
            ports = p.listPorts().size();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "metrics: port agent cannot list ports: " + e);
            ports = -1;
        }
        return new Snapshot.PortAgentView(ports);
    }

    /** A source that throws (going away while read, not connected) is reported as absent. */
    private static <T> T read(String what, Supplier<T> source) {
        try {
            return source.get();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "metrics: source " + what + " failed: " + e);
            return null;
        }
    }
}
