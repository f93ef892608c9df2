package dev.ovs.netstate.internal;

import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.CheckpointListener;
import dev.ovs.netstate.NetState;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.portagent.PortAgent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.ovs.base.ConfigValues;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@link NetState} service (component PID {@code dev.ovs.netstate}, configuration
 * {@code etc/dev.ovs.netstate.cfg}). On activation it reads the checkpoint journal: an unfinished apply or
 * rollback, and a pending checkpoint whose deadline passed, are rolled back before any mutating call is
 * accepted (as soon as the VSwitch service, and for container ports the PortAgent service, for networkd files the
 * NetworkFiles and Networkd services, is there); a pending checkpoint keeps its deadline. Deactivation
 * (bundle stop or update) stops the timer and keeps the journal. Checkpoint events go to every
 * {@link CheckpointListener} service. Apply, commit and rollback, whoever calls them (D-Bus, shell, fleet), are
 * recorded in the appliance's {@link Ledger} ({@link NetStateEngine#ledger}); without the ledger service they fail
 * and change nothing.
 */
@Component(service = NetState.class, configurationPid = "dev.ovs.netstate", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, property = "service.description=Patchbay network state (show, diff, apply, checkpoints)")
@Designate(ocd = NetStateComponent.Config.class)
public final class NetStateComponent implements NetState {
    /** Configuration. */
    @ObjectClassDefinition(name = "Patchbay network state", description = "Declarative state documents and checkpoints")
    public @interface Config {
        /** @return journal directory; empty: {@code <patchbay.state>/netstate} ({@code /var/lib/patchbay/netstate}) */
        @AttributeDefinition(description = "Checkpoint journal directory; empty: <state dir>/netstate")
        String journal_dir() default "";

        /** @return settled checkpoints kept in the journal ({@code journal.keep}) */
        @AttributeDefinition(description = "Settled (committed or rolled back) checkpoints kept in the journal", min = "1")
        int journal_keep() default 100;

        /** @return datapath_type of bridges a document creates without one ({@code bridge.datapath_type}) */
        @AttributeDefinition(description = "datapath_type of new bridges whose document names none (netdev: userspace); empty: "
                + "ovs-vswitchd's default")
        String bridge_datapath__type() default "";

        /** @return how long to wait for ovs-vswitchd to apply a change, ms ({@code vswitchd.timeout.ms}) */
        @AttributeDefinition(description = "How long an apply waits for ovs-vswitchd (next_cfg/cur_cfg), in ms", min = "1")
        long vswitchd_timeout_ms() default 20000;

        /** @return how long to wait for systemd-networkd to create VLAN links and set addresses, ms ({@code networkd.timeout.ms}) */
        @AttributeDefinition(description = "How long an apply waits for systemd-networkd (VLAN links, static addresses), in ms",
                min = "1")
        long networkd_timeout_ms() default 20000;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile PortAgent portAgent;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile NetworkFiles networkFiles;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile Networkd networkd;

    /** The appliance's ledger (PID {@code dev.ovs.ledger} of bundle {@code dev.ovs.dbus}). */
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile Ledger ledger;

    private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();
    private NetStateEngine engine;

    /** For DS. */
    public NetStateComponent() {
    }

    @Reference(service = CheckpointListener.class, policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY)
    void addListener(CheckpointListener l) {
        listeners.add(l);
    }

    void removeListener(CheckpointListener l) {
        listeners.remove(l);
    }

    /**
     * The rules of PID {@code dev.ovs.netstate}: every value parses as its type, {@code journal.dir} is empty or an
     * absolute path, {@code journal.keep} at least 1, {@code bridge.datapath_type} empty, {@code system} or
     * {@code netdev}, the timeouts at least 1 ms.
     *
     * @param props the raw configuration properties
     * @param c     the same, typed
     * @throws dev.ovs.base.InvalidArgumentException naming the first key that breaks its rule (the component is then
     *                                               not activated; {@code scr:info} shows the message)
     */
    static void validate(java.util.Map<String, ?> props, Config c) {
        ConfigValues.check(props, Config.class);
        ConfigValues.absolutePath("journal.dir", c.journal_dir(), true);
        ConfigValues.atLeast("journal.keep", c.journal_keep(), 1);
        ConfigValues.oneOf("bridge.datapath_type", c.bridge_datapath__type(), "", "system", "netdev");
        ConfigValues.atLeast("vswitchd.timeout.ms", c.vswitchd_timeout_ms(), 1);
        ConfigValues.atLeast("networkd.timeout.ms", c.networkd_timeout_ms(), 1);
    }

    @Activate
    void activate(BundleContext context, java.util.Map<String, Object> props, Config c) {
        validate(props, c);
        Path dir;
        if (!c.journal_dir().isBlank()) {
            dir = Path.of(c.journal_dir().trim());
        } else {
            String state = context.getProperty("patchbay.state");
            dir = Path.of(state == null || state.isBlank() ? "/var/lib/patchbay" : state, "netstate");
        }
        engine = new NetStateEngine(() -> vswitch, () -> portAgent, () -> networkFiles, () -> networkd, new Journal(dir),
                new NetStateEngine.Settings(c.bridge_datapath__type().trim(), c.vswitchd_timeout_ms(), Math.max(1, c.journal_keep()),
                        c.networkd_timeout_ms()), Clock.systemUTC(), this::fire);
        engine.ledger(() -> ledger);
    }

    private void fire(Checkpoint c, String event) {
        for (CheckpointListener l : listeners) {
            try {
                l.checkpointChanged(c, event);
            } catch (RuntimeException e) {
                // a listener's failure is its own
            }
        }
    }

    @Deactivate
    void deactivate() {
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public String show() {
        return engine.show();
    }

    @Override
    public List<Change> diff(String document) {
        return engine.diff(document);
    }

    @Override
    public String apply(String document, long confirmSeconds, String caller) {
        return engine.apply(document, confirmSeconds, caller);
    }

    @Override
    public void commit(String id, String caller) {
        engine.commit(id, caller);
    }

    @Override
    public void rollback(String id, String caller) {
        engine.rollback(id, caller);
    }

    @Override
    public List<Checkpoint> checkpoints() {
        return engine.checkpoints();
    }

    @Override
    public Optional<Checkpoint> checkpoint(String id) {
        return engine.checkpoint(id);
    }
}
