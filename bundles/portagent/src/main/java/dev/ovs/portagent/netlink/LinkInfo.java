package dev.ovs.portagent.netlink;

/**
 * One network interface as the kernel reports it in {@code RTM_NEWLINK} (rtnetlink(7)).
 *
 * @param index       ifindex, &gt; 0, unique within its namespace
 * @param name        {@code IFLA_IFNAME}
 * @param flags       {@code ifi_flags} ({@code IFF_*}, netdevice(7))
 * @param mtu         {@code IFLA_MTU} in bytes, 0 if absent
 * @param mac         {@code IFLA_ADDRESS} as lower-case {@code aa:bb:cc:dd:ee:ff} (any length), or null
 * @param kind        {@code IFLA_INFO_KIND} (e.g. {@code "veth"}, {@code "openvswitch"}), or null for
 *                    devices without one (e.g. {@code lo})
 * @param masterIndex {@code IFLA_MASTER}, 0 if none
 * @param linkIndex   {@code IFLA_LINK} (for a veth: the peer's ifindex, possibly in another namespace),
 *                    0 if absent
 * @param linkNetnsId {@code IFLA_LINK_NETNSID} (peer's namespace id as seen from here), -1 if absent
 * @param operState   {@code IFLA_OPERSTATE} (RFC 2863: 0 unknown, 2 down, 6 up, ...)
 * @param alias       {@code IFLA_IFALIAS}, or null
 */
public record LinkInfo(int index, String name, int flags, int mtu, String mac, String kind, int masterIndex,
        int linkIndex, int linkNetnsId, int operState, String alias) {

    /** {@code IFF_UP}: administratively up. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_LOWER_UP}: carrier. */
    public static final int IFF_LOWER_UP = 0x10000;

    /** @return whether {@code IFF_UP} is set */
    public boolean up() {
        return (flags & IFF_UP) != 0;
    }
}
