package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Brings a host back to a clean state after crashes, restarts and missed container events: orphan Patchbay
 * veths, container port rows whose veth or container is gone, and (automatic mode) labelled containers without
 * their port. Runs on the automatic mode's thread ({@link AutoAttach}) at start and after every reconnect of the
 * Docker event stream.
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
        VSwitch vs = agent.vs();
        List<String> orphans = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> attached = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        RtNetlink hostNl = null;
        try {
            hostNl = agent.host().socket();
            java.util.Set<String> present = new java.util.HashSet<>();
            for (dev.ovs.portagent.netlink.LinkInfo l : hostNl.links()) {
                present.add(l.name());
                if ("veth".equals(l.kind()) && (PortAgentImpl.ALIAS.equals(l.alias()) || PortAgentImpl.PENDING.matcher(l.name()).matches())
                        && !agent.steps().addInFlight(l.name()) && vs.iface(l.name()).isEmpty()) {
                    hostNl.deleteLinkIfExists(l.name());
                    orphans.add(l.name());
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
        return new Reconciled(orphans, stale, attached, failures);
    }
}
