package dev.ovs.portagent.internal;

import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.portagent.internal.ledger.Ledger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@link PortAgent} service (configuration PID {@code dev.ovs.portagent}, {@code etc/dev.ovs.portagent.cfg}).
 * The VSwitch and EventBus references are dynamic and optional: without OVSDB, calls fail with
 * {@code Unavailable}; without the bus, events are not published. The ledger file is opened (and
 * verified) on activation and closed on deactivation; a configuration change re-activates. Bridges that
 * add-port creates get the VSwitch's default {@code datapath_type} ({@code bridge.datapath_type} of
 * {@code dev.ovs.ovsdb}).
 */
@Component(service = PortAgent.class, configurationPid = "dev.ovs.portagent", immediate = true,
        property = "service.description=Patchbay port agent (ovs-docker compatible)")
@Designate(ocd = PortAgentComponent.Config.class)
public final class PortAgentComponent implements PortAgent {

    /** Configuration. */
    @ObjectClassDefinition(name = "Patchbay port agent", description = "ovs-docker compatible container ports")
    public @interface Config {
        /** @return Docker Engine API socket ({@code docker.socket}); podman's compatible socket works too */
        @AttributeDefinition(description = "Docker Engine API Unix socket (podman system service works too)")
        String docker_socket() default "/var/run/docker.sock";

        /** @return Docker API call timeout in ms ({@code docker.timeout.ms}) */
        @AttributeDefinition(description = "Docker API call timeout in milliseconds")
        int docker_timeout_ms() default 10000;

        /** @return ledger file ({@code ledger.path}) */
        @AttributeDefinition(description = "Hash-chained operation ledger (JSON lines)")
        String ledger_path() default "/var/lib/patchbay/ledger.jsonl";

        /** @return whether each ledger append is forced to disk ({@code ledger.sync}) */
        @AttributeDefinition(description = "fdatasync every ledger entry")
        boolean ledger_sync() default true;

        /** @return whether labelled containers are attached/detached automatically ({@code auto.enabled}) */
        @AttributeDefinition(description = "Follow Docker events: attach containers labelled dev.ovs.bridge + dev.ovs.interface, "
                + "detach them when they die; reconcile on start and after reconnects")
        boolean auto_enabled() default true;

        /** @return namespace file of the OVS bridges ({@code host.netns}; empty: the agent's own) */
        @AttributeDefinition(description = "Network namespace file where the bridges live (empty: the agent's own)")
        String host_netns() default "";
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    /** In-process receivers of port events (the D-Bus face's signals), called with or without an event bus. */
    @Reference(service = PortAgentImpl.Listener.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.MULTIPLE)
    private volatile List<PortAgentImpl.Listener> listeners;

    private Ledger ledger;
    private PortAgentImpl impl;
    private AutoAttach auto;

    @Activate
    void activate(Config c) throws IOException {
        ledger = Ledger.open(Path.of(c.ledger_path()), c.ledger_sync(), Clock.systemUTC());
        DockerClient docker = new DockerClient(Path.of(c.docker_socket()), Duration.ofMillis(Math.max(100, c.docker_timeout_ms())));
        NetNamespace host = c.host_netns().isBlank() ? null : NetNamespace.ofPath(Path.of(c.host_netns()));
        impl = new PortAgentImpl(() -> vswitch, new ContainerResolver(docker), ledger, host, PortAgentImpl.Faults.NONE);
        impl.setListener(this::publish);
        if (!ledger.stats().verified()) {
            System.err.println("[dev.ovs.portagent] LEDGER TAMPERED: " + ledger.stats().problem());
        }
        if (c.auto_enabled()) {
            auto = new AutoAttach(impl, docker, line -> System.err.println("[dev.ovs.portagent] " + line));
            auto.start();
        }
    }

    @Deactivate
    void deactivate() throws IOException {
        try {
            if (auto != null) {
                auto.close();
            }
            impl.close();
        } finally {
            ledger.close();
        }
    }

    private void publish(String what, String container, String iface, String port, String error) {
        List<PortAgentImpl.Listener> ls = listeners;
        if (ls != null) {
            for (PortAgentImpl.Listener l : ls) {
                l.portEvent(what, container, iface, port, error);
            }
        }
        EventBus b = bus;
        if (b == null) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("container", container);
        payload.put("interface", iface);
        payload.put("port", port);
        if (error != null) {
            payload.put("error", error);
        }
        b.publish(Topics.of("portagent", "container", container, "port", what), payload, "portagent.port." + what);
    }

    @Override
    public String addPort(String bridge, String iface, String container, PortSettings settings, String caller) {
        return impl.addPort(bridge, iface, container, settings, caller);
    }

    @Override
    public void deletePort(String bridge, String iface, String container, String caller) {
        impl.deletePort(bridge, iface, container, caller);
    }

    @Override
    public List<String> deletePorts(String bridge, String container, String caller) {
        return impl.deletePorts(bridge, container, caller);
    }

    @Override
    public void setVlan(String bridge, String iface, String container, int vlan, String caller) {
        impl.setVlan(bridge, iface, container, vlan, caller);
    }

    @Override
    public List<ContainerPort> listPorts() {
        return impl.listPorts();
    }

    @Override
    public LedgerStats ledgerStats() {
        return impl.ledgerStats();
    }

    @Override
    public LedgerStats verifyLedger() {
        return impl.verifyLedger();
    }

    @Override
    public List<LedgerEntry> ledgerTail(int n) {
        return impl.ledgerTail(n);
    }
}
