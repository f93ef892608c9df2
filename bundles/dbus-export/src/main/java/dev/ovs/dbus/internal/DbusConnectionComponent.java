package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusAuthorizer;
import dev.ovs.dbus.DbusCallObserver;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExport;
import dev.ovs.dbus.DbusExports;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.dbusjava.InlineDispatch;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.messages.DBusSignal;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Owns the appliance's D-Bus connection ({@link BusConnector}) and the whiteboard exporter
 * ({@link Exporter}, fed by a {@link ServiceTracker} on {@value DbusExport#FILTER}). PID {@code dev.ovs.dbus};
 * a configuration change re-activates the component (new connection, everything re-exported). Every
 * {@link DbusAuthorizer} service is asked before each call of an exported member, with the caller's credentials
 * from the bus daemon ({@link Callers}); every call of a mutating member is recorded in the {@link Ledger} service
 * and refused while there is none. A bundle listener tells the exporter when a bundle is uninstalled, so that the
 * paths and names of its services go at once rather than after the replacement grace.
 *
 * <p>Outside a framework (tests of the D-Bus faces, tools) the public constructors connect at once and
 * {@link #export(Object, String, String)} stands in for the service registry; {@link #close()} ends it. There,
 * calls are recorded only in a ledger given with {@link #setLedger(Ledger)}, and authorized only by authorizers
 * added with {@link #addAuthorizer(DbusAuthorizer)}.
 */
@Component(service = {DbusConnectionService.class, DbusExports.class}, immediate = true,
        configurationPid = "dev.ovs.dbus", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "service.description=Patchbay D-Bus connection and whiteboard exporter")
@Designate(ocd = DbusConfig.class)
public final class DbusConnectionComponent implements DbusConnectionService, DbusExports {
    private static final System.Logger LOG = System.getLogger(DbusConnectionComponent.class.getName());

    private Exporter exporter;
    private long graceMs;
    private final AtomicLong dropped = new AtomicLong();
    private BusConnector connector;
    private ServiceTracker<Object, Object> tracker;
    private final List<DbusAuthorizer> authorizers = new CopyOnWriteArrayList<>();
    private final List<DbusCallObserver> observers = new CopyOnWriteArrayList<>();
    private final Callers callers = new Callers();
    /** The call each method-call thread is serving ({@link #currentCall()}). */
    private final ThreadLocal<DbusCall> current = new ThreadLocal<>();
    private volatile Ledger ledger;
    /** In a framework: a mutating call is refused while there is no ledger. */
    private boolean ledgerRequired;
    private final BundleListener uninstalls = event -> {
        if (event.getType() == BundleEvent.UNINSTALLED) {
            Exporter ex = exporter;
            if (ex != null) {
                ex.bundleUninstalled(event.getBundle().getBundleId());
            }
        }
    };
    /** Service ids of {@link #export(Object, String, String)}: far above any OSGi service.id of a test. */
    private final AtomicLong standaloneIds = new AtomicLong(1L << 40);

    /** For DS. */
    public DbusConnectionComponent() {
    }

    /**
     * Outside a framework (tests, tools): connects to {@code address}, waiting up to 10 s for the first
     * connection (a bus that is not there yet is retried in the background as usual), no service tracker,
     * no replacement grace.
     *
     * @param address {@code system}, {@code session} or a D-Bus address such as {@code unix:path=/run/x/bus.sock}
     * @throws IllegalArgumentException if address is blank
     */
    public DbusConnectionComponent(String address) {
        this(address, 0);
    }

    /**
     * Outside a framework, as {@link #DbusConnectionComponent(String)} with replacement grace.
     *
     * @param address the bus address
     * @param graceMs see {@link DbusConfig#unexport_grace_ms()}
     * @throws IllegalArgumentException if address is blank or graceMs negative
     */
    public DbusConnectionComponent(String address, long graceMs) {
        start(address, graceMs);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (connector.connectCount() == 0 && connector.lastError().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The rules of PID {@code dev.ovs.dbus}, shared with {@link UidAuthorizer}: every value parses as its type
     * ({@code authz.enabled} only {@code true} or {@code false}), {@code address} is {@code system},
     * {@code session} or a D-Bus address, {@code unexport.grace.ms} is at least 0.
     *
     * @param props  the raw configuration properties
     * @param config the same, typed
     * @return {@code config}
     * @throws dev.ovs.base.InvalidArgumentException naming the first key that breaks its rule (the component is then
     *                                               not activated; {@code scr:info} shows the message)
     */
    static DbusConfig validate(java.util.Map<String, ?> props, DbusConfig config) {
        dev.ovs.base.ConfigValues.check(props, DbusConfig.class);
        dev.ovs.base.ConfigValues.dbusAddress("address", config.address());
        dev.ovs.base.ConfigValues.atLeast("unexport.grace.ms", config.unexport_grace_ms(), 0);
        return config;
    }

    @Activate
    void activate(BundleContext context, java.util.Map<String, Object> props, DbusConfig config)
            throws InvalidSyntaxException {
        validate(props, config);
        ledgerRequired = true;
        start(config.address(), config.unexport_grace_ms());
        context.addBundleListener(uninstalls);
        tracker = new ServiceTracker<>(context, context.createFilter(DbusExport.FILTER), new Customizer(context));
        tracker.open(true);
    }

    private void start(String address, long graceMs) {
        this.graceMs = graceMs;
        exporter = new Exporter(graceMs, new Dispatch.Context(() -> authorizers, callers, () -> ledger,
                ledgerRequired, current, new WireErrors(), () -> observers));
        connector = new BusConnector(address, exporter::answersInline);
        connector.addListener(callers); // credentials first: calls arrive as soon as something is exported
        connector.addListener(exporter); // exports are in place before others hear of it
        connector.start();
    }

    /**
     * Unexports everything and closes the connection; but while the framework keeps running (this bundle is
     * updated or stopped) and replacement grace is on, hands the connection over instead: every object is
     * replaced by a placeholder answering Unavailable and the names stay owned until the next revision's
     * connection takes them over (at most {@code unexport.grace.ms}), so callers never see the names vanish.
     */
    @Deactivate
    void deactivate(BundleContext context) {
        context.removeBundleListener(uninstalls);
        boolean frameworkStopping = context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        if (graceMs > 0 && !frameworkStopping) {
            handOver();
            closeTracker();
            return;
        }
        exporter.clear(); // first: the tracker's removals below must not leave placeholders behind
        closeTracker();
        close();
    }

    /** The handover part of {@link #deactivate} (also for tests): placeholders, names kept, connection handed on. */
    void handOver() {
        List<String> names = exporter.holdAllForHandover();
        connector.closeAfterHandover(names, graceMs);
    }

    private void closeTracker() {
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
    }

    /**
     * Outside a framework: unexports everything and closes the connection (DS uses {@link #deactivate}).
     */
    public void close() {
        exporter.clear();
        connector.close();
    }

    /**
     * Outside a framework: exports {@code object} as if it were a whiteboard service with these properties
     * ({@link DbusExport}): the same proxy, error mapping, authorization and status.
     *
     * @param object  the object, implementing at least one {@code DBusInterface}
     * @param path    value of {@value DbusExport#OBJECT_PATH}
     * @param busName value of {@value DbusExport#BUS_NAME}, or null
     * @return its status; {@link ExportStatus#serviceId()} identifies it for {@link #unexport(long)}
     */
    public ExportStatus export(Object object, String path, String busName) {
        return exporter.add(standaloneIds.incrementAndGet(), "standalone", object, path, busName);
    }

    /**
     * Outside a framework: withdraws an export of {@link #export(Object, String, String)} (with replacement
     * grace, as when its service is unregistered).
     *
     * @param serviceId its {@link ExportStatus#serviceId()}
     */
    public void unexport(long serviceId) {
        exporter.remove(serviceId);
    }

    /**
     * Adds an authorizer (DS: every {@link DbusAuthorizer} service, dynamically).
     *
     * @param authorizer asked before every call from now on
     */
    @Reference(service = DbusAuthorizer.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAuthorizer")
    public void addAuthorizer(DbusAuthorizer authorizer) {
        authorizers.add(Objects.requireNonNull(authorizer, "authorizer"));
    }

    /** @param authorizer an authorizer to ask no more */
    public void removeAuthorizer(DbusAuthorizer authorizer) {
        authorizers.remove(authorizer);
    }

    /**
     * Adds a call observer (DS: every {@link DbusCallObserver} service, dynamically).
     *
     * @param observer told of every call's end from now on
     */
    @Reference(service = DbusCallObserver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeObserver")
    public void addObserver(DbusCallObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /** @param observer an observer to tell no more */
    public void removeObserver(DbusCallObserver observer) {
        observers.remove(observer);
    }

    /**
     * The ledger every mutating call is recorded in (DS: the {@link Ledger} service, dynamically; outside a
     * framework: a ledger the caller owns and closes).
     *
     * @param l the ledger, or null for none (in a framework mutating calls are then refused with
     *          {@code Unavailable}; outside, not recorded)
     */
    @Reference(service = Ledger.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unsetLedger")
    public void setLedger(Ledger l) {
        ledger = l;
    }

    /** @param l a ledger going away (ignored unless it is the current one) */
    void unsetLedger(Ledger l) {
        if (ledger == l) {
            ledger = null;
        }
    }

    @Override
    public Optional<DbusCall> currentCall() {
        return Optional.ofNullable(current.get());
    }

    Exporter exporter() {
        return exporter;
    }

    Callers callers() {
        return callers;
    }

    /**
     * Diagnostics ({@code dbus:status}) and tests outside a framework: which calls the current connection answers
     * on its reader thread ({@link dev.ovs.dbus.NonBlocking}).
     *
     * @return inline dispatch of the current connection, empty while disconnected
     */
    public Optional<InlineDispatch> inlineDispatch() {
        return connector.inlineDispatch();
    }

    @Override
    public String address() {
        return connector.address();
    }

    @Override
    public boolean isConnected() {
        return connector.connection().isPresent();
    }

    @Override
    public Optional<DBusConnection> connection() {
        return connector.connection();
    }

    @Override
    public Optional<String> uniqueName() {
        return connector.connection().map(DBusConnection::getUniqueName);
    }

    @Override
    public boolean emit(DBusSignal signal) {
        if (signal == null) {
            throw new IllegalArgumentException("signal: must not be null");
        }
        Optional<DBusConnection> c = connector.connection();
        if (c.isEmpty()) {
            dropped.incrementAndGet();
            return false;
        }
        try {
            c.get().sendMessage(signal);
            return true;
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            LOG.log(Level.DEBUG, "dev.ovs.dbus: signal dropped: " + e);
            return false;
        }
    }

    @Override
    public long connectCount() {
        return connector.connectCount();
    }

    @Override
    public long droppedSignals() {
        return dropped.get();
    }

    @Override
    public void addListener(DbusConnectionListener listener) {
        Objects.requireNonNull(listener, "listener");
        connector.addListener(listener);
        connector.connection().ifPresent(listener::connected);
    }

    @Override
    public void removeListener(DbusConnectionListener listener) {
        connector.removeListener(listener);
    }

    @Override
    public List<ExportStatus> exports() {
        return exporter.exports();
    }

    @Override
    public ExportStatus status(long serviceId) {
        return exporter.status(serviceId);
    }

    /** Feeds the exporter from the service registry. */
    private final class Customizer implements ServiceTrackerCustomizer<Object, Object> {
        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public Object addingService(ServiceReference<Object> ref) {
            Object svc;
            try {
                svc = context.getService(ref);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dev.ovs.dbus: cannot get whiteboard service " + ref + ": " + e);
                return null;
            }
            if (svc == null) {
                return null;
            }
            add(ref, svc);
            return svc;
        }

        @Override
        public void modifiedService(ServiceReference<Object> ref, Object svc) {
            add(ref, svc);
        }

        @Override
        public void removedService(ServiceReference<Object> ref, Object svc) {
            exporter.remove(id(ref));
            try {
                context.ungetService(ref);
            } catch (RuntimeException e) {
                // bundle stopping
            }
        }

        private void add(ServiceReference<Object> ref, Object svc) {
            org.osgi.framework.Bundle b = ref.getBundle();
            exporter.add(id(ref), b == null ? -1 : b.getBundleId(), b == null ? "?" : b.getSymbolicName(), svc,
                    ref.getProperty(DbusExport.OBJECT_PATH), ref.getProperty(DbusExport.BUS_NAME));
        }

        private long id(ServiceReference<Object> ref) {
            return (Long) ref.getProperty(Constants.SERVICE_ID);
        }
    }
}
