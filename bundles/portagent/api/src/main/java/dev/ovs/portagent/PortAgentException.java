package dev.ovs.portagent;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;

/**
 * A port-agent failure that is not bad input (bad input is {@link dev.ovs.base.InvalidArgumentException}).
 * Its {@link ErrorKind} is the last component of the D-Bus error {@code dev.ovs.PortAgent1.Error.<kind>}
 * (DESIGN.md, "Pinned external contracts"). The kinds the port agent uses: {@code NotFound} (container,
 * port or namespace), {@code AlreadyExists} (container + interface attached, or a name taken),
 * {@code ConstraintViolation} (the kernel or OVSDB refused the change), {@code Timeout} (a peer did not
 * answer in time), {@code Unavailable} (OVSDB, the Docker Engine API or the ledger cannot be reached) and
 * {@code Failed}.
 */
public class PortAgentException extends DomainException {
    private static final long serialVersionUID = 1L;

    /**
     * @param kind    error kind, not null
     * @param message human-readable message naming the object and the operation
     * @param cause   underlying cause, or null
     * @throws NullPointerException if {@code kind} is null
     */
    public PortAgentException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
