package dev.ovs.portagent.netlink;

import java.util.Map;

/**
 * Linux errno numbers to symbolic names and short descriptions (errno(3), asm-generic/errno*.h).
 * Stateless.
 */
public final class Errno {
    private static final Map<Integer, String[]> TABLE = Map.ofEntries(
            e(1, "EPERM", "Operation not permitted"), e(2, "ENOENT", "No such file or directory"),
            e(3, "ESRCH", "No such process"), e(4, "EINTR", "Interrupted system call"),
            e(5, "EIO", "Input/output error"), e(6, "ENXIO", "No such device or address"),
            e(7, "E2BIG", "Argument list too long"), e(9, "EBADF", "Bad file descriptor"),
            e(11, "EAGAIN", "Resource temporarily unavailable"), e(12, "ENOMEM", "Cannot allocate memory"),
            e(13, "EACCES", "Permission denied"), e(14, "EFAULT", "Bad address"),
            e(16, "EBUSY", "Device or resource busy"), e(17, "EEXIST", "File exists"),
            e(18, "EXDEV", "Invalid cross-device link"), e(19, "ENODEV", "No such device"),
            e(20, "ENOTDIR", "Not a directory"), e(22, "EINVAL", "Invalid argument"),
            e(23, "ENFILE", "Too many open files in system"), e(24, "EMFILE", "Too many open files"),
            e(28, "ENOSPC", "No space left on device"), e(34, "ERANGE", "Numerical result out of range"),
            e(36, "ENAMETOOLONG", "File name too long"), e(38, "ENOSYS", "Function not implemented"),
            e(39, "ENOTEMPTY", "Directory not empty"), e(61, "ENODATA", "No data available"),
            e(71, "EPROTO", "Protocol error"), e(75, "EOVERFLOW", "Value too large for defined data type"),
            e(88, "ENOTSOCK", "Socket operation on non-socket"), e(90, "EMSGSIZE", "Message too long"),
            e(93, "EPROTONOSUPPORT", "Protocol not supported"), e(95, "EOPNOTSUPP", "Operation not supported"),
            e(97, "EAFNOSUPPORT", "Address family not supported by protocol"),
            e(98, "EADDRINUSE", "Address already in use"), e(99, "EADDRNOTAVAIL", "Cannot assign requested address"),
            e(100, "ENETDOWN", "Network is down"), e(101, "ENETUNREACH", "Network is unreachable"),
            e(105, "ENOBUFS", "No buffer space available"), e(107, "ENOTCONN", "Transport endpoint is not connected"),
            e(110, "ETIMEDOUT", "Connection timed out"), e(111, "ECONNREFUSED", "Connection refused"),
            e(113, "EHOSTUNREACH", "No route to host"), e(114, "EALREADY", "Operation already in progress"),
            e(115, "EINPROGRESS", "Operation now in progress"));

    private Errno() {
    }

    private static Map.Entry<Integer, String[]> e(int n, String name, String text) {
        return Map.entry(n, new String[] {name, text});
    }

    /**
     * Symbolic name of an errno value.
     *
     * @param errno positive errno (a negative value is treated as its absolute value)
     * @return e.g. {@code "EEXIST"}, or {@code "errno N"} for values not in the table
     */
    public static String name(int errno) {
        String[] v = TABLE.get(Math.abs(errno));
        return v == null ? "errno " + Math.abs(errno) : v[0];
    }

    /**
     * Short description, as strerror(3) would give in the C locale.
     *
     * @param errno positive errno (negative treated as absolute value)
     * @return e.g. {@code "File exists"}, or {@code "unknown error"}
     */
    public static String describe(int errno) {
        String[] v = TABLE.get(Math.abs(errno));
        return v == null ? "unknown error" : v[1];
    }
}
