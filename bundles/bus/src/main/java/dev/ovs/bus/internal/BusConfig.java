package dev.ovs.bus.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the bus, PID {@code dev.ovs.bus} (file {@code etc/dev.ovs.bus.cfg}): the metatype description
 * the shell lists. The component reads the properties with {@link Settings#of(java.util.Map)}, which also reads the
 * per-uid and per-group keys {@code permissions.uid.<uid>.*} and {@code permissions.group.<group>.*} (see
 * {@link Permissions}; metatype cannot declare keys whose names vary).
 */
@ObjectClassDefinition(id = "dev.ovs.bus", name = "Patchbay event bus",
        description = "In-process pub/sub plus a Unix-socket line protocol server for other processes.")
public @interface BusConfig {
    /**
     * @return absolute path of the Unix socket; empty (also the default: a missing key) disables the socket server.
     *         The shipped {@code etc/dev.ovs.bus.cfg} sets {@code /run/patchbay/bus.sock}
     */
    @AttributeDefinition(name = "socket", description = "Absolute path of the Unix socket (mode 0660); empty or "
            + "unset: no socket server (the shipped dev.ovs.bus.cfg sets /run/patchbay/bus.sock)", required = false)
    String socket() default "";

    /** @return group name or number given to the socket file; empty keeps the process group */
    @AttributeDefinition(name = "group", description = "Group owning the socket file (name or gid); empty: unchanged", required = false)
    String group() default "";

    /** @return per-subscriber queue capacity in events (1..1048576) */
    @AttributeDefinition(name = "queue.size", description = "Per-subscriber queue capacity, events (drop-oldest)", min = "1", max = "1048576")
    int queue_size() default 1024;

    /** @return per-subscriber queue capacity in bytes of the queued events (1024..1073741824) */
    @AttributeDefinition(name = "queue.bytes", description = "Per-subscriber queue capacity, bytes (drop-oldest)",
            min = "1024", max = "1073741824")
    int queue_bytes() default 8 << 20;

    /** @return heartbeat period in seconds; 0 disables it */
    @AttributeDefinition(name = "heartbeat.seconds", description = "Period of system.bus.health events, seconds; 0 = off", min = "0", max = "86400")
    int heartbeat_seconds() default 30;

    /** @return false registers a null bus */
    @AttributeDefinition(name = "enabled", description = "false: null bus (publishes dropped, subscriptions inert)")
    boolean enabled() default true;

    /** @return patterns every socket client may publish to */
    @AttributeDefinition(name = "permissions.publish.allow", description = "Socket clients may publish to these "
            + "patterns (comma-separated)", required = false)
    String permissions_publish_allow() default ">";

    /** @return patterns no socket client may publish to, unless its uid or group rules allow it */
    @AttributeDefinition(name = "permissions.publish.deny", description = "Socket clients may not publish to these "
            + "patterns (comma-separated): the reserved namespaces", required = false)
    String permissions_publish_deny() default "ovsdb.>,portagent.>,network.>,systemd.>,system.>,netstate.>,fleet.>";

    /** @return patterns every socket client may subscribe to */
    @AttributeDefinition(name = "permissions.subscribe.allow", description = "Socket clients may subscribe to these "
            + "patterns (comma-separated)", required = false)
    String permissions_subscribe_allow() default ">";

    /** @return patterns no socket client may subscribe to, unless its uid or group rules allow it */
    @AttributeDefinition(name = "permissions.subscribe.deny", description = "Socket clients may not subscribe to "
            + "these patterns (comma-separated)", required = false)
    String permissions_subscribe_deny() default "";
}
