package dev.ovs.ovsdb;

/**
 * Base of every error raised by the OVSDB client and the Open_vSwitch API.
 * <p>
 * {@link #kind()} is a coarse, stable classification that callers (the D-Bus layer) map to error names
 * {@code org.openvswitch.ovsdb.Error.<Kind>}; {@link #error()} and {@link #details()} carry the server's
 * RFC 7047 {@code "error"} and {@code "details"} members when the error came from ovsdb-server, else a
 * client-side short code and message.
 */
public class OvsdbException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Stable error classification; constant names are the D-Bus error name suffixes. */
    public enum Kind {
        /** A named object (bridge, port, row, database) does not exist. */
        NotFound,
        /** The object to create already exists. */
        AlreadyExists,
        /** RFC 7047 "constraint violation" and other schema constraint failures detected by the server. */
        ConstraintViolation,
        /** RFC 7047 "referential integrity violation". */
        ReferentialIntegrity,
        /** A request timed out (client request timeout, "timed out" wait, ovs-vswitchd not applying config). */
        Timeout,
        /** No connection to ovsdb-server (not connected, connection lost, protocol failure). */
        Unavailable,
        /** Anything else. */
        Failed
    }

    private final Kind kind;
    private final String error;
    private final String details;

    /**
     * @param kind    classification, not null
     * @param error   short error code (server's RFC 7047 "error" string, or a client code), not null
     * @param details human readable details, may be null
     * @param cause   cause, may be null
     */
    public OvsdbException(Kind kind, String error, String details, Throwable cause) {
        super(details == null || details.isEmpty() ? error : error + ": " + details, cause);
        this.kind = kind;
        this.error = error;
        this.details = details;
    }

    /** Same as {@link #OvsdbException(Kind, String, String, Throwable)} without a cause. */
    public OvsdbException(Kind kind, String error, String details) {
        this(kind, error, details, null);
    }

    /** @return the classification, never null */
    public Kind kind() {
        return kind;
    }

    /** @return the RFC 7047 "error" string (e.g. "constraint violation") or a client code, never null */
    public String error() {
        return error;
    }

    /** @return the RFC 7047 "details" string, or null */
    public String details() {
        return details;
    }

    /**
     * Maps an RFC 7047 §4.1.3 / ovsdb-server(7) error string to a kind.
     *
     * @param error the server's "error" member, may be null
     * @return the kind, {@link Kind#Failed} for unknown strings
     */
    public static Kind kindOf(String error) {
        if (error == null) {
            return Kind.Failed;
        }
        switch (error) {
            case "constraint violation":
            case "domain error":
            case "range error":
                return Kind.ConstraintViolation;
            case "referential integrity violation":
                return Kind.ReferentialIntegrity;
            case "timed out":
                return Kind.Timeout;
            case "unknown database":
                return Kind.NotFound;
            default:
                return Kind.Failed;
        }
    }
}
