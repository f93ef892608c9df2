package dev.ovs.fleet.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the fleet agent, PID {@code dev.ovs.fleet} (file {@code etc/dev.ovs.fleet.cfg}). The first five
 * keys are pinned (DESIGN.md, "Fleet (NATS)"); {@link Settings#of} validates all of them before anything connects.
 */
@ObjectClassDefinition(id = "dev.ovs.fleet", name = "Patchbay fleet (NATS)",
        description = "Events out, desired state in (JetStream KV) and reports, over NATS. Off by default.")
public @interface FleetConfig {
    /** @return false: the agent neither connects nor forwards anything (the default) */
    @AttributeDefinition(name = "enabled", description = "Connect to NATS and take part in the fleet")
    boolean enabled() default false;

    /** @return comma-separated {@code nats://} or {@code tls://} URLs of the hub or of a local leaf node */
    @AttributeDefinition(name = "servers", description = "Comma-separated nats:// or tls:// URLs (host[:port], default port 4222)")
    String servers() default "nats://127.0.0.1:4222";

    /** @return path of a NATS {@code .creds} file (user JWT + NKey seed), or empty */
    @AttributeDefinition(name = "credentials", description = "NATS .creds file (JWT + NKey seed); empty: none", required = false)
    String credentials() default "";

    /** @return the host id; empty means the machine id ({@code /etc/machine-id}) */
    @AttributeDefinition(name = "host.id", description = "Host id: [A-Za-z0-9_-]{1,128}; empty: /etc/machine-id", required = false)
    String host_id() default "";

    /** @return comma-separated bus topic patterns forwarded to NATS */
    @AttributeDefinition(name = "export", description = "Comma-separated local bus patterns published as patchbay.<host.id>.<topic>")
    String export() default "ovsdb.>,portagent.>,network.>,netstate.>";

    /** @return true allows a non-loopback server without credentials */
    @AttributeDefinition(name = "insecure", description = "Allow a non-loopback server without credentials")
    boolean insecure() default false;

    /** @return {@code host:port} that must accept a TCP connection before a desired revision is committed, or empty */
    @AttributeDefinition(name = "probe.address", description = "host:port checked with a TCP connect after an apply; empty: NATS only", required = false)
    String probe_address() default "";

    /** @return seconds a desired revision's checkpoint waits for the connectivity check before it rolls back */
    @AttributeDefinition(name = "confirm.seconds", description = "Confirm timeout of a desired revision's checkpoint, seconds", min = "2", max = "3600")
    int confirm_seconds() default 30;

    /** @return PEM file of CA certificates trusted for {@code tls://} servers, or empty for the JVM's trust store */
    @AttributeDefinition(name = "tls.ca", description = "PEM CA certificates for tls:// servers; empty: the JVM's trust store", required = false)
    String tls_ca() default "";

    /** @return JetStream domain of the hub when the local leaf node runs a JetStream domain of its own, or empty */
    @AttributeDefinition(name = "jetstream.domain", description = "JetStream domain of the hub (leaf nodes with their own JetStream); empty: none", required = false)
    String jetstream_domain() default "";

    /** @return capacity of the event queue that fills while NATS is not reachable (drop-oldest) */
    @AttributeDefinition(name = "queue.size", description = "Events kept while disconnected (drop-oldest)", min = "1", max = "1048576")
    int queue_size() default 1024;

    /** @return seconds between checks of the desired key besides the watch */
    @AttributeDefinition(name = "poll.seconds", description = "Seconds between reads of the desired key besides the watch", min = "1", max = "3600")
    int poll_seconds() default 30;

    /** @return the file that records the last desired revision handled; empty: {@code <patchbay.state>/fleet.json} */
    @AttributeDefinition(name = "state.file", description = "Last handled desired revision; empty: <patchbay.state>/fleet.json", required = false)
    String state_file() default "";
}
