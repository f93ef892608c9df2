package dev.ovs.dbus;

import java.util.List;
import java.util.Objects;

/**
 * One incoming method call on a whiteboard object, as a {@link DbusAuthorizer} sees it before the member runs
 * and as the member itself sees it while it runs ({@link DbusConnectionService#currentCall()}).
 *
 * <p>The caller's credentials come from the bus daemon: {@code org.freedesktop.DBus.GetConnectionCredentials}
 * of {@link #sender()} (D-Bus specification, "Message Bus Messages": {@code UnixUserID}, {@code ProcessID},
 * {@code UnixGroupIDs}), asked once per unique name and kept until the bus reports the name gone
 * ({@code NameOwnerChanged}). A daemon without {@code UnixGroupIDs} (dbus-daemon before 1.11.x) leaves the groups
 * to {@code /proc/<pid>/status} ({@code Groups:} and {@code Gid:}, proc(5)), read only while that process still
 * has the uid the daemon reported. {@value #UNKNOWN} stands for a credential that is not known: a peer-to-peer
 * connection, a caller that left before it was asked, or a {@link ReadOnly} {@link NonBlocking} member answered
 * on the reader thread before the sender's credentials were first asked (such members never wait for the bus
 * daemon).
 *
 * @param sender        the caller's unique bus name, e.g. {@code :1.42} (the D-Bus {@code SENDER} header; the
 *                      bus daemon sets it, so it cannot be forged); empty on a peer-to-peer connection
 * @param objectPath    the object path called, e.g. {@code /dev/ovs/Vlan1}
 * @param interfaceName the D-Bus interface name, e.g. {@code dev.ovs.Vlan1}
 * @param member        the member name, e.g. {@code CreateBridge}
 * @param readOnly      whether the member is declared {@link ReadOnly} on its interface
 * @param uid           the caller's Unix user id, or {@value #UNKNOWN}
 * @param pid           the caller's process id (in the bus daemon's PID namespace), or {@value #UNKNOWN}
 * @param groups        the caller's group ids (primary and supplementary), ascending; empty if not known
 * @since dev.ovs.dbus 2.0.0 (uid, pid and groups since 2.1.0)
 */
public record DbusCall(String sender, String objectPath, String interfaceName, String member, boolean readOnly,
        long uid, long pid, List<Long> groups) {
    /** Value of {@link #uid()} and {@link #pid()} when not known: {@value}. */
    public static final long UNKNOWN = -1;

    /**
     * @throws NullPointerException if a string or the group list (or one of its elements) is null
     */
    public DbusCall {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(objectPath, "objectPath");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(member, "member");
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
    }

    /**
     * A call whose caller's credentials are not known ({@value #UNKNOWN}, no groups).
     *
     * @param sender        the caller's unique bus name, or empty
     * @param objectPath    the object path called
     * @param interfaceName the D-Bus interface name
     * @param member        the member name
     * @param readOnly      whether the member is {@link ReadOnly}
     * @throws NullPointerException if a string is null
     */
    public DbusCall(String sender, String objectPath, String interfaceName, String member, boolean readOnly) {
        this(sender, objectPath, interfaceName, member, readOnly, UNKNOWN, UNKNOWN, List.of());
    }

    /** @return whether the caller is known to be root (uid 0) */
    public boolean isRoot() {
        return uid == 0;
    }

    /**
     * @return the caller as the ledger names it: {@code dbus:<sender> uid=<uid> pid=<pid>} ({@code ?} for an
     *         unknown value, {@code dbus:peer} without a sender)
     */
    public String callerText() {
        return "dbus:" + (sender.isEmpty() ? "peer" : sender) + " uid=" + (uid < 0 ? "?" : Long.toString(uid))
                + " pid=" + (pid < 0 ? "?" : Long.toString(pid));
    }
}
