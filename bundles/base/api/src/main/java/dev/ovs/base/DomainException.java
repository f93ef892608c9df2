package dev.ovs.base;

import java.util.Objects;

/**
 * A failure of a Patchbay operation that is not bad input, with its stable {@link ErrorKind}. Domain
 * exceptions ({@code OvsdbException}, {@code PortAgentException}, ...) extend it, so the D-Bus core maps
 * every domain to {@code <interface>.Error.<kind>} without knowing the domain.
 */
public class DomainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    /**
     * @param kind    the error kind, not null
     * @param message human-readable message naming the object and the operation
     * @param cause   underlying cause, or null
     * @throws NullPointerException if {@code kind} is null
     */
    public DomainException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** @return the error kind, never null */
    public ErrorKind kind() {
        return kind;
    }
}
