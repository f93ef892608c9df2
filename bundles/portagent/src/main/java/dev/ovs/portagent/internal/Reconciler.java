package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.BridgeInfo;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Brings a host back to a clean state after crashes, restarts and missed container events: orphan Patchbay
 * veths, ports whose add-port did not complete (Interface {@code external_ids} {@link PortSteps#STATE_KEY}), container
 * port rows whose veth or container is gone, bridges that an add-port created and that have no port but their
 * own ({@code external_ids} {@link PortSteps#AUTO_KEY}), and (automatic mode) labelled containers without their
 * port. Runs on the automatic mode's thread ({@link AutoAttach}) at start and after every reconnect of the Docker
 * event stream. The decisions are the static methods {@link #orphanVeth}, {@link #unfinished} and
 * {@link #emptyAutoBridge}.
 */
final class Reconciler {
    private final PortAgentImpl agent;

    /** @param agent the agent whose ports are reconciled */
    Reconciler(PortAgentImpl agent) {
        this.agent = agent;
    }

    /**
     * What {@link #reconcile(boolean)} did.
     *
     * @param orphansDeleted Patchbay veths (alias {@link PortAgentImpl#ALIAS}, or named {@link PortAgentImpl#PENDING}) without an OVSDB
     *                       interface, deleted
     * @param unfinishedRemoved ports whose add-port did not complete (row marked {@link PortSteps#STATE_KEY}), row and
     *                          veth removed
     * @param stalePortsRemoved ports whose container (or process, or namespace) or host veth is gone, removed
     * @param bridgesRemoved bridges marked {@link PortSteps#AUTO_KEY} without ports of their own, deleted
     * @param attached labelled running containers that lacked their port, attached
     * @param failures messages of steps that failed (the rest still ran)
     */
    public record Reconciled(List<String> orphansDeleted, List<String> unfinishedRemoved, List<String> stalePortsRemoved,
            List<String> bridgesRemoved, List<String> attached, List<String> failures) {
        /** @return whether nothing was done and nothing failed */
        public boolean isEmpty() {
            return orphansDeleted.isEmpty() && unfinishedRemoved.isEmpty() && stalePortsRemoved.isEmpty()
                    && bridgesRemoved.isEmpty() && attached.isEmpty() && failures.isEmpty();
        }
    }

    /**
     * @param l        a link of the bridges' namespace
     * @param inFlight whether it belongs to an add-port in progress in this agent
     * @param hasRow   whether OVSDB has an Interface row of its name
     * @return whether it is a veth of Patchbay's (alias {@link PortAgentImpl#ALIAS}, or a pending name
     *         {@link PortAgentImpl#PENDING}) without a row, not in progress: to be deleted
     */
    static boolean orphanVeth(dev.ovs.portagent.netlink.LinkInfo l, boolean inFlight, boolean hasRow) {
        return "veth".equals(l.kind()) && (PortAgentImpl.ALIAS.equals(l.alias()) || PortAgentImpl.PENDING.matcher(l.name()).matches())
                && !inFlight && !hasRow;
    }

    /**
     * @param externalIds an Interface row's {@code external_ids}
     * @param inFlight    whether its add-port is in progress in this agent
     * @return whether it is the row of an add-port that did not complete (marked {@link PortSteps#STATE_KEY}, not in
     *         progress): row and veth to be removed
     */
    static boolean unfinished(java.util.Map<String, String> externalIds, boolean inFlight) {
        return externalIds.containsKey(PortSteps.STATE_KEY) && !inFlight;
    }

    /**
     * @param name           bridge name
     * @param externalIds    its {@code external_ids}
     * @param ports          its port names (a bridge's own local port has the bridge's name)
     * @param addsInFlight   whether an add-port or batch is in progress in this agent
     * @return whether it was created by an add-port or batch that did not complete ({@link PortSteps#AUTO_KEY}
     *         {@code =true}) and has no port but its own, with nothing in progress: to be deleted
     */
    static boolean emptyAutoBridge(String name, java.util.Map<String, String> externalIds, Collection<String> ports,
            boolean addsInFlight) {
        return "true".equals(externalIds.get(PortSteps.AUTO_KEY)) && !addsInFlight
                && ports.stream().allMatch(name::equals);
    }

    /**
     * Brings the host to a clean state: deletes orphan Patchbay veths, removes ports whose add-port did not
     * complete, ports whose host veth or container is gone and bridges an incomplete add-port created, and (when {@code attachLabelled}) attaches labelled running containers lacking their port.
     * Docker references are only judged when the Docker API answers.
     *
     * @param attachLabelled whether to attach labelled containers (automatic mode)
     * @return what was done
     * @throws PortAgentException Unavailable without a VSwitch
     */
    public Reconciled reconcile(boolean attachLabelled) {
        VSwitch vs = agent.vs();
        List<String> orphans = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> bridges = new ArrayList<>();
        List<String> attached = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        RtNetlink hostNl = null;
        try {
            hostNl = agent.host().socket();
            java.util.Set<String> present = new java.util.HashSet<>();
            for (dev.ovs.portagent.netlink.LinkInfo l : hostNl.links()) {
                present.add(l.name());
                if (orphanVeth(l, agent.steps().addInFlight(l.name()), vs.iface(l.name()).isPresent())) {
                    hostNl.deleteLinkIfExists(l.name());
                    orphans.add(l.name());
                }
            }
            // rows of add-ports that did not complete (the agent died between the row's insert and the host end
            // up): the row first, then the veth, as del-port
            for (InterfaceInfo i : vs.findInterfaces(java.util.Map.of())) {
                if (unfinished(i.externalIds(), agent.steps().addInFlight(i.name()))) {
                    try {
                        vs.deletePort(null, PortAgentImpl.portOf(i), true);
                        hostNl.deleteLinkIfExists(i.name());
                        unfinished.add(i.name());
                    } catch (OvsdbException e) {
                        failures.add(PortAgentImpl.map(e).getMessage());
                    }
                }
            }
            // container port rows whose host veth is gone (crash in del-port, or the link was deleted by hand);
            // not a port whose add-port is in progress or ended after the listing above (its veth is newer)
            for (ContainerPort p : agent.listPorts()) {
                if (!present.contains(p.port()) && !agent.steps().addInFlight(p.port()) && hostNl.link(p.port()).isEmpty()) {
                    try {
                        vs.deletePort(null, p.port(), true);
                        stale.add(p.port());
                    } catch (OvsdbException e) {
                        failures.add(PortAgentImpl.map(e).getMessage());
                    }
                }
            }
        } catch (NetlinkException e) {
            failures.add((hostNl == null ? e : agent.host().checkSocket(hostNl, e)).getMessage());
        }
        for (ContainerPort p : agent.listPorts()) {
            ContainerRef ref;
            try {
                ref = ContainerRef.parse("container", p.containerId());
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean gone;
            try {
                agent.resolver().resolve(ref);
                gone = false;
            } catch (IllegalArgumentException e) {
                gone = true;
            } catch (PortAgentException e) {
                continue; // Docker API unavailable: cannot judge
            }
            if (gone) {
                try {
                    agent.deletePort(p.bridge() == null ? "br-unknown" : p.bridge(), p.containerIface(), p.containerId(), "reconcile");
                    stale.add(p.port());
                } catch (RuntimeException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        // bridges that an add-port created and that are empty: after the ports above are gone
        for (String b : vs.listBridges()) {
            BridgeInfo info = vs.bridge(b).orElse(null);
            if (info != null && emptyAutoBridge(b, info.externalIds(), info.ports(), agent.steps().anyAddInFlight())) {
                try {
                    vs.deleteBridge(b, true);
                    bridges.add(b);
                } catch (OvsdbException e) {
                    failures.add(PortAgentImpl.map(e).getMessage());
                }
            }
        }
        if (attachLabelled) {
            try {
                for (dev.ovs.portagent.internal.docker.DockerClient.Summary s : agent.resolver().docker().list(false,
                        Map.of("label", List.of(PortAgentImpl.L_BRIDGE)))) {
                    if (!s.labels().containsKey(PortAgentImpl.L_IFACE) || !PortAgentImpl.find(vs, s.id(), s.labels().get(PortAgentImpl.L_IFACE)).isEmpty()) {
                        continue;
                    }
                    try {
                        attached.add(agent.attachLabelled(s.id(), s.labels(), "reconcile"));
                    } catch (RuntimeException e) {
                        failures.add(e.getMessage());
                    }
                }
            } catch (PortAgentException e) {
                failures.add(e.getMessage());
            }
        }
        return new Reconciled(orphans, unfinished, stale, bridges, attached, failures);
    }
}
