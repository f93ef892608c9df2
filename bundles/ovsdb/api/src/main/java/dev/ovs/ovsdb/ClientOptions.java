package dev.ovs.ovsdb;

/**
 * Connection settings of an {@link OvsdbClient}.
 *
 * @param remote               {@code unix:PATH} or {@code tcp:HOST:PORT} (IPv6 as {@code tcp:[ADDR]:PORT}),
 *                             as in ovsdb-client(1)
 * @param probeIntervalMillis  inactivity probe: after this long without receiving anything, send an
 *                             {@code echo}; if still nothing after another interval, drop the connection.
 *                             0 disables. Like ovsdb's {@code inactivity_probe} (default 5000 ms)
 * @param requestTimeoutMillis a request without a reply after this long fails with
 *                             {@link RequestTimeoutException}; 0 disables
 * @param maxMessageBytes      largest JSON-RPC message accepted from the peer; larger is a connection error
 * @param reconnectMinMillis   first reconnect delay; doubled after each failure
 * @param reconnectMaxMillis   reconnect delay cap
 */
public record ClientOptions(String remote, long probeIntervalMillis, long requestTimeoutMillis, int maxMessageBytes,
        long reconnectMinMillis, long reconnectMaxMillis) {

    /** Default remote of a Debian/Ubuntu Open vSwitch install. */
    public static final String DEFAULT_REMOTE = "unix:/var/run/openvswitch/db.sock";

    /** Validates. @throws IllegalArgumentException naming the field and the rule */
    public ClientOptions {
        if (remote == null || !(remote.startsWith("unix:") && remote.length() > 5 || remote.startsWith("tcp:"))) {
            throw new IllegalArgumentException("remote: must be unix:PATH or tcp:HOST:PORT, got '" + remote + "'");
        }
        if (remote.startsWith("tcp:")) {
            parseTcp(remote);
        }
        if (probeIntervalMillis < 0) {
            throw new IllegalArgumentException("probeIntervalMillis: must be >= 0");
        }
        if (requestTimeoutMillis < 0) {
            throw new IllegalArgumentException("requestTimeoutMillis: must be >= 0");
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes: must be >= 1024");
        }
        if (reconnectMinMillis < 1 || reconnectMaxMillis < reconnectMinMillis) {
            throw new IllegalArgumentException("reconnectMinMillis/reconnectMaxMillis: need 1 <= min <= max");
        }
    }

    /**
     * @param remote the remote
     * @return defaults: probe 5 s, request timeout 30 s, 64 MiB messages, reconnect 100 ms .. 8 s
     */
    public static ClientOptions of(String remote) {
        return new ClientOptions(remote, 5000, 30000, 64 << 20, 100, 8000);
    }

    /** @return a copy with another probe interval */
    public ClientOptions withProbeInterval(long millis) {
        return new ClientOptions(remote, millis, requestTimeoutMillis, maxMessageBytes, reconnectMinMillis, reconnectMaxMillis);
    }

    /** @return a copy with another request timeout */
    public ClientOptions withRequestTimeout(long millis) {
        return new ClientOptions(remote, probeIntervalMillis, millis, maxMessageBytes, reconnectMinMillis, reconnectMaxMillis);
    }

    /** @return a copy with another message size limit */
    public ClientOptions withMaxMessageBytes(int bytes) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, bytes, reconnectMinMillis, reconnectMaxMillis);
    }

    /** @return a copy with other reconnect delays */
    public ClientOptions withReconnect(long minMillis, long maxMillis) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, maxMessageBytes, minMillis, maxMillis);
    }

    /**
     * @param remote {@code tcp:HOST:PORT}
     * @return {host, port}
     * @throws IllegalArgumentException if malformed
     */
    public static String[] parseTcp(String remote) {
        String hp = remote.substring(4);
        int colon = hp.lastIndexOf(':');
        if (colon <= 0 || colon == hp.length() - 1) {
            throw new IllegalArgumentException("remote: tcp remote must be tcp:HOST:PORT, got '" + remote + "'");
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = hp.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("remote: port must be 1..65535, got '" + port + "'");
        }
        return new String[] {host, port};
    }
}
