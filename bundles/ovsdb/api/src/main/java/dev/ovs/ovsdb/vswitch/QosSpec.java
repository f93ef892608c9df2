package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.Set;

/**
 * A QoS configuration for a port, {@link VSwitch#setQos} (ovs-vswitchd.conf.db(5), tables QoS and Queue).
 * Types ({@link #TYPES}): {@code linux-htb}, {@code linux-hfsc} (queues with min-rate/max-rate),
 * {@code linux-sfq}, {@code linux-codel}, {@code linux-fq_codel}, {@code linux-netem}, {@code linux-noop},
 * {@code egress-policer} and {@code trtcm-policer} (userspace datapath). QoS other_config keys used by these
 * types, all decimal integers: {@code max-rate} in bit/s (linux-htb, linux-hfsc: the port's total), {@code cir}
 * and {@code eir} in bytes/s and {@code cbs}/{@code ebs} in bytes (policers), {@code latency} in µs and
 * {@code limit}/{@code loss} (netem), {@code perturb}/{@code quantum} (sfq).
 *
 * @param type        QoS type, one of {@link #TYPES}
 * @param otherConfig QoS other_config (never null)
 * @param queues      queue number (0..4294967295; OpenFlow set_queue / enqueue) to Queue contents (never null)
 * @param externalIds QoS external_ids (never null)
 */
public record QosSpec(String type, Map<String, String> otherConfig, Map<Long, QueueSpec> queues, Map<String, String> externalIds) {
    /** QoS types ovs-vswitchd implements (ovs-vswitchd.conf.db(5), QoS type). */
    public static final Set<String> TYPES = Set.of("linux-htb", "linux-hfsc", "linux-sfq", "linux-codel", "linux-fq_codel",
            "linux-netem", "linux-noop", "egress-policer", "trtcm-policer");

    /** Copies collections (null becomes empty). */
    public QosSpec {
        otherConfig = Map.copyOf(otherConfig == null ? Map.of() : otherConfig);
        queues = Map.copyOf(queues == null ? Map.of() : queues);
        externalIds = Map.copyOf(externalIds == null ? Map.of() : externalIds);
    }

    /**
     * @param maxRateBps the port's egress limit, other_config:max-rate in bit/s
     * @return linux-htb with that max-rate and one queue 0 of the same max-rate
     */
    public static QosSpec htb(long maxRateBps) {
        return new QosSpec("linux-htb", Map.of("max-rate", Long.toString(maxRateBps)),
                Map.of(0L, QueueSpec.rates(null, maxRateBps)), Map.of());
    }
}
