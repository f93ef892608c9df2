package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.LinkChange;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The steps of attaching and detaching container ports for the {@link PortAgentImpl} (its host namespace, fault
 * hook, resolver and VSwitch): the veth pair, the container's end, the OVSDB port and their rollback, the IDs of
 * add-ports in progress (which reconcile leaves alone), and del-port's order (row, then link). A batch
 * ({@link PortBatch}) uses the same veth and container steps.
 *
 * <p>Speed without shortcuts: one netlink socket in the bridges' namespace is kept open (checked against
 * the namespace file's inode before each use, reopened after socket errors, {@link HostNamespace}); Docker answers
 * are cached by the {@link dev.ovs.portagent.internal.docker.ContainerResolver} while the container's process
 * lives; and del-port returns as soon as the host veth is gone from the namespace: the kernel's
 * {@code RTM_DELLINK} keeps the caller until RCU has freed the device (tens of ms) although the link (and its peer
 * in the container) is unlisted at once, so the request runs on a small worker pool while the caller polls
 * {@code RTM_GETLINK} until the name is gone (or the worker reports the failure). In add-port, the OVSDB change
 * (which waits for ovs-vswitchd) runs on a worker while the container's end is set up; the host end is set up
 * after it (ovs-vswitchd read-modify-writes that link's flags while adding the port).
 */
final class PortSteps {
    /**
     * Interface {@code external_ids} key of a port whose add-port has not completed (value {@link #ADDING}): set in
     * the row's insert, removed once the host end is up. Reconcile removes such a row and its veth.
     */
    static final String STATE_KEY = "patchbay_state";
    /** Value of {@link #STATE_KEY} while add-port runs. */
    static final String ADDING = "adding";
    /**
     * Bridge {@code external_ids} key (value {@code true}) of a bridge created by an add-port or batch that has not
     * completed: set in the bridge's insert, removed with the port's {@link #STATE_KEY}. Reconcile removes such a
     * bridge when it has no port but its own.
     */
    static final String AUTO_KEY = "patchbay_auto";
    private final PortAgentImpl agent;
    private final SecureRandom random = new SecureRandom();
    /** IDs ({@code <13 hex>}) of add-ports in progress: reconcile leaves their veths alone. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    /** @param agent the agent whose host namespace, fault hook, resolver and VSwitch the steps use */
    PortSteps(PortAgentImpl agent) {
        this.agent = agent;
    }

    /** @return a new port id ({@code <13 hex>}), registered as in flight until {@link #landed(String)} */
    String newId() {
        String id = HexFormat.of().formatHex(randomBytes()).substring(0, 13);
        inFlight.add(id);
        return id;
    }

    /** @return whether an add-port or batch is in progress (reconcile then leaves marked bridges alone) */
    boolean anyAddInFlight() {
        return !inFlight.isEmpty();
    }

    /** @param id a port id of {@link #newId()} whose add-port ended (either way) */
    void landed(String id) {
        inFlight.remove(id);
    }

    /**
     * add-port's steps after validation: the existence check, the container's resolution, the bridge (created
     * if missing, marked {@link #AUTO_KEY}), the veth pair, the OVSDB port (marked {@link #STATE_KEY}; on a worker,
     * while the container's end is set up), the host end up, the marks cleared ({@link #completed}). A failure undoes
     * every step before it; a crash leaves the marks for reconcile ({@link Reconciler}).
     *
     * @param r the request
     * @return the host port name ({@code <13 hex>_l})
     * @throws PortAgentException AlreadyExists, NotFound, Unavailable, Timeout, Failed (rolled back)
     */
    String add(AddRequest r) {
        String id = newId();
        try {
            return add(r, id);
        } finally {
            landed(id);
        }
    }

    private String add(AddRequest r, String id) {
        VSwitch vs = agent.vs();
        HostNamespace host = agent.host();
        PortAgentImpl.Faults faults = agent.faults();
        if (!PortAgentImpl.find(vs, r.ref().text(), r.iface()).isEmpty()) {
            throw new PortAgentException(ErrorKind.AlreadyExists, "Port already attached for CONTAINER=" + r.ref().text()
                    + " and INTERFACE=" + r.iface(), null);
        }
        Container c = agent.resolver().resolve(r.ref());
        String hostName = id + "_l";
        Deque<Runnable> undo = new ArrayDeque<>();
        RtNetlink hostNl;
        try {
            hostNl = host.socket();
        } catch (NetlinkException e) {
            throw PortAgentImpl.map(e);
        }
        try {
            // the replica is fresh: find() above ended with an echo barrier
            boolean newBridge = vs.replica().byName("Bridge", r.bridge()).isEmpty();
            if (newBridge) {
                createBridge(vs, r.bridge(), undo);
            }
            createVeth(hostNl, id, r, c, undo);
            faults.before("ovsdb");
            Map<String, String> ids = new HashMap<>(r.externalIds());
            ids.put(STATE_KEY, ADDING); // cleared by completed() below
            PortOptions po = PortOptions.NONE.withInterfaceExternalIds(ids);
            if (r.vlan() != null) {
                po = po.withTag(r.vlan());
            }
            // The OVSDB change (which waits for ovs-vswitchd) runs on a worker while this thread configures the
            // container's end, which ovs-vswitchd never touches. The host end is set up only afterwards:
            // ovs-vswitchd read-modify-writes its flags (promiscuous mode) while it adds the port. (Setting it up
            // in the rename request instead, before ovs-vswitchd sees it, measures slower: add-port p50 +1 ms in an
            // interleaved A/B, as both ends then get carrier while ovs-vswitchd adds the port.)
            PortOptions options = po;
            Future<?> ovsdb = host.submit(() -> vs.addPort(r.bridge(), hostName, options, false));
            Exception inContainer = null;
            try {
                configureContainerSide(c, r);
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
            faults.before("complete");
            completed(vs, hostName, newBridge ? List.of(r.bridge()) : List.of());
            faults.before("added");
            return hostName;
        } catch (NetlinkException e) {
            throw rollback(undo, PortAgentImpl.map(host.checkSocket(hostNl, e)));
        } catch (OvsdbException e) {
            throw rollback(undo, PortAgentImpl.map(e));
        } catch (RuntimeException e) {
            throw rollback(undo, e);
        }
    }

    /**
     * Creates a missing bridge for an add-port or a batch (the VSwitch's default {@code datapath_type}) marked
     * {@link #AUTO_KEY}{@code =true} in the same transaction, and pushes its deletion to {@code undo}.
     */
    void createBridge(VSwitch vs, String bridge, Deque<Runnable> undo) {
        agent.faults().before("bridge");
        vs.addBridge(bridge, BridgeOptions.NONE.withExternalIds(Map.of(AUTO_KEY, "true")), false);
        undo.push(() -> vs.deleteBridge(bridge, true));
    }

    /**
     * Clears the in-progress marks of a completed add-port or batch in one OVSDB transaction (ovs-vswitchd does
     * not read {@code external_ids}, so it is not waited for): {@link #STATE_KEY} of the interface
     * {@code hostName} (null: none) and {@link #AUTO_KEY} of the bridges it created.
     *
     * @throws OvsdbException the transaction's failure (the caller rolls back)
     */
    static void completed(VSwitch vs, String hostName, List<String> createdBridges) {
        if (hostName == null && createdBridges.isEmpty()) {
            return;
        }
        TransactionBuilder tx = vs.client().transaction(VSwitch.DB);
        if (hostName != null) {
            tx.mutate("Interface", List.of(Condition.eq("name", hostName)),
                    List.of(Mutation.delete("external_ids", Set.of(STATE_KEY))));
        }
        for (String b : createdBridges) {
            tx.mutate("Bridge", List.of(Condition.eq("name", b)), List.of(Mutation.delete("external_ids", Set.of(AUTO_KEY))));
        }
        tx.execute();
    }

    /**
     * Creates the veth pair of an add-port: the container's end directly in its namespace under its final name
     * (MTU, MAC), the host end as {@code <id>_p}, then renamed to {@code <id>_l} with the alias {@link PortAgentImpl#ALIAS}
     * in one request. Pushes the deletions that undo it.
     */
    void createVeth(RtNetlink hostNl, String id, AddRequest r, Container c, Deque<Runnable> undo) throws NetlinkException {
        agent.faults().before("veth");
        LinkChange peer = LinkChange.none();
        if (r.mtu() != null) {
            peer = peer.withMtu(r.mtu());
        }
        if (r.mac() != null) {
            peer = peer.withMac(r.mac());
        }
        LinkChange local = LinkChange.none();
        if (r.mtu() != null) {
            local = local.withMtu(r.mtu());
        }
        String pending = id + "_p";
        String hostName = id + "_l";
        hostNl.createVeth(pending, r.iface(), c.netns(), peer, local);
        undo.push(() -> quietly(() -> hostNl.deleteLinkIfExists(pending)));
        agent.faults().before("rename");
        // final name and the alias that marks it as ours in one request (the kernel ignores an alias in
        // the create request)
        hostNl.change(pending, LinkChange.none().withName(hostName).withAlias(PortAgentImpl.ALIAS));
        undo.push(() -> quietly(() -> hostNl.deleteLinkIfExists(hostName)));
    }

    /** The container's end: up, address, default route on this interface (deleting the veth undoes all of it). */
    void configureContainerSide(Container c, AddRequest r) throws NetlinkException {
        PortAgentImpl.Faults faults = agent.faults();
        try (RtNetlink inside = RtNetlink.open(c.netns())) {
            faults.before("container-up");
            inside.setUp(r.iface(), true);
            if (r.address() != null) {
                faults.before("address");
                inside.addAddress(r.iface(), r.address().address(), r.address().prefixLength());
            }
            if (r.gateway() != null) {
                faults.before("route");
                // with an address the gateway lies in its subnet (Validate.gateway): the route goes on the port's own
                // interface ("default via GW dev IFACE") and with the port (without a device the kernel picks any
                // interface on that subnet, where the route would outlive the port); a link-local IPv6 gateway needs
                // the device; a gateway without an address is reached through another interface, as ovs-docker does
                boolean own = r.address() != null || r.gateway().isLinkLocalAddress();
                inside.addRoute(null, 0, r.gateway(), own ? r.iface() : null);
            }
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

    /** A netlink step of a rollback. */
    interface NlAction {
        /** @throws NetlinkException the kernel's refusal */
        void run() throws NetlinkException;
    }

    /** Runs a rollback step; a netlink failure becomes a Failed {@link PortAgentException} ("rollback: ..."). */
    static void quietly(NlAction a) {
        try {
            a.run();
        } catch (NetlinkException e) {
            throw new PortAgentException(ErrorKind.Failed, "rollback: " + e.getMessage(), e);
        }
    }

    /** Whether a host veth name ({@code <13 hex>_p} or {@code _l}) belongs to an add-port in progress. */
    boolean addInFlight(String hostName) {
        return hostName.length() == 15 && inFlight.contains(hostName.substring(0, 13));
    }

    /**
     * Runs the undo steps, newest first; their failures are added to {@code cause} as suppressed.
     *
     * @return {@code cause}
     */
    static RuntimeException rollback(Deque<Runnable> undo, RuntimeException cause) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    /**
     * del-port's and del-ports' steps: per interface the Port row (which waits for ovs-vswitchd), then the host
     * veth (its container peer goes with it).
     *
     * @param vs    the VSwitch
     * @param found the container interfaces to remove
     * @throws PortAgentException the first failure (NotFound, Unavailable, Timeout, Failed)
     */
    void remove(VSwitch vs, List<InterfaceInfo> found) {
        HostNamespace host = agent.host();
        RtNetlink hostNl = null;
        try {
            hostNl = host.socket();
            for (InterfaceInfo i : found) {
                // like ovs-docker: the OVSDB row first (ovs-vswitchd lets go of the device), then the link. The
                // link goes even when the OVSDB change fails: that failure may come after the commit (the VSwitch
                // went away, or ovs-vswitchd did not confirm in time), and a link without its row could never be
                // found again (every retry: NotFound; every add of the same interface: EEXIST in the container),
                // while a row without its link is found by the retry, which then converges.
                RuntimeException ovsdbFailure = null;
                agent.faults().before("remove-ovsdb");
                try {
                    vs.deletePort(null, PortAgentImpl.portOf(i), true);
                } catch (RuntimeException e) {
                    ovsdbFailure = e;
                }
                agent.faults().before("remove-link");
                try {
                    host.deleteLink(hostNl, i.name());
                } catch (NetlinkException e) {
                    if (ovsdbFailure != null) {
                        e.addSuppressed(ovsdbFailure);
                    }
                    throw e;
                }
                if (ovsdbFailure != null) {
                    throw ovsdbFailure;
                }
                agent.faults().before("removed");
            }
        } catch (NetlinkException e) {
            throw PortAgentImpl.map(hostNl == null ? e : host.checkSocket(hostNl, e));
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
    }
}
