package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.journal.JournalEntry;
import dev.ovs.netstate.internal.ovs.OvsReconciler;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.NotAppliedException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.time.Duration;
import java.util.List;

/**
 * An apply once planned, with the engine's lock held: the journal entry (applying) before the first change, the
 * OVSDB transaction, the container port batches, the networkd files, the verification, then pending or committed;
 * a failure after the journal write is undone by {@link Rollback}.
 */
final class ApplyPipeline {
    private final Services services;
    private final Checkpoints checkpoints;
    private final Planning planning;
    private final PortBatches ports;
    private final NetworkdSteps net;
    private final Rollback rollback;
    private final Recovery recovery;
    private final ConfirmDeadlines deadlines;
    private final FaultPoints faults;
    private final long vswitchdTimeoutMillis;

    ApplyPipeline(Services services, Checkpoints checkpoints, Planning planning, PortBatches ports, NetworkdSteps net,
            Rollback rollback, Recovery recovery, ConfirmDeadlines deadlines, FaultPoints faults, long vswitchdTimeoutMillis) {
        this.services = services;
        this.checkpoints = checkpoints;
        this.planning = planning;
        this.ports = ports;
        this.net = net;
        this.rollback = rollback;
        this.recovery = recovery;
        this.deadlines = deadlines;
        this.faults = faults;
        this.vswitchdTimeoutMillis = vswitchdTimeoutMillis;
    }

    /** {@link NetStateEngine#apply} once planned, under the lock: the empty diff, or journal, changes, verification. */
    String apply(Doc d, VSwitch v, OvsSnapshot s, Planning.Plans plans, long now, String id, String sha, String who,
            long confirmSeconds) {
        OvsReconciler.Plan plan = plans.ovs();
        if (plans.isEmpty()) {
            // nothing to write: no transaction, no journal file; the checkpoint is committed at once
            JournalEntry e = new JournalEntry(id, JournalEntry.COMMITTED, now, 0, null, 0, sha, who, List.of(), List.of(),
                    List.of());
            checkpoints.remember(e);
            checkpoints.announce(e, "created");
            return id;
        }
        String pending = checkpoints.pendingId();
        if (pending != null) {
            throw new NetStateException(ErrorKind.CheckpointPending, "checkpoint " + pending
                    + " is pending: commit or roll it back first");
        }
        long deadline = confirmSeconds == 0 ? 0 : now + confirmSeconds * 1_000_000L;
        JournalEntry e = new JournalEntry(id, JournalEntry.APPLYING, now, deadline, null, plans.changes().size(), sha, who,
                plan.images(), plans.ports().images(), plans.net().images());
        checkpoints.record(e);
        faults.hit("journaled");
        if (!plan.isEmpty()) {
            applyOvs(v, s, plan, e, id, who);
        }
        faults.hit("after-transaction");
        try {
            ports.run(v, plans.ports(), "netstate " + id + " by " + who);
        } catch (PortBatches.BatchFailed x) {
            // a batch of the port agent is all or nothing: only the ports of the batches done are restored
            JournalEntry done = e.withPorts(e.ports().stream().filter(i -> x.done.contains(i.key())).toList());
            checkpoints.record(done);
            if (x.getCause() instanceof InvalidArgumentException i) {
                throw undoInvalid(done, i);
            }
            NetStateException n = (NetStateException) x.getCause();
            throw undo(done, "apply failed: " + n.getMessage(), n.kind(), n);
        }
        try {
            net.run(plans.net());
            faults.hit("net-written");
            verify(v, d, plan);
            net.await(plans.net());
        } catch (NetStateException x) {
            throw undo(e, "apply failed: " + x.getMessage(), x.kind(), x);
        }
        faults.hit("verified");
        JournalEntry done = deadline == 0 ? e.with(JournalEntry.COMMITTED, null) : e.with(JournalEntry.PENDING, null);
        checkpoints.record(done);
        if (deadline != 0) {
            deadlines.arm(done);
        }
        checkpoints.announce(done, "created");
        return id;
    }

    /** The Open_vSwitch part of an apply: one guarded transaction, then the wait for ovs-vswitchd. */
    private void applyOvs(VSwitch v, OvsSnapshot s, OvsReconciler.Plan plan, JournalEntry e, String id, String who) {
        TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
        int guards = OvsReconciler.emit(plan, s, tx, true);
        tx.comment("patchbay netstate apply " + id + " by " + who);
        faults.hit("before-transaction");
        try {
            // VSwitch.commit adds the next_cfg increment and waits for ovs-vswitchd (the one owner of that wait)
            v.commit(tx, Duration.ofMillis(vswitchdTimeoutMillis));
        } catch (OvsdbServerException x) { // refused: the transaction changed nothing
            JournalEntry failed = e.with(JournalEntry.ROLLED_BACK, "apply failed: " + x.getMessage());
            checkpoints.record(failed);
            if (x.kind() == ErrorKind.Conflict && x.operationIndex() < guards) {
                throw new NetStateException(ErrorKind.Conflict, "an object this document changes was changed by someone "
                        + "else after it was read (" + x.getMessage() + "); nothing was changed, apply again");
            }
            if (x.kind() == ErrorKind.AlreadyExists) {
                // the unique index on name: a row the document creates was created by someone else after it was read
                throw new NetStateException(ErrorKind.Conflict, "an object this document creates was created by someone "
                        + "else after it was read (" + x.getMessage() + "); nothing was changed, apply again");
            }
            throw new NetStateException(ErrorKind.Failed, "the OVSDB transaction failed (" + x.getMessage()
                    + "); nothing was changed");
        } catch (NotAppliedException x) { // committed, not applied by ovs-vswitchd in time
            throw undo(e, "apply failed: " + x.getMessage(), x.kind(), x);
        } catch (RuntimeException x) {
            // the outcome is unknown (connection lost, timeout): restore the before-image to be sure
            throw undo(e, "apply failed: " + x.getMessage(), ErrorKind.Failed, x);
        }
    }

    /** nmstate-style verification: the database now satisfies the document, and no written interface has an error. */
    private void verify(VSwitch v, Doc d, OvsReconciler.Plan plan) {
        OvsSnapshot s = services.snapshot(v);
        List<Change> left;
        try {
            left = planning.plan(d, s).changes();
        } catch (InvalidArgumentException x) {
            throw new NetStateException(ErrorKind.Failed, "verification failed: " + x.getMessage(), x);
        }
        if (!left.isEmpty()) {
            Change c = left.get(0);
            throw new NetStateException(ErrorKind.Failed, "verification failed: " + c.kind() + " " + c.name()
                    + (c.field() == null ? " (" + c.op() + ")" : " " + c.field() + " is " + c.from() + ", not " + c.to()));
        }
        for (String i : plan.interfacesWritten()) {
            Row row = s.row("Interface", i);
            String err = row == null ? null : row.getString("error");
            if (err != null && !err.isEmpty()) {
                throw new NetStateException(ErrorKind.Failed, "interface " + i + ": ovs-vswitchd: " + err);
            }
        }
    }

    /** Restores after the port agent refused a document's change; returns the document error to throw. */
    private RuntimeException undoInvalid(JournalEntry e, InvalidArgumentException x) {
        try {
            rollback.restore(e, "apply failed: " + x.getMessage());
            return x;
        } catch (RuntimeException r) {
            recovery.retryLater();
            return new NetStateException(ErrorKind.Failed, "apply failed: " + x.getMessage() + "; the rollback failed too ("
                    + r.getMessage() + "), it is retried every " + Recovery.RETRY_MILLIS + " ms", x);
        }
    }

    /** Restores after a failed apply; returns the exception to throw (the restore's failure is added to it). */
    private NetStateException undo(JournalEntry e, String reason, ErrorKind kind, Exception cause) {
        try {
            rollback.restore(e, reason);
            return new NetStateException(kind, reason + "; rolled back", cause);
        } catch (RuntimeException x) {
            recovery.retryLater();
            return new NetStateException(ErrorKind.Failed, reason + "; the rollback failed too (" + x.getMessage()
                    + "), it is retried every " + Recovery.RETRY_MILLIS + " ms", cause);
        }
    }
}
