package dev.ovs.networkd;

/**
 * Failure of a systemd / networkd operation. The {@link #kind()} says what went wrong; the message is meant
 * for humans and names the unit, link, file or field concerned. When the cause is a D-Bus error reply,
 * {@link #dbusError()} is its name (e.g. {@code org.freedesktop.systemd1.NoSuchUnit}).
 */
public class NetworkdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Unknown unit ({@code org.freedesktop.systemd1.NoSuchUnit}, LoadState not-found) or link
         * ({@code org.freedesktop.resolve1.NoSuchLink}) or file. */
        NOT_FOUND,
        /** Bad input (name, address, key, mode); nothing was changed. */
        INVALID_ARGS,
        /** A job did not finish in time (it may still be queued or running). */
        TIMEOUT,
        /** No D-Bus connection, or the peer (systemd, networkd) is not on the bus. */
        UNAVAILABLE,
        /** A configuration file exists that Patchbay did not write; it is left untouched. */
        NOT_OWNED,
        /** Anything else (D-Bus error replies, I/O errors). */
        FAILED
    }

    private final Kind kind;
    private final String dbusError;

    /**
     * @param kind    what went wrong, not null
     * @param message human readable message
     */
    public NetworkdException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    /**
     * @param kind      what went wrong, not null
     * @param message   human readable message
     * @param dbusError D-Bus error name of the cause, or null
     * @param cause     cause, or null
     */
    public NetworkdException(Kind kind, String message, String dbusError, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.dbusError = dbusError;
    }

    /**
     * Bad input: message {@code "<field>: <rule>"}.
     *
     * @param field the argument or key, e.g. {@code Address}
     * @param rule  the rule broken
     * @return the exception
     */
    public static NetworkdException invalid(String field, String rule) {
        return new NetworkdException(Kind.INVALID_ARGS, field + ": " + rule);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the D-Bus error name of the cause, or null */
    public String dbusError() {
        return dbusError;
    }
}
