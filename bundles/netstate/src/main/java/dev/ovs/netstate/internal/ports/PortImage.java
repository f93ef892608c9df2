package dev.ovs.netstate.internal.ports;

/**
 * The before-image of a container port in the journal.
 *
 * @param container container reference (as stored in {@code external_ids:container_id})
 * @param iface     interface name inside the container
 * @param existed   whether the port existed before the apply
 * @param hostPort  the host-side port name then, or null
 * @param bridge    its bridge then, or null
 * @param tag       its access VLAN then, or null
 * @param settings  its recorded {@link Attachment} text then, or null when not recorded
 */
public record PortImage(String container, String iface, boolean existed, String hostPort, String bridge, Long tag,
        String settings) {
    /** @return {@code container/iface} */
    public String key() {
        return container + "/" + iface;
    }
}
