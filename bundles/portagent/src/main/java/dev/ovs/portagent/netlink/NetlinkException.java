package dev.ovs.portagent.netlink;

import java.io.IOException;

/**
 * A failed rtnetlink or namespace operation: the kernel's negative acknowledgement (netlink(7)
 * {@code NLMSG_ERROR}), a failing system call, or a malformed reply.
 *
 * <p>The message reads {@code "<operation> <object>: <ERRNO> (<description>)[: <kernel message>]"},
 * e.g. {@code "create veth 'a1_l' (peer 'eth1' in netns /proc/42/ns/net): EEXIST (File exists)"}.
 */
public class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;
    private final String object;
    private final String kernelMessage;

    /**
     * @param operation     what was attempted, e.g. {@code "set mtu"}
     * @param object        what it was attempted on, e.g. {@code "link 'eth1' in netns /run/netns/x"}
     * @param errno         positive errno, or 0 when the failure is not errno-based
     * @param kernelMessage the kernel's extended-ack text ({@code NLMSGERR_ATTR_MSG}) or another detail, or null
     * @param cause         underlying cause, or null
     */
    public NetlinkException(String operation, String object, int errno, String kernelMessage, Throwable cause) {
        super(format(operation, object, errno, kernelMessage), cause);
        this.errno = Math.abs(errno);
        this.operation = operation;
        this.object = object;
        this.kernelMessage = kernelMessage;
    }

    private static String format(String operation, String object, int errno, String kmsg) {
        StringBuilder sb = new StringBuilder(operation).append(' ').append(object).append(": ");
        if (errno != 0) {
            sb.append(Errno.name(errno)).append(" (").append(Errno.describe(errno)).append(')');
            if (kmsg != null && !kmsg.isBlank()) {
                sb.append(": kernel: ").append(kmsg);
            }
        } else {
            sb.append(kmsg == null ? "failed" : kmsg);
        }
        return sb.toString();
    }

    /** @return positive errno (e.g. 17 for EEXIST), or 0 if the failure was not errno-based */
    public int errno() {
        return errno;
    }

    /** @return symbolic errno name such as {@code "ENODEV"}, or {@code null} when {@link #errno()} is 0 */
    public String errnoName() {
        return errno == 0 ? null : Errno.name(errno);
    }

    /** @return the attempted operation, e.g. {@code "delete link"} */
    public String operation() {
        return operation;
    }

    /** @return the object of the operation, e.g. {@code "link 'x' in netns /run/netns/n"} */
    public String object() {
        return object;
    }

    /** @return the kernel's extended-ack message, or {@code null} */
    public String kernelMessage() {
        return kernelMessage;
    }
}
