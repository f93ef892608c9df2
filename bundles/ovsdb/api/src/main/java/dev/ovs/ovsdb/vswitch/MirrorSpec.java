package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.Set;

/**
 * A port mirror to create with {@link VSwitch#addMirror} (ovs-vswitchd.conf.db(5), table Mirror). Selection:
 * packets are mirrored if {@code select_all} is true, or they enter one of {@code select_src_port} or leave
 * one of {@code select_dst_port}; {@code select_vlan}, if non-empty, further restricts them to those VLANs.
 * Output: exactly one of {@code output_port} (a port of the same bridge, which then stops forwarding normal
 * traffic) or {@code output_vlan} (RSPAN: flooded on that VLAN).
 *
 * @param name          Mirror name: non-empty, at most 64 characters, no control characters; unique on its bridge
 * @param selectAll     Mirror select_all
 * @param selectSrcPort Mirror select_src_port: names of ports of the bridge (never null)
 * @param selectDstPort Mirror select_dst_port: names of ports of the bridge (never null)
 * @param selectVlan    Mirror select_vlan: VLAN ids (0..4095 by {@link VlanTag}), at most 4096 (never null)
 * @param outputPort    Mirror output_port: port name, or null
 * @param outputVlan    Mirror output_vlan: VLAN 1..4095 (VLAN 0 is refused by {@link VSwitch#addMirror}), or null
 * @param externalIds   Mirror external_ids (never null)
 */
public record MirrorSpec(String name, boolean selectAll, Set<String> selectSrcPort, Set<String> selectDstPort,
        Set<VlanTag> selectVlan, String outputPort, VlanTag outputVlan, Map<String, String> externalIds) {
    /** Copies collections (null becomes empty). @throws NullPointerException for a null element */
    public MirrorSpec {
        selectSrcPort = Set.copyOf(selectSrcPort == null ? Set.of() : selectSrcPort);
        selectDstPort = Set.copyOf(selectDstPort == null ? Set.of() : selectDstPort);
        selectVlan = Set.copyOf(selectVlan == null ? Set.of() : selectVlan);
        externalIds = Map.copyOf(externalIds == null ? Map.of() : externalIds);
    }

    /**
     * @param name       mirror name
     * @param outputPort port receiving the mirrored packets
     * @return a mirror of every packet on the bridge (select_all) to outputPort
     */
    public static MirrorSpec all(String name, String outputPort) {
        return new MirrorSpec(name, true, Set.of(), Set.of(), Set.of(), outputPort, null, Map.of());
    }

    /**
     * @param name       mirror name
     * @param src        ports whose received packets are mirrored
     * @param dst        ports whose transmitted packets are mirrored
     * @param outputPort port receiving the mirrored packets
     * @return a mirror of the given ports' traffic to outputPort
     */
    public static MirrorSpec ports(String name, Set<String> src, Set<String> dst, String outputPort) {
        return new MirrorSpec(name, false, src, dst, Set.of(), outputPort, null, Map.of());
    }

    /** @param vlans select_vlan @return a copy restricted to these VLANs */
    public MirrorSpec withSelectVlan(Set<VlanTag> vlans) {
        return new MirrorSpec(name, selectAll, selectSrcPort, selectDstPort, vlans, outputPort, outputVlan, externalIds);
    }

    /** @param vlan output_vlan (replaces output_port) @return a copy that outputs to this VLAN instead of a port */
    public MirrorSpec withOutputVlan(VlanTag vlan) {
        return new MirrorSpec(name, selectAll, selectSrcPort, selectDstPort, selectVlan, null, vlan, externalIds);
    }

    /** @param ids external_ids @return a copy with these external_ids */
    public MirrorSpec withExternalIds(Map<String, String> ids) {
        return new MirrorSpec(name, selectAll, selectSrcPort, selectDstPort, selectVlan, outputPort, outputVlan, ids);
    }
}
