package dev.ovs.ovsdb.vswitch;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A bridge as seen in the replica.
 *
 * @param uuid         Bridge row uuid
 * @param name         name
 * @param datapathType datapath_type ("" = default)
 * @param failMode     fail_mode or null
 * @param externalIds  external_ids
 * @param otherConfig  other_config
 * @param ports        port names, sorted (including the bridge's local port)
 */
public record BridgeInfo(UUID uuid, String name, String datapathType, String failMode, Map<String, String> externalIds,
        Map<String, String> otherConfig, List<String> ports) {
}
