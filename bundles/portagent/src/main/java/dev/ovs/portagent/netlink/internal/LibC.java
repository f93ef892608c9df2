package dev.ovs.portagent.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls rtnetlink and namespaces need (socket(2), bind(2), getsockname(2),
 * setsockopt(2), send(2), recv(2), close(2), open(2), setns(2)). Every call reports failure as
 * {@link LastErrorException} carrying errno. Constants are the Linux generic ABI (x86_64, aarch64).
 *
 * <p>Calls go through JNA {@link Function} objects of the process's C library (flag
 * {@link Function#THROW_LAST_ERROR}: errno is cleared before and checked after each call, exactly as an
 * interface mapping with {@code throws LastErrorException} does), not through {@code Native.load} of an
 * interface: JNA keeps the options of a loaded interface, including its class loader, in static maps
 * forever, so every update of this bundle left its whole old revision in memory (about 280 KiB of
 * metaspace per update in the hot-swap soak). These Function objects belong to JNA's own shared
 * {@link NativeLibrary} and reference nothing of this bundle.
 */
public final class LibC {
    /** The process's libc (immutable). */
    public static final LibC INSTANCE = new LibC();

    // constants of the calls above: socket(7), netlink(7), open(2), setns(2), socket(7) options, recv(2) flags
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int MSG_TRUNC = 0x20;

    private final Function socket;
    private final Function bind;
    private final Function getsockname;
    private final Function setsockopt;
    private final Function send;
    private final Function recv;
    private final Function close;
    private final Function open;
    private final Function setns;

    private LibC() {
        NativeLibrary c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        socket = c.getFunction("socket", Function.THROW_LAST_ERROR);
        bind = c.getFunction("bind", Function.THROW_LAST_ERROR);
        getsockname = c.getFunction("getsockname", Function.THROW_LAST_ERROR);
        setsockopt = c.getFunction("setsockopt", Function.THROW_LAST_ERROR);
        send = c.getFunction("send", Function.THROW_LAST_ERROR);
        recv = c.getFunction("recv", Function.THROW_LAST_ERROR);
        close = c.getFunction("close", Function.THROW_LAST_ERROR);
        open = c.getFunction("open", Function.THROW_LAST_ERROR);
        setns = c.getFunction("setns", Function.THROW_LAST_ERROR);
    }

    /** socket(2). @return the fd @throws LastErrorException errno */
    public int socket(int domain, int type, int protocol) throws LastErrorException {
        return socket.invokeInt(new Object[] {domain, type, protocol});
    }

    /** bind(2). @return 0 @throws LastErrorException errno */
    public int bind(int fd, byte[] addr, int addrlen) throws LastErrorException {
        return bind.invokeInt(new Object[] {fd, addr, addrlen});
    }

    /** getsockname(2); addrlen is in/out (one element). @return 0 @throws LastErrorException errno */
    public int getsockname(int fd, byte[] addr, int[] addrlen) throws LastErrorException {
        return getsockname.invokeInt(new Object[] {fd, addr, addrlen});
    }

    /** setsockopt(2). @return 0 @throws LastErrorException errno */
    public int setsockopt(int fd, int level, int optname, byte[] optval, int optlen) throws LastErrorException {
        return setsockopt.invokeInt(new Object[] {fd, level, optname, optval, optlen});
    }

    /** send(2). @return bytes sent @throws LastErrorException errno */
    public NativeLong send(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException {
        return (NativeLong) send.invoke(NativeLong.class, new Object[] {fd, buf, len, flags});
    }

    /** recv(2) into native memory. @return bytes received (the real length with MSG_TRUNC) @throws LastErrorException errno */
    public NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException {
        return (NativeLong) recv.invoke(NativeLong.class, new Object[] {fd, buf, len, flags});
    }

    /** close(2). @return 0 @throws LastErrorException errno */
    public int close(int fd) throws LastErrorException {
        return close.invokeInt(new Object[] {fd});
    }

    /** open(2) of a path (e.g. /proc/PID/ns/net). @return the fd @throws LastErrorException errno */
    public int open(String path, int flags) throws LastErrorException {
        return open.invokeInt(new Object[] {path, flags});
    }

    /** setns(2) of the calling thread. @return 0 @throws LastErrorException errno */
    public int setns(int fd, int nstype) throws LastErrorException {
        return setns.invokeInt(new Object[] {fd, nstype});
    }
}
