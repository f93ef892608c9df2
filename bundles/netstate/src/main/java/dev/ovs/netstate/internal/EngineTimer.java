package dev.ovs.netstate.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's one scheduler thread ({@code netstate-timer}, a daemon) that runs confirm deadlines and recovery
 * retries, and the deadline futures by checkpoint id. Deadline methods are called with the engine's lock held.
 */
final class EngineTimer {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "netstate-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ScheduledFuture<?>> deadlines = new LinkedHashMap<>();
    private volatile boolean closed;

    /** @return true once {@link #stop} ran */
    boolean closed() {
        return closed;
    }

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return executor.schedule(task, delay, unit);
    }

    /** Runs {@code task} at a checkpoint's deadline, {@code delayMicros} µs from now. */
    void arm(String id, Runnable task, long delayMicros) {
        deadlines.put(id, executor.schedule(task, delayMicros, TimeUnit.MICROSECONDS));
    }

    /** Cancels a checkpoint's deadline, if it has one. */
    void disarm(String id) {
        ScheduledFuture<?> f = deadlines.remove(id);
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Forgets a checkpoint's deadline that is running now. */
    void fired(String id) {
        deadlines.remove(id);
    }

    /** Marks the timer closed and cancels every deadline (with the lock held). */
    void stop() {
        closed = true;
        deadlines.values().forEach(f -> f.cancel(false));
        deadlines.clear();
    }

    /** Stops the thread: interrupts a running task and waits up to 10 s for it (without the lock). */
    void shutdown() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
