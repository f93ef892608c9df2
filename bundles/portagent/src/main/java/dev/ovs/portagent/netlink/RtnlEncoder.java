package dev.ovs.portagent.netlink;

import dev.ovs.portagent.Validate;
import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The rtnetlink requests {@link RtNetlink} sends (rtnetlink(7), include/uapi/linux/{if_link,if_addr,rtnetlink,
 * veth}.h): {@code RTM_GETLINK}/{@code RTM_NEWLINK}/{@code RTM_DELLINK} with {@code struct ifinfomsg} and
 * {@code IFLA_*} attributes, {@code RTM_NEWADDR}/{@code RTM_GETADDR} with {@code struct ifaddrmsg} and
 * {@code IFA_*}, {@code RTM_NEWROUTE}/{@code RTM_GETROUTE} with {@code struct rtmsg} and {@code RTA_*}. Each
 * method returns the unsent message; {@link RtnlSocket#request} numbers and sends it. Names are checked by the
 * caller; a MAC is checked here ({@link Validate#macOctets}) as it is encoded.
 */
final class RtnlEncoder {
    private RtnlEncoder() {
    }

    /** @return {@code AF_INET} for an IPv4 address, else {@code AF_INET6} */
    static int family(InetAddress a) {
        return a instanceof Inet4Address ? Nl.AF_INET : Nl.AF_INET6;
    }

    /** @return {@code RTM_GETLINK} with {@code NLM_F_DUMP}: all links ({@code ip link show}) */
    static NlBuilder dumpLinks() {
        return new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
    }

    /**
     * @param name interface name
     * @return {@code RTM_GETLINK} of one link by {@code IFLA_IFNAME} ({@code ip link show NAME})
     */
    static NlBuilder getLink(String name) {
        return new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
    }

    /**
     * A veth pair (veth(4)): {@code RTM_NEWLINK} with {@code NLM_F_CREATE|NLM_F_EXCL}, {@code IFLA_IFNAME}, the
     * local end's {@code IFLA_MTU} and {@code IFLA_ADDRESS}, then {@code IFLA_LINKINFO} {@code {IFLA_INFO_KIND
     * "veth", IFLA_INFO_DATA {VETH_INFO_PEER {ifinfomsg, IFLA_IFNAME, IFLA_NET_NS_FD, IFLA_MTU, IFLA_ADDRESS}}}}.
     *
     * @param name      local end
     * @param local     MTU (bytes) and MAC of the local end, if present
     * @param peerName  peer end
     * @param peerNsFd  open namespace file for the peer, or -1 for none
     * @param peer      MTU (bytes) and MAC of the peer, if present
     * @return the request
     * @throws IllegalArgumentException if a MAC is malformed or multicast (field {@code mac} / {@code peer mac})
     */
    static NlBuilder newVeth(String name, LinkChange local, String peerName, int peerNsFd, LinkChange peer) {
        NlBuilder b = new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0).attrString(Nl.IFLA_IFNAME, name);
        if (local.mtu().isPresent()) {
            b.attrU32(Nl.IFLA_MTU, local.mtu().getAsInt());
        }
        if (local.mac().isPresent()) {
            b.attr(Nl.IFLA_ADDRESS, Validate.macOctets("mac", local.mac().get()));
        }
        int li = b.nestStart(Nl.IFLA_LINKINFO);
        b.attrString(Nl.IFLA_INFO_KIND, "veth");
        int data = b.nestStart(Nl.IFLA_INFO_DATA);
        int p = b.nestStart(Nl.VETH_INFO_PEER);
        b.ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
        b.attrString(Nl.IFLA_IFNAME, peerName);
        if (peerNsFd >= 0) {
            b.attrU32(Nl.IFLA_NET_NS_FD, peerNsFd);
        }
        if (peer.mtu().isPresent()) {
            b.attrU32(Nl.IFLA_MTU, peer.mtu().getAsInt());
        }
        if (peer.mac().isPresent()) {
            b.attr(Nl.IFLA_ADDRESS, Validate.macOctets("peer mac", peer.mac().get()));
        }
        return b.nestEnd(p).nestEnd(data).nestEnd(li);
    }

    /**
     * A change of an existing link: {@code RTM_NEWLINK} without {@code NLM_F_CREATE}; {@code ifi_flags} and
     * {@code ifi_change} carry {@code IFF_UP} if {@link LinkChange#up()} is set; then {@code IFLA_IFNAME} (the new
     * name, or the current one), {@code IFLA_NET_NS_FD}, {@code IFLA_ADDRESS}, {@code IFLA_MTU} (bytes),
     * {@code IFLA_IFALIAS}, each only if set.
     *
     * @param index  {@code ifi_index} of the link (needed for a rename), or 0 to find it by {@code name}
     * @param name   current name
     * @param nsFd   open target namespace file, or -1 for none
     * @param change what to change
     * @return the request
     * @throws IllegalArgumentException if the MAC is malformed or multicast (field {@code mac})
     */
    static NlBuilder setLink(int index, String name, int nsFd, LinkChange change) {
        int flags = change.up().map(u -> u ? Nl.IFF_UP : 0).orElse(0);
        int mask = change.up().isPresent() ? Nl.IFF_UP : 0;
        NlBuilder b = new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
                .ifinfomsg(Nl.AF_UNSPEC, 0, index, flags, mask);
        b.attrString(Nl.IFLA_IFNAME, change.newName().orElse(name));
        if (nsFd >= 0) {
            b.attrU32(Nl.IFLA_NET_NS_FD, nsFd);
        }
        if (change.mac().isPresent()) {
            b.attr(Nl.IFLA_ADDRESS, Validate.macOctets("mac", change.mac().get()));
        }
        if (change.mtu().isPresent()) {
            b.attrU32(Nl.IFLA_MTU, change.mtu().getAsInt());
        }
        if (change.alias().isPresent()) {
            b.attrString(Nl.IFLA_IFALIAS, change.alias().get());
        }
        return b;
    }

    /**
     * @param name  link name
     * @param group link group number ({@code ip link set NAME group N})
     * @return {@code RTM_NEWLINK} with {@code IFLA_IFNAME} and {@code IFLA_GROUP}
     */
    static NlBuilder setLinkGroup(String name, int group) {
        return new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name).attrU32(Nl.IFLA_GROUP, group);
    }

    /**
     * @param name link name
     * @return {@code RTM_DELLINK} with {@code IFLA_IFNAME} ({@code ip link delete NAME})
     */
    static NlBuilder delLink(String name) {
        return new NlBuilder(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
    }

    /**
     * @param group link group number
     * @return {@code RTM_DELLINK} with {@code IFLA_GROUP} only ({@code ip link delete group N})
     */
    static NlBuilder delLinkGroup(int group) {
        return new NlBuilder(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrU32(Nl.IFLA_GROUP, group);
    }

    /**
     * @param address   IPv4 or IPv6 address
     * @param prefixLen prefix length, bits
     * @param index     {@code ifa_index} of the link
     * @return {@code RTM_NEWADDR} with {@code NLM_F_CREATE|NLM_F_EXCL}, {@code IFA_LOCAL} and {@code IFA_ADDRESS}
     *         both the address ({@code ip addr add ADDR/PREFIX dev NAME})
     */
    static NlBuilder newAddr(InetAddress address, int prefixLen, int index) {
        byte[] raw = address.getAddress();
        return new NlBuilder(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .ifaddrmsg(family(address), prefixLen, 0, 0, index).attr(Nl.IFA_LOCAL, raw).attr(Nl.IFA_ADDRESS, raw);
    }

    /** @return {@code RTM_GETADDR} with {@code NLM_F_DUMP}, both families */
    static NlBuilder dumpAddrs() {
        return new NlBuilder(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifaddrmsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
    }

    /**
     * A unicast route in the main table as ip-route(8) adds it: {@code RTM_NEWROUTE} with
     * {@code NLM_F_CREATE|NLM_F_EXCL}, {@code rtm_protocol} {@code RTPROT_BOOT}, scope {@code RT_SCOPE_UNIVERSE}
     * with a gateway else {@code RT_SCOPE_LINK}, then {@code RTA_DST}, {@code RTA_GATEWAY}, {@code RTA_OIF}, each if
     * given. The family is the gateway's, else the destination's, else {@code AF_INET}.
     *
     * @param destination network address, or null for default
     * @param dstLen      prefix length of the destination, bits (ignored for default)
     * @param gateway     next hop, or null
     * @param oif         output link index, or 0
     * @return the request
     */
    static NlBuilder newRoute(InetAddress destination, int dstLen, InetAddress gateway, int oif) {
        InetAddress any = gateway != null ? gateway : destination;
        int fam = any == null ? Nl.AF_INET : family(any);
        NlBuilder b = new NlBuilder(Nl.RTM_NEWROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .rtmsg(fam, destination == null ? 0 : dstLen, 0, 0, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT,
                        gateway == null ? Nl.RT_SCOPE_LINK : Nl.RT_SCOPE_UNIVERSE, Nl.RTN_UNICAST, 0);
        if (destination != null) {
            b.attr(Nl.RTA_DST, destination.getAddress());
        }
        if (gateway != null) {
            b.attr(Nl.RTA_GATEWAY, gateway.getAddress());
        }
        if (oif != 0) {
            b.attrU32(Nl.RTA_OIF, oif);
        }
        return b;
    }

    /** @return {@code RTM_GETROUTE} with {@code NLM_F_DUMP}, both families, all tables */
    static NlBuilder dumpRoutes() {
        return new NlBuilder(Nl.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).rtmsg(Nl.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
