package dev.ovs.ovsdb.vswitch;

import java.util.Map;
import java.util.UUID;

/**
 * An interface as seen in the replica.
 *
 * @param uuid        Interface row uuid
 * @param name        name
 * @param port        owning port name, or null
 * @param type        type ("" = system device)
 * @param options     options
 * @param mtuRequest  mtu_request or null
 * @param mtu         mtu reported by ovs-vswitchd, or null
 * @param ofport      OpenFlow port number assigned by ovs-vswitchd, or null (-1 = failed)
 * @param externalIds external_ids
 * @param error       error reported by ovs-vswitchd, or null
 */
public record InterfaceInfo(UUID uuid, String name, String port, String type, Map<String, String> options,
        Long mtuRequest, Long mtu, Long ofport, Map<String, String> externalIds, String error) {
}
