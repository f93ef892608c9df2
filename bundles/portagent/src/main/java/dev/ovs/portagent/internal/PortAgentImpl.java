package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.Cidr;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.Validate;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.ledger.Ledger;
import dev.ovs.portagent.netlink.LinkChange;
import dev.ovs.portagent.netlink.NetNamespace;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The port agent's logic, independent of OSGi: ovs-docker's add-port/del-port/del-ports/set-vlan
 * with rollback, over a {@link VSwitch}, rtnetlink and a {@link ContainerResolver}, recording each
 * mutating call in a {@link Ledger}.
 *
 * <p>Bridges that add-port creates get the VSwitch's default {@code datapath_type} (configuration
 * {@code bridge.datapath_type} of {@code dev.ovs.ovsdb}).
 *
 * <p>Speed without shortcuts: one netlink socket in the bridges' namespace is kept open (checked against
 * the namespace file's inode before each use, reopened after socket errors); Docker answers are cached by
 * the {@link ContainerResolver} while the container's process lives; and del-port returns as soon as the
 * host veth is gone from the namespace: the kernel's {@code RTM_DELLINK} keeps the caller until RCU has
 * freed the device (tens of ms) although the link (and its peer in the container) is unlisted at once, so
 * the request runs on a small worker pool while the caller polls {@code RTM_GETLINK} until the name is
 * gone (or the worker reports the failure). In add-port, the OVSDB change (which waits for ovs-vswitchd)
 * runs on a worker while the container's end is set up; the host end is set up after it (ovs-vswitchd
 * read-modify-writes that link's flags while adding the port). {@link #close()} waits for the workers.
 */
public final class PortAgentImpl implements PortAgent, AutoCloseable {
    /** Test hook: called before each step with its name; throwing simulates a failure there. */
    public interface Faults {
        /** No faults. */
        Faults NONE = step -> {
        };

        /**
         * @param step one of {@code bridge}, {@code veth}, {@code ovsdb}, {@code host-up},
         *             {@code container-up}, {@code address}, {@code route}
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

    private final Supplier<VSwitch> vswitch;
    private final ContainerResolver resolver;
    private final Ledger ledger;
    private final NetNamespace hostNs;
    private final Faults faults;
    private final SecureRandom random = new SecureRandom();
    /** Guards {@link #hostSocket} and {@link #hostInode}. */
    private final Object hostLock = new Object();
    private RtNetlink hostSocket;
    private Object hostInode;
    /** Workers: RTM_DELLINK through the kernel's RCU wait, OVSDB add-port while the container end is set up. */
    private final ThreadPoolExecutor workers;
    private final ConcurrentLinkedDeque<RtNetlink> deleterSockets = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    /** IDs ({@code <13 hex>}) of add-ports in progress: reconcile leaves their veths alone. */
    private final java.util.Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param vswitch  current VSwitch service, or a supplier returning null when absent
     * @param resolver container resolver
     * @param ledger   operation ledger
     * @param hostNs   namespace of the OVS bridges (host side of the veths); null for this JVM's own
     * @param faults   fault injection hook ({@link Faults#NONE} in production)
     */
    public PortAgentImpl(Supplier<VSwitch> vswitch, ContainerResolver resolver, Ledger ledger, NetNamespace hostNs,
            Faults faults) {
        this.vswitch = vswitch;
        this.resolver = resolver;
        this.ledger = ledger;
        this.hostNs = hostNs;
        this.faults = faults;
        this.workers = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "portagent-worker");
            t.setDaemon(true);
            return t;
        });
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Stops the workers (waiting up to 15 s for link deletions and OVSDB changes in progress) and closes the netlink
     * sockets. Operations after this fail. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        workers.shutdown();
        try {
            workers.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (hostLock) {
            if (hostSocket != null) {
                hostSocket.close();
                hostSocket = null;
            }
        }
        RtNetlink d;
        while ((d = deleterSockets.poll()) != null) {
            d.close();
        }
    }

    /** Drops cached resolutions of a container (container event). @param idOrName ID or name, null ignored */
    public void forgetContainer(String idOrName) {
        resolver.forget(idOrName);
    }

    /** Drops every cached container resolution (event stream (re)subscribed). */
    public void forgetAllContainers() {
        resolver.forgetAll();
    }

    /** @param l the listener (replaces the previous one), not null */
    public void setListener(Listener l) {
        this.listener = l;
    }

    private void fire(String what, String container, String iface, String port, String error) {
        try {
            listener.portEvent(what, container, iface, port, error);
        } catch (RuntimeException e) {
            // a listener must not break the operation
        }
    }

    private VSwitch vs() {
        VSwitch v = vswitch.get();
        if (v == null) {
            throw new PortAgentException(ErrorKind.Unavailable, "no VSwitch (OVSDB) service is available", null);
        }
        return v;
    }

    private RtNetlink openHost() throws NetlinkException {
        return hostNs == null ? RtNetlink.open() : RtNetlink.open(hostNs);
    }

    /** @return the inode of the host namespace file (its namespace's identity), or null for the own namespace */
    private Object hostNsInode() throws NetlinkException {
        if (hostNs == null) {
            return null;
        }
        try {
            return Files.getAttribute(hostNs.path(), "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            throw new NetlinkException("open", hostNs + ": cannot stat the namespace file", 2, e.getMessage(), e);
        }
    }

    /**
     * @return the shared socket in the bridges' namespace (opened on first use; reopened when the namespace
     *         file now names another namespace). Not to be closed by the caller.
     */
    private RtNetlink host() throws NetlinkException {
        if (closed) {
            throw new PortAgentException(ErrorKind.Unavailable, "the port agent is closed", null);
        }
        Object ino = hostNsInode();
        synchronized (hostLock) {
            if (hostSocket != null && !Objects.equals(ino, hostInode)) {
                dropHostLocked();
            }
            if (hostSocket == null) {
                hostSocket = openHost();
                hostInode = ino;
            }
            return hostSocket;
        }
    }

    private void dropHostLocked() {
        hostSocket.close();
        hostSocket = null;
        RtNetlink d;
        while ((d = deleterSockets.poll()) != null) {
            d.close();
        }
    }

    /** Socket-level failures (not the kernel refusing a request): the shared socket is replaced. */
    private NetlinkException checkSocket(RtNetlink used, NetlinkException e) {
        if (e.errno() == 9 || e.errno() == 110 || e.errno() == 105 || e.errno() == 71 || e.errno() == 90) {
            synchronized (hostLock) {
                if (hostSocket == used) {
                    dropHostLocked();
                }
            }
        }
        return e;
    }

    /**
     * Deletes a host link (and so its veth peer) and returns once it is gone from the namespace: the
     * {@code RTM_DELLINK} runs on a worker (the kernel holds it until RCU freed the device), this thread
     * polls {@code RTM_GETLINK} for the name every 100 µs and returns when the kernel answers
     * {@code ENODEV}, or when the worker finished (rethrowing its error).
     *
     * @param hostNl the shared host socket (for the polls)
     * @param name   host link name
     * @throws NetlinkException as {@link RtNetlink#deleteLinkIfExists(String)}
     */
    private void deleteHostLink(RtNetlink hostNl, String name) throws NetlinkException {
        Future<Boolean> f;
        try {
            f = workers.submit(() -> {
                RtNetlink s = deleterSockets.poll();
                if (s == null) {
                    s = openHost();
                }
                try {
                    boolean deleted = s.deleteLinkIfExists(name);
                    deleterSockets.push(s);
                    return deleted;
                } catch (NetlinkException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            hostNl.deleteLinkIfExists(name); // closing: do it here
            return;
        }
        while (true) {
            if (f.isDone()) {
                try {
                    f.get();
                    return;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof NetlinkException ne) {
                        throw ne;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PortAgentException(ErrorKind.Failed, "interrupted while deleting link '" + name + "'", e);
                }
            }
            if (hostNl.link(name).isEmpty()) {
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** A validated add-port request. */
    private record AddRequest(String bridge, String iface, ContainerRef ref, Cidr address, String mac, InetAddress gateway,
            Integer mtu, Integer vlan) {
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
            AddRequest r = validate(bridge, iface, container, s);
            try {
                String port = doAdd(r);
                fire("created", r.ref.text(), iface, port, null);
                return port;
            } catch (RuntimeException e) {
                fire("failed", r.ref.text(), iface, null, e.getMessage());
                throw e;
            }
        });
    }

    private static void putIf(Map<String, String> m, String k, Object v) {
        if (v != null) {
            m.put(k, v.toString());
        }
    }

    private static AddRequest validate(String bridge, String iface, String container, PortSettings s) {
        InterfaceName.check("bridge", bridge);
        InterfaceName.check("interface", iface);
        ContainerRef ref = ContainerRef.parse("container", container);
        Cidr addr = s.ipaddress() == null ? null : Validate.cidr("ipaddress", s.ipaddress());
        String mac = s.macaddress() == null ? null : Validate.mac("macaddress", s.macaddress());
        InetAddress gw = s.gateway() == null ? null : Validate.gateway("gateway", s.gateway(), addr);
        Integer mtu = s.mtu() == null ? null : Validate.mtu("mtu", s.mtu());
        Integer vlan = s.vlan() == null ? null : Validate.vlan("vlan", s.vlan());
        return new AddRequest(bridge, iface, ref, addr, mac, gw, mtu, vlan);
    }

    private String doAdd(AddRequest r) {
        String id = HexFormat.of().formatHex(randomBytes()).substring(0, 13);
        inFlight.add(id);
        try {
            return doAdd(r, id);
        } finally {
            inFlight.remove(id);
        }
    }

    private String doAdd(AddRequest r, String id) {
        VSwitch vs = vs();
        if (!find(vs, r.ref.text(), r.iface).isEmpty()) {
            throw new PortAgentException(ErrorKind.AlreadyExists, "Port already attached for CONTAINER=" + r.ref.text()
                    + " and INTERFACE=" + r.iface, null);
        }
        Container c = resolver.resolve(r.ref);
        String hostName = id + "_l";
        Deque<Runnable> undo = new ArrayDeque<>();
        RtNetlink hostNl;
        try {
            hostNl = host();
        } catch (NetlinkException e) {
            throw map(e);
        }
        try {
            // the replica is fresh: find() above ended with an echo barrier
            if (vs.replica().byName("Bridge", r.bridge).isEmpty()) {
                faults.before("bridge");
                vs.addBridge(r.bridge, null, false); // the VSwitch's default datapath_type
                undo.push(() -> vs.deleteBridge(r.bridge, true));
            }
            faults.before("veth");
            LinkChange peer = LinkChange.none();
            if (r.mtu != null) {
                peer = peer.withMtu(r.mtu);
            }
            if (r.mac != null) {
                peer = peer.withMac(r.mac);
            }
            LinkChange local = LinkChange.none();
            if (r.mtu != null) {
                local = local.withMtu(r.mtu);
            }
            String pending = id + "_p";
            hostNl.createVeth(pending, r.iface, c.netns(), peer, local);
            undo.push(() -> quietly(() -> hostNl.deleteLinkIfExists(pending)));
            // final name and the alias that marks it as ours in one request (the kernel ignores an alias in
            // the create request)
            hostNl.change(pending, LinkChange.none().withName(hostName).withAlias(ALIAS));
            undo.push(() -> quietly(() -> hostNl.deleteLinkIfExists(hostName)));
            faults.before("ovsdb");
            PortOptions po = PortOptions.NONE.withInterfaceExternalIds(
                    Map.of("container_id", r.ref.text(), "container_iface", r.iface));
            if (r.vlan != null) {
                po = po.withTag(dev.ovs.ovsdb.vswitch.VlanTag.of("vlan", r.vlan));
            }
            // The OVSDB change (which waits for ovs-vswitchd) runs on a worker while this thread configures the
            // container's end, which ovs-vswitchd never touches. The host end is set up only afterwards:
            // ovs-vswitchd read-modify-writes its flags (promiscuous mode) while it adds the port. (Setting it up
            // in the rename request instead, before ovs-vswitchd sees it, was measured slower: add-port p50 +1 ms
            // in an interleaved A/B, as both ends then get carrier while ovs-vswitchd adds the port.)
            PortOptions options = po;
            Future<?> ovsdb = submit(() -> vs.addPort(r.bridge, hostName, options, false));
            Exception inContainer = null;
            try (RtNetlink inside = RtNetlink.open(c.netns())) {
                faults.before("container-up");
                inside.setUp(r.iface, true);
                if (r.address != null) {
                    faults.before("address");
                    inside.addAddress(r.iface, r.address.address(), r.address.prefixLength());
                }
                if (r.gateway != null) {
                    faults.before("route");
                    inside.addDefaultRoute(r.gateway);
                }
            } catch (NetlinkException | RuntimeException e) {
                inContainer = e;
            }
            RuntimeException ovsdbFailure = join(ovsdb);
            if (ovsdbFailure == null) {
                undo.push(() -> vs.deletePort(null, hostName, true));
            }
            if (inContainer != null) {
                if (ovsdbFailure != null) {
                    inContainer.addSuppressed(ovsdbFailure);
                }
                if (inContainer instanceof NetlinkException ne) {
                    throw ne;
                }
                throw (RuntimeException) inContainer;
            }
            if (ovsdbFailure != null) {
                throw ovsdbFailure;
            }
            faults.before("host-up");
            hostNl.setUp(hostName, true);
            return hostName;
        } catch (NetlinkException e) {
            throw rollback(undo, map(checkSocket(hostNl, e)));
        } catch (OvsdbException e) {
            throw rollback(undo, map(e));
        } catch (RuntimeException e) {
            throw rollback(undo, e);
        }
    }

    /** Runs a task on a worker (or here, once closing). */
    private Future<?> submit(Runnable task) {
        try {
            return workers.submit(task);
        } catch (RejectedExecutionException e) {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException x) {
                done.completeExceptionally(x);
            }
            return done;
        }
    }

    /** Waits (uninterruptibly: the change must be known before rollback) for a task; @return its failure or null. */
    private static RuntimeException join(Future<?> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause() instanceof RuntimeException re ? re
                            : new PortAgentException(ErrorKind.Failed, String.valueOf(e.getCause()), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private byte[] randomBytes() {
        byte[] b = new byte[7];
        random.nextBytes(b);
        return b;
    }

    private interface NlAction {
        void run() throws NetlinkException;
    }

    private static void quietly(NlAction a) {
        try {
            a.run();
        } catch (NetlinkException e) {
            throw new PortAgentException(ErrorKind.Failed, "rollback: " + e.getMessage(), e);
        }
    }

    /** Whether a host veth name ({@code <13 hex>_p} or {@code _l}) belongs to an add-port in progress. */
    private boolean addInFlight(String hostName) {
        return hostName.length() == 15 && inFlight.contains(hostName.substring(0, 13));
    }

    private static RuntimeException rollback(Deque<Runnable> undo, RuntimeException cause) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
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
            if (found.isEmpty()) {
                throw new PortAgentException(ErrorKind.NotFound, "Failed to find any attached port for CONTAINER=" + ref.text()
                        + " and INTERFACE=" + iface, null);
            }
            remove(vs, found);
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
            remove(vs, found);
            for (InterfaceInfo i : found) {
                fire("removed", ref.text(), i.externalIds().getOrDefault("container_iface", ""), i.name(), null);
            }
            found.stream().map(InterfaceInfo::name).sorted().forEach(out::add);
            return String.join(",", out);
        });
        return out;
    }

    private void remove(VSwitch vs, List<InterfaceInfo> found) {
        RtNetlink hostNl = null;
        try {
            hostNl = host();
            for (InterfaceInfo i : found) {
                // like ovs-docker: the OVSDB row first (ovs-vswitchd lets go of the device), then the link. The
                // link goes even when the OVSDB change fails: that failure may come after the commit (the VSwitch
                // went away, or ovs-vswitchd did not confirm in time), and a link without its row could never be
                // found again (every retry: NotFound; every add of the same interface: EEXIST in the container),
                // while a row without its link is found by the retry, which then converges.
                RuntimeException ovsdbFailure = null;
                try {
                    vs.deletePort(null, i.port() != null ? i.port() : i.name(), true);
                } catch (RuntimeException e) {
                    ovsdbFailure = e;
                }
                try {
                    deleteHostLink(hostNl, i.name());
                } catch (NetlinkException e) {
                    if (ovsdbFailure != null) {
                        e.addSuppressed(ovsdbFailure);
                    }
                    throw e;
                }
                if (ovsdbFailure != null) {
                    throw ovsdbFailure;
                }
            }
        } catch (NetlinkException e) {
            throw map(hostNl == null ? e : checkSocket(hostNl, e));
        } catch (OvsdbException e) {
            throw map(e);
        }
    }

    @Override
    public void setVlan(String bridge, String iface, String container, int vlan, String caller) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bridge", bridge);
        args.put("interface", iface);
        args.put("container", container);
        args.put("vlan", Integer.toString(vlan));
        recorded(caller, "set-vlan", args, () -> {
            InterfaceName.check("bridge", bridge);
            InterfaceName.check("interface", iface);
            ContainerRef ref = ContainerRef.parse("container", container);
            Validate.vlan("vlan", vlan);
            VSwitch vs = vs();
            List<InterfaceInfo> found = find(vs, ref.text(), iface);
            if (found.isEmpty()) {
                throw new PortAgentException(ErrorKind.NotFound, "Failed to find any attached port for CONTAINER=" + ref.text()
                        + " and INTERFACE=" + iface, null);
            }
            try {
                vs.setPortColumn(found.get(0).port() != null ? found.get(0).port() : found.get(0).name(), "tag", (long) vlan);
            } catch (OvsdbException e) {
                throw map(e);
            }
            return found.get(0).name();
        });
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
                    ids.get("container_iface"), p == null || p.tag() == null ? null : Long.valueOf(p.tag().value())));
        }
        out.sort(Comparator.comparing(ContainerPort::port));
        return out;
    }

    /**
     * What {@link #reconcile(boolean)} did.
     *
     * @param orphansDeleted Patchbay veths (alias {@link #ALIAS}, or named {@link #PENDING}) without an OVSDB
     *                       interface, deleted
     * @param stalePortsRemoved ports whose container (or process, or namespace) or host veth is gone, removed
     * @param attached labelled running containers that lacked their port, attached
     * @param failures messages of steps that failed (the rest still ran)
     */
    public record Reconciled(List<String> orphansDeleted, List<String> stalePortsRemoved, List<String> attached,
            List<String> failures) {
    }

    /**
     * Brings the host to a clean state: deletes orphan Patchbay veths, removes ports whose container is
     * gone, and (when {@code attachLabelled}) attaches labelled running containers lacking their port.
     * Docker references are only judged when the Docker API answers.
     *
     * @param attachLabelled whether to attach labelled containers (automatic mode)
     * @return what was done
     * @throws PortAgentException Unavailable without a VSwitch
     */
    public Reconciled reconcile(boolean attachLabelled) {
        VSwitch vs = vs();
        List<String> orphans = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> attached = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        RtNetlink hostNl = null;
        try {
            hostNl = host();
            java.util.Set<String> present = new java.util.HashSet<>();
            for (dev.ovs.portagent.netlink.LinkInfo l : hostNl.links()) {
                present.add(l.name());
                if ("veth".equals(l.kind()) && (ALIAS.equals(l.alias()) || PENDING.matcher(l.name()).matches())
                        && !addInFlight(l.name()) && vs.iface(l.name()).isEmpty()) {
                    hostNl.deleteLinkIfExists(l.name());
                    orphans.add(l.name());
                }
            }
            // container port rows whose host veth is gone (crash in del-port, or the link was deleted by hand);
            // not a port whose add-port is in progress or ended after the listing above (its veth is newer)
            for (ContainerPort p : listPorts()) {
                if (!present.contains(p.port()) && !addInFlight(p.port()) && hostNl.link(p.port()).isEmpty()) {
                    try {
                        vs.deletePort(null, p.port(), true);
                        stale.add(p.port());
                    } catch (OvsdbException e) {
                        failures.add(map(e).getMessage());
                    }
                }
            }
        } catch (NetlinkException e) {
            failures.add((hostNl == null ? e : checkSocket(hostNl, e)).getMessage());
        }
        for (ContainerPort p : listPorts()) {
            ContainerRef ref;
            try {
                ref = ContainerRef.parse("container", p.containerId());
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean gone;
            try {
                resolver.resolve(ref);
                gone = false;
            } catch (IllegalArgumentException e) {
                gone = true;
            } catch (PortAgentException e) {
                continue; // Docker API unavailable: cannot judge
            }
            if (gone) {
                try {
                    deletePort(p.bridge() == null ? "br-unknown" : p.bridge(), p.containerIface(), p.containerId(), "reconcile");
                    stale.add(p.port());
                } catch (RuntimeException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        if (attachLabelled) {
            try {
                for (dev.ovs.portagent.internal.docker.DockerClient.Summary s : resolver.docker().list(false,
                        Map.of("label", List.of(L_BRIDGE)))) {
                    if (!s.labels().containsKey(L_IFACE) || !find(vs, s.id(), s.labels().get(L_IFACE)).isEmpty()) {
                        continue;
                    }
                    try {
                        attached.add(attachLabelled(s.id(), s.labels(), "reconcile"));
                    } catch (RuntimeException e) {
                        failures.add(e.getMessage());
                    }
                }
            } catch (PortAgentException e) {
                failures.add(e.getMessage());
            }
        }
        return new Reconciled(orphans, stale, attached, failures);
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

    private static List<InterfaceInfo> find(VSwitch vs, String container, String iface) {
        return vs.findInterfaces(Map.of("container_id", container, "container_iface", iface));
    }

    @Override
    public LedgerStats ledgerStats() {
        return ledger.stats();
    }

    @Override
    public LedgerStats verifyLedger() {
        return ledger.verify();
    }

    @Override
    public List<LedgerEntry> ledgerTail(int n) {
        return ledger.tail(n);
    }

    private interface Op {
        String run();
    }

    private <T> String recorded(String caller, String op, Map<String, String> args, Op body) {
        String result;
        try {
            result = body.run();
        } catch (RuntimeException e) {
            ledger.append(caller, op, args, "error: " + e.getMessage());
            throw e;
        }
        ledger.append(caller, op, args, result == null || result.isEmpty() ? "ok" : "ok: " + result);
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
            case Timeout -> ErrorKind.Timeout;
            case Unavailable -> ErrorKind.Unavailable;
            default -> ErrorKind.Failed;
        };
        return new PortAgentException(k, "OVSDB: " + e.getMessage(), e);
    }
}
