package dev.ovs.netstate.internal;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.journal.JournalEntry;
import dev.ovs.netstate.internal.net.FileImage;
import dev.ovs.netstate.internal.net.NetPlanner;
import dev.ovs.netstate.internal.net.NetView;
import dev.ovs.netstate.internal.ovs.OvsReconciler;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.netstate.internal.ovs.RowTarget;
import dev.ovs.netstate.internal.ports.PortTarget;
import dev.ovs.netstate.internal.ports.PortsPlanner;
import dev.ovs.netstate.internal.ports.PortsState;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.NotAppliedException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Restores a checkpoint's before-image in the reverse of the apply order: the networkd files (and the VLAN links the
 * apply created), the container ports, the Open_vSwitch rows; then verifies all three and journals rolled-back.
 * Called with the engine's lock held.
 */
final class Rollback {
    private final Services services;
    private final Checkpoints checkpoints;
    private final EngineTimer timer;
    private final PortBatches ports;
    private final NetworkdSteps net;
    private final FaultPoints faults;
    private final long vswitchdTimeoutMillis;

    Rollback(Services services, Checkpoints checkpoints, EngineTimer timer, PortBatches ports, NetworkdSteps net,
            FaultPoints faults, long vswitchdTimeoutMillis) {
        this.services = services;
        this.checkpoints = checkpoints;
        this.timer = timer;
        this.ports = ports;
        this.net = net;
        this.faults = faults;
        this.vswitchdTimeoutMillis = vswitchdTimeoutMillis;
    }

    /**
     * Restores an entry's before-image in one transaction without guards, verifies it and journals
     * rolled-back. Called with the lock held.
     *
     * @throws NetStateException Failed when a step or the verification failed (the entry stays rolling-back)
     */
    void restore(JournalEntry e, String reason) {
        JournalEntry rolling = e.with(JournalEntry.ROLLING_BACK, reason);
        checkpoints.record(rolling);
        faults.hit("rollback-journaled");
        if (!e.files().isEmpty()) {
            net.run(NetPlanner.restore(e.files()));
            deleteCreatedLinks(e);
            faults.hit("rollback-net");
        }
        VSwitch v = services.vs();
        List<PortTarget> portTargets = PortsPlanner.restore(e.ports());
        if (!portTargets.isEmpty()) {
            PortsPlanner.Plan pp = PortsPlanner.plan(portTargets, PortsState.read(services.agent(), services.snapshot(v)), null,
                    Set.of());
            try {
                ports.run(v, pp, "netstate rollback " + e.id());
            } catch (PortBatches.BatchFailed x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + ": " + x.getMessage(), x.getCause());
            }
            faults.hit("rollback-ports");
        }
        OvsSnapshot s = services.snapshot(v);
        List<RowTarget> targets = OvsReconciler.restoreTargets(e.images(), s.schema());
        OvsReconciler.Plan plan = OvsReconciler.plan(targets, s);
        if (!plan.isEmpty()) {
            TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
            OvsReconciler.emit(plan, s, tx, false);
            tx.comment("patchbay netstate rollback " + e.id() + ": " + reason);
            try {
                v.commit(tx, Duration.ofMillis(vswitchdTimeoutMillis));
            } catch (NotAppliedException x) {
                if (x.kind() != ErrorKind.Timeout) {
                    throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " failed: " + x.getMessage(), x);
                }
                // the database holds the before-image; ovs-vswitchd catches up by itself
            } catch (RuntimeException x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " failed: " + x.getMessage(), x);
            }
            faults.hit("rollback-transaction");
        }
        OvsSnapshot after = services.snapshot(v);
        List<Change> left = new ArrayList<>(OvsReconciler.plan(targets, after).changes());
        if (!portTargets.isEmpty()) {
            left.addAll(PortsPlanner.plan(portTargets, PortsState.read(services.agent(), after), null, Set.of()).changes());
        }
        if (!e.files().isEmpty()) {
            List<String> files = NetPlanner.unrestored(e.files(), NetView.read(services.files(), null));
            if (!files.isEmpty()) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " not verified: systemd-networkd files " + files);
            }
        }
        if (!left.isEmpty()) {
            throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " not verified: " + left.get(0));
        }
        timer.disarm(e.id());
        JournalEntry done = e.with(JournalEntry.ROLLED_BACK, reason);
        checkpoints.record(done);
        checkpoints.announce(done, "rolledback");
    }

    /**
     * Deletes the VLAN links an entry's apply created (their {@code .netdev} is removed by then): systemd-networkd
     * never deletes a link, so the port agent's {@link PortAgent#deleteLink} does.
     *
     * @throws NetStateException Failed when the port agent is missing or the kernel refused
     */
    private void deleteCreatedLinks(JournalEntry e) {
        for (FileImage i : e.files()) {
            String link = i.linkToDelete();
            if (link == null) {
                continue;
            }
            try {
                services.agent().deleteLink(link, "netstate rollback " + e.id());
            } catch (DomainException x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + ": VLAN link " + link + " not deleted: "
                        + x.getMessage(), x);
            }
        }
    }
}
