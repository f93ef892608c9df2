package dev.ovs.portagent;

/**
 * A port-agent failure that is not bad input (bad input is {@link IllegalArgumentException}). The
 * {@link Kind} maps to the D-Bus error {@code dev.ovs.PortAgent1.Error.<Kind>} (DESIGN.md).
 */
public class PortAgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Stable error kinds. */
    public enum Kind {
        /** A container, port or namespace does not exist. */
        NotFound,
        /** The port (container + interface) is already attached, or a name is taken. */
        AlreadyExists,
        /** A rule of the system (kernel, OVSDB) rejected the change. */
        ConstraintViolation,
        /** A peer did not answer in time. */
        Timeout,
        /** A needed service (Docker API, OVSDB) cannot be reached. */
        Unavailable,
        /** Anything else. */
        Failed
    }

    private final Kind kind;

    /**
     * @param kind    error kind
     * @param message human-readable message naming the object and the operation
     * @param cause   underlying cause, or null
     */
    public PortAgentException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }
}
