package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.UUID;

/**
 * A Queue row as seen in the replica.
 *
 * @param uuid        Queue row uuid
 * @param dscp        dscp, or null
 * @param otherConfig other_config (min-rate, max-rate in bit/s, burst in bits, priority)
 * @param externalIds external_ids
 */
public record QueueInfo(UUID uuid, Long dscp, Map<String, String> otherConfig, Map<String, String> externalIds) {
}
