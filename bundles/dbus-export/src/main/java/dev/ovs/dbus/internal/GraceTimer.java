package dev.ovs.dbus.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The replacement grace timer (placeholder expiry, bus name retries): one daemon thread
 * {@code dev.ovs.dbus-grace}, started on first use and ended after 1 s idle. Not thread-safe: guarded by the
 * {@link Exporter}'s lock.
 */
final class GraceTimer {
    private ScheduledThreadPoolExecutor timer;

    /**
     * @param task  what to run (on the timer thread)
     * @param delay how long from now
     * @param unit  the unit of {@code delay}
     * @return the scheduled task (cancelling it removes it from the timer's queue)
     */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dev.ovs.dbus-grace");
                t.setDaemon(true);
                return t;
            });
            timer.setKeepAliveTime(1, TimeUnit.SECONDS);
            timer.allowCoreThreadTimeOut(true);
            timer.setRemoveOnCancelPolicy(true);
        }
        return timer.schedule(task, delay, unit);
    }

    /** Drops every scheduled task and interrupts the thread ({@code shutdownNow}); the next schedule starts anew. */
    void shutdown() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
