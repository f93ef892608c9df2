package dev.ovs.netstate.internal.doc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * A parsed, validated state document (docs/state.md). Every field that the document does not give is null
 * ("leave alone"); a given field is the exact value of its Open vSwitch column (ovs-vswitchd.conf.db(5)) or
 * of the port agent's setting. Where a document's explicit {@code null} removes a value (an interface's {@code mtu},
 * a container port's {@code vlan} and settings) a flag or set of the record says so.
 *
 * @param interfaces     the Open vSwitch entries of {@code interfaces[]} in document order ({@code ovs-bridge},
 *                       {@code ovs-interface}, {@code ethernet})
 * @param containerPorts the {@code container-ports[]} entries in document order (empty when not given)
 * @param links          the systemd-networkd part of {@code interfaces[]} in document order: {@code vlan} entries
 *                       and the {@code ipv4}/{@code ipv6} of {@code ethernet} and {@code ovs-interface} entries (whose
 *                       Open vSwitch part is in {@code interfaces})
 * @param routes         the {@code routes.config[]} entries in document order
 */
public record Doc(List<Entry> interfaces, List<ContainerPort> containerPorts, List<Link> links, List<Route> routes) {
    /**
     * @param interfaces     entries (copied)
     * @param containerPorts container port entries (copied)
     * @param links          networkd link entries (copied)
     * @param routes         route entries (copied)
     */
    public Doc {
        interfaces = List.copyOf(interfaces);
        containerPorts = List.copyOf(containerPorts);
        links = List.copyOf(links);
        routes = List.copyOf(routes);
    }

    /**
     * @param interfaces     entries (copied)
     * @param containerPorts container port entries (copied)
     */
    public Doc(List<Entry> interfaces, List<ContainerPort> containerPorts) {
        this(interfaces, containerPorts, List.of(), List.of());
    }

    /** @param interfaces entries (copied); nothing else */
    public Doc(List<Entry> interfaces) {
        this(interfaces, List.of());
    }

    /**
     * The addresses of one IP family of a link ({@code ipv4} or {@code ipv6}, nmstate's shape), as systemd-networkd
     * configures them (systemd.network(5) {@code Address=}, {@code DHCP=}).
     *
     * @param enabled   false: no address and no DHCP of this family
     * @param dhcp      whether DHCP (DHCPv4, or DHCPv6) runs
     * @param addresses static addresses {@code ADDRESS/PREFIX} in canonical form (RFC 5952 for IPv6), in document order
     */
    public record Ip(boolean enabled, boolean dhcp, List<String> addresses) {
        /** @param addresses copied */
        public Ip {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The systemd-networkd part of an {@code interfaces[]} entry: a {@code vlan} netdev (systemd.netdev(5)
     * {@code Kind=vlan}, {@code [VLAN] Id=}, listed as {@code VLAN=} in its base link's {@code .network}), and the
     * addresses of a link. Patchbay writes these as its own files ({@code 10-patchbay-<name>.network},
     * {@code 10-patchbay-<name>.netdev}); it never touches files it does not own.
     *
     * @param path     document path of the entry, e.g. {@code interfaces[4]}
     * @param name     link name
     * @param kind     {@code vlan}, {@code ethernet} or {@code ovs-interface}
     * @param absent   {@code state: absent} (vlan only: Patchbay's files of the VLAN are removed and its {@code VLAN=} line;
     *                 an absent {@code ethernet}/{@code ovs-interface} entry is no Link, it removes Patchbay's
     *                 {@code .network} of that name too)
     * @param vlanBase {@code vlan.base-iface} (vlan only), else null
     * @param vlanId   {@code vlan.id} 0..4094 (vlan only), else null
     * @param ipv4     {@code ipv4}, or null: not given
     * @param ipv6     {@code ipv6}, or null: not given
     */
    public record Link(String path, String name, String kind, boolean absent, String vlanBase, Long vlanId, Ip ipv4, Ip ipv6) {
        /** {@code type: vlan}. */
        public static final String VLAN = "vlan";
    }

    /**
     * One {@code routes.config[]} entry (nmstate's shape): a static route, written as a {@code [Route]} section of the
     * {@code .network} file of {@code nextHopInterface}.
     *
     * @param path             document path, e.g. {@code routes.config[0]}
     * @param destination      {@code destination} {@code ADDRESS/PREFIX}, canonical
     * @param nextHopAddress   {@code next-hop-address} (same family), or null (a link-scope route)
     * @param nextHopInterface {@code next-hop-interface}
     * @param metric           {@code metric} 0..4294967295, or null
     * @param absent           {@code state: absent}: the routes of that interface matching the given fields are removed
     */
    public record Route(String path, String destination, String nextHopAddress, String nextHopInterface, Long metric,
            boolean absent) {
    }

    /**
     * One {@code container-ports[]} entry: a port of the port agent (ovs-docker's add-port), named like
     * ovs-docker names it, by container and interface inside the container. Settings are in their canonical text
     * form; null: not given, or given as {@code null} (then named in {@code cleared}).
     *
     * @param path      document path, e.g. {@code container-ports[3]}
     * @param container container ID or name, {@code pid:N} or {@code netns:NAME} (as the port agent stores it in
     *                  {@code external_ids:container_id})
     * @param iface     interface name inside the container
     * @param absent    {@code state: absent}: the port is detached (its veth pair deleted)
     * @param bridge    the bridge the port must be on; null only when absent
     * @param ipv4      {@code ADDRESS/PREFIX} of the container's interface (IPv4), or null
     * @param ipv6      {@code ADDRESS/PREFIX} (IPv6, RFC 5952 form), or null
     * @param mac       MAC address of the container's interface, lower case, or null
     * @param mtu       MTU of the veth pair, 68..65535, or null
     * @param gateway   default gateway inside the container, or null
     * @param vlanGiven whether {@code vlan} is given ({@code vlan: null} is given: no tag)
     * @param vlan      access VLAN (Port {@code tag}) 0..4095, or null for none
     * @param cleared   the settings given as {@code null} (a subset of {@link #SETTINGS}; their field is null): the port
     *                  must not have them (a port the network state attached is attached again without them; on a new
     *                  port, not set)
     */
    public record ContainerPort(String path, String container, String iface, boolean absent, String bridge, String ipv4,
            String ipv6, String mac, Long mtu, String gateway, boolean vlanGiven, Long vlan, Set<String> cleared) {
        /** The settings of a port that the port agent sets only when it attaches it, in document order. */
        public static final List<String> SETTINGS = List.of("ipv4", "ipv6", "mac", "mtu", "gateway");

        /**
         * @param cleared copied; each must be one of {@link #SETTINGS} whose field is null
         * @throws IllegalArgumentException for another key, or a key that also has a value
         */
        public ContainerPort {
            cleared = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(cleared));
            for (String k : cleared) {
                int i = SETTINGS.indexOf(k);
                if (i < 0) {
                    throw new IllegalArgumentException("cleared: not a setting: " + k);
                }
                if (new Object[] {ipv4, ipv6, mac, mtu, gateway}[i] != null) {
                    throw new IllegalArgumentException("cleared: " + k + " has a value");
                }
            }
        }

        /**
         * An entry that clears nothing (every null setting: not given).
         *
         * @param path      document path
         * @param container container reference
         * @param iface     interface inside the container
         * @param absent    {@code state: absent}
         * @param bridge    bridge, null only when absent
         * @param ipv4      IPv4 {@code ADDRESS/PREFIX}, or null
         * @param ipv6      IPv6 {@code ADDRESS/PREFIX}, or null
         * @param mac       MAC address, or null
         * @param mtu       MTU, or null
         * @param gateway   default gateway, or null
         * @param vlanGiven whether {@code vlan} is given
         * @param vlan      access VLAN, or null for none
         */
        public ContainerPort(String path, String container, String iface, boolean absent, String bridge, String ipv4,
                String ipv6, String mac, Long mtu, String gateway, boolean vlanGiven, Long vlan) {
            this(path, container, iface, absent, bridge, ipv4, ipv6, mac, mtu, gateway, vlanGiven, vlan, Set.of());
        }

        /** @return {@code container/iface}, the name of the port in changes */
        public String key() {
            return container + "/" + iface;
        }
    }

    /** One {@code interfaces[]} entry. */
    public sealed interface Entry permits Bridge, Iface {
        /** @return the document path of the entry, e.g. {@code interfaces[2]} */
        String path();

        /** @return the name */
        String name();

        /** @return true for {@code state: absent} */
        boolean absent();
    }

    /**
     * {@code type: ovs-bridge}: an OVSDB Bridge row.
     *
     * @param path        document path
     * @param name        bridge name
     * @param absent      {@code state: absent}: the bridge and its ports are removed
     * @param datapath    {@code bridge.options.datapath} → {@code datapath_type} ("" clears), null: not given
     * @param failMode    {@code bridge.options.fail-mode} → {@code fail_mode} (standalone, secure; "" clears), null: not given
     * @param ports       {@code bridge.port[]}: ports that must be on this bridge (others stay), null: not given
     * @param externalIds {@code ovs-db.external_ids}: keys to set (value) or remove (null value), null: not given
     */
    public record Bridge(String path, String name, boolean absent, String datapath, String failMode, List<Port> ports,
            Map<String, String> externalIds) implements Entry {
    }

    /**
     * One {@code bridge.port[]} entry: an OVSDB Port row (created with one Interface row of the same name).
     *
     * @param path        document path, e.g. {@code interfaces[0].bridge.port[1]}
     * @param name        port name
     * @param vlan        VLAN columns, null: not given
     * @param externalIds {@code ovs-db.external_ids} of the Port row, null: not given
     */
    public record Port(String path, String name, Vlan vlan, Map<String, String> externalIds) {
    }

    /**
     * The VLAN columns of a Port row, exactly (a given {@code vlan} sets all three).
     *
     * @param mode   {@code vlan_mode}: access, trunk, native-tagged, native-untagged, dot1q-tunnel; null: empty
     *               (Open vSwitch's implicit rule: access when a tag is set, else trunk)
     * @param tag    {@code tag} 0..4095, null: empty
     * @param trunks {@code trunks}, each 0..4095; empty: none (all VLANs in trunk mode)
     */
    public record Vlan(String mode, Long tag, SortedSet<Long> trunks) {
        /** @param trunks copied */
        public Vlan {
            trunks = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(trunks));
        }
    }

    /**
     * {@code type: ovs-interface} (internal, patch or tunnel Interface row) or {@code type: ethernet} (an
     * Interface row on an existing kernel device, type ""). The port of that name must exist or be listed in
     * a {@code bridge.port}.
     *
     * @param path        document path
     * @param name        interface name
     * @param kind        {@link #OVS_INTERFACE} or {@link #ETHERNET}
     * @param absent      {@code state: absent}: the port of that name is removed (the kernel device of an
     *                    ethernet port stays)
     * @param ovsType     the Interface {@code type}: internal, patch, a tunnel type, or "" (ethernet); null when absent
     * @param options     the Interface {@code options} exactly ({@code patch.peer}, {@code tunnel.options});
     *                    null: not given (ethernet, absent)
     * @param mtu         {@code mtu} → {@code mtu_request}, 68..65535; null: not given, or cleared
     * @param externalIds {@code ovs-db.external_ids}, null: not given
     * @param ingressPolicing {@code ingress-policing} → {@code ingress_policing_rate} and {@code ingress_policing_burst};
     *                    null: not given
     * @param mtuCleared  {@code mtu: null}: {@code mtu_request} must be empty (then {@code mtu} is null)
     */
    public record Iface(String path, String name, String kind, boolean absent, String ovsType, Map<String, String> options,
            Long mtu, Map<String, String> externalIds, IngressPolicing ingressPolicing, boolean mtuCleared) implements Entry {
        /** {@code type: ovs-interface}. */
        public static final String OVS_INTERFACE = "ovs-interface";
        /** {@code type: ethernet}. */
        public static final String ETHERNET = "ethernet";

        /** @throws IllegalArgumentException for {@code mtuCleared} with an {@code mtu} */
        public Iface {
            if (mtuCleared && mtu != null) {
                throw new IllegalArgumentException("mtuCleared with mtu " + mtu);
            }
        }

        /**
         * An entry that does not clear its {@code mtu}.
         *
         * @param path        document path
         * @param name        interface name
         * @param kind        {@link #OVS_INTERFACE} or {@link #ETHERNET}
         * @param absent      {@code state: absent}
         * @param ovsType     the Interface {@code type}, null when absent
         * @param options     the Interface {@code options} exactly, null: not given
         * @param mtu         {@code mtu_request}, null: not given
         * @param externalIds {@code ovs-db.external_ids}, null: not given
         * @param ingressPolicing {@code ingress-policing}, null: not given
         */
        public Iface(String path, String name, String kind, boolean absent, String ovsType, Map<String, String> options,
                Long mtu, Map<String, String> externalIds, IngressPolicing ingressPolicing) {
            this(path, name, kind, absent, ovsType, options, mtu, externalIds, ingressPolicing, false);
        }

        /**
         * An entry without {@code ingress-policing}.
         *
         * @param path        document path
         * @param name        interface name
         * @param kind        {@link #OVS_INTERFACE} or {@link #ETHERNET}
         * @param absent      {@code state: absent}
         * @param ovsType     the Interface {@code type}, null when absent
         * @param options     the Interface {@code options} exactly, null: not given
         * @param mtu         {@code mtu_request}, null: not given
         * @param externalIds {@code ovs-db.external_ids}, null: not given
         */
        public Iface(String path, String name, String kind, boolean absent, String ovsType, Map<String, String> options,
                Long mtu, Map<String, String> externalIds) {
            this(path, name, kind, absent, ovsType, options, mtu, externalIds, null, false);
        }
    }

    /**
     * {@code ingress-policing}: the rate limit of what the interface's peer (the container or VM behind it, or the
     * network behind a kernel device) sends into the bridge, enforced by Open vSwitch's ingress policing on the
     * Interface (ovs-vswitchd.conf.db(5), "Ingress Policing": Open vSwitch's "ingress" is traffic received from
     * the interface, which is the peer's egress). Packets over the rate are dropped.
     *
     * @param rateKbps {@code rate-kbps} → {@code ingress_policing_rate}, kbit/s, 0..4294967295; 0: no limit
     * @param burstKb  {@code burst-kb} → {@code ingress_policing_burst}, kbit, 0..4294967295; 0 (or not given):
     *                 ovs-vswitchd's default burst (8000 kbit)
     */
    public record IngressPolicing(long rateKbps, long burstKb) {
    }
}
