package dev.ovs.portagent.netlink;

import com.sun.jna.LastErrorException;
import dev.ovs.portagent.netlink.internal.LibC;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A dedicated platform thread that enters a network namespace (setns(2) {@code CLONE_NEWNET} on the namespace
 * file, network_namespaces(7)), runs one task, restores the thread's own namespace
 * ({@code /proc/thread-self/ns/net}) and ends; the calling thread's namespace is never changed.
 */
final class NsThread {
    private NsThread() {
    }

    /**
     * The task run inside the namespace.
     *
     * @param <T> its result
     */
    interface Task<T> {
        T run() throws NetlinkException;
    }

    /**
     * Runs {@code task} in {@code ns} on a new daemon thread and waits for it (an interrupt of the caller is
     * kept and re-asserted after the wait).
     *
     * @param ns   the namespace
     * @param task the task
     * @param <T>  its result
     * @return what the task returned
     * @throws NetlinkException if the namespace cannot be entered ({@code ENOENT}, {@code EPERM}, {@code EINVAL})
     *                          or the task throws it
     */
    static <T> T call(NetNamespace ns, Task<T> task) throws NetlinkException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(enterAndRun(ns, task));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "rtnetlink-setns " + ns);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof NetlinkException e) {
            throw e;
        }
        if (r instanceof RuntimeException e) {
            throw e;
        }
        if (r instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T v = (T) r;
        return v;
    }

    private static <T> T enterAndRun(NetNamespace ns, Task<T> task) throws NetlinkException {
        LibC c = LibC.INSTANCE;
        int self;
        try {
            self = c.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException("open", "own thread's netns /proc/thread-self/ns/net", e.getErrorCode(), null, e);
        }
        try {
            int target;
            try {
                target = c.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new NetlinkException("open", ns.toString(), e.getErrorCode(), null, e);
            }
            try {
                c.setns(target, LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new NetlinkException("setns into", ns.toString(), e.getErrorCode(), null, e);
            } finally {
                c.close(target);
            }
            try {
                return task.run();
            } finally {
                try {
                    c.setns(self, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    // the thread ends right after this; nothing else runs in it
                }
            }
        } finally {
            c.close(self);
        }
    }
}
