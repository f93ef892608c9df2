package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.NetNamespace;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The network namespace of the OVS bridges (the host side of the veths) as the port agent uses it: one shared
 * rtnetlink socket opened in it (checked against the namespace file's inode before each use, replaced after
 * socket-level errors), link deletion that returns as soon as the link is gone from the namespace, and the
 * agent's workers (RTM_DELLINK through the kernel's RCU wait; the OVSDB change of an add-port while the
 * container end is set up). Thread-safe.
 */
final class HostNamespace implements AutoCloseable {
    private final NetNamespace ns;
    /** Guards {@link #socket} and {@link #socketInode}. */
    private final Object lock = new Object();
    private RtNetlink socket;
    private Object socketInode;
    private final ThreadPoolExecutor workers;
    private final ConcurrentLinkedDeque<RtNetlink> deleterSockets = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /** @param ns the bridges' namespace, or null for this JVM's own */
    HostNamespace(NetNamespace ns) {
        this.ns = ns;
        this.workers = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "portagent-worker");
            t.setDaemon(true);
            return t;
        });
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Stops the workers (waiting up to 15 s for link deletions and OVSDB changes in progress) and closes the
     * sockets. {@link #socket()} fails afterwards. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        workers.shutdown();
        try {
            workers.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
        RtNetlink d;
        while ((d = deleterSockets.poll()) != null) {
            d.close();
        }
    }

    private RtNetlink open() throws NetlinkException {
        return ns == null ? RtNetlink.open() : RtNetlink.open(ns);
    }

    /** @return the inode of the namespace file (its namespace's identity), or null for the own namespace */
    private Object inode() throws NetlinkException {
        if (ns == null) {
            return null;
        }
        try {
            return Files.getAttribute(ns.path(), "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            throw new NetlinkException("open", ns + ": cannot stat the namespace file", 2, e.getMessage(), e);
        }
    }

    /**
     * @return the shared socket in the bridges' namespace (opened on first use; reopened when the namespace
     *         file now names another namespace). Not to be closed by the caller.
     */
    RtNetlink socket() throws NetlinkException {
        if (closed) {
            throw new PortAgentException(ErrorKind.Unavailable, "the port agent is closed", null);
        }
        Object ino = inode();
        synchronized (lock) {
            if (socket != null && !Objects.equals(ino, socketInode)) {
                dropLocked();
            }
            if (socket == null) {
                socket = open();
                socketInode = ino;
            }
            return socket;
        }
    }

    private void dropLocked() {
        socket.close();
        socket = null;
        RtNetlink d;
        while ((d = deleterSockets.poll()) != null) {
            d.close();
        }
    }

    /** Socket-level failures (not the kernel refusing a request): the shared socket is replaced. */
    NetlinkException checkSocket(RtNetlink used, NetlinkException e) {
        if (e.errno() == 9 || e.errno() == 110 || e.errno() == 105 || e.errno() == 71 || e.errno() == 90) {
            synchronized (lock) {
                if (socket == used) {
                    dropLocked();
                }
            }
        }
        return e;
    }

    /**
     * Deletes a host link (and so its veth peer) and returns once it is gone from the namespace: the
     * {@code RTM_DELLINK} runs on a worker (the kernel holds it until RCU freed the device), this thread
     * polls {@code RTM_GETLINK} for the name every 100 µs and returns when the kernel answers
     * {@code ENODEV}, or when the worker finished (rethrowing its error).
     *
     * @param hostNl the shared host socket (for the polls)
     * @param name   host link name
     * @throws NetlinkException as {@link RtNetlink#deleteLinkIfExists(String)}
     */
    void deleteLink(RtNetlink hostNl, String name) throws NetlinkException {
        Future<Boolean> f;
        try {
            f = workers.submit(() -> {
                RtNetlink s = deleterSockets.poll();
                if (s == null) {
                    s = open();
                }
                try {
                    boolean deleted = s.deleteLinkIfExists(name);
                    deleterSockets.push(s);
                    return deleted;
                } catch (NetlinkException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            hostNl.deleteLinkIfExists(name); // closing: do it here
            return;
        }
        while (true) {
            if (f.isDone()) {
                try {
                    f.get();
                    return;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof NetlinkException ne) {
                        throw ne;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PortAgentException(ErrorKind.Failed, "interrupted while deleting link '" + name + "'", e);
                }
            }
            if (hostNl.link(name).isEmpty()) {
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** Runs a task on a worker (or here, once closing). */
    Future<?> submit(Runnable task) {
        try {
            return workers.submit(task);
        } catch (RejectedExecutionException e) {
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException x) {
                done.completeExceptionally(x);
            }
            return done;
        }
    }
}
