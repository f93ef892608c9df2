package dev.ovs.ovsdb.vswitch;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The QoS row of a port as seen in the replica.
 *
 * @param uuid        QoS row uuid
 * @param type        type (linux-htb, ...)
 * @param otherConfig other_config (max-rate in bit/s, ...)
 * @param queues      queue number to Queue (sorted by number)
 * @param externalIds external_ids
 * @param ports       names of all ports whose qos column references this row, sorted
 */
public record QosInfo(UUID uuid, String type, Map<String, String> otherConfig, Map<Long, QueueInfo> queues,
        Map<String, String> externalIds, List<String> ports) {
}
