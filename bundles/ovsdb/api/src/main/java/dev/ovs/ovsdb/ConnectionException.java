package dev.ovs.ovsdb;

/**
 * The connection to ovsdb-server is not available: not connected yet, lost while a request was in flight
 * (the request is never retried), closed by the client, or closed because the peer violated the protocol
 * (malformed JSON, oversized message, unknown response id). Kind {@link dev.ovs.base.ErrorKind#Unavailable}.
 */
public class ConnectionException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    /**
     * @param error   short code: "not connected", "connection lost", "protocol error", "closed"
     * @param details human readable details
     * @param cause   cause or null
     */
    public ConnectionException(String error, String details, Throwable cause) {
        super(dev.ovs.base.ErrorKind.Unavailable, error, details, cause);
    }
}
