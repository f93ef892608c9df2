package dev.ovs.ovsdb.vswitch;

import java.util.Map;

/**
 * A Queue row (ovs-vswitchd.conf.db(5), table Queue) for {@link QosSpec#queues()} and {@link VSwitch#setQueue}.
 * other_config keys, all decimal integers: {@code min-rate} and {@code max-rate} in bit/s, {@code burst} in bits,
 * {@code priority} (0..4294967295; linux-htb: lower is served first).
 *
 * @param dscp        Queue dscp: DSCP value 0..63 to mark packets with, or null
 * @param otherConfig Queue other_config (never null)
 * @param externalIds Queue external_ids (never null)
 */
public record QueueSpec(Integer dscp, Map<String, String> otherConfig, Map<String, String> externalIds) {
    /** Copies collections (null becomes empty). */
    public QueueSpec {
        otherConfig = Map.copyOf(otherConfig == null ? Map.of() : otherConfig);
        externalIds = Map.copyOf(externalIds == null ? Map.of() : externalIds);
    }

    /**
     * @param minRateBps other_config:min-rate in bit/s, or null
     * @param maxRateBps other_config:max-rate in bit/s, or null
     * @return a queue with these rates
     */
    public static QueueSpec rates(Long minRateBps, Long maxRateBps) {
        Map<String, String> m = new java.util.HashMap<>();
        if (minRateBps != null) {
            m.put("min-rate", Long.toString(minRateBps));
        }
        if (maxRateBps != null) {
            m.put("max-rate", Long.toString(maxRateBps));
        }
        return new QueueSpec(null, m, Map.of());
    }
}
