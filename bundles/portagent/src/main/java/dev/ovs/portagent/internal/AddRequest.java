package dev.ovs.portagent.internal;

import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.Cidr;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.Validate;
import java.net.InetAddress;
import java.util.Map;

/**
 * A validated add-port request ({@link dev.ovs.portagent.PortAgent#addPort} and the attaches of a batch): every
 * field checked by {@link #validate} before any side effect.
 *
 * @param bridge  bridge ({@link InterfaceName})
 * @param iface   interface name in the container ({@link InterfaceName})
 * @param ref     the container
 * @param address the container end's address and prefix, or null
 * @param mac     the container end's MAC address, or null
 * @param gateway the container's default gateway (inside {@code address}'s network), or null
 * @param mtu     MTU of both ends, or null
 * @param vlan    Port {@code tag}, or null
 */
record AddRequest(String bridge, String iface, ContainerRef ref, Cidr address, String mac, InetAddress gateway,
        Integer mtu, VlanTag vlan) {

    /**
     * Checks an add-port request before any side effect.
     *
     * @param bridge    bridge name
     * @param iface     interface name in the container
     * @param container container reference ({@link ContainerRef#parse})
     * @param s         the settings (address, MAC, gateway, MTU, VLAN)
     * @return the request
     * @throws InvalidArgumentException naming the field and the rule
     */
    static AddRequest validate(String bridge, String iface, String container, PortSettings s) {
        InterfaceName.check("bridge", bridge);
        InterfaceName.check("interface", iface);
        ContainerRef ref = ContainerRef.parse("container", container);
        Cidr addr = s.ipaddress() == null ? null : Validate.cidr("ipaddress", s.ipaddress());
        String mac = s.macaddress() == null ? null : Validate.mac("macaddress", s.macaddress());
        InetAddress gw = s.gateway() == null ? null : Validate.gateway("gateway", s.gateway(), addr);
        Integer mtu = s.mtu() == null ? null : Validate.mtu("mtu", s.mtu());
        return new AddRequest(bridge, iface, ref, addr, mac, gw, mtu, s.vlan());
    }

    /** @return the Interface {@code external_ids} ovs-docker writes: {@code container_id}, {@code container_iface} */
    Map<String, String> externalIds() {
        return Map.of("container_id", ref.text(), "container_iface", iface);
    }
}
