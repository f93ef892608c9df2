package dev.ovs.portagent;

import dev.ovs.ovsdb.vswitch.VlanTag;

/**
 * A container port on an OVS bridge, found by its Interface {@code external_ids} (made by Patchbay
 * or by ovs-docker).
 *
 * @param port           host-side port/interface name ({@code <13 hex>_l} when made by either tool)
 * @param bridge         bridge holding the port, or null if the port row is gone
 * @param containerId    {@code external_ids:container_id} (the container reference as given)
 * @param containerIface {@code external_ids:container_iface}
 * @param tag            Port {@code tag} (access VLAN), or null
 */
public record ContainerPort(String port, String bridge, String containerId, String containerIface, VlanTag tag) {
}
