package dev.ovs.ovsdb;

/**
 * A request got no reply within the configured request timeout ({@link ClientOptions#requestTimeoutMillis()}).
 * For {@code transact} the client also sends an RFC 7047 §4.1.4 {@code cancel}. Kind {@link dev.ovs.base.ErrorKind#Timeout}.
 */
public class RequestTimeoutException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the JSON-RPC method that timed out
     * @param millis the timeout that elapsed, in milliseconds
     */
    public RequestTimeoutException(String method, long millis) {
        super(dev.ovs.base.ErrorKind.Timeout, "request timeout", method + " got no reply within " + millis + " ms");
    }
}
