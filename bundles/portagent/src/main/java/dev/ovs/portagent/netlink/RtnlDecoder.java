package dev.ovs.portagent.netlink;

import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decoding of the kernel's rtnetlink replies (rtnetlink(7), netlink(7), include/uapi/linux/{if_link,if_addr,
 * rtnetlink,netlink}.h): {@code RTM_NEWLINK}, {@code RTM_NEWADDR} and {@code RTM_NEWROUTE} into {@link LinkInfo},
 * {@link AddressInfo} and {@link RouteInfo}, and {@code NLMSG_ERROR} into its errno and extended-ack text. Each
 * decoder throws {@link IllegalArgumentException} ("malformed ...") for bytes that are not a well-formed message;
 * {@link #decoded} turns that into {@link NetlinkException} {@code EPROTO}.
 */
final class RtnlDecoder {
    private RtnlDecoder() {
    }

    /**
     * Runs a decoder; a malformed reply is {@code EPROTO} naming the operation and the decoder's reason.
     *
     * @param op     the operation, for the error
     * @param object the object, for the error
     * @param decode the decoder
     * @param <T>    what it decodes to
     * @return what it decoded
     * @throws NetlinkException {@code EPROTO} if it throws {@link IllegalArgumentException}
     */
    static <T> T decoded(String op, String object, Supplier<T> decode) throws NetlinkException {
        try {
            return decode.get();
        } catch (IllegalArgumentException e) {
            throw new NetlinkException(op, object, 71, e.getMessage(), e);
        }
    }

    /**
     * @param m an {@code NLMSG_ERROR} message
     * @return its {@code nlmsgerr.error}: 0 for an acknowledgement, else a negative errno
     * @throws IllegalArgumentException if the payload is shorter than 4 bytes (malformed)
     */
    static int ackError(NlMessage m) {
        return m.payload("nlmsgerr", 4).getInt(0);
    }

    /**
     * @param m an {@code NLMSG_ERROR} message
     * @return the extended-ack text ({@code NLMSGERR_ATTR_MSG}, after the echoed request or, with
     *         {@code NLM_F_CAPPED}, its header), or null if there is none or the layout does not hold one
     */
    static String extAck(NlMessage m) {
        if ((m.flags() & Nl.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        ByteBuffer p = m.payload();
        if (p.limit() < 20) {
            return null;
        }
        long origLen = p.getInt(4) & 0xFFFFFFFFL;
        long off = 4 + ((m.flags() & Nl.NLM_F_CAPPED) != 0 ? Nl.NLMSG_HDRLEN : ((origLen + 3) & ~3L));
        if (off > p.limit()) {
            return null;
        }
        ByteBuffer msg = NlMessage.attrs(p, (int) off, p.limit()).get(Nl.NLMSGERR_ATTR_MSG);
        return msg == null ? null : NlMessage.string(msg);
    }

    /**
     * Decodes an {@code RTM_NEWLINK} message: {@code struct ifinfomsg} (16 bytes) and the {@code IFLA_*} attributes
     * of {@link LinkInfo} (rtnetlink(7)).
     *
     * @param m the message
     * @return the link
     * @throws IllegalArgumentException if the message is malformed (payload shorter than {@code ifinfomsg}, a
     *                                  {@code u32}/{@code u8} attribute shorter than its type)
     */
    static LinkInfo parseLink(NlMessage m) {
        ByteBuffer p = m.payload("ifinfomsg", 16);
        int index = p.getInt(4);
        int flags = p.getInt(8);
        Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 16, p.limit());
        String name = a.containsKey(Nl.IFLA_IFNAME) ? NlMessage.string(a.get(Nl.IFLA_IFNAME)) : "";
        int mtu = a.containsKey(Nl.IFLA_MTU) ? NlMessage.u32(a.get(Nl.IFLA_MTU)) : 0;
        String mac = null;
        if (a.containsKey(Nl.IFLA_ADDRESS)) {
            byte[] raw = NlMessage.bytes(a.get(Nl.IFLA_ADDRESS));
            StringBuilder sb = new StringBuilder();
            for (byte x : raw) {
                sb.append(sb.length() == 0 ? "" : ":").append(String.format(Locale.ROOT, "%02x", x & 0xFF));
            }
            mac = sb.toString();
        }
        String kind = null;
        if (a.containsKey(Nl.IFLA_LINKINFO)) {
            Map<Integer, ByteBuffer> li = NlMessage.attrs(a.get(Nl.IFLA_LINKINFO));
            if (li.containsKey(Nl.IFLA_INFO_KIND)) {
                kind = NlMessage.string(li.get(Nl.IFLA_INFO_KIND));
            }
        }
        int master = a.containsKey(Nl.IFLA_MASTER) ? NlMessage.u32(a.get(Nl.IFLA_MASTER)) : 0;
        int link = a.containsKey(Nl.IFLA_LINK) ? NlMessage.u32(a.get(Nl.IFLA_LINK)) : 0;
        int nsid = a.containsKey(Nl.IFLA_LINK_NETNSID) ? NlMessage.u32(a.get(Nl.IFLA_LINK_NETNSID)) : -1;
        int oper = a.containsKey(Nl.IFLA_OPERSTATE) ? NlMessage.u8(a.get(Nl.IFLA_OPERSTATE)) : 0;
        String alias = a.containsKey(Nl.IFLA_IFALIAS) ? NlMessage.string(a.get(Nl.IFLA_IFALIAS)) : null;
        return new LinkInfo(index, name, flags, mtu, mac, kind, master, link, nsid, oper, alias);
    }

    /**
     * The link group of an {@code RTM_NEWLINK} message ({@code IFLA_GROUP}, a {@code u32}, linux/if_link.h).
     *
     * @param m the message
     * @return the group, or null if the message carries none
     * @throws IllegalArgumentException if the message is malformed (payload shorter than {@code ifinfomsg}, an
     *                                  {@code IFLA_GROUP} shorter than 4 bytes)
     */
    static Integer linkGroup(NlMessage m) {
        ByteBuffer g = NlMessage.attrs(m.payload("ifinfomsg", 16), 16, m.payload("ifinfomsg", 16).limit()).get(Nl.IFLA_GROUP);
        return g == null ? null : NlMessage.u32(g);
    }

    /**
     * Decodes an {@code RTM_NEWADDR} message: {@code struct ifaddrmsg} (8 bytes), {@code IFA_LOCAL} (else
     * {@code IFA_ADDRESS}), {@code IFA_LABEL} (rtnetlink(7)).
     *
     * @param m the message
     * @return the address, or null if the message carries none
     * @throws IllegalArgumentException if the message is malformed (payload shorter than {@code ifaddrmsg}, an
     *                                  address attribute neither 4 nor 16 bytes)
     */
    static AddressInfo parseAddress(NlMessage m) {
        ByteBuffer p = m.payload("ifaddrmsg", 8);
        int prefix = p.get(1) & 0xFF;
        int scope = p.get(3) & 0xFF;
        int index = p.getInt(4);
        Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 8, p.limit());
        ByteBuffer addr = a.containsKey(Nl.IFA_LOCAL) ? a.get(Nl.IFA_LOCAL) : a.get(Nl.IFA_ADDRESS);
        if (addr == null) {
            return null;
        }
        String label = a.containsKey(Nl.IFA_LABEL) ? NlMessage.string(a.get(Nl.IFA_LABEL)) : null;
        return new AddressInfo(index, inet(addr), prefix, scope, label);
    }

    /**
     * Decodes an {@code RTM_NEWROUTE} message: {@code struct rtmsg} (12 bytes), {@code RTA_TABLE} (overrides the
     * 8-bit {@code rtm_table}), {@code RTA_DST}, {@code RTA_GATEWAY}, {@code RTA_OIF} (rtnetlink(7)).
     *
     * @param m the message
     * @return the route
     * @throws IllegalArgumentException if the message is malformed (payload shorter than {@code rtmsg}, a
     *                                  {@code u32} attribute shorter than 4 bytes, an address neither 4 nor 16 bytes)
     */
    static RouteInfo parseRoute(NlMessage m) {
        ByteBuffer p = m.payload("rtmsg", 12);
        int fam = p.get(0) & 0xFF;
        int dstLen = p.get(1) & 0xFF;
        int table = p.get(4) & 0xFF;
        int proto = p.get(5) & 0xFF;
        int scope = p.get(6) & 0xFF;
        int type = p.get(7) & 0xFF;
        Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 12, p.limit());
        if (a.containsKey(Nl.RTA_TABLE)) {
            table = NlMessage.u32(a.get(Nl.RTA_TABLE));
        }
        return new RouteInfo(fam, a.containsKey(Nl.RTA_DST) ? inet(a.get(Nl.RTA_DST)) : null, dstLen,
                a.containsKey(Nl.RTA_GATEWAY) ? inet(a.get(Nl.RTA_GATEWAY)) : null,
                a.containsKey(Nl.RTA_OIF) ? NlMessage.u32(a.get(Nl.RTA_OIF)) : 0, table, proto, scope, type);
    }

    private static InetAddress inet(ByteBuffer a) {
        try {
            return InetAddress.getByAddress(NlMessage.bytes(a));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address attribute of " + a.limit() + " bytes", e);
        }
    }
}
