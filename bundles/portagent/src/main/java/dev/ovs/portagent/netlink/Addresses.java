package dev.ovs.portagent.netlink;

import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The address operations of {@link RtNetlink} ({@code RTM_NEWADDR}, {@code RTM_GETADDR}; rtnetlink(7)): checking
 * the prefix length, resolving the link by name, building the {@code ifaddrmsg} request and reading replies into
 * {@link AddressInfo}; and the address-family helpers the route operations share.
 */
final class Addresses {
    private final NlSocket nl;
    private final Links links;

    Addresses(NlSocket nl, Links links) {
        this.nl = nl;
        this.links = links;
    }

    /** See {@link RtNetlink#addAddress(String, InetAddress, int)}. */
    void add(String name, InetAddress address, int prefixLen) throws NetlinkException {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLen < 0 || prefixLen > max) {
            throw new IllegalArgumentException("prefix length: must be 0.." + max + ", got " + prefixLen);
        }
        int index = links.require(name).index();
        byte[] raw = address.getAddress();
        NlBuilder b = new NlBuilder(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .ifaddrmsg(family(address), prefixLen, 0, 0, index).attr(Nl.IFA_LOCAL, raw).attr(Nl.IFA_ADDRESS, raw);
        nl.request(b, "add address " + address.getHostAddress() + "/" + prefixLen, "to " + links.obj(name));
    }

    /** @return every address of the namespace (both families), in kernel order */
    List<AddressInfo> dump() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifaddrmsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
        List<AddressInfo> out = new ArrayList<>();
        for (NlMessage m : nl.dump(b, "dump addresses")) {
            if (m.type() != Nl.RTM_NEWADDR) {
                continue;
            }
            ByteBuffer p = m.payload();
            int prefix = p.get(1) & 0xFF;
            int scope = p.get(3) & 0xFF;
            int index = p.getInt(4);
            Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 8, p.limit());
            ByteBuffer addr = a.containsKey(Nl.IFA_LOCAL) ? a.get(Nl.IFA_LOCAL) : a.get(Nl.IFA_ADDRESS);
            if (addr == null) {
                continue;
            }
            String label = a.containsKey(Nl.IFA_LABEL) ? NlMessage.string(a.get(Nl.IFA_LABEL)) : null;
            out.add(new AddressInfo(index, inet(addr), prefix, scope, label));
        }
        return out;
    }

    /** @return {@code AF_INET} for an IPv4 address, else {@code AF_INET6} */
    static int family(InetAddress a) {
        return a instanceof Inet4Address ? Nl.AF_INET : Nl.AF_INET6;
    }

    /**
     * @return the address in an attribute's 4 or 16 bytes
     * @throws IllegalArgumentException any other length
     */
    static InetAddress inet(ByteBuffer a) {
        try {
            return InetAddress.getByAddress(NlMessage.bytes(a));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address attribute of " + a.limit() + " bytes", e);
        }
    }
}
