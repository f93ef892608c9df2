package dev.ovs.ovsdb.component;

import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.replica.ReplicaImpl;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;

/**
 * The {@link VSwitch} service (PID {@code dev.ovs.ovsdb}: {@code wait.for.vswitchd}, {@code vswitchd.timeout.ms},
 * {@code bridge.datapath_type}): the VSwitch implementation itself, on this bundle's {@link OvsdbClient}
 * service, with one replica of the Open_vSwitch database that it opens on activation and closes on
 * deactivation.
 * <p>
 * A subclass rather than annotations on {@link VSwitchImpl}, because the same implementation is also made
 * outside a framework ({@code VSwitches.create}) on a client and replica the caller owns; here the component
 * owns the replica.
 * <p>
 * Once the replica has completed its first sync, the component registers the OSGi condition
 * {@value #SYNCED} (a {@link Condition} service with {@code osgi.condition.id=}{@value #SYNCED}, OSGi Core R8
 * §60), and unregisters it on deactivation. Whoever must not answer before the replica holds the database waits
 * for it (the D-Bus object {@code org.openvswitch.ovsdb} takes its bus name only then, so a call that D-Bus
 * activation queued gets a real answer). It stays registered while the connection drops and resyncs.
 */
@Component(configurationPid = "dev.ovs.ovsdb", configurationPolicy = ConfigurationPolicy.OPTIONAL, service = VSwitch.class,
        immediate = true)
public class VSwitchComponent extends VSwitchImpl {
    /** {@code osgi.condition.id} of the condition registered once the replica first synced: {@value}. */
    public static final String SYNCED = "dev.ovs.ovsdb.synced";

    private final BundleContext context;
    private final Runnable onApplied = this::applied;
    private ServiceRegistration<Condition> synced;
    private boolean registering;
    private boolean closed;

    /**
     * Checks the configuration ({@link OvsdbClientComponent#validate}), then opens the replica (it syncs in the
     * background); the condition {@value #SYNCED} follows its first sync.
     *
     * @param client  this bundle's client service
     * @param props   the raw configuration properties of PID {@code dev.ovs.ovsdb}
     * @param cfg     the same, typed
     * @param context this bundle's context (registers the condition); {@code null} outside a framework (no condition)
     * @throws dev.ovs.base.InvalidArgumentException naming the key and the rule broken (the component is then not
     *                                               activated; {@code scr:info} shows the message)
     */
    @Activate
    public VSwitchComponent(@Reference(target = "(component.name=" + OvsdbClientComponent.NAME + ")") OvsdbClient client,
            Map<String, Object> props, OvsdbConfig cfg, BundleContext context) {
        this(client, OvsdbClientComponent.validate(props, cfg), context);
    }

    private VSwitchComponent(OvsdbClient client, OvsdbConfig cfg, BundleContext context) {
        this(client, client.replica(VSwitch.DB, VSwitchImpl.replicaSpec()), cfg, context);
    }

    private VSwitchComponent(OvsdbClient client, Replica replica, OvsdbConfig cfg, BundleContext context) {
        super(client, replica, cfg.wait_for_vswitchd(), cfg.vswitchd_timeout_ms(), cfg.bridge_datapath__type());
        this.context = context;
        if (replica instanceof ReplicaImpl ri) {
            ri.addAppliedHook(onApplied);
        }
        applied(); // synced before the hook was added
    }

    /**
     * On the replica's reader thread after each applied update: the first time the replica is synced, registers
     * the condition from another thread (the registration activates its users, which may call OVSDB).
     */
    private void applied() {
        synchronized (this) {
            if (closed || registering || context == null || !replica().awaitSynced(Duration.ZERO)) {
                return;
            }
        }
        CompletableFuture.runAsync(this::registerSynced);
    }

    private void registerSynced() {
        synchronized (this) {
            if (closed || registering) {
                return;
            }
            registering = true;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Condition.CONDITION_ID, SYNCED);
        props.put("service.description", "replica of " + VSwitch.DB + " synced");
        ServiceRegistration<Condition> reg;
        try {
            reg = context.registerService(Condition.class, Condition.INSTANCE, props);
        } catch (IllegalStateException bundleStopping) {
            return;
        }
        boolean late;
        synchronized (this) {
            late = closed;
            if (!late) {
                synced = reg;
            }
        }
        if (late) {
            unregister(reg);
        }
    }

    private static void unregister(ServiceRegistration<Condition> reg) {
        try {
            reg.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping: the framework unregistered it
        }
    }

    /** Unregisters the condition {@value #SYNCED} and closes the replica. */
    @Deactivate
    public void deactivate() {
        ServiceRegistration<Condition> reg;
        synchronized (this) {
            closed = true;
            reg = synced;
            synced = null;
        }
        if (replica() instanceof ReplicaImpl ri) {
            ri.removeAppliedHook(onApplied);
        }
        if (reg != null) {
            unregister(reg);
        }
        replica().close();
    }
}
