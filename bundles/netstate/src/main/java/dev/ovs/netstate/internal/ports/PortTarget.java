package dev.ovs.netstate.internal.ports;

/**
 * What a container port must look like: from a document entry (partial: only given settings are compared) or
 * from a before-image (exact).
 *
 * @param path      document path, or null for a before-image
 * @param container container reference
 * @param iface     interface name inside the container
 * @param present   whether the port must exist
 * @param bridge    its bridge (present only)
 * @param settings  settings to compare (null fields are not compared unless {@code exact}); null: none compared
 * @param exact     whether every field of {@code settings} must match (a before-image)
 * @param vlanGiven whether {@code vlan} is compared
 * @param vlan      access VLAN, or null for none
 */
public record PortTarget(String path, String container, String iface, boolean present, String bridge, Attachment settings,
        boolean exact, boolean vlanGiven, Long vlan) {
    /** @return {@code container/iface} */
    public String key() {
        return container + "/" + iface;
    }
}
