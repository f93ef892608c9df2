package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.Set;

/**
 * Optional Port and Interface columns for {@link VSwitch#addPort} (vswitch.ovsschema).
 *
 * @param tag                 Port tag: access or native VLAN, or null for none
 * @param trunks              Port trunks: trunk VLANs, empty for all (never null)
 * @param vlanMode            Port vlan_mode, or null (OVS default: trunk without tag, access with one)
 * @param portExternalIds     Port external_ids (never null)
 * @param interfaceType       Interface type (ovs-vswitchd.conf.db(5) Interface {@code type}: empty for a system
 *                            device, {@code patch}, {@code vxlan}, {@code geneve}, ...) or null
 * @param interfaceOptions    Interface options (e.g. peer=, remote_ip=) (never null)
 * @param mtuRequest          Interface mtu_request in bytes, 1..65535, or null
 * @param interfaceExternalIds Interface external_ids (never null)
 */
public record PortOptions(VlanTag tag, Set<VlanTag> trunks, VlanMode vlanMode, Map<String, String> portExternalIds,
        String interfaceType, Map<String, String> interfaceOptions, Integer mtuRequest,
        Map<String, String> interfaceExternalIds) {
    /** No options. */
    public static final PortOptions NONE = new PortOptions(null, Set.of(), null, Map.of(), null, Map.of(), null, Map.of());

    /** Copies collections (null becomes empty). */
    public PortOptions {
        trunks = Set.copyOf(trunks == null ? Set.of() : trunks);
        portExternalIds = Map.copyOf(portExternalIds == null ? Map.of() : portExternalIds);
        interfaceOptions = Map.copyOf(interfaceOptions == null ? Map.of() : interfaceOptions);
        interfaceExternalIds = Map.copyOf(interfaceExternalIds == null ? Map.of() : interfaceExternalIds);
    }

    /** @param t Port tag, or null @return a copy with the access VLAN tag */
    public PortOptions withTag(VlanTag t) {
        return new PortOptions(t, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @param t Port trunks @return a copy with trunks */
    public PortOptions withTrunks(Set<VlanTag> t) {
        return new PortOptions(tag, t, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @param m Port vlan_mode, or null @return a copy with vlan_mode */
    public PortOptions withVlanMode(VlanMode m) {
        return new PortOptions(tag, trunks, m, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @param m Port external_ids @return a copy with Port external_ids */
    public PortOptions withPortExternalIds(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, m, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @param t Interface type, or null @return a copy with Interface type */
    public PortOptions withInterfaceType(String t) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, t, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @param m Interface options @return a copy with Interface options */
    public PortOptions withInterfaceOptions(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, m, mtuRequest, interfaceExternalIds);
    }

    /** @param mtu Interface mtu_request, or null @return a copy with Interface mtu_request */
    public PortOptions withMtuRequest(Integer mtu) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtu, interfaceExternalIds);
    }

    /** @param m Interface external_ids @return a copy with Interface external_ids */
    public PortOptions withInterfaceExternalIds(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, m);
    }
}
