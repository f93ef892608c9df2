package dev.ovs.networkd;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;

/**
 * Failure of a systemd / networkd operation that is not bad input (bad input is
 * {@link dev.ovs.base.InvalidArgumentException}, thrown before any side effect). The {@link #kind()} says
 * what went wrong: {@code NotFound} (unknown unit: {@code org.freedesktop.systemd1.NoSuchUnit} or LoadState
 * not-found; unknown link: {@code org.freedesktop.resolve1.NoSuchLink}; unknown file), {@code Timeout} (a job
 * did not finish in time; it may still be queued or running), {@code Unavailable} (no D-Bus connection, or
 * systemd / networkd is not on the bus), {@code ConstraintViolation} (the peer refused the arguments with
 * {@code org.freedesktop.DBus.Error.InvalidArgs}, or a file is not Patchbay's: {@link FileNotOwnedException}),
 * {@code Failed} (other D-Bus error replies, I/O errors). The message is meant for humans and names the unit,
 * link, file or field concerned. When the cause is a D-Bus error reply, {@link #dbusError()} is its name.
 */
public class NetworkdException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final String dbusError;

    /**
     * @param kind    what went wrong, not null
     * @param message human readable message
     * @throws NullPointerException if {@code kind} is null
     */
    public NetworkdException(ErrorKind kind, String message) {
        this(kind, message, null, null);
    }

    /**
     * @param kind      what went wrong, not null
     * @param message   human readable message
     * @param dbusError D-Bus error name of the cause (e.g. {@code org.freedesktop.systemd1.NoSuchUnit}), or null
     * @param cause     cause, or null
     * @throws NullPointerException if {@code kind} is null
     */
    public NetworkdException(ErrorKind kind, String message, String dbusError, Throwable cause) {
        super(kind, message, cause);
        this.dbusError = dbusError;
    }

    /** @return the D-Bus error name of the cause, or null */
    public String dbusError() {
        return dbusError;
    }
}
