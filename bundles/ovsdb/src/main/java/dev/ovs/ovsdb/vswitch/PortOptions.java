package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.Set;

/**
 * Optional Port and Interface columns for {@link VSwitch#addPort} (vswitch.ovsschema).
 *
 * @param tag                 Port tag: access VLAN 0..4095, or null
 * @param trunks              Port trunks: VLANs 0..4095 (never null)
 * @param vlanMode            Port vlan_mode: trunk, access, native-tagged, native-untagged, dot1q-tunnel, or null
 * @param portExternalIds     Port external_ids (never null)
 * @param interfaceType       Interface type ("", "internal", "patch", "vxlan", ...) or null
 * @param interfaceOptions    Interface options (e.g. peer=, remote_ip=) (never null)
 * @param mtuRequest          Interface mtu_request in bytes, or null
 * @param interfaceExternalIds Interface external_ids (never null)
 */
public record PortOptions(Integer tag, Set<Integer> trunks, String vlanMode, Map<String, String> portExternalIds,
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

    /** @return a copy with the access VLAN tag */
    public PortOptions withTag(Integer t) {
        return new PortOptions(t, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with trunks */
    public PortOptions withTrunks(Set<Integer> t) {
        return new PortOptions(tag, t, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with vlan_mode */
    public PortOptions withVlanMode(String m) {
        return new PortOptions(tag, trunks, m, portExternalIds, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with Port external_ids */
    public PortOptions withPortExternalIds(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, m, interfaceType, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with Interface type */
    public PortOptions withInterfaceType(String t) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, t, interfaceOptions, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with Interface options */
    public PortOptions withInterfaceOptions(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, m, mtuRequest, interfaceExternalIds);
    }

    /** @return a copy with Interface mtu_request */
    public PortOptions withMtuRequest(Integer mtu) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtu, interfaceExternalIds);
    }

    /** @return a copy with Interface external_ids */
    public PortOptions withInterfaceExternalIds(Map<String, String> m) {
        return new PortOptions(tag, trunks, vlanMode, portExternalIds, interfaceType, interfaceOptions, mtuRequest, m);
    }
}
