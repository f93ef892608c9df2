package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Connection settings of an {@link OvsdbClient}. Errors name the keys of configuration PID {@code dev.ovs.ovsdb}
 * ({@code remote}, {@code probe.interval.ms}, {@code private.key}, ...), which map one to one onto these
 * components.
 *
 * @param remote               one remote or a comma-separated list of them, as in ovsdb-client(1) and ovs-vsctl(8)
 *                             {@code --db}: {@code unix:PATH}, {@code tcp:HOST:PORT} or {@code ssl:HOST:PORT} (IPv6
 *                             as {@code tcp:[ADDR]:PORT}). With several, the client connects to one at a time, in the
 *                             order given, and moves on to the next when a connection fails, ends or is refused by
 *                             the server check ({@link #leaderOnly})
 * @param probeIntervalMillis  inactivity probe: after this long without receiving anything, send an
 *                             {@code echo}; if still nothing after another interval, drop the connection.
 *                             0 disables. Like ovsdb's {@code inactivity_probe} (default 5000 ms)
 * @param requestTimeoutMillis a request without a reply after this long fails with
 *                             {@link RequestTimeoutException}; 0 disables
 * @param maxMessageBytes      largest JSON-RPC message accepted from the peer; larger is a connection error
 * @param reconnectMinMillis   first reconnect delay; doubled after each round of unreachable remotes
 * @param reconnectMaxMillis   reconnect delay cap
 * @param tls                  the PEM files for {@code ssl:} remotes (ovs-vsctl's {@code --private-key},
 *                             {@code --certificate}, {@code --ca-cert}); required when a remote is {@code ssl:},
 *                             else null or ignored
 * @param leaderOnly           like the Python IDL's {@code leader_only} and libovsdb's {@code WithLeaderOnly}:
 *                             accept a server only while it is the leader of every clustered database it serves
 *                             (ovsdb-server(7) {@code _Server} database, table {@code Database}, column
 *                             {@code leader}); a server that is not, or stops being, the leader is left for the next
 *                             remote
 */
public record ClientOptions(String remote, long probeIntervalMillis, long requestTimeoutMillis, int maxMessageBytes,
        long reconnectMinMillis, long reconnectMaxMillis, Tls tls, boolean leaderOnly) {

    /** Default remote of a Debian/Ubuntu Open vSwitch install. */
    public static final String DEFAULT_REMOTE = "unix:/var/run/openvswitch/db.sock";

    /**
     * The three PEM files of an {@code ssl:} connection (ovs-vsctl(8) / ovsdb-client(1) SSL options). The files are
     * read when a connection is opened, so a renewed certificate is used from the next connection on. The server is
     * authenticated by {@code caCert} alone (as in Open vSwitch, the host name is not compared with the
     * certificate); the client presents {@code certificate}, which the server checks against its own CA
     * certificate.
     *
     * @param privateKey  {@code private.key}: the client's private key, unencrypted PEM ({@code BEGIN PRIVATE KEY}
     *                    (PKCS#8: RSA, EC, Ed25519), {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or
     *                    {@code BEGIN EC PRIVATE KEY} (SEC 1))
     * @param certificate {@code certificate}: the client's certificate (PEM, {@code BEGIN CERTIFICATE}), optionally
     *                    followed by its intermediate CA certificates; must match {@code privateKey}
     * @param caCert      {@code ca.cert}: the CA certificate(s) that signed the server's certificate (PEM)
     */
    public record Tls(Path privateKey, Path certificate, Path caCert) {
        /** @throws InvalidArgumentException naming {@code private.key}, {@code certificate} or {@code ca.cert} if null */
        public Tls {
            require(privateKey, "private.key", "the client's private key");
            require(certificate, "certificate", "the client's certificate");
            require(caCert, "ca.cert", "the CA certificate that signed the server's certificate");
        }

        private static void require(Path p, String key, String what) {
            if (p == null || p.toString().isBlank()) {
                throw new InvalidArgumentException(key, "must name a PEM file (" + what + ")");
            }
        }
    }

    /**
     * Validates.
     *
     * @throws InvalidArgumentException naming the configuration key and the rule: a remote that is not
     *                                  {@code unix:PATH}, {@code tcp:HOST:PORT} or {@code ssl:HOST:PORT}, a port
     *                                  outside 1..65535, a remote listed twice, an {@code ssl:} remote without
     *                                  {@code tls}, a negative time, a message limit below 1024, or
     *                                  {@code 1 <= reconnectMinMillis <= reconnectMaxMillis} broken
     */
    public ClientOptions {
        List<String> list = split(remote);
        if (tls == null) {
            for (String r : list) {
                if (r.startsWith("ssl:")) {
                    throw new InvalidArgumentException("private.key",
                            "remote " + r + " needs private.key, certificate and ca.cert (PEM files)");
                }
            }
        }
        if (probeIntervalMillis < 0) {
            throw new InvalidArgumentException("probe.interval.ms", "must be >= 0, got " + probeIntervalMillis);
        }
        if (requestTimeoutMillis < 0) {
            throw new InvalidArgumentException("request.timeout.ms", "must be >= 0, got " + requestTimeoutMillis);
        }
        if (maxMessageBytes < 1024) {
            throw new InvalidArgumentException("max.message.bytes", "must be >= 1024, got " + maxMessageBytes);
        }
        if (reconnectMinMillis < 1 || reconnectMaxMillis < reconnectMinMillis) {
            throw new InvalidArgumentException("reconnect.max.ms", "need 1 <= reconnect.min.ms <= reconnect.max.ms, got "
                    + reconnectMinMillis + " and " + reconnectMaxMillis);
        }
    }

    /**
     * @param remote one remote or a comma-separated list
     * @return defaults: probe 5 s, request timeout 30 s, 64 MiB messages, reconnect 100 ms .. 8 s, no TLS files,
     *         leader-only off
     * @throws InvalidArgumentException as the constructor
     */
    public static ClientOptions of(String remote) {
        return new ClientOptions(remote, 5000, 30000, 64 << 20, 100, 8000, null, false);
    }

    /**
     * @param remote one remote or a comma-separated list, {@code ssl:} ones among them
     * @param tls    the PEM files for the {@code ssl:} remotes
     * @return the defaults of {@link #of(String)} with these TLS files
     * @throws InvalidArgumentException as the constructor
     */
    public static ClientOptions of(String remote, Tls tls) {
        return new ClientOptions(remote, 5000, 30000, 64 << 20, 100, 8000, tls, false);
    }

    /** @return the remotes in the order they are tried (one element for a single remote) */
    public List<String> remotes() {
        return split(remote);
    }

    /** @return a copy with another probe interval in ms (0 disables) */
    public ClientOptions withProbeInterval(long millis) {
        return new ClientOptions(remote, millis, requestTimeoutMillis, maxMessageBytes, reconnectMinMillis,
                reconnectMaxMillis, tls, leaderOnly);
    }

    /** @return a copy with another request timeout in ms (0 disables) */
    public ClientOptions withRequestTimeout(long millis) {
        return new ClientOptions(remote, probeIntervalMillis, millis, maxMessageBytes, reconnectMinMillis,
                reconnectMaxMillis, tls, leaderOnly);
    }

    /** @return a copy with another message size limit in bytes */
    public ClientOptions withMaxMessageBytes(int bytes) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, bytes, reconnectMinMillis,
                reconnectMaxMillis, tls, leaderOnly);
    }

    /** @return a copy with other reconnect delays in ms */
    public ClientOptions withReconnect(long minMillis, long maxMillis) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, maxMessageBytes, minMillis, maxMillis,
                tls, leaderOnly);
    }

    /**
     * @param privateKey  the client's private key (PEM)
     * @param certificate the client's certificate (PEM)
     * @param caCert      the CA certificate(s) trusted for the server (PEM)
     * @return a copy with these TLS files
     * @throws InvalidArgumentException if one is null
     */
    public ClientOptions withTls(Path privateKey, Path certificate, Path caCert) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, maxMessageBytes, reconnectMinMillis,
                reconnectMaxMillis, new Tls(privateKey, certificate, caCert), leaderOnly);
    }

    /** @return a copy with leader-only on or off */
    public ClientOptions withLeaderOnly(boolean on) {
        return new ClientOptions(remote, probeIntervalMillis, requestTimeoutMillis, maxMessageBytes, reconnectMinMillis,
                reconnectMaxMillis, tls, on);
    }

    private static List<String> split(String remote) {
        if (remote == null || remote.isBlank()) {
            throw new InvalidArgumentException("remote", "must be unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT (or a "
                    + "comma-separated list of them), got '" + remote + "'");
        }
        List<String> out = new ArrayList<>();
        for (String part : remote.split(",", -1)) {
            String r = part.strip();
            if (!(r.startsWith("unix:") && r.length() > 5 || r.startsWith("tcp:") || r.startsWith("ssl:"))) {
                throw new InvalidArgumentException("remote", "each remote must be unix:PATH, tcp:HOST:PORT or "
                        + "ssl:HOST:PORT, got '" + r + "'" + (remote.contains(",") ? " in '" + remote + "'" : ""));
            }
            if (!r.startsWith("unix:")) {
                parseTcp(r);
            }
            if (out.contains(r)) {
                throw new InvalidArgumentException("remote", "lists " + r + " twice");
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    /**
     * @param remote {@code tcp:HOST:PORT} or {@code ssl:HOST:PORT} ({@code [ADDR]} for IPv6)
     * @return {host, port}
     * @throws InvalidArgumentException ({@code remote}) if malformed or the port is outside 1..65535
     */
    public static String[] parseTcp(String remote) {
        Objects.requireNonNull(remote, "remote");
        String hp = remote.substring(remote.indexOf(':') + 1);
        int colon = hp.lastIndexOf(':');
        if (colon <= 0 || colon == hp.length() - 1) {
            throw new InvalidArgumentException("remote", "a tcp or ssl remote must be tcp:HOST:PORT or ssl:HOST:PORT, got '"
                    + remote + "'");
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
            throw new InvalidArgumentException("remote", "port must be 1..65535, got '" + port + "' in '" + remote + "'");
        }
        return new String[] {host, port};
    }
}
