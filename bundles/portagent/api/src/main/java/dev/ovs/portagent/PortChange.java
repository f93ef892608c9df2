package dev.ovs.portagent;

import dev.ovs.ovsdb.vswitch.VlanTag;

/**
 * One change of a batch ({@link PortAgent#apply(java.util.List, String)}): attach a container port
 * (ovs-docker add-port), detach one (del-port) or set its access VLAN (set-vlan). Every change names its
 * port as ovs-docker does, by bridge, interface in the container and container reference; the bridge of
 * {@link Detach} and {@link SetVlan} is checked for syntax only (ovs-docker ignores it). The components are
 * unvalidated text, checked by the agent before any side effect.
 */
public sealed interface PortChange permits PortChange.Attach, PortChange.Detach, PortChange.SetVlan {
    /** @return bridge name ({@link dev.ovs.base.InterfaceName}) */
    String bridge();

    /** @return interface name inside the container ({@link dev.ovs.base.InterfaceName}) */
    String iface();

    /** @return container ID or name, {@code pid:N} or {@code netns:NAME} ({@link ContainerRef}) */
    String container();

    /**
     * Attach: a veth pair with the container's end named {@code iface}, the host end {@code <13 hex>_l} a
     * port of {@code bridge} (created if missing) with the settings.
     *
     * @param bridge    bridge name
     * @param iface     interface name in the container
     * @param container container reference
     * @param settings  address, MAC, gateway, MTU, access VLAN; null means {@link PortSettings#NONE}
     */
    record Attach(String bridge, String iface, String container, PortSettings settings) implements PortChange {
        /** A null {@code settings} becomes {@link PortSettings#NONE}. */
        public Attach {
            settings = settings == null ? PortSettings.NONE : settings;
        }
    }

    /**
     * Detach: the port leaves OVSDB and its veth pair is deleted (the container's end with it).
     *
     * @param bridge    bridge name (syntax only)
     * @param iface     interface name in the container
     * @param container the container reference the port was attached with
     */
    record Detach(String bridge, String iface, String container) implements PortChange {
    }

    /**
     * Set the Port {@code tag} of an attached port.
     *
     * @param bridge    bridge name (syntax only)
     * @param iface     interface name in the container
     * @param container the container reference the port was attached with
     * @param vlan      the access VLAN, or null to clear the tag (the port then carries every VLAN)
     */
    record SetVlan(String bridge, String iface, String container, VlanTag vlan) implements PortChange {
    }
}
