package dev.ovs.ovsdb;

import dev.ovs.base.ErrorKind;

/**
 * An error returned by ovsdb-server: a JSON-RPC error response, or an operation error inside a
 * {@code transact} result (RFC 7047 §4.1.3, §5.2). {@link #operationIndex()} names the failing operation
 * (or the commit, index == number of operations) when it came from a transaction.
 */
public class OvsdbServerException extends OvsdbException {
    private static final long serialVersionUID = 1L;
    private final int operationIndex;

    /**
     * @param error          server "error" string
     * @param details        server "details" string, may be null
     * @param operationIndex index of the failing operation in the transaction, or -1
     */
    public OvsdbServerException(String error, String details, int operationIndex) {
        this(kindOf(error), error, details, operationIndex);
    }

    /**
     * An operation error whose kind follows from the operation rather than from the error string alone: a failed
     * {@code wait} (§5.2.6, error "timed out") is {@link ErrorKind#Conflict}, a duplicate in a unique index (commit
     * error "constraint violation", RFC 7047 §3.1 {@code indexes}) is {@link ErrorKind#AlreadyExists}.
     *
     * @param kind           classification, not null
     * @param error          server "error" string
     * @param details        details (the server's, or a description of the failed operation), may be null
     * @param operationIndex index of the failing operation in the transaction (the number of operations for the
     *                       commit), or -1
     * @throws NullPointerException if {@code kind} is null
     */
    public OvsdbServerException(ErrorKind kind, String error, String details, int operationIndex) {
        super(kind, error, details);
        this.operationIndex = operationIndex;
    }

    /** @return index of the failing operation, or -1 if this was not a transaction operation error */
    public int operationIndex() {
        return operationIndex;
    }
}
