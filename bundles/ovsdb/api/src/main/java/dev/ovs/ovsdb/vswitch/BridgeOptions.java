package dev.ovs.ovsdb.vswitch;

import java.util.Map;

/**
 * Optional Bridge columns for {@link VSwitch#addBridge} (vswitch.ovsschema Bridge table).
 *
 * @param datapathType "system", "netdev", ... or null for the default
 * @param failMode     "standalone", "secure" or null
 * @param externalIds  Bridge external_ids (never null)
 * @param otherConfig  Bridge other_config (never null)
 */
public record BridgeOptions(String datapathType, String failMode, Map<String, String> externalIds,
        Map<String, String> otherConfig) {
    /** No options. */
    public static final BridgeOptions NONE = new BridgeOptions(null, null, Map.of(), Map.of());

    /** Copies maps, rejects null maps. */
    public BridgeOptions {
        externalIds = Map.copyOf(externalIds == null ? Map.of() : externalIds);
        otherConfig = Map.copyOf(otherConfig == null ? Map.of() : otherConfig);
    }

    /** @return a copy with datapath_type */
    public BridgeOptions withDatapathType(String t) {
        return new BridgeOptions(t, failMode, externalIds, otherConfig);
    }

    /** @return a copy with fail_mode */
    public BridgeOptions withFailMode(String m) {
        return new BridgeOptions(datapathType, m, externalIds, otherConfig);
    }

    /** @return a copy with external_ids */
    public BridgeOptions withExternalIds(Map<String, String> m) {
        return new BridgeOptions(datapathType, failMode, m, otherConfig);
    }

    /** @return a copy with other_config */
    public BridgeOptions withOtherConfig(Map<String, String> m) {
        return new BridgeOptions(datapathType, failMode, externalIds, m);
    }
}
