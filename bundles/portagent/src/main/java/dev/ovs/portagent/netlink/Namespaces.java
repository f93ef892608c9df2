package dev.ovs.portagent.netlink;

import com.sun.jna.LastErrorException;
import dev.ovs.portagent.netlink.internal.LibC;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Network namespace files (network_namespaces(7)) for {@link RtNetlink}: running a task inside a namespace on a
 * dedicated platform thread that calls setns(2), restores its own namespace and ends (the calling thread is never
 * moved), and opening a namespace as a file descriptor for {@code IFLA_NET_NS_FD}.
 */
final class Namespaces {
    private Namespaces() {
    }

    /** A task run inside a namespace. */
    interface Task<T> {
        T run() throws NetlinkException;
    }

    /**
     * Opens {@code ns} read-only (close-on-exec); the caller closes the descriptor.
     *
     * @param op the operation error messages name
     * @param object the object error messages name
     * @return the descriptor
     * @throws NetlinkException open(2) failed ({@code ENOENT}: the namespace is gone)
     */
    static int openFd(NetNamespace ns, String op, String object) throws NetlinkException {
        try {
            return LibC.INSTANCE.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException(op, object + ": cannot open " + ns, e.getErrorCode(), null, e);
        }
    }

    /**
     * Runs {@code task} on a new platform thread inside {@code ns} and waits for it (uninterruptibly; an interrupt
     * is kept for the caller).
     *
     * @return what the task returned
     * @throws NetlinkException the namespace file cannot be opened ({@code ENOENT}), setns(2) fails ({@code EPERM},
     *         {@code EINVAL}), or the task's own
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
