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
 * One bound {@code NETLINK_ROUTE} socket (netlink(7)) and its request/acknowledgement exchange, shared by the link,
 * address and route operations of {@link RtNetlink}: sends a request with the next sequence number and reads the
 * kernel's replies to it (skipping stale ones of abandoned requests) up to the acknowledgement or, for a dump, up to
 * {@code NLMSG_DONE}. A negative acknowledgement throws {@link NetlinkException} with the errno, the operation, the
 * object and the kernel's extended-ack text ({@code NETLINK_EXT_ACK}); a dump interrupted by concurrent changes
 * ({@code NLM_F_DUMP_INTR}) is repeated up to {@link #DUMP_RETRIES} times. Requests are serialised by a lock; replies
 * wait at most 10 seconds ({@code SO_RCVTIMEO}), a timeout is reported as {@code ETIMEDOUT}.
 */
final class NlSocket {
    private static final int RECV_BUF = 65536;
    private static final int DUMP_RETRIES = 5;
    private final LibC c = LibC.INSTANCE;
    private final int fd;
    private final String where;
    private final Memory rbuf = new Memory(RECV_BUF);
    private final byte[] rcopy = new byte[RECV_BUF];
    private final ReentrantLock lock = new ReentrantLock();
    private int seq;
    private boolean closed;

    private NlSocket(int fd, String where) {
        this.fd = fd;
        this.where = where;
    }

    /**
     * Opens and binds a socket in the network namespace of the calling thread.
     *
     * @param where the namespace as error messages name it ({@code own netns}, or the {@link NetNamespace})
     * @return the open socket
     * @throws NetlinkException if socket(2) or bind(2) fails (e.g. {@code EPERM}, {@code EMFILE})
     */
    static NlSocket openHere(String where) throws NetlinkException {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new NetlinkException("open NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
        try {
            byte[] one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
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
            return new NlSocket(fd, "in " + where);
        } catch (LastErrorException e) {
            c.close(fd);
            throw new NetlinkException("bind NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
    }

    /** @return where the socket is bound, as error messages name it: {@code in own netns}, {@code in <netns>} */
    String where() {
        return where;
    }

    /**
     * Sends a request carrying {@code NLM_F_ACK} and waits for the acknowledgement.
     *
     * @return the kernel's replies before the acknowledgement (e.g. the {@code RTM_NEWLINK} of a get)
     * @throws NetlinkException a negative acknowledgement or a socket error, naming {@code op} and {@code object}
     */
    List<NlMessage> request(NlBuilder b, String op, String object) throws NetlinkException {
        return exchange(b, false, op, object);
    }

    /**
     * Sends a {@code NLM_F_DUMP} request and collects the replies up to {@code NLMSG_DONE}, repeating it while the
     * kernel marks it interrupted ({@code NLM_F_DUMP_INTR}), at most {@link #DUMP_RETRIES} times.
     *
     * @return the replies in kernel order
     * @throws NetlinkException a kernel or socket error, or still interrupted after the last attempt
     */
    List<NlMessage> dump(NlBuilder b, String op) throws NetlinkException {
        for (int attempt = 1;; attempt++) {
            try {
                return exchange(b, true, op, where);
            } catch (DumpInterrupted e) {
                if (attempt >= DUMP_RETRIES) {
                    throw new NetlinkException(op, where, 0, "dump interrupted by concurrent changes "
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

    private List<NlMessage> exchange(NlBuilder b, boolean dump, String op, String object) throws NetlinkException {
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
                        int err = m.payload().getInt(0);
                        if (err == 0) {
                            if (!dump) {
                                return out;
                            }
                            continue;
                        }
                        throw new NetlinkException(op, object, -err, extAck(m), null);
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

    private static String extAck(NlMessage m) {
        if ((m.flags() & Nl.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        ByteBuffer p = m.payload();
        if (p.limit() < 20) {
            return null;
        }
        int origLen = p.getInt(4);
        int off = 4 + ((m.flags() & Nl.NLM_F_CAPPED) != 0 ? Nl.NLMSG_HDRLEN : ((origLen + 3) & ~3));
        if (off > p.limit()) {
            return null;
        }
        ByteBuffer msg = NlMessage.attrs(p, off, p.limit()).get(Nl.NLMSGERR_ATTR_MSG);
        return msg == null ? null : NlMessage.string(msg);
    }

    /** Closes the socket (waiting for a request in progress); idempotent. Later requests fail with {@code EBADF}. */
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

    @Override
    public String toString() {
        return "fd=" + fd + " " + where;
    }
}
