package dev.ovs.portagent.netlink;

import dev.ovs.base.InterfaceName;
import dev.ovs.portagent.Validate;
import dev.ovs.portagent.netlink.internal.LibC;
import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The link operations of {@link RtNetlink} ({@code RTM_GETLINK}, {@code RTM_NEWLINK}, {@code RTM_DELLINK};
 * rtnetlink(7), veth(4)): building each request after checking its names ({@link InterfaceName}) and arguments,
 * sending it through the socket's {@link NlSocket}, and reading {@code ifinfomsg} replies into {@link LinkInfo}.
 * Errors name the link and the socket's namespace.
 */
final class Links {
    /** {@code ENODEV}: no such link. */
    static final int ENODEV = 19;
    private final NlSocket nl;

    Links(NlSocket nl) {
        this.nl = nl;
    }

    /** @return every link of the namespace, in kernel order ({@code NLM_F_DUMP}) */
    List<LinkInfo> dump() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
        List<LinkInfo> out = new ArrayList<>();
        for (NlMessage m : nl.dump(b, "dump links")) {
            if (m.type() == Nl.RTM_NEWLINK) {
                out.add(parse(m));
            }
        }
        return out;
    }

    /** @return the link named {@code name}, empty on {@code ENODEV} */
    Optional<LinkInfo> get(String name) throws NetlinkException {
        InterfaceName.check("interface", name);
        NlBuilder b = new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
        try {
            for (NlMessage m : nl.request(b, "get link", obj(name))) {
                if (m.type() == Nl.RTM_NEWLINK) {
                    return Optional.of(parse(m));
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.errno() == ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** @return the link named {@code name}; {@code ENODEV} if there is none */
    LinkInfo require(String name) throws NetlinkException {
        Optional<LinkInfo> l = get(name);
        if (l.isEmpty()) {
            throw new NetlinkException("get link", obj(name), ENODEV, null, null);
        }
        return l.get();
    }

    /** See {@link RtNetlink#createVeth(String, String, NetNamespace, LinkChange, LinkChange)}. */
    void createVeth(String name, String peerName, NetNamespace peerNs, LinkChange peer, LinkChange local)
            throws NetlinkException {
        InterfaceName.check("name", name);
        if (local.alias().isPresent() || peer.alias().isPresent()) {
            throw new IllegalArgumentException("alias: the kernel ignores IFLA_IFALIAS when creating a link; set it afterwards");
        }
        if (peer.up().orElse(false)) {
            throw new IllegalArgumentException("peer up: a veth peer cannot be created up (the kernel answers "
                    + "ENOTCONN); set it up after creation");
        }
        String pName = peer.newName().orElse(peerName);
        NetNamespace pNs = peer.netns().orElse(peerNs);
        InterfaceName.check("peer name", pName);
        if (pNs == null && pName.equals(name)) {
            throw new IllegalArgumentException("peer name: must differ from name in the same namespace, got '" + name + "'");
        }
        String where = nl.where();
        String object = "'" + name + "' " + where + " (peer '" + pName + "' " + (pNs == null ? where : "in " + pNs) + ")";
        int nsFd = pNs == null ? -1 : Namespaces.openFd(pNs, "create veth", object);
        try {
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
            b.attrString(Nl.IFLA_IFNAME, pName);
            if (nsFd >= 0) {
                b.attrU32(Nl.IFLA_NET_NS_FD, nsFd);
            }
            if (peer.mtu().isPresent()) {
                b.attrU32(Nl.IFLA_MTU, peer.mtu().getAsInt());
            }
            if (peer.mac().isPresent()) {
                b.attr(Nl.IFLA_ADDRESS, Validate.macOctets("peer mac", peer.mac().get()));
            }
            b.nestEnd(p).nestEnd(data).nestEnd(li);
            nl.request(b, "create veth", object);
        } finally {
            if (nsFd >= 0) {
                LibC.INSTANCE.close(nsFd);
            }
        }
    }

    /** See {@link RtNetlink#change(String, LinkChange)}. */
    void change(String name, LinkChange change) throws NetlinkException {
        InterfaceName.check("interface", name);
        String op = "set link" + (change.toString().startsWith("(") ? "" : " " + change);
        int index = 0;
        if (change.newName().isPresent()) {
            index = require(name).index();
        }
        int nsFd = change.netns().isPresent() ? Namespaces.openFd(change.netns().get(), op, obj(name)) : -1;
        try {
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
            nl.request(b, op, obj(name));
        } finally {
            if (nsFd >= 0) {
                LibC.INSTANCE.close(nsFd);
            }
        }
    }

    /** Deletes the link named {@code name} ({@code RTM_DELLINK}); {@code ENODEV} if there is none. */
    void delete(String name) throws NetlinkException {
        InterfaceName.check("interface", name);
        NlBuilder b = new NlBuilder(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
        nl.request(b, "delete link", obj(name));
    }

    /** @return {@code link '<name>' in <netns>}, the object of a link's errors */
    String obj(String name) {
        return "link '" + name + "' " + nl.where();
    }

    /** @return the link of an {@code RTM_NEWLINK} message ({@code ifinfomsg} and its {@code IFLA_*} attributes) */
    static LinkInfo parse(NlMessage m) {
        ByteBuffer p = m.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        Map<Integer, ByteBuffer> a = NlMessage.attrs(p, 16, p.limit());
        String name = a.containsKey(Nl.IFLA_IFNAME) ? NlMessage.string(a.get(Nl.IFLA_IFNAME)) : "";
        int mtu = a.containsKey(Nl.IFLA_MTU) ? a.get(Nl.IFLA_MTU).getInt(0) : 0;
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
        int master = a.containsKey(Nl.IFLA_MASTER) ? a.get(Nl.IFLA_MASTER).getInt(0) : 0;
        int link = a.containsKey(Nl.IFLA_LINK) ? a.get(Nl.IFLA_LINK).getInt(0) : 0;
        int nsid = a.containsKey(Nl.IFLA_LINK_NETNSID) ? a.get(Nl.IFLA_LINK_NETNSID).getInt(0) : -1;
        int oper = a.containsKey(Nl.IFLA_OPERSTATE) ? a.get(Nl.IFLA_OPERSTATE).get(0) & 0xFF : 0;
        String alias = a.containsKey(Nl.IFLA_IFALIAS) ? NlMessage.string(a.get(Nl.IFLA_IFALIAS)) : null;
        return new LinkInfo(index, name, flags, mtu, mac, kind, master, link, nsid, oper, alias);
    }
}
