package dev.ovs.itests.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * One {@code nats-server} process (Debian {@code nats-server}, NATS Server 2.9) of a {@link NatsCluster}: a
 * {@link RestartableDaemon} running {@code nats-server -c CONF} in the foreground, ready when its monitoring
 * endpoint answers {@code GET /varz} (the server is up and listening; JetStream readiness of the whole cluster is
 * {@link NatsCluster}'s {@code /healthz} wait, which needs the other nodes). Stopped and killed by PID only.
 */
public final class NatsServer extends RestartableDaemon {
    private final Path config;
    private final String monitor;
    private final Function<String, String> http;

    /**
     * @param label   name for messages and the process registry, e.g. {@code nats-server-0}
     * @param ns      network namespace to run in, or null
     * @param config  the configuration file (written by the caller)
     * @param log     stdout and stderr of every start
     * @param monitor {@code host:port} of its monitoring endpoint ({@code http:} in the configuration)
     * @param http    GETs a URL and returns the body of a 200 answer, or {@code ""}
     * @param ready   how long {@link #start()} waits for {@code /varz}
     */
    NatsServer(String label, Netns ns, Path config, Path log, String monitor, Function<String, String> http,
            Duration ready) {
        super(label, ns, log, ready);
        this.config = config;
        this.monitor = monitor;
        this.http = http;
    }

    @Override
    protected List<String> command() {
        return List.of("nats-server", "-c", config.toString());
    }

    @Override
    public Path socket() {
        return null;
    }

    @Override
    protected boolean answers() {
        return !get("/varz").isEmpty();
    }

    @Override
    protected String readiness() {
        return "GET http://" + monitor + "/varz";
    }

    @Override
    protected List<Path> files() {
        return List.of();
    }

    /** @return the configuration file */
    public Path config() {
        return config;
    }

    /**
     * @param path a monitoring path such as {@code /healthz} or {@code /leafz}
     * @return the body of a 200 answer, or {@code ""} (not running, not ready, an error status)
     */
    public String get(String path) {
        return http.apply("http://" + monitor + path);
    }

    /**
     * SIGKILL to the process, by its PID (no shutdown: clients see the TCP connection reset), then waits until it is
     * gone. Its files stay; {@link #start()} starts it again. Does nothing when it is not running.
     */
    public void kill() {
        if (!running()) {
            return;
        }
        ProcessHandle.of(pid()).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(Daemon.STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // stop() below tries again
            }
        });
        stop();
    }
}
