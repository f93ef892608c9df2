package dev.ovs.portagent.netlink;

import dev.ovs.base.InterfaceName;
import dev.ovs.portagent.Validate;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Changes applied to an existing link by one {@code RTM_NEWLINK} request (what
 * {@code ip link set DEV ...} does, ip-link(8)). The kernel applies them in this order: move to
 * namespace, MAC, MTU, rename, then up/down; kernels before 6.2 rename only a link that is down (it is
 * down after a move).
 * Immutable; build with the {@code with...} methods starting from {@link #none()}.
 */
public final class LinkChange {
    private final NetNamespace netns;
    private final String newName;
    private final Integer mtu;
    private final String mac;
    private final Boolean up;
    private final String alias;

    private LinkChange(NetNamespace netns, String newName, Integer mtu, String mac, Boolean up) {
        this(netns, newName, mtu, mac, up, null);
    }

    private LinkChange(NetNamespace netns, String newName, Integer mtu, String mac, Boolean up, String alias) {
        this.netns = netns;
        this.newName = newName;
        this.mtu = mtu;
        this.mac = mac;
        this.up = up;
        this.alias = alias;
    }

    /**
     * @param text interface alias ({@code IFLA_IFALIAS}, {@code ip link set DEV alias TEXT}), 1..255 bytes
     * @return a copy with the alias
     * @throws IllegalArgumentException if empty or longer than 255 bytes (IFALIASZ 256 with NUL)
     */
    public LinkChange withAlias(String text) {
        if (text == null || text.isEmpty() || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("alias: must be 1..255 bytes, got '" + text + "'");
        }
        return new LinkChange(netns, newName, mtu, mac, up, text);
    }

    /** @return alias, if any */
    public Optional<String> alias() {
        return Optional.ofNullable(alias);
    }

    /** @return a change that changes nothing */
    public static LinkChange none() {
        return new LinkChange(null, null, null, null, null);
    }

    /**
     * @param ns target namespace ({@code IFLA_NET_NS_FD}); the link's addresses are lost by the move
     * @return a copy with the move
     */
    public LinkChange withNetns(NetNamespace ns) {
        return new LinkChange(ns, newName, mtu, mac, up, alias);
    }

    /**
     * @param name new name ({@code IFLA_IFNAME}), 1..15 bytes, see {@link InterfaceName#check(String, String)}
     * @return a copy with the rename
     * @throws IllegalArgumentException if the name is invalid
     */
    public LinkChange withName(String name) {
        InterfaceName.check("new name", name);
        return new LinkChange(netns, name, mtu, mac, up, alias);
    }

    /**
     * @param bytes MTU in bytes, 68..65535 (the device may restrict further)
     * @return a copy with the MTU
     * @throws IllegalArgumentException if out of range
     */
    public LinkChange withMtu(int bytes) {
        if (bytes < 68 || bytes > 65535) {
            throw new IllegalArgumentException("mtu: must be 68..65535 bytes, got " + bytes);
        }
        return new LinkChange(netns, newName, bytes, mac, up, alias);
    }

    /**
     * @param address unicast MAC {@code aa:bb:cc:dd:ee:ff}
     * @return a copy with the MAC
     * @throws IllegalArgumentException if not six hex octets separated by ':' or multicast
     */
    public LinkChange withMac(String address) {
        Validate.macOctets("mac", address);
        return new LinkChange(netns, newName, mtu, address.toLowerCase(java.util.Locale.ROOT), up, alias);
    }

    /**
     * @param isUp true to set {@code IFF_UP}, false to clear it
     * @return a copy with the admin state
     */
    public LinkChange withUp(boolean isUp) {
        return new LinkChange(netns, newName, mtu, mac, isUp, alias);
    }

    /** @return target namespace, if any */
    public Optional<NetNamespace> netns() {
        return Optional.ofNullable(netns);
    }

    /** @return new name, if any */
    public Optional<String> newName() {
        return Optional.ofNullable(newName);
    }

    /** @return MTU, if any */
    public OptionalInt mtu() {
        return mtu == null ? OptionalInt.empty() : OptionalInt.of(mtu);
    }

    /** @return MAC, if any */
    public Optional<String> mac() {
        return Optional.ofNullable(mac);
    }

    /** @return desired admin state, if any */
    public Optional<Boolean> up() {
        return Optional.ofNullable(up);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (netns != null) {
            sb.append(" netns ").append(netns);
        }
        if (mac != null) {
            sb.append(" address ").append(mac);
        }
        if (mtu != null) {
            sb.append(" mtu ").append(mtu);
        }
        if (newName != null) {
            sb.append(" name ").append(newName);
        }
        if (alias != null) {
            sb.append(" alias ").append(alias);
        }
        if (up != null) {
            sb.append(up ? " up" : " down");
        }
        return sb.length() == 0 ? "(no change)" : sb.substring(1);
    }
}
