package dev.ovs.portagent.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.ovs.portagent.netlink.internal.LibC;
import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transport of {@link RtNetlink}: one {@code NETLINK_ROUTE} socket (netlink(7), rtnetlink(7)) with
 * {@code NETLINK_EXT_ACK} and {@code NETLINK_CAP_ACK} set where the kernel has them, a 10-second
 * {@code SO_RCVTIMEO}, and the request/acknowledgement loop: one request at a time (a lock), sequence numbers
 * from 1, replies of other sequence numbers skipped, {@code NLMSG_ERROR} turned into {@link NetlinkException}
 * with the extended-ack text, and dumps ({@code NLM_F_DUMP}) collected until {@code NLMSG_DONE} and repeated
 * when the kernel marks them {@code NLM_F_DUMP_INTR}.
 */
final class RtnlSocket {
    /** Receive buffer, bytes: one datagram of a dump (the kernel fills up to about 32 KiB per datagram). */
    private static final int RECV_BUF = 65536;
    /** How often a dump interrupted by concurrent changes ({@code NLM_F_DUMP_INTR}) is repeated. */
    private static final int DUMP_RETRIES = 5;
    private final LibC c = LibC.INSTANCE;
    private final int fd;
    private final Memory rbuf = new Memory(RECV_BUF);
    private final byte[] rcopy = new byte[RECV_BUF];
    private final ReentrantLock lock = new ReentrantLock();
    private int seq;
    private boolean closed;

    private RtnlSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens and binds a socket in the network namespace of the calling thread: socket(2)
     * {@code AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE}, the socket options above, bind(2) to
     * {@code nl_pid} 0 (the kernel assigns one).
     *
     * @param where the namespace, for error messages
     * @return the open socket
     * @throws NetlinkException if socket(2), setsockopt(2) {@code SO_RCVTIMEO} or bind(2) fails
     */
    static RtnlSocket openHere(String where) throws NetlinkException {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new NetlinkException("open NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
        try {
            byte[] one = intBytes(1);
            try {
                c.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, one, 4);
                c.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, one, 4);
            } catch (LastErrorException e) {
                // old kernel without extended acks: errors still carry errno
            }
            ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(10).putLong(0);
            c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), 16);
            ByteBuffer sa = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                    .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0);
            c.bind(fd, sa.array(), 12);
            return new RtnlSocket(fd);
        } catch (LastErrorException e) {
            c.close(fd);
            throw new NetlinkException("bind NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
    }

    private static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** @return the socket's file descriptor */
    int fd() {
        return fd;
    }

    /**
     * Opens a network namespace file read-only, for {@code IFLA_NET_NS_FD}; close it with {@link #closeFd(int)}.
     *
     * @param ns     the namespace
     * @param op     the operation, for the error
     * @param object the object of the operation, for the error
     * @return the file descriptor
     * @throws NetlinkException if open(2) fails (e.g. {@code ENOENT})
     */
    static int openNamespace(NetNamespace ns, String op, String object) throws NetlinkException {
        try {
            return LibC.INSTANCE.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException(op, object + ": cannot open " + ns, e.getErrorCode(), null, e);
        }
    }

    /** @param fd a file descriptor from {@link #openNamespace}, closed with close(2) */
    static void closeFd(int fd) {
        LibC.INSTANCE.close(fd);
    }

    /**
     * Sends a dump request and collects its reply, repeating it up to {@value #DUMP_RETRIES} times while the
     * kernel marks the reply inconsistent ({@code NLM_F_DUMP_INTR}, netlink(7)).
     *
     * @param b      the request ({@code NLM_F_DUMP})
     * @param op     the operation, for errors
     * @param object the object, for errors
     * @return the reply messages up to {@code NLMSG_DONE}, without {@code NLMSG_NOOP}
     * @throws NetlinkException on a kernel or socket error, or {@code NLM_F_DUMP_INTR} {@value #DUMP_RETRIES} times
     */
    List<NlMessage> dump(NlBuilder b, String op, String object) throws NetlinkException {
        for (int attempt = 1;; attempt++) {
            try {
                return request(b, true, op, object);
            } catch (DumpInterrupted e) {
                if (attempt >= DUMP_RETRIES) {
                    throw new NetlinkException(op, object, 0, "dump interrupted by concurrent changes "
                            + DUMP_RETRIES + " times (NLM_F_DUMP_INTR)", null);
                }
            }
        }
    }

    /** Internal signal: a dump was inconsistent and must be repeated. */
    private static final class DumpInterrupted extends NetlinkException {
        private static final long serialVersionUID = 1L;

        DumpInterrupted() {
            super("dump", "", 0, "interrupted", null);
        }
    }

    /**
     * Sends one request with the next sequence number and reads replies of that sequence number.
     *
     * @param b      the request
     * @param dump   true for a dump: collect until {@code NLMSG_DONE}; false: return at the acknowledgement
     * @param op     the operation, for errors
     * @param object the object, for errors
     * @return the reply messages (without {@code NLMSG_NOOP}, the acknowledgement and {@code NLMSG_DONE})
     * @throws NetlinkException {@code EBADF} if closed; the errno of send(2)/recv(2) ({@code ETIMEDOUT} for the
     *                          receive timeout); {@code EMSGSIZE} for a datagram beyond the buffer; {@code EPROTO}
     *                          for a malformed reply; the kernel's negative errno; {@code ENOBUFS} for
     *                          {@code NLMSG_OVERRUN}
     */
    List<NlMessage> request(NlBuilder b, boolean dump, String op, String object) throws NetlinkException {
        lock.lock();
        try {
            if (closed) {
                throw new NetlinkException(op, object, 9, "socket closed", null);
            }
            int s = ++seq;
            byte[] msg = b.build(s);
            try {
                c.send(fd, msg, new NativeLong(msg.length), 0);
            } catch (LastErrorException e) {
                throw new NetlinkException(op, object + " (send)", e.getErrorCode(), null, e);
            }
            List<NlMessage> out = new ArrayList<>();
            boolean interrupted = false;
            while (true) {
                long n;
                try {
                    n = c.recv(fd, rbuf, new NativeLong(RECV_BUF), LibC.MSG_TRUNC).longValue();
                } catch (LastErrorException e) {
                    int errno = e.getErrorCode() == 11 ? 110 : e.getErrorCode();
                    throw new NetlinkException(op, object + " (waiting for the kernel's reply)", errno, null, e);
                }
                if (n > RECV_BUF) {
                    throw new NetlinkException(op, object, 90, "reply of " + n + " bytes truncated to " + RECV_BUF, null);
                }
                rbuf.read(0, rcopy, 0, (int) n);
                List<NlMessage> msgs;
                try {
                    msgs = NlMessage.parse(rcopy, (int) n);
                } catch (IllegalArgumentException e) {
                    throw new NetlinkException(op, object, 71, e.getMessage(), e);
                }
                for (NlMessage m : msgs) {
                    if (m.seq() != s) {
                        continue; // stale reply of an earlier, abandoned request
                    }
                    if ((m.flags() & Nl.NLM_F_DUMP_INTR) != 0) {
                        interrupted = true;
                    }
                    if (m.type() == Nl.NLMSG_ERROR) {
                        int err = RtnlDecoder.decoded(op, object, () -> RtnlDecoder.ackError(m));
                        if (err == 0) {
                            if (!dump) {
                                return out;
                            }
                            continue;
                        }
                        throw new NetlinkException(op, object, -err, RtnlDecoder.extAck(m), null);
                    }
                    if (m.type() == Nl.NLMSG_DONE) {
                        if (m.payload().limit() >= 4 && m.payload().getInt(0) < 0) {
                            throw new NetlinkException(op, object, -m.payload().getInt(0), null, null);
                        }
                        if (interrupted) {
                            throw new DumpInterrupted();
                        }
                        return out;
                    }
                    if (m.type() == Nl.NLMSG_OVERRUN) {
                        throw new NetlinkException(op, object, 105, "netlink overrun", null);
                    }
                    if (m.type() != Nl.NLMSG_NOOP) {
                        out.add(m);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the socket (close(2)). Idempotent; later requests fail with {@code EBADF}. */
    void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                c.close(fd);
            }
        } finally {
            lock.unlock();
        }
    }
}
