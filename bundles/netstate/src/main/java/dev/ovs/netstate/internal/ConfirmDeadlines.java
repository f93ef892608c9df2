package dev.ovs.netstate.internal;

import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.journal.JournalEntry;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The confirm deadline of a pending checkpoint: at its time, on the timer thread, the checkpoint is rolled back
 * ("confirm timeout"), recorded in the ledger when there is one; a failed rollback is left to {@link Recovery}.
 */
final class ConfirmDeadlines {
    private final ReentrantLock lock;
    private final Checkpoints checkpoints;
    private final EngineTimer timer;
    private final Rollback rollback;
    private final Recovery recovery;
    private final LedgerRecords ledger;

    ConfirmDeadlines(ReentrantLock lock, Checkpoints checkpoints, EngineTimer timer, Rollback rollback, Recovery recovery,
            LedgerRecords ledger) {
        this.lock = lock;
        this.checkpoints = checkpoints;
        this.timer = timer;
        this.rollback = rollback;
        this.recovery = recovery;
        this.ledger = ledger;
    }

    /** With the lock held: schedules a pending entry's rollback at its deadline (at once when it is past). */
    void arm(JournalEntry e) {
        long delayMicros = Math.max(0, e.deadlineMicros() - checkpoints.nowMicros());
        timer.arm(e.id(), () -> expire(e.id()), delayMicros);
    }

    private void expire(String id) {
        lock.lock();
        try {
            JournalEntry e = checkpoints.get(id);
            if (timer.closed() || e == null || !e.phase().equals(JournalEntry.PENDING)) {
                return;
            }
            timer.fired(id);
            Ledger.Intent intent = null;
            try {
                intent = ledger.intent("auto: confirm timeout", "netstate.rollback", Map.of("checkpoint", e.id(), "document_sha256",
                        e.checkpoint().documentSha256()));
            } catch (NetStateException x) {
                // the rollback at the deadline runs without a ledger too
            }
            try {
                rollback.restore(e, "confirm timeout");
                LedgerRecords.succeeded(intent, "checkpoint " + e.id());
            } catch (RuntimeException x) {
                LedgerRecords.failed(intent, x);
                recovery.retryLater(); // the entry is rolling-back in the journal: recovery retries it
            }
        } finally {
            lock.unlock();
        }
    }
}
