package dev.ovs.fleet.internal;

import dev.ovs.bus.EventListener;
import dev.ovs.fleet.Fleet;
import dev.ovs.fleet.FleetStatus;
import dev.ovs.netstate.NetState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The fleet agent component (PID {@code dev.ovs.fleet}, file {@code etc/dev.ovs.fleet.cfg}). Registers the
 * {@link Fleet} status service always; with {@code enabled=true} it also runs a {@link FleetAgent} and registers
 * its event forwarder as a whiteboard {@link EventListener} for the {@code export} patterns. A configuration change
 * re-activates the component (new connection). An invalid configuration fails activation with the key and the rule
 * (logged by SCR) before anything connects.
 *
 * <p>The network-state service is an optional, dynamic reference: without it events still flow and desired
 * revisions are reported {@code failed}.
 */
@Component(name = "dev.ovs.fleet", configurationPid = "dev.ovs.fleet", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = Fleet.class, immediate = true)
@Designate(ocd = FleetConfig.class)
public final class FleetComponent implements Fleet {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile NetState netState;
    private FleetAgent agent;
    private ServiceRegistration<EventListener> listener;

    /** For DS. */
    public FleetComponent() {
    }

    @Activate
    void activate(BundleContext ctx, java.util.Map<String, Object> raw, FleetConfig config) {
        dev.ovs.base.ConfigValues.check(raw, FleetConfig.class);
        String stateProp = ctx.getProperty("patchbay.state");
        Path stateDir = stateProp != null && !stateProp.isBlank() ? Path.of(stateProp) : ctx.getDataFile("").toPath();
        Settings s = Settings.of(config, FleetComponent::machineId, stateDir);
        if (!s.enabled()) {
            return;
        }
        FleetAgent a = new FleetAgent(s, () -> {
            NetState n = netState;
            return n == null ? null : new NetStateAdapter(n);
        });
        a.start();
        agent = a;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventListener.TOPICS, s.export().toArray(String[]::new));
        props.put("service.description", "fleet: local events to NATS patchbay." + s.hostId() + ".>");
        listener = ctx.registerService(EventListener.class, a.forwarder(), props);
    }

    @Deactivate
    void deactivate() {
        if (listener != null) {
            try {
                listener.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
            listener = null;
        }
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    @Override
    public FleetStatus status() {
        FleetAgent a = agent;
        if (a == null) {
            return new FleetStatus(false, "", "-", "", 0, 0, 0, 0, 0, 0, null, false, "");
        }
        return a.status();
    }

    /** @return the machine id from /etc/machine-id (machine-id(5)) or /var/lib/dbus/machine-id, or null */
    static String machineId() {
        for (String f : new String[] {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            try {
                String s = Files.readString(Path.of(f), StandardCharsets.US_ASCII).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            } catch (IOException ignored) {
                // next
            }
        }
        return null;
    }
}
