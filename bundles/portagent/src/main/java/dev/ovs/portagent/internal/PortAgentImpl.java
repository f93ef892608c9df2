package dev.ovs.portagent.internal;

import dev.ovs.base.ConfigValues;
import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortChange;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.portagent.netlink.NetNamespace;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
 * The {@link PortAgent} service: ovs-docker's add-port/del-port/del-ports/set-vlan with rollback, and batches
 * of them ({@link #apply(List, String)}), over a {@link VSwitch}, rtnetlink and a {@link ContainerResolver},
 * recording each mutating call in the appliance's {@link Ledger} (the service of {@code dev.ovs.dbus}, shared with
 * the D-Bus exporter): the intent before anything is done, the outcome after, whoever asked (D-Bus, the shell,
 * the automatic mode, a batch of the network state). If the intent cannot be written (no space, read-only state
 * directory, no ledger service) the operation is refused with {@code Unavailable} before any side effect.
 *
 * <p>As a Declarative Services component (configuration PID {@code dev.ovs.portagent},
 * {@code etc/dev.ovs.portagent.cfg}) it starts the automatic mode ({@link AutoAttach}) and publishes port events on
 * the bus; it closes all of it on deactivation, and a configuration change re-activates. The VSwitch, EventBus and
 * Ledger references are dynamic and optional: without OVSDB, calls fail with {@code Unavailable}; without the bus,
 * events are not published; without the ledger, mutating calls fail with {@code Unavailable}. Outside a framework
 * (tests, tools) {@link #PortAgentImpl(Supplier, ContainerResolver, Ledger, NetNamespace, Faults)} builds it
 * on a given VSwitch, resolver and ledger.
 *
 * <p>Bridges that add-port creates get the VSwitch's default {@code datapath_type} (configuration
 * {@code bridge.datapath_type} of {@code dev.ovs.ovsdb}).
 *
 * <p>This class is the service's face: validation is in {@link AddRequest}, the steps of add-port and
 * del-port (veths, container end, OVSDB, rollback, what runs on workers and why) in {@link PortSteps}, batches
 * in {@link PortBatch} and {@link PortTransaction}, reconcile in {@link Reconciler}; here are the component, the
 * ledger records, the events and the lookups. {@link #close()} waits for the workers.
 */
@Component(service = PortAgent.class, configurationPid = "dev.ovs.portagent", immediate = true,
        property = "service.description=Patchbay port agent (ovs-docker compatible)")
@Designate(ocd = PortAgentImpl.Config.class)
public final class PortAgentImpl implements PortAgent, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PortAgentImpl.class.getName());
    /**
     * Test hook: called before each step with its name; throwing simulates a failure there, halting the JVM a crash
     * ({@link FaultPoints}, armed by the system property {@value FaultPoints#PROPERTY}).
     */
    public interface Faults {
        /** No faults. */
        Faults NONE = step -> {
        };

        /**
         * @param step one of {@link FaultPoints#ADD_STEPS}, {@link FaultPoints#REMOVE_STEPS} or {@code vswitchd}
         *             (a batch)
         */
        void before(String step);
    }

    /** Receives port events after the fact (bus, D-Bus signals). Must not throw. */
    public interface Listener {
        /**
         * @param what      {@code created}, {@code removed} or {@code failed}
         * @param container container reference as given
         * @param iface     interface in the container
         * @param port      host port name, or null for a failure before it was named
         * @param error     the failure message, or null
         */
        void portEvent(String what, String container, String iface, String port, String error);
    }

    private volatile Listener listener = (w, c, i, p, e) -> {
    };
    /** {@code IFLA_IFALIAS} of every host-side veth this agent creates: marks it as Patchbay's for reconcile. */
    public static final String ALIAS = "patchbay:portagent";
    /**
     * Name of a host-side veth between its creation and its rename to {@code <13 hex>_l} together with the
     * alias (one request): ours from the first instant, so that reconcile also deletes a veth whose creator
     * died before it got the alias (ovs-docker never uses {@code _p}).
     */
    public static final java.util.regex.Pattern PENDING = java.util.regex.Pattern.compile("[0-9a-f]{13}_p");
    /** Container labels of the automatic mode. */
    public static final String L_BRIDGE = "dev.ovs.bridge";
    /** Interface label. */
    public static final String L_IFACE = "dev.ovs.interface";

    /** Configuration of PID {@code dev.ovs.portagent}. */
    @ObjectClassDefinition(name = "Patchbay port agent", description = "ovs-docker compatible container ports")
    public @interface Config {
        /** @return Docker Engine API socket ({@code docker.socket}); podman's compatible socket works too */
        @AttributeDefinition(description = "Docker Engine API Unix socket, an absolute path (podman system service works too)")
        String docker_socket() default "/var/run/docker.sock";

        /** @return Docker API call timeout in ms ({@code docker.timeout.ms}) */
        @AttributeDefinition(description = "Docker API call timeout in milliseconds", min = "100")
        int docker_timeout_ms() default 10000;

        /** @return whether labelled containers are attached/detached automatically ({@code auto.enabled}) */
        @AttributeDefinition(description = "Follow Docker events: attach containers labelled dev.ovs.bridge + dev.ovs.interface, "
                + "detach them when they die; reconcile on start and after reconnects")
        boolean auto_enabled() default true;

        /** @return namespace file of the OVS bridges ({@code host.netns}; empty: the agent's own) */
        @AttributeDefinition(description = "Network namespace file where the bridges live, an absolute path (empty: the agent's own)",
                required = false)
        String host_netns() default "";

        /** @return how long a batch waits for ovs-vswitchd to apply its transaction, ms ({@code vswitchd.timeout.ms}) */
        @AttributeDefinition(description = "How long a batch (apply) waits for ovs-vswitchd, in milliseconds", min = "1")
        long vswitchd_timeout_ms() default 10000;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitchService;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    /** The appliance's ledger (PID {@code dev.ovs.ledger} of bundle {@code dev.ovs.dbus}). */
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile Ledger ledgerService;

    /** In-process receivers of port events (the D-Bus face's signals), called with or without an event bus. */
    @Reference(service = Listener.class, policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.MULTIPLE)
    private volatile List<Listener> listeners;

    private Supplier<VSwitch> vswitch;
    private ContainerResolver resolver;
    private Supplier<Ledger> ledger = () -> ledgerService;
    private HostNamespace host;
    private Faults faults;
    private long vswitchdTimeoutMillis = 10000;
    private AutoAttach auto;
    /** The attach and detach steps, and the IDs of add-ports in progress. */
    private final PortSteps steps = new PortSteps(this);

    /** For Declarative Services: {@link #activate(Map, Config)} sets it up. */
    public PortAgentImpl() {
    }

    /**
     * Outside a framework (tests, tools): an agent on the given collaborators, without automatic mode or bus
     * events; the caller closes it ({@link #close()}) and then the ledger.
     *
     * @param vswitch  current VSwitch service, or a supplier returning null when absent
     * @param resolver container resolver
     * @param ledger   operation ledger (e.g. {@code dev.ovs.dbus.internal.ledger.FileLedger}), or null: every
     *                 mutating call fails with {@code Unavailable}
     * @param hostNs   namespace of the OVS bridges (host side of the veths); null for this JVM's own
     * @param faults   fault injection hook ({@link Faults#NONE} in production)
     */
    public PortAgentImpl(Supplier<VSwitch> vswitch, ContainerResolver resolver, Ledger ledger, NetNamespace hostNs,
            Faults faults) {
        this();
        this.vswitch = vswitch;
        this.resolver = resolver;
        this.ledger = () -> ledger;
        this.host = new HostNamespace(hostNs);
        this.faults = faults;
    }

    /**
     * Checks the configuration ({@link #validate}), makes the Docker API client and starts the automatic mode if
     * enabled.
     *
     * @param props the raw configuration properties of PID {@code dev.ovs.portagent}
     * @param c     the same, typed
     * @throws dev.ovs.base.InvalidArgumentException naming the key and the rule (the component is then not
     *                                               activated; {@code scr:info dev.ovs.portagent} shows the message)
     */
    @Activate
    void activate(Map<String, Object> props, Config c) {
        faults = FaultPoints.fromSystemProperty(); // test hook, Faults.NONE unless set; first: it may throw
        validate(props, c);
        DockerClient docker = new DockerClient(ConfigValues.absolutePath("docker.socket", c.docker_socket(), false),
                Duration.ofMillis(c.docker_timeout_ms()));
        Path netns = ConfigValues.absolutePath("host.netns", c.host_netns(), true);
        host = new HostNamespace(netns == null ? null : NetNamespace.ofPath(netns));
        vswitch = () -> vswitchService;
        resolver = new ContainerResolver(docker);
        vswitchdTimeoutMillis = c.vswitchd_timeout_ms();
        listener = this::publish;
        if (c.auto_enabled()) {
            auto = new AutoAttach(this, docker, line -> LOG.log(System.Logger.Level.WARNING, line));
            auto.start();
        }
    }

    /**
     * The rules of PID {@code dev.ovs.portagent}: every value parses as its type ({@code auto.enabled} only
     * {@code true} or {@code false}), {@code docker.socket} is an absolute path, {@code host.netns} empty or an
     * absolute path, {@code docker.timeout.ms} at least 100, {@code vswitchd.timeout.ms} at least 1.
     *
     * @param props the raw configuration properties
     * @param c     the same, typed
     * @throws dev.ovs.base.InvalidArgumentException naming the first key that breaks its rule
     */
    static void validate(Map<String, ?> props, Config c) {
        ConfigValues.check(props, Config.class);
        ConfigValues.absolutePath("docker.socket", c.docker_socket(), false);
        ConfigValues.absolutePath("host.netns", c.host_netns(), true);
        ConfigValues.atLeast("docker.timeout.ms", c.docker_timeout_ms(), 100);
        ConfigValues.atLeast("vswitchd.timeout.ms", c.vswitchd_timeout_ms(), 1);
    }

    /** Stops the automatic mode, the workers and the sockets ({@link #close()}). */
    @Deactivate
    void deactivate() {
        if (auto != null) {
            auto.close();
        }
        close();
    }

    /** @param ms how long a batch waits for ovs-vswitchd (tests; the component takes it from its configuration) */
    void setVswitchdTimeoutMillis(long ms) {
        this.vswitchdTimeoutMillis = ms;
    }

    long vswitchdTimeoutMillis() {
        return vswitchdTimeoutMillis;
    }

    ContainerResolver resolver() {
        return resolver;
    }

    /**
     * @return the ledger
     * @throws PortAgentException Unavailable if there is none
     */
    Ledger ledger() {
        Ledger l = ledger.get();
        if (l == null) {
            throw new PortAgentException(ErrorKind.Unavailable,
                    "ledger: not available (component dev.ovs.ledger of bundle dev.ovs.dbus)", null);
        }
        return l;
    }

    Faults faults() {
        return faults;
    }

    /** @return the attach and detach steps (and the add-ports in progress) */
    PortSteps steps() {
        return steps;
    }

    private void publish(String what, String container, String iface, String port, String error) {
        List<Listener> ls = listeners;
        if (ls != null) {
            for (Listener l : ls) {
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

    /**
     * Stops the workers (waiting up to 15 s for link deletions and OVSDB changes in progress) and closes the netlink
     * sockets. Operations after this fail. Idempotent.
     */
    @Override
    public void close() {
        host.close();
    }

    /** Drops cached resolutions of a container (container event). @param idOrName ID or name, null ignored */
    public void forgetContainer(String idOrName) {
        resolver.forget(idOrName);
    }

    /** Drops every cached container resolution (event stream (re)subscribed). */
    public void forgetAllContainers() {
        resolver.forgetAll();
    }

    /** @return the bridges' namespace: its shared netlink socket, link deletion and the workers */
    HostNamespace host() {
        return host;
    }

    /** @param l the listener (replaces the previous one), not null */
    public void setListener(Listener l) {
        this.listener = l;
    }

    void fire(String what, String container, String iface, String port, String error) {
        try {
            listener.portEvent(what, container, iface, port, error);
        } catch (RuntimeException e) {
            // a listener must not break the operation
        }
    }

    VSwitch vs() {
        VSwitch v = vswitch.get();
        if (v == null) {
            throw new PortAgentException(ErrorKind.Unavailable, "no VSwitch (OVSDB) service is available", null);
        }
        return v;
    }

    @Override
    public String addPort(String bridge, String iface, String container, PortSettings settings, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bridge", bridge);
        args.put("interface", iface);
        args.put("container", container);
        PortSettings s = settings == null ? PortSettings.NONE : settings;
        putIf(args, "ipaddress", s.ipaddress());
        putIf(args, "macaddress", s.macaddress());
        putIf(args, "gateway", s.gateway());
        putIf(args, "mtu", s.mtu());
        putIf(args, "vlan", s.vlan());
        return recorded(caller, "add-port", args, () -> {
            AddRequest r = AddRequest.validate(bridge, iface, container, s);
            try {
                String port = steps.add(r);
                fire("created", r.ref().text(), iface, port, null);
                return port;
            } catch (RuntimeException e) {
                fire("failed", r.ref().text(), iface, null, e.getMessage());
                throw e;
            }
        });
    }

    static void putIf(Map<String, String> m, String k, Object v) {
        if (v != null) {
            m.put(k, v.toString());
        }
    }

    @Override
    public boolean deleteLink(String name, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("link", name);
        return "deleted".equals(recorded(caller, "del-link", args, () -> {
            InterfaceName.check("link", name);
            VSwitch vs = vs();
            if (vs.iface(name).isPresent()) {
                throw new PortAgentException(ErrorKind.ConstraintViolation, "link '" + name
                        + "' is an interface of an Open vSwitch bridge: remove the port instead", null);
            }
            RtNetlink hostNl;
            try {
                hostNl = host.socket();
                try {
                    return hostNl.deleteLinkIfExists(name) ? "deleted" : "absent";
                } catch (NetlinkException e) {
                    throw map(host.checkSocket(hostNl, e));
                }
            } catch (NetlinkException e) {
                throw map(e);
            }
        }));
    }

    @Override
    public void deletePort(String bridge, String iface, String container, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bridge", bridge);
        args.put("interface", iface);
        args.put("container", container);
        recorded(caller, "del-port", args, () -> {
            InterfaceName.check("bridge", bridge);
            InterfaceName.check("interface", iface);
            ContainerRef ref = ContainerRef.parse("container", container);
            VSwitch vs = vs();
            List<InterfaceInfo> found = find(vs, ref.text(), iface);
            attached(found, ref, iface);
            steps.remove(vs, found);
            fire("removed", ref.text(), iface, found.get(0).name(), null);
            return found.get(0).name();
        });
    }

    @Override
    public List<String> deletePorts(String bridge, String container, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bridge", bridge);
        args.put("container", container);
        List<String> out = new ArrayList<>();
        recorded(caller, "del-ports", args, () -> {
            InterfaceName.check("bridge", bridge);
            ContainerRef ref = ContainerRef.parse("container", container);
            VSwitch vs = vs();
            List<InterfaceInfo> found = vs.findInterfaces(Map.of("container_id", ref.text()));
            steps.remove(vs, found);
            for (InterfaceInfo i : found) {
                fire("removed", ref.text(), i.externalIds().getOrDefault("container_iface", ""), i.name(), null);
            }
            found.stream().map(InterfaceInfo::name).sorted().forEach(out::add);
            return String.join(",", out);
        });
        return out;
    }

    @Override
    public void setVlan(String bridge, String iface, String container, VlanTag vlan, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bridge", bridge);
        args.put("interface", iface);
        args.put("container", container);
        args.put("vlan", String.valueOf(vlan));
        recorded(caller, "set-vlan", args, () -> {
            InterfaceName.check("bridge", bridge);
            InterfaceName.check("interface", iface);
            ContainerRef ref = ContainerRef.parse("container", container);
            if (vlan == null) {
                throw new InvalidArgumentException("vlan", "must not be null (0..4095)");
            }
            VSwitch vs = vs();
            InterfaceInfo port = attached(find(vs, ref.text(), iface), ref, iface);
            try {
                vs.setPortTag(portOf(port), vlan);
            } catch (OvsdbException e) {
                throw map(e);
            }
            return port.name();
        });
    }

    /**
     * @return the one container port of {@code found}
     * @throws PortAgentException NotFound (ovs-docker's message) if there is none
     */
    static InterfaceInfo attached(List<InterfaceInfo> found, ContainerRef ref, String iface) {
        if (found.isEmpty()) {
            throw new PortAgentException(ErrorKind.NotFound, "Failed to find any attached port for CONTAINER=" + ref.text()
                    + " and INTERFACE=" + iface, null);
        }
        return found.get(0);
    }

    /** @return the Port name of a container interface (ovs-docker's ports have the interface's name) */
    static String portOf(InterfaceInfo i) {
        return i.port() != null ? i.port() : i.name();
    }

    @Override
    public List<String> apply(List<PortChange> changes, String caller) {
        return new PortBatch(this, caller).apply(changes);
    }

    @Override
    public List<ContainerPort> listPorts() {
        VSwitch vs = vs();
        List<ContainerPort> out = new ArrayList<>();
        for (InterfaceInfo i : vs.findInterfaces(Map.of())) {
            Map<String, String> ids = i.externalIds();
            if (!ids.containsKey("container_id") || !ids.containsKey("container_iface")) {
                continue;
            }
            PortInfo p = i.port() == null ? null : vs.port(i.port()).orElse(null);
            out.add(new ContainerPort(i.name(), p == null ? null : p.bridge(), ids.get("container_id"),
                    ids.get("container_iface"), p == null ? null : p.tag()));
        }
        out.sort(Comparator.comparing(ContainerPort::port));
        return out;
    }

    /**
     * Attaches a container from its labels ({@code dev.ovs.bridge}, {@code dev.ovs.interface},
     * {@code dev.ovs.ipaddress}, {@code dev.ovs.macaddress}, {@code dev.ovs.gateway}, {@code dev.ovs.mtu},
     * {@code dev.ovs.vlan}), with the full container ID as reference.
     *
     * @param id     full container ID
     * @param labels its labels
     * @param caller ledger caller
     * @return the host port
     */
    public String attachLabelled(String id, Map<String, String> labels, String caller) {
        Map<String, Object> opts = new LinkedHashMap<>();
        for (String k : List.of("ipaddress", "macaddress", "gateway", "mtu", "vlan")) {
            String v = labels.get("dev.ovs." + k);
            if (v != null && !v.isBlank()) {
                opts.put(k, v.trim());
            }
        }
        return addPort(labels.get(L_BRIDGE), labels.get(L_IFACE), id, PortSettings.fromOptions(opts), caller);
    }

    static List<InterfaceInfo> find(VSwitch vs, String container, String iface) {
        return vs.findInterfaces(Map.of("container_id", container, "container_iface", iface));
    }

    @Override
    public LedgerStats ledgerStats() {
        return stats(ledger().stats());
    }

    @Override
    public LedgerStats verifyLedger() {
        return stats(ledger().verify());
    }

    @Override
    public List<LedgerEntry> ledgerTail(int n) {
        return ledger().tail(n).stream().map(e -> new LedgerEntry(e.seq(), e.time(), e.caller(), e.operation(),
                e.args(), e.result(), e.prev(), e.hash())).toList();
    }

    /** The ledger's statistics as the port agent's API type (same fields). */
    static LedgerStats stats(dev.ovs.dbus.ledger.LedgerStats s) {
        return new LedgerStats(s.height(), s.headHash(), s.verified(), s.firstTime(), s.lastTime(), s.problem(),
                s.path());
    }

    /**
     * @param s the port agent's ledger statistics
     * @return the JSON of {@code GetBlockchainStats} ({@link dev.ovs.dbus.ledger.LedgerStats#toJson()})
     */
    static String toJson(LedgerStats s) {
        return new dev.ovs.dbus.ledger.LedgerStats(s.height(), s.headHash(), s.verified(), s.firstTime(), s.lastTime(),
                s.problem(), s.path()).toJson();
    }

    /**
     * Writes the intent of an operation to the ledger.
     *
     * @throws PortAgentException Unavailable if it cannot be written (the operation must not run)
     */
    Ledger.Intent intent(String caller, String op, Map<String, String> args) {
        try {
            return ledger().begin(caller, op, args);
        } catch (DomainException e) {
            if (e instanceof PortAgentException p) {
                throw p;
            }
            throw new PortAgentException(e.kind(), e.getMessage(), e);
        }
    }

    private interface Op {
        String run();
    }

    /** Intent, the operation, its outcome (an outcome that cannot be written is logged by the ledger). */
    private String recorded(String caller, String op, Map<String, String> args, Op body) {
        Ledger.Intent intent = intent(caller, op, args);
        String result;
        try {
            result = body.run();
        } catch (RuntimeException e) {
            intent.failed(e.getMessage());
            throw e;
        }
        intent.succeeded(result);
        return result;
    }

    static PortAgentException map(NetlinkException e) {
        ErrorKind k = switch (e.errno()) {
            case 17 -> ErrorKind.AlreadyExists;
            case 19, 2, 3 -> ErrorKind.NotFound;
            case 22, 34, 99, 101 -> ErrorKind.ConstraintViolation;
            case 110 -> ErrorKind.Timeout;
            default -> ErrorKind.Failed;
        };
        return new PortAgentException(k, e.getMessage(), e);
    }

    static PortAgentException map(OvsdbException e) {
        ErrorKind k = switch (e.kind()) {
            case NotFound -> ErrorKind.NotFound;
            case AlreadyExists -> ErrorKind.AlreadyExists;
            case ConstraintViolation, ReferentialIntegrity -> ErrorKind.ConstraintViolation;
            case Conflict -> ErrorKind.Conflict;
            case Timeout -> ErrorKind.Timeout;
            case Unavailable -> ErrorKind.Unavailable;
            default -> ErrorKind.Failed;
        };
        return new PortAgentException(k, "OVSDB: " + e.getMessage(), e);
    }
}
