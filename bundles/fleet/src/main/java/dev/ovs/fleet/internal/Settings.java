package dev.ovs.fleet.internal;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.Topics;
import dev.ovs.fleet.Subjects;
import dev.ovs.fleet.client.NatsConnect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Validated fleet configuration ({@link FleetConfig}). {@link #of} checks every key before anything connects; a
 * bad value is an {@link InvalidArgumentException} naming the key and the rule.
 *
 * @param enabled         {@code enabled}
 * @param servers         normalised server URLs ({@code nats://host:port} or {@code tls://host:port})
 * @param credentials     the {@code .creds} file, or null
 * @param hostId          the host id (configured or the machine id)
 * @param export          bus patterns forwarded
 * @param insecure        {@code insecure}
 * @param probeHost       host of {@code probe.address}, or null
 * @param probePort       port of {@code probe.address}, 0 when none
 * @param confirmSeconds  {@code confirm.seconds}
 * @param tlsCa           {@code tls.ca} PEM file, or null
 * @param jsDomain        {@code jetstream.domain}, or null
 * @param queueSize       {@code queue.size}
 * @param pollSeconds     {@code poll.seconds}
 * @param stateFile       where the last handled revision is recorded
 */
public record Settings(boolean enabled, List<String> servers, Path credentials, String hostId, List<String> export,
        boolean insecure, String probeHost, int probePort, int confirmSeconds, Path tlsCa, String jsDomain,
        int queueSize, int pollSeconds, Path stateFile) {

    /**
     * Validates a configuration.
     *
     * @param c         the configuration
     * @param machineId supplies the machine id when {@code host.id} is empty (called only then)
     * @param stateDir  the appliance's state directory ({@code patchbay.state}) for the default {@code state.file}
     * @return the settings; when {@code enabled=false} only the flag is meaningful and nothing else is checked
     * @throws InvalidArgumentException naming the key ({@code servers}, {@code credentials}, {@code host.id},
     *                                  {@code export}, {@code probe.address}, {@code tls.ca}, ...) and the rule
     */
    public static Settings of(FleetConfig c, Supplier<String> machineId, Path stateDir) {
        if (!c.enabled()) {
            return new Settings(false, List.of(), null, "", List.of(), c.insecure(), null, 0, c.confirm_seconds(),
                    null, null, c.queue_size(), c.poll_seconds(), stateDir.resolve("fleet.json"));
        }
        Path creds = optionalFile("credentials", c.credentials());
        if (creds != null) {
            NatsConnect.authHandler(creds);
        }
        List<String> servers = NatsConnect.servers(c.servers(), creds != null || c.insecure());
        String host = c.host_id() == null ? "" : c.host_id().trim();
        if (host.isEmpty()) {
            String m = machineId.get();
            if (m == null || m.isBlank()) {
                throw new InvalidArgumentException("host.id", "empty and no machine id (/etc/machine-id) to default to");
            }
            host = Subjects.checkHostId("host.id", m.trim());
        } else {
            Subjects.checkHostId("host.id", host);
        }
        List<String> export = new ArrayList<>();
        for (String p : NatsConnect.split(c.export())) {
            try {
                export.add(Topics.checkPattern(p));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException("export", "'" + p + "' is not a bus pattern: " + e.getMessage());
            }
        }
        String probeHost = null;
        int probePort = 0;
        String probe = c.probe_address() == null ? "" : c.probe_address().trim();
        if (!probe.isEmpty()) {
            int colon = probe.lastIndexOf(':');
            if (colon <= 0 || colon == probe.length() - 1) {
                throw new InvalidArgumentException("probe.address", "must be host:port, got '" + probe + "'");
            }
            probeHost = probe.substring(0, colon);
            if (probeHost.startsWith("[") && probeHost.endsWith("]")) {
                probeHost = probeHost.substring(1, probeHost.length() - 1);
            }
            probePort = port("probe.address", probe.substring(colon + 1));
        }
        range("confirm.seconds", c.confirm_seconds(), 2, 3600);
        range("queue.size", c.queue_size(), 1, 1 << 20);
        range("poll.seconds", c.poll_seconds(), 1, 3600);
        Path tlsCa = optionalFile("tls.ca", c.tls_ca());
        String domain = c.jetstream_domain() == null || c.jetstream_domain().isBlank() ? null : c.jetstream_domain().trim();
        if (domain != null && Subjects.hostIdViolation(domain) != null) {
            throw new InvalidArgumentException("jetstream.domain", "must contain only A-Z, a-z, 0-9, '-' and '_', got '"
                    + domain + "'");
        }
        Path state = c.state_file() == null || c.state_file().isBlank() ? stateDir.resolve("fleet.json")
                : Path.of(c.state_file().trim());
        if (!state.isAbsolute()) {
            throw new InvalidArgumentException("state.file", "must be an absolute path, got '" + state + "'");
        }
        return new Settings(true, List.copyOf(servers), creds, host, List.copyOf(export), c.insecure(), probeHost,
                probePort, c.confirm_seconds(), tlsCa, domain, c.queue_size(), c.poll_seconds(), state);
    }

    private static Path optionalFile(String key, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Path p = Path.of(value.trim());
        if (!p.isAbsolute()) {
            throw new InvalidArgumentException(key, "must be an absolute path, got '" + value + "'");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new InvalidArgumentException(key, "file '" + p + "' does not exist or is not readable");
        }
        return p;
    }

    private static int port(String key, String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidArgumentException(key, "port must be 1..65535, got '" + s + "'");
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new InvalidArgumentException(key, "must be " + min + ".." + max + ", got " + v);
        }
    }
}
