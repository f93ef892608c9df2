package dev.ovs.fleet.client;

import dev.ovs.base.InvalidArgumentException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * jnats {@link Options} for the fleet's connections (agent and controller): the servers, a NATS credentials file
 * ({@code .creds}: user JWT + NKey seed, read again at every connect, https://docs.nats.io/using-nats/developer/connecting/creds),
 * and TLS for {@code tls://} servers with either the JVM's default trust store or the CA certificates of a PEM file.
 */
public final class NatsConnect {
    /** Default NATS client port: {@value}. */
    public static final int DEFAULT_PORT = 4222;

    private NatsConnect() {
    }

    /**
     * Parses and checks a {@code servers} value.
     *
     * @param value         comma-separated URLs
     * @param remoteAllowed whether a non-loopback host is allowed (credentials given, or {@code insecure=true})
     * @return normalised URLs {@code scheme://host:port}
     * @throws InvalidArgumentException naming {@code servers} and the rule
     */
    public static List<String> servers(String value, boolean remoteAllowed) {
        List<String> out = new ArrayList<>();
        List<String> parts = split(value);
        if (parts.isEmpty()) {
            throw new InvalidArgumentException("servers", "at least one nats:// or tls:// URL is required");
        }
        for (String s : parts) {
            URI u;
            try {
                u = new URI(s);
            } catch (URISyntaxException e) {
                throw new InvalidArgumentException("servers", "'" + s + "' is not a URL: " + e.getReason());
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("nats") && !scheme.equals("tls")) {
                throw new InvalidArgumentException("servers", "'" + s + "' must start with nats:// or tls://");
            }
            if (u.getHost() == null || u.getHost().isEmpty()) {
                throw new InvalidArgumentException("servers", "'" + s + "' has no host");
            }
            if (u.getRawUserInfo() != null) {
                throw new InvalidArgumentException("servers", "'" + s
                        + "' carries user information; put secrets in a .creds file (credentials)");
            }
            if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new InvalidArgumentException("servers", "'" + s + "' must be scheme://host[:port] only");
            }
            int port = u.getPort() < 0 ? DEFAULT_PORT : u.getPort();
            if (port == 0) {
                throw new InvalidArgumentException("servers", "'" + s + "' port must be 1..65535");
            }
            if (!remoteAllowed && !loopback(u.getHost())) {
                throw new InvalidArgumentException("servers", "'" + s + "' is not a loopback server and no credentials "
                        + "are configured: set credentials (a .creds file) or insecure=true");
            }
            out.add(scheme + "://" + u.getHost() + ":" + port);
        }
        return out;
    }

    /**
     * @param host a host name or IP literal (IPv6 possibly in brackets)
     * @return whether it is {@code localhost} or a loopback literal (127.0.0.0/8, ::1); names are not resolved
     */
    public static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        h = h.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] q = h.split("\\.", -1);
        if (q.length != 4 || !q[0].equals("127")) {
            return false;
        }
        for (String x : q) {
            if (x.isEmpty() || x.length() > 3 || !x.chars().allMatch(Character::isDigit) || Integer.parseInt(x) > 255) {
                return false;
            }
        }
        return true;
    }


    /**
     * @param servers     URLs, {@code nats://host:port} or {@code tls://host:port}, at least one
     * @param credentials a {@code .creds} file, or null
     * @param tlsCa       a PEM file of CA certificates for {@code tls://} servers, or null for the JVM's trust store
     * @param name        the connection name the servers show ({@code connz})
     * @return a builder with servers, authentication, TLS, name, unlimited reconnects every second, 2 s connect
     *         timeout, 5 s pings; the caller adds listeners
     * @throws InvalidArgumentException naming {@code tls.ca} when the PEM file holds no certificate or does not parse
     */
    public static Options.Builder options(List<String> servers, Path credentials, Path tlsCa, String name) {
        Options.Builder b = new Options.Builder()
                .servers(servers.toArray(String[]::new))
                .connectionName(name)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofSeconds(1))
                .reconnectJitter(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofSeconds(5));
        if (credentials != null) {
            b.authHandler(authHandler(credentials));
        }
        if (servers.stream().anyMatch(s -> s.startsWith("tls://"))) {
            b.sslContext(tlsCa == null ? defaultContext() : contextFor(tlsCa));
        }
        return b;
    }

    /**
     * The jnats authentication for a credentials file: a {@code .creds} file (a {@code -----BEGIN NATS USER JWT-----}
     * block, then the user's NKey seed: JWT authentication, https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/jwt)
     * or a file with only an NKey seed ({@code SU...}: NKey authentication of a user listed by its public key in the
     * server's {@code authorization}). The file is read again at every connect, so a rotated file takes effect at the
     * next reconnect.
     *
     * @param file the file
     * @return the handler
     * @throws InvalidArgumentException naming {@code credentials} when the file cannot be read or is neither form
     */
    public static io.nats.client.AuthHandler authHandler(Path file) {
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentException("credentials", "cannot read " + file + ": " + e.getMessage());
        }
        if (text.contains("BEGIN NATS USER JWT")) {
            if (!text.contains("NKEY SEED")) {
                throw new InvalidArgumentException("credentials", file + " has a user JWT but no NKey seed block");
            }
            return Nats.credentials(file.toString());
        }
        for (String line : text.split("\\R")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("-") || t.startsWith("*")) {
                continue;
            }
            if (t.startsWith("SU") && t.length() > 50) {
                return Nats.credentials(null, file.toString());
            }
            break;
        }
        throw new InvalidArgumentException("credentials", file + " is neither a .creds file (BEGIN NATS USER JWT ... "
                + "USER NKEY SEED) nor an NKey user seed file (SU...)");
    }

    /**
     * @param value comma-separated list, may be null
     * @return the trimmed non-blank items
     */
    public static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("tls: the JVM has no default TLS context", e);
        }
    }

    /**
     * @param pem a PEM file with one or more CA certificates
     * @return a TLS context that trusts exactly these CAs
     * @throws InvalidArgumentException naming {@code tls.ca} when the file does not parse or holds no certificate
     */
    public static SSLContext contextFor(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new InvalidArgumentException("tls.ca", "no certificate in " + pem);
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidArgumentException("tls.ca", "cannot read CA certificates from " + pem + ": " + e.getMessage());
        }
    }
}
