package dev.ovs.netstate.internal;

import dev.ovs.netstate.internal.journal.JournalEntry;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Rolls back the unfinished entries ({@link Checkpoints#unfinished}: applies and rollbacks cut short, pending
 * checkpoints past their deadline) on the timer thread, retried every {@value #RETRY_MILLIS} ms until it succeeds.
 */
final class Recovery {
    /** Delay between retries of a failed rollback or recovery, in ms: {@value}. */
    static final long RETRY_MILLIS = 1000;

    private final ReentrantLock lock;
    private final Checkpoints checkpoints;
    private final Rollback rollback;
    private final EngineTimer timer;
    /** The scheduled recovery, or null (guarded by the lock). */
    private ScheduledFuture<?> recovery;

    Recovery(ReentrantLock lock, Checkpoints checkpoints, Rollback rollback, EngineTimer timer) {
        this.lock = lock;
        this.checkpoints = checkpoints;
        this.rollback = rollback;
        this.timer = timer;
    }

    /** At start, with the lock held: schedules the recovery at once if anything is unfinished. */
    void start() {
        if (!checkpoints.unfinished().isEmpty()) {
            recovery = timer.schedule(this::recover, 0, TimeUnit.MILLISECONDS);
        }
    }

    /** With the lock held: schedules a recovery in {@link #RETRY_MILLIS} unless one is scheduled or the timer is closed. */
    void retryLater() {
        if (recovery == null && !timer.closed()) {
            recovery = timer.schedule(this::recover, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void recover() {
        lock.lock();
        try {
            if (timer.closed()) {
                return;
            }
            for (JournalEntry e : checkpoints.unfinished()) {
                String reason = e.phase().equals(JournalEntry.APPLYING) ? "unfinished apply found at start"
                        : e.phase().equals(JournalEntry.ROLLING_BACK) ? (e.reason() == null ? "unfinished rollback" : e.reason())
                        : "confirm timeout (deadline passed while stopped)";
                rollback.restore(e, reason);
            }
            recovery = null;
        } catch (RuntimeException ex) {
            if (!timer.closed()) {
                recovery = timer.schedule(this::recover, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}
