package dev.ovs.ovsdb.vswitch;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A port as seen in the replica.
 *
 * @param uuid        Port row uuid
 * @param name        name
 * @param bridge      owning bridge name, or null if not attached
 * @param tag         Port tag (access or native VLAN), or null
 * @param trunks      Port trunks, sorted (empty: all VLANs)
 * @param vlanMode    Port vlan_mode, or null (empty column)
 * @param interfaces  interface names, sorted
 * @param externalIds external_ids
 * @param otherConfig other_config
 */
public record PortInfo(UUID uuid, String name, String bridge, VlanTag tag, Set<VlanTag> trunks, VlanMode vlanMode,
        List<String> interfaces, Map<String, String> externalIds, Map<String, String> otherConfig) {
}
