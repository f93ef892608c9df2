package dev.ovs.ovsdb.vswitch;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.UUID;

/**
 * A mirror as seen in the replica (ovs-vswitchd.conf.db(5), table Mirror; port references resolved to names).
 *
 * @param uuid          Mirror row uuid
 * @param name          name
 * @param bridge        bridge whose mirrors column holds it
 * @param selectAll     select_all
 * @param selectSrcPort select_src_port port names, sorted
 * @param selectDstPort select_dst_port port names, sorted
 * @param selectVlan    select_vlan VLAN ids, sorted
 * @param outputPort    output_port name, or null
 * @param outputVlan    output_vlan, or null
 * @param externalIds   external_ids
 */
public record MirrorInfo(UUID uuid, String name, String bridge, boolean selectAll, List<String> selectSrcPort,
        List<String> selectDstPort, SortedSet<VlanTag> selectVlan, String outputPort, VlanTag outputVlan,
        Map<String, String> externalIds) {
}
