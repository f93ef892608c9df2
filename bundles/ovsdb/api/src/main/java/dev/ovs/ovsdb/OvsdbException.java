package dev.ovs.ovsdb;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;

/**
 * Base of every error raised by the OVSDB client and the Open_vSwitch API (bad input is
 * {@link dev.ovs.base.InvalidArgumentException} instead).
 * <p>
 * {@link #kind()} is the stable classification ({@link ErrorKind}) that the D-Bus face maps to
 * {@code org.openvswitch.ovsdb.Error.<kind>}; {@link #error()} and {@link #details()} carry the server's
 * RFC 7047 {@code "error"} and {@code "details"} members when the error came from ovsdb-server, else a
 * client-side short code and message. The message is {@code "<error>: <details>"}.
 */
public class OvsdbException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final String error;
    private final String details;

    /**
     * @param kind    classification, not null
     * @param error   short error code (server's RFC 7047 "error" string, or a client code), not null
     * @param details human readable details, may be null
     * @param cause   cause, may be null
     * @throws NullPointerException if {@code kind} is null
     */
    public OvsdbException(ErrorKind kind, String error, String details, Throwable cause) {
        super(kind, details == null || details.isEmpty() ? error : error + ": " + details, cause);
        this.error = error;
        this.details = details;
    }

    /**
     * Same as {@link #OvsdbException(ErrorKind, String, String, Throwable)} without a cause.
     *
     * @param kind    classification, not null
     * @param error   short error code, not null
     * @param details human readable details, may be null
     */
    public OvsdbException(ErrorKind kind, String error, String details) {
        this(kind, error, details, null);
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
     * Maps an RFC 7047 §4.1.3 / ovsdb-server(7) error string to a kind: "constraint violation", "domain
     * error", "range error" → ConstraintViolation; "referential integrity violation" → ReferentialIntegrity;
     * "timed out" → Timeout; "unknown database" → NotFound; anything else → Failed.
     *
     * @param error the server's "error" member, may be null
     * @return the kind, {@link ErrorKind#Failed} for null and unknown strings
     */
    public static ErrorKind kindOf(String error) {
        if (error == null) {
            return ErrorKind.Failed;
        }
        switch (error) {
            case "constraint violation":
            case "domain error":
            case "range error":
                return ErrorKind.ConstraintViolation;
            case "referential integrity violation":
                return ErrorKind.ReferentialIntegrity;
            case "timed out":
                return ErrorKind.Timeout;
            case "unknown database":
                return ErrorKind.NotFound;
            default:
                return ErrorKind.Failed;
        }
    }
}
