package dev.ovs.shell.internal;

import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExports;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.networkd.Networkd;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.shell.internal.HealthReport.BundleState;
import dev.ovs.shell.internal.HealthReport.Check;
import dev.ovs.shell.internal.HealthReport.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The appliance's health (PID {@code dev.ovs.health}), evaluated on demand from what the bundles already expose;
 * the shell's {@code health}, {@code bin/patchbay health}, {@code dev.ovs.Health1} on D-Bus and the systemd
 * notifier all read it. Checks, in this order:
 * <ul>
 * <li>{@code bundles}: every bundle ACTIVE (a fragment RESOLVED); otherwise down, naming them.</li>
 * <li>{@code components}: Declarative Services ({@link ServiceComponentRuntime}): a component that failed to
 * activate is down; one waiting for a service is degraded, naming the missing reference.</li>
 * <li>{@code ovsdb}: {@link VSwitch}'s client connected to its remote; down otherwise.</li>
 * <li>{@code dbus}: {@link DbusConnectionService} connected; down otherwise; degraded when a whiteboard export is
 * not exported ({@link DbusExports}: name or path conflict, invalid, failed).</li>
 * <li>{@code networkd}: {@link Networkd#links()} answers within {@code probe.timeout.ms}; degraded otherwise.</li>
 * <li>{@code docker}: the port agent's Docker API socket ({@code docker.socket} of PID {@code dev.ovs.portagent},
 * default {@code /var/run/docker.sock}) answers {@code GET /_ping} with {@code OK} (Docker Engine API); degraded
 * otherwise. The port agent has no status API of its own for this.</li>
 * <li>{@code nats}: when PID {@code dev.ovs.fleet} has {@code enabled=true}: the first of its {@code servers}
 * that accepts a TCP connection and greets with {@code INFO} (NATS client protocol); degraded otherwise. The
 * fleet bundle's own connection state has no status API.</li>
 * </ul>
 * A check whose bundle is not installed, or a disabled feature, is {@code n/a}. Checks named in {@code ignore}
 * are shown but not counted. The overall status is the worst counted one.
 */
// immediate: a refused configuration fails at once (scr:info) and takes the service away, rather than failing
// the first system:health that asks for it
@Component(service = HealthComponent.class, configurationPid = "dev.ovs.health",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = HealthComponent.Config.class)
public final class HealthComponent {

    /** Configuration of PID {@code dev.ovs.health}. */
    @ObjectClassDefinition(name = "Patchbay health", description = "What counts for the appliance's health")
    public @interface Config {
        /** @return comma-separated check names shown but not counted */
        @AttributeDefinition(name = "ignore", description = "Checks shown but not counted, comma-separated: "
                + "components, ovsdb, dbus, networkd, docker, nats (e.g. docker on a host without containers)",
                required = false)
        String ignore() default "";

        /** @return timeout of each probe (networkd, Docker API, NATS), milliseconds */
        @AttributeDefinition(name = "probe.timeout.ms", description = "Timeout of each probe (networkd call, "
                + "Docker API ping, NATS greeting), milliseconds", min = "100", max = "60000")
        int probe_timeout_ms() default 2000;
    }

    /** The check names, in report order. */
    static final List<String> CHECKS = List.of("bundles", "components", "ovsdb", "dbus", "networkd", "docker", "nats");
    static final String DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

    private static final System.Logger LOG = System.getLogger(HealthComponent.class.getName());

    private final BundleContext context;
    private final Set<String> ignore;
    private final int timeoutMs;
    private final ExecutorService probes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile VSwitch vswitch;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DbusConnectionService dbus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DbusExports exports;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Networkd networkd;

    /**
     * @param context the bundle context (bundles, their states)
     * @param config  ignore list and probe timeout; a name in {@code ignore} that is not a check (or is
     *                {@code bundles}, which always counts) is logged and left out
     */
    @Activate
    public HealthComponent(BundleContext context, Map<String, Object> props, Config config) {
        this(context, checked(props, config));
    }

    /**
     * @param props the raw configuration properties of PID {@code dev.ovs.health}
     * @param config the same, typed
     * @return {@code config}
     * @throws dev.ovs.base.InvalidArgumentException naming the key: a value that does not parse as its type,
     *                                               {@code probe.timeout.ms} outside 100..60000
     */
    static Config checked(Map<String, ?> props, Config config) {
        dev.ovs.base.ConfigValues.check(props, Config.class);
        dev.ovs.base.ConfigValues.between("probe.timeout.ms", config.probe_timeout_ms(), 100, 60000);
        return config;
    }

    HealthComponent(BundleContext context, Config config) {
        this.context = context;
        Set<String> names = Arrays.stream(config.ignore().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        for (String n : Set.copyOf(names)) {
            if (!CHECKS.contains(n) || n.equals("bundles")) {
                names.remove(n);
                LOG.log(System.Logger.Level.WARNING, "dev.ovs.health ignore: '" + n + "' is not one of components, "
                        + "ovsdb, dbus, networkd, docker, nats; left out");
            }
        }
        this.ignore = Set.copyOf(names);
        this.timeoutMs = config.probe_timeout_ms();
        this.probes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "patchbay-health-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops the probe threads (a probe still waiting for its daemon is abandoned). */
    @Deactivate
    public void deactivate() {
        probes.shutdownNow();
    }

    /**
     * Evaluates every check now. Takes at most about three probe timeouts (networkd, Docker, NATS).
     *
     * @return the report
     */
    public HealthReport check() {
        List<BundleState> bundles = bundles();
        List<Check> checks = new ArrayList<>();
        checks.add(bundlesCheck(bundles));
        checks.add(count(componentsCheck()));
        checks.add(count(ovsdbCheck()));
        checks.add(count(dbusCheck()));
        checks.add(count(networkdCheck()));
        checks.add(count(dockerCheck()));
        checks.add(count(natsCheck()));
        return HealthReport.of(checks, bundles, Instant.now());
    }

    private Check count(Check c) {
        return ignore.contains(c.name()) ? new Check(c.name(), c.status(), c.detail(), false) : c;
    }

    private List<BundleState> bundles() {
        List<BundleState> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            int s = b.getState();
            boolean lazyStarting = s == Bundle.STARTING && Constants.ACTIVATION_LAZY.equals(
                    b.getHeaders("").get(Constants.BUNDLE_ACTIVATIONPOLICY));
            boolean ok = fragment ? s == Bundle.RESOLVED : s == Bundle.ACTIVE || lazyStarting;
            out.add(new BundleState(b.getBundleId(), String.valueOf(b.getSymbolicName()), b.getVersion().toString(),
                    stateName(s), ok));
        }
        return out;
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "STATE-" + state;
        };
    }

    private static Check bundlesCheck(List<BundleState> bundles) {
        List<String> bad = bundles.stream().filter(b -> !b.ok()).map(b -> b.name() + " " + b.state()).toList();
        return bad.isEmpty() ? new Check("bundles", Status.OK, bundles.size() + " bundles running", true)
                : new Check("bundles", Status.DOWN, bad.size() + " of " + bundles.size() + " not running: "
                        + String.join(", ", bad), true);
    }

    private Check componentsCheck() {
        ServiceComponentRuntime r = scr;
        if (r == null) {
            return new Check("components", Status.DOWN, "Declarative Services (org.apache.felix.scr) is not running",
                    true);
        }
        int active = 0;
        List<String> failed = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (ComponentDescriptionDTO d : r.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : r.getComponentConfigurationDTOs(d)) {
                switch (c.state) {
                    case ComponentConfigurationDTO.FAILED_ACTIVATION -> failed.add(d.name + " ("
                            + d.bundle.symbolicName + "): failed to activate: " + firstLine(c.failure));
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> waiting.add(d.name + " ("
                            + d.bundle.symbolicName + ") waits for " + Arrays.stream(c.unsatisfiedReferences)
                                    .map(HealthComponent::referenceText).collect(Collectors.joining(", ")));
                    default -> active++;
                }
            }
        }
        if (!failed.isEmpty()) {
            failed.addAll(waiting);
            return new Check("components", Status.DOWN, String.join("; ", failed), true);
        }
        if (!waiting.isEmpty()) {
            return new Check("components", Status.DEGRADED, String.join("; ", waiting), true);
        }
        return new Check("components", Status.OK, active + " components satisfied", true);
    }

    private static String referenceText(UnsatisfiedReferenceDTO u) {
        return u.name + (u.target == null || u.target.isEmpty() ? "" : " " + u.target);
    }

    /**
     * @param s a failure as Declarative Services records it (a stack trace)
     * @return its root cause's line (the last {@code Caused by:}, e.g. the {@code InvalidArgumentException} naming
     *         the configuration key behind a reflection wrapper), else its first line
     */
    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no reason recorded)";
        }
        String line = null;
        for (String l : s.split("\n")) {
            if (line == null) {
                line = l;
            } else if (l.strip().startsWith("Caused by: ")) {
                line = l.strip().substring("Caused by: ".length());
            }
        }
        return line.trim();
    }

    private boolean installed(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    private Check ovsdbCheck() {
        VSwitch v = vswitch;
        if (v == null) {
            return installed("dev.ovs.ovsdb") ? new Check("ovsdb", Status.DOWN, "no VSwitch service (the OVSDB "
                    + "component of dev.ovs.ovsdb is not active)", true)
                    : new Check("ovsdb", Status.SKIPPED, "dev.ovs.ovsdb is not installed", true);
        }
        try {
            String remote = v.client().options().remote();
            return v.client().isConnected() ? new Check("ovsdb", Status.OK, "connected to " + remote, true)
                    : new Check("ovsdb", Status.DOWN, "not connected to " + remote
                            + " (ovsdb-server not running or not reachable; reconnecting)", true);
        } catch (RuntimeException e) {
            return new Check("ovsdb", Status.DOWN, "VSwitch unusable: " + e.getMessage(), true);
        }
    }

    private Check dbusCheck() {
        DbusConnectionService d = dbus;
        if (d == null) {
            return installed("dev.ovs.dbus") ? new Check("dbus", Status.DOWN, "no D-Bus connection service (the "
                    + "connection component of dev.ovs.dbus is not active)", true)
                    : new Check("dbus", Status.SKIPPED, "dev.ovs.dbus is not installed", true);
        }
        if (!d.isConnected()) {
            return new Check("dbus", Status.DOWN, "not connected to " + d.address()
                    + " (bus daemon not running or not reachable; reconnecting)", true);
        }
        String base = "connected to " + d.address() + " as " + d.uniqueName().orElse("?");
        DbusExports e = exports;
        if (e == null) {
            return new Check("dbus", Status.OK, base, true);
        }
        List<ExportStatus> all = e.exports();
        List<String> bad = all.stream().filter(x -> x.state() != ExportStatus.State.EXPORTED)
                .map(x -> x.objectPath() + " " + x.state() + (x.message().isEmpty() ? "" : " (" + x.message() + ")"))
                .toList();
        return bad.isEmpty() ? new Check("dbus", Status.OK, base + "; " + all.size() + " objects exported", true)
                : new Check("dbus", Status.DEGRADED, base + "; not exported: " + String.join(", ", bad), true);
    }

    private Check networkdCheck() {
        Networkd n = networkd;
        if (n == null) {
            return installed("dev.ovs.networkd") ? new Check("networkd", Status.DEGRADED, "no Networkd service "
                    + "(the component of dev.ovs.networkd is not active)", true)
                    : new Check("networkd", Status.SKIPPED, "dev.ovs.networkd is not installed", true);
        }
        CompletableFuture<Integer> f;
        try {
            f = CompletableFuture.supplyAsync(() -> n.links().size(), probes);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return new Check("networkd", Status.DEGRADED, "not checked: shutting down", true);
        }
        try {
            int links = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            return new Check("networkd", Status.OK, "org.freedesktop.network1 answers (" + links + " links)", true);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Check("networkd", Status.DEGRADED, "org.freedesktop.network1 did not answer ListLinks within "
                    + timeoutMs + " ms", true);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            return new Check("networkd", Status.DEGRADED, String.valueOf(c.getMessage()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check("networkd", Status.DEGRADED, "not checked: interrupted", true);
        }
    }

    private Check dockerCheck() {
        if (!installed("dev.ovs.portagent")) {
            return new Check("docker", Status.SKIPPED, "dev.ovs.portagent is not installed", true);
        }
        String socket = configValue("dev.ovs.portagent", "docker.socket");
        if (socket == null || socket.isBlank()) {
            socket = DEFAULT_DOCKER_SOCKET;
        }
        if (!Files.exists(Path.of(socket))) {
            return new Check("docker", Status.DEGRADED, "no Docker API socket at " + socket
                    + " (dockerd or 'podman system service' not running; container ports need it)", true);
        }
        try (AFUNIXSocket s = AFUNIXSocket.newInstance()) {
            s.connect(AFUNIXSocketAddress.of(Path.of(socket)), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(s.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
            String status = reply.lines().findFirst().orElse("");
            if (status.matches("HTTP/1\\.[01] 200.*") && reply.endsWith("OK")) {
                return new Check("docker", Status.OK, "Docker API at " + socket + " answers /_ping", true);
            }
            return new Check("docker", Status.DEGRADED, "Docker API at " + socket + " answered /_ping with '"
                    + status + "'", true);
        } catch (IOException e) {
            return new Check("docker", Status.DEGRADED, "Docker API at " + socket + ": " + e.getMessage(), true);
        }
    }

    private Check natsCheck() {
        String enabled = configValue("dev.ovs.fleet", "enabled");
        if (enabled == null || !enabled.trim().equalsIgnoreCase("true")) {
            return new Check("nats", Status.SKIPPED, "fleet not enabled (dev.ovs.fleet enabled=false)", true);
        }
        if (!installed("dev.ovs.fleet")) {
            return new Check("nats", Status.DEGRADED, "fleet enabled in dev.ovs.fleet.cfg but dev.ovs.fleet is "
                    + "not installed", true);
        }
        String servers = configValue("dev.ovs.fleet", "servers");
        if (servers == null || servers.isBlank()) {
            return new Check("nats", Status.DEGRADED, "fleet enabled but dev.ovs.fleet servers is empty", true);
        }
        List<String> failures = new ArrayList<>();
        for (String server : servers.split(",")) {
            String url = server.trim();
            if (url.isEmpty()) {
                continue;
            }
            try {
                URI u = URI.create(url.contains("://") ? url : "nats://" + url);
                int port = u.getPort() < 0 ? 4222 : u.getPort();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(u.getHost(), port), timeoutMs);
                    s.setSoTimeout(timeoutMs);
                    String greeting = new String(readLine(s.getInputStream(), 8192), StandardCharsets.UTF_8);
                    if (greeting.startsWith("INFO ")) {
                        return new Check("nats", Status.OK, url + " answers (NATS INFO); the fleet bundle's own "
                                + "connection state is not exposed", true);
                    }
                    failures.add(url + ": no INFO greeting");
                }
            } catch (IOException | IllegalArgumentException e) {
                failures.add(url + ": " + e.getMessage());
            }
        }
        return new Check("nats", Status.DEGRADED, "no NATS server answers: " + String.join("; ", failures), true);
    }

    private String configValue(String pid, String key) {
        ConfigurationAdmin ca = configAdmin;
        if (ca == null) {
            return null;
        }
        try {
            Configuration[] cs = ca.listConfigurations("(service.pid=" + pid + ")");
            if (cs == null || cs.length == 0) {
                return null;
            }
            Dictionary<String, Object> p = cs[0].getProperties();
            Object v = p == null ? null : p.get(key);
            return v == null ? null : v.toString();
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            return null;
        }
    }

    private static byte[] readLine(InputStream in, int max) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int c;
        while (b.size() < max && (c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return b.toByteArray();
    }
}
