package dev.ovs.portagent.netlink;

import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The route operations of {@link RtNetlink} ({@code RTM_NEWROUTE}, {@code RTM_GETROUTE}; rtnetlink(7),
 * ip-route(8)): checking gateway, device and families, resolving the output link by name, building the
 * {@code rtmsg} request and reading replies into {@link RouteInfo}.
 */
final class Routes {
    /** {@code RT_SCOPE_LINK}: the scope of a route without gateway. */
    private static final int RT_SCOPE_LINK = 253;
    private final NlSocket nl;
    private final Links links;

    Routes(NlSocket nl, Links links) {
        this.nl = nl;
        this.links = links;
    }

    /** See {@link RtNetlink#addRoute(InetAddress, int, InetAddress, String)}. */
    void add(InetAddress destination, int dstLen, InetAddress gateway, String device) throws NetlinkException {
        if (gateway == null && device == null) {
            throw new IllegalArgumentException("route: needs a gateway or a device");
        }
        InetAddress any = gateway != null ? gateway : destination;
        int fam = any == null ? Nl.AF_INET : Addresses.family(any);
        if (destination != null && gateway != null && Addresses.family(destination) != Addresses.family(gateway)) {
            throw new IllegalArgumentException("gateway: must be the same address family as the destination");
        }
        int oif = device == null ? 0 : links.require(device).index();
        NlBuilder b = new NlBuilder(Nl.RTM_NEWROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .rtmsg(fam, destination == null ? 0 : dstLen, 0, 0, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT,
                        gateway == null ? RT_SCOPE_LINK : Nl.RT_SCOPE_UNIVERSE, Nl.RTN_UNICAST, 0);
        if (destination != null) {
            b.attr(Nl.RTA_DST, destination.getAddress());
        }
        if (gateway != null) {
            b.attr(Nl.RTA_GATEWAY, gateway.getAddress());
        }
        if (oif != 0) {
            b.attrU32(Nl.RTA_OIF, oif);
        }
        String what = (destination == null ? "default" : destination.getHostAddress() + "/" + dstLen)
                + (gateway == null ? "" : " via " + gateway.getHostAddress()) + (device == null ? "" : " dev " + device);
        nl.request(b, "add route " + what, nl.where());
    }

    /** @return the routes of all tables (both families), in kernel order */
    List<RouteInfo> dump() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).rtmsg(Nl.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0);
        List<RouteInfo> out = new ArrayList<>();
        for (NlMessage m : nl.dump(b, "dump routes")) {
            if (m.type() != Nl.RTM_NEWROUTE) {
                continue;
            }
            ByteBuffer p = m.payload();
            int fam = p.get(0) & 0xFF;
            int dstLen = p.get(1) & 0xFF;
            int table = p.get(4) & 0xFF;
            int proto = p.get(5) & 0xFF;
            int scope = p.get(6) & 0xFF;
            int type = p.get(7) & 0xFF;
            Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 12, p.limit());
            if (a.containsKey(Nl.RTA_TABLE)) {
                table = a.get(Nl.RTA_TABLE).getInt(0);
            }
            out.add(new RouteInfo(fam, a.containsKey(Nl.RTA_DST) ? Addresses.inet(a.get(Nl.RTA_DST)) : null, dstLen,
                    a.containsKey(Nl.RTA_GATEWAY) ? Addresses.inet(a.get(Nl.RTA_GATEWAY)) : null,
                    a.containsKey(Nl.RTA_OIF) ? a.get(Nl.RTA_OIF).getInt(0) : 0, table, proto, scope, type));
        }
        return out;
    }
}
