package dev.ovs.ovsdb;

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
        super(kindOf(error), error, details);
        this.operationIndex = operationIndex;
    }

    /** @return index of the failing operation, or -1 if this was not a transaction operation error */
    public int operationIndex() {
        return operationIndex;
    }
}
