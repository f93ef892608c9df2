package dev.ovs.fleet;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;

/**
 * A fleet operation failed for a reason other than bad input: NATS is not reachable ({@link ErrorKind#Unavailable}),
 * a bucket does not exist ({@link ErrorKind#NotFound}), a wait ran out ({@link ErrorKind#Timeout}), or NATS answered
 * with an error ({@link ErrorKind#Failed}).
 */
public class FleetException extends DomainException {
    private static final long serialVersionUID = 1L;

    /**
     * @param kind    the error kind, not null
     * @param message what failed, naming the server, bucket or host
     * @param cause   the underlying cause, or null
     */
    public FleetException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
