package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A cluster of {@code nats-server} processes (Debian {@code nats-server}, NATS Server 2.9) with JetStream,
 * each a tracked {@link Daemon} with a configuration file, a JetStream store directory and a log of its own
 * under the caller's directory. Node {@code i} (0-based) uses {@code DIR/nats-i/nats.conf}, store
 * {@code DIR/nats-i/js} and log {@code DIR/nats-i/nats.log}.
 *
 * <p>Configuration (nats-server configuration file format, https://docs.nats.io/running-a-nats-service/configuration):
 * {@code server_name: pbt-nats-i}, {@code listen: ADDR:CLIENT}, {@code http: ADDR:MONITOR},
 * {@code jetstream {store_dir: ..., domain: hub}}, {@code leafnodes {listen: ADDR:LEAF}} and for more than one node
 * {@code cluster {name: pbt, listen: ADDR:ROUTE, routes: [every other node]}}. Ports: on the host's loopback
 * ({@code ns == null}) free ports below the ephemeral range chosen when the cluster is created and kept across
 * restarts; inside a
 * {@link Netns}, fixed ports {@code 4222+i} (clients), {@code 6222+i} (routes), {@code 7422+i} (leaf nodes),
 * {@code 8222+i} (monitoring) on the given address. {@link #startLeaf} starts a leaf node of such a hub, as an
 * appliance runs one.
 *
 * <p>Readiness: {@code GET /healthz} on the monitoring port answers 200 (JetStream enabled and current) on every
 * running node. Nodes are stopped by their PID only ({@link #stop(int)}: SIGTERM then SIGKILL after
 * {@link Daemon#STOP_GRACE}; {@link #kill(int)}: SIGKILL at once) and started again on the same ports and store
 * ({@link #start(int)}).
 */
public final class NatsCluster implements AutoCloseable {
    /**
     * JetStream domain of the hub cluster: {@value}. Clients connected to the hub use JetStream as usual; clients of
     * a {@link #startLeaf leaf node} name this domain (jnats {@code JetStreamOptions.domain}), because the hub does
     * not pass plain {@code $JS.API.>} requests across a leaf connection.
     */
    public static final String DOMAIN = "hub";

    /** Time a node (or the whole cluster) has to answer {@code /healthz}: 30 seconds. */
    public static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final Netns ns;
    private final String address;
    private final int[] clientPorts;
    private final int[] routePorts;
    private final int[] monitorPorts;
    private final int[] leafPorts;
    private final NatsServer[] servers;
    /** Configuration text appended to every node's file. */
    private String extra = "";
    /** For a leaf node: the hub it connects to; null for a hub cluster. */
    private final NatsCluster hub;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private NatsCluster(Path dir, Netns ns, String address, int size, NatsCluster hub) {
        this.hub = hub;
        this.leafPorts = new int[size];
        this.dir = dir;
        this.ns = ns;
        this.address = address;
        this.clientPorts = new int[size];
        this.routePorts = new int[size];
        this.monitorPorts = new int[size];
        this.servers = new NatsServer[size];
    }

    /**
     * Starts {@code size} nodes on the host's loopback ({@code 127.0.0.1}, free ports) and waits until every one
     * is healthy.
     *
     * @param dir  an existing directory for configuration, stores and logs (e.g. a {@link ShortTempDir})
     * @param size number of nodes, 1..9 (1: a single server without a cluster block)
     * @return the running cluster
     * @throws IllegalArgumentException if {@code dir} is not a directory or {@code size} is outside 1..9
     * @throws IllegalStateException    if a node exits or is not healthy within {@link #READY}; every started
     *                                  node is stopped then
     */
    public static NatsCluster start(Path dir, int size) {
        return start(dir, size, null, "127.0.0.1");
    }

    /**
     * Like {@link #start(Path, int)}, with configuration text appended to every node's file, e.g. a client
     * {@code tls { cert_file: ..., key_file: ... }} block or an {@code authorization { users: [{nkey: U...}] }} block
     * (these apply to client connections; routes, leaf connections and monitoring stay as they are).
     *
     * @param dir         an existing directory
     * @param size        number of nodes, 1..9
     * @param extraConfig nats-server configuration text, may be empty
     * @return the running cluster
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException    if a node does not become healthy within {@link #READY}
     */
    public static NatsCluster start(Path dir, int size, String extraConfig) {
        return start(dir, size, null, "127.0.0.1", extraConfig);
    }

    /**
     * Starts {@code size} nodes inside a network namespace, listening on {@code address} (e.g. the hub's veth
     * address, or {@code 0.0.0.0}) with fixed ports, and waits until every one is healthy.
     *
     * @param dir     an existing directory for configuration, stores and logs
     * @param size    number of nodes, 1..9
     * @param ns      the namespace to run in, or null for the host's namespace (then free ports are chosen)
     * @param address IPv4 address to listen on, e.g. {@code 127.0.0.1}
     * @return the running cluster
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException    if a node does not become healthy within {@link #READY}
     */
    public static NatsCluster start(Path dir, int size, Netns ns, String address) {
        return start(dir, size, ns, address, "");
    }

    private static NatsCluster start(Path dir, int size, Netns ns, String address, String extraConfig) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        if (size < 1 || size > 9) {
            throw new IllegalArgumentException("size: must be 1..9, got " + size);
        }
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address: required, e.g. 127.0.0.1");
        }
        Tools.require("nats-server");
        NatsCluster c = new NatsCluster(dir, ns, address, size, null);
        c.extra = extraConfig == null ? "" : extraConfig;
        for (int i = 0; i < size; i++) {
            c.clientPorts[i] = ns == null ? freePort() : 4222 + i;
            c.routePorts[i] = ns == null ? freePort() : 6222 + i;
            c.monitorPorts[i] = ns == null ? freePort() : 8222 + i;
            c.leafPorts[i] = ns == null ? freePort() : 7422 + i;
        }
        return c.launchAll();
    }

    /**
     * Starts one nats-server as a <em>leaf node</em> of {@code hub} on the host's loopback (free ports), the way an
     * appliance runs a local NATS server: no JetStream of its own (JetStream API requests of its clients are
     * answered by the hub), {@code leafnodes {remotes: [{urls: [every hub node's leaf port]}]}}. It is ready when
     * {@code /healthz} answers and {@code /leafz} shows the connection to the hub. Its node index is 0.
     *
     * @param dir an existing directory for its configuration and log ({@code DIR/nats-0/})
     * @param hub a running cluster started by {@link #start(Path, int)} on loopback
     * @return the running leaf node
     * @throws IllegalArgumentException if {@code dir} is not a directory or {@code hub} is null or not on loopback
     * @throws IllegalStateException    if it is not ready within {@link #READY}
     */
    public static NatsCluster startLeaf(Path dir, NatsCluster hub) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        if (hub == null || hub.ns != null || hub.hub != null) {
            throw new IllegalArgumentException("hub: must be a running loopback hub cluster");
        }
        Tools.require("nats-server");
        NatsCluster c = new NatsCluster(dir, null, hub.address, 1, hub);
        c.clientPorts[0] = freePort();
        c.monitorPorts[0] = freePort();
        return c.launchAll();
    }

    private NatsCluster launchAll() {
        try {
            for (int i = 0; i < size(); i++) {
                writeConfig(i);
                servers[i] = new NatsServer("nats-server-" + i, ns, config(i), nodeDir(i).resolve("nats.log"),
                        address + ":" + monitorPorts[i], this::httpGet, READY);
                servers[i].start();
            }
            for (int i = 0; i < size(); i++) {
                awaitHealthy(i);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * A free loopback port <em>below</em> the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), so that
     * no outgoing connection (a route between two nodes, a client) takes it between this check and the server's
     * bind; random in 10000..(range start - 1), checked by binding it.
     */
    private static int freePort() {
        int low = 32768;
        try {
            String[] r = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            low = Integer.parseInt(r[0]);
        } catch (IOException | RuntimeException e) {
            // keep the Linux default
        }
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && low > 10001; attempt++) {
            int port = rnd.nextInt(10000, low);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException busy) {
                // next
            }
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    private Path nodeDir(int i) {
        return dir.resolve("nats-" + i);
    }

    /** @return the configuration file of node {@code i}, {@code DIR/nats-i/nats.conf} */
    public Path config(int i) {
        return nodeDir(check(i)).resolve("nats.conf");
    }

    private void writeConfig(int i) {
        StringBuilder sb = new StringBuilder();
        sb.append("server_name: pbt-nats-").append(i).append('\n');
        sb.append("listen: \"").append(address).append(':').append(clientPorts[i]).append("\"\n");
        sb.append("http: \"").append(address).append(':').append(monitorPorts[i]).append("\"\n");
        if (hub != null) {
            sb.append("leafnodes {\n  remotes: [\n    {\n      urls: [\n");
            for (int j = 0; j < hub.size(); j++) {
                sb.append("        \"nats-leaf://").append(hub.address).append(':').append(hub.leafPorts[j]).append("\"\n");
            }
            sb.append("      ]\n    }\n  ]\n}\n");
        } else {
            sb.append("jetstream {\n  store_dir: \"").append(nodeDir(i).resolve("js")).append("\"\n  domain: ")
                    .append(DOMAIN).append("\n}\n");
            sb.append("leafnodes {\n  listen: \"").append(address).append(':').append(leafPorts[i]).append("\"\n}\n");
        }
        if (hub == null && size() > 1) {
            sb.append("cluster {\n  name: pbt\n  listen: \"").append(address).append(':').append(routePorts[i])
                    .append("\"\n  routes: [\n");
            for (int j = 0; j < size(); j++) {
                if (j != i) {
                    sb.append("    \"nats-route://").append(address).append(':').append(routePorts[j]).append("\"\n");
                }
            }
            sb.append("  ]\n}\n");
        }
        sb.append(extra).append('\n');
        try {
            Files.createDirectories(nodeDir(i).resolve("js"));
            Files.writeString(nodeDir(i).resolve("nats.conf"), sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config(i), e);
        }
    }

    private void awaitHealthy(int i) {
        servers[i].daemon().awaitReady("/healthz on " + address + ":" + monitorPorts[i], READY, () -> healthy(i));
        if (hub != null) {
            servers[i].daemon().awaitReady("leaf connection to the hub (/leafz)", READY,
                    () -> servers[i].get("/leafz").matches("(?s).*\"leafnodes\":\\s*[1-9].*"));
        }
    }

    /** GET from the test JVM (loopback) or with curl inside the namespace; the body of a 200 answer, else "". */
    private String httpGet(String url) {
        if (ns != null) {
            try {
                return ns.exec(Duration.ofSeconds(5), "curl", "-sf", "-m", "2", url);
            } catch (Cmd.Failed e) {
                return "";
            }
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * @param i node index
     * @return whether node {@code i} answers {@code GET /healthz} with 200 now (JetStream enabled and current)
     */
    public boolean healthy(int i) {
        check(i);
        return servers[i] != null && servers[i].running() && !servers[i].get("/healthz").isEmpty();
    }

    private int check(int i) {
        if (i < 0 || i >= size()) {
            throw new IllegalArgumentException("node: must be 0.." + (size() - 1) + ", got " + i);
        }
        return i;
    }

    /** @return the number of nodes */
    public int size() {
        return servers.length;
    }

    /**
     * @param i node index
     * @return {@code nats://ADDR:PORT} of node {@code i}
     */
    public String url(int i) {
        return "nats://" + address + ":" + clientPorts[check(i)];
    }

    /** @return every node's URL joined with {@code ','}, the form of the fleet bundle's {@code servers} setting */
    public String urls() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            l.add(url(i));
        }
        return String.join(",", l);
    }

    /**
     * @param i node index
     * @return the client port of node {@code i}
     */
    public int clientPort(int i) {
        return clientPorts[check(i)];
    }

    /**
     * @param i node index
     * @return the PID of node {@code i}, or -1 when it is not running
     */
    public long pid(int i) {
        NatsServer s = servers[check(i)];
        return s != null && s.running() ? s.pid() : -1;
    }

    /**
     * @param i node index
     * @return whether node {@code i} runs
     */
    public boolean running(int i) {
        return pid(i) > 0;
    }

    /**
     * @param i node index
     * @return node {@code i} (null before the cluster started it)
     */
    public NatsServer server(int i) {
        return servers[check(i)];
    }

    /**
     * Stops node {@code i} by its PID: SIGTERM, then SIGKILL after {@link Daemon#STOP_GRACE}. Its store stays.
     *
     * @param i node index
     */
    public void stop(int i) {
        if (servers[check(i)] != null) {
            servers[i].stop();
        }
    }

    /**
     * Kills node {@code i} with SIGKILL, by its PID, and waits until it is gone. Its store stays.
     *
     * @param i node index
     */
    public void kill(int i) {
        if (servers[check(i)] != null) {
            servers[i].kill();
        }
    }

    /**
     * Starts node {@code i} again (same configuration, ports and store) and waits until it is healthy.
     *
     * @param i node index
     * @throws IllegalStateException if it is running or does not become healthy within {@link #READY}
     */
    public void start(int i) {
        servers[check(i)].start();
        awaitHealthy(i);
    }

    /**
     * Waits until every running node is healthy.
     *
     * @throws IllegalStateException if one is not healthy within {@link #READY}
     */
    public void awaitHealthy() {
        for (int i = 0; i < size(); i++) {
            if (running(i)) {
                awaitHealthy(i);
            }
        }
    }

    /** Stops every node by PID. Idempotent; the configuration and store directories stay for the caller's dir. */
    @Override
    public void close() {
        for (int i = size() - 1; i >= 0; i--) {
            if (servers[i] != null) {
                servers[i].close();
            }
        }
    }

    @Override
    public String toString() {
        return "NatsCluster[" + java.util.stream.IntStream.range(0, size()).mapToObj(this::url)
                .collect(Collectors.joining(",")) + "]";
    }
}
