package dev.ovs.metrics.internal;

import dev.ovs.base.ConfigValues;
import dev.ovs.base.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The HTTP endpoints of the metrics (PID {@code dev.ovs.metrics}, {@code etc/dev.ovs.metrics.cfg}):
 * {@code GET /metrics} on a Unix socket (default {@code <state dir>/metrics.sock}, mode 0660), and on
 * {@code 127.0.0.1:<http.port>} only when {@code http.port} is set (default 0: no TCP port is opened). A
 * configuration change restarts the endpoints (the meters and their counts stay: they belong to
 * {@link MetricsService}); deactivation closes both sockets and stops their threads.
 */
@Component(configurationPid = MetricsEndpoints.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {},
        immediate = true)
@Designate(ocd = MetricsEndpoints.Config.class)
public final class MetricsEndpoints {
    /** Configuration PID: {@value}. */
    public static final String PID = "dev.ovs.metrics";
    /** File name of the default socket in the state directory: {@value}. */
    public static final String SOCKET_NAME = "metrics.sock";

    /** Configuration of PID {@code dev.ovs.metrics}. */
    @ObjectClassDefinition(name = "Patchbay metrics",
            description = "Where GET /metrics is served (docs/operations.md, \"Metrics\")")
    public @interface Config {
        /** @return whether the Unix socket is served */
        @AttributeDefinition(name = "socket.enabled", description = "Serve GET /metrics on the Unix socket")
        boolean socket_enabled() default true;

        /** @return socket path; empty means {@code <patchbay.state>/metrics.sock} */
        @AttributeDefinition(description = "Unix socket path; empty: <state dir>/metrics.sock (mode 0660)")
        String socket() default "";

        /** @return group of the socket file, empty for the process's group */
        @AttributeDefinition(description = "Group of the socket file (a name from /etc/group); empty: the process's")
        String group() default "";

        /** @return TCP port on 127.0.0.1, 0 for none */
        @AttributeDefinition(name = "http.port", description = "TCP port on 127.0.0.1 for a Prometheus scraper; 0: off",
                min = "0", max = "65535")
        int http_port() default 0;
    }

    private final HttpEndpoint unix;
    private final HttpEndpoint tcp;

    /**
     * Checks the configuration, then opens the endpoints.
     *
     * @param metrics the registry's component
     * @param context for the {@code patchbay.state} framework property
     * @param config  the configuration
     * @throws InvalidArgumentException naming the key: {@code http.port} outside 0..65535, {@code group} not a group
     *                                  (nothing is opened)
     * @throws IOException              if a socket cannot be bound (the component is then not active; SCR logs it)
     */
    @Activate
    public MetricsEndpoints(@Reference MetricsService metrics, BundleContext context, Map<String, Object> props,
            Config config) throws IOException {
        this(metrics, context, checked(props, config));
    }

    /**
     * @param props  the raw configuration properties of PID {@code dev.ovs.metrics}
     * @param config the same, typed
     * @return {@code config}
     * @throws InvalidArgumentException naming the key: a value that does not parse as its type
     *                                  ({@code socket.enabled} only {@code true} or {@code false}), {@code socket}
     *                                  neither empty nor an absolute path
     */
    static Config checked(Map<String, ?> props, Config config) {
        ConfigValues.check(props, Config.class);
        ConfigValues.absolutePath("socket", config.socket(), true);
        return config;
    }

    MetricsEndpoints(MetricsService metrics, BundleContext context, Config config) throws IOException {
        int port = config.http_port();
        if (port < 0 || port > 65535) {
            throw new InvalidArgumentException("http.port", "must be 0 (off) or a TCP port 1..65535, got " + port);
        }
        GroupPrincipal group = group(config.group());
        Path socket = socketPath(context == null ? null : context.getProperty("patchbay.state"), config.socket());
        HttpEndpoint u = config.socket_enabled() ? HttpEndpoint.unix(socket, group, metrics::scrape) : null;
        try {
            this.tcp = port > 0 ? HttpEndpoint.loopback(port, metrics::scrape) : null;
        } catch (IOException | RuntimeException e) {
            if (u != null) {
                u.close();
            }
            throw e;
        }
        this.unix = u;
    }

    /**
     * @param state  the state directory ({@code patchbay.state}), null or blank for {@code /var/lib/patchbay}
     * @param socket the configured path, blank for the default
     * @return the socket path
     */
    static Path socketPath(String state, String socket) {
        if (!socket.isBlank()) {
            return Path.of(socket.strip());
        }
        return Path.of(state == null || state.isBlank() ? "/var/lib/patchbay" : state, SOCKET_NAME);
    }

    private static GroupPrincipal group(String name) {
        if (name.isBlank()) {
            return null;
        }
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(name.strip());
        } catch (UserPrincipalNotFoundException e) {
            throw new InvalidArgumentException("group", "no such group: '" + name.strip() + "'");
        } catch (IOException e) {
            throw new InvalidArgumentException("group", "cannot look up '" + name.strip() + "': " + e.getMessage());
        }
    }

    /** @return the Unix-socket endpoint, or null if disabled */
    HttpEndpoint unix() {
        return unix;
    }

    /** @return the loopback TCP endpoint, or null if {@code http.port} is 0 */
    HttpEndpoint tcp() {
        return tcp;
    }

    /** Closes both endpoints (sockets, connections, threads). */
    @Deactivate
    public void deactivate() {
        if (unix != null) {
            unix.close();
        }
        if (tcp != null) {
            tcp.close();
        }
    }
}
