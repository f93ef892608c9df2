package dev.ovs.netstate.internal.ports;

/**
 * What a container port must look like: from a document entry (partial: only given settings are compared, and
 * the ones given as {@code null} must be absent) or from a before-image (exact).
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
 * @param cleared   document keys of settings the port must not have ({@code ipv4: null} ..., see
 *                  {@link dev.ovs.netstate.internal.doc.Doc.ContainerPort#cleared()}); empty for a before-image
 */
public record PortTarget(String path, String container, String iface, boolean present, String bridge, Attachment settings,
        boolean exact, boolean vlanGiven, Long vlan, java.util.Set<String> cleared) {
    /** @param cleared copied */
    public PortTarget {
        cleared = java.util.Set.copyOf(cleared);
    }

    /** @return {@code container/iface} */
    public String key() {
        return container + "/" + iface;
    }
}
