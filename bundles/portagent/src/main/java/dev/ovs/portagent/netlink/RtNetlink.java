package dev.ovs.portagent.netlink;

import dev.ovs.base.InterfaceName;
import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code NETLINK_ROUTE} socket (rtnetlink(7), netlink(7)) bound in one network namespace, with the
 * link, address and route operations of {@code ip link/addr/route} (ip(8)).
 *
 * <p>Every mutating request carries {@code NLM_F_ACK} and waits for the kernel's acknowledgement; a
 * negative one throws {@link NetlinkException} with the errno name, the operation, the object (link
 * name and namespace) and the kernel's extended-ack text ({@code NETLINK_EXT_ACK}). Names are checked
 * before anything is sent ({@link InterfaceName#check(String, String)}).
 *
 * <p>Namespaces: {@link #open(NetNamespace)} starts a dedicated platform thread that opens the
 * namespace file, calls setns(2), opens and binds the socket, restores its own namespace and ends; the
 * socket stays in the namespace it was created in (network_namespaces(7)), so later calls may come from
 * any thread. Requests on one instance are serialised by a lock. Replies wait at most 10 seconds
 * ({@code SO_RCVTIMEO}); a timeout is reported as {@code ETIMEDOUT}. A reply that cannot be decoded (a length
 * beyond the datagram, a payload shorter than its family header, a fixed-size attribute of the wrong size) is a
 * {@link NetlinkException} {@code EPROTO} naming the operation and what is malformed.
 */
public final class RtNetlink implements AutoCloseable {
    private final RtnlSocket sock;
    private final String where;

    private RtNetlink(RtnlSocket sock, String where) {
        this.sock = sock;
        this.where = where;
    }

    /**
     * Opens a socket in the network namespace of the calling thread (normally the JVM's own).
     *
     * @return the open socket
     * @throws NetlinkException if socket(2) or bind(2) fails (e.g. {@code EPERM}, {@code EMFILE})
     */
    public static RtNetlink open() throws NetlinkException {
        return new RtNetlink(RtnlSocket.openHere("own netns"), "in own netns");
    }

    /**
     * Opens a socket inside {@code ns}, from a dedicated platform thread that calls setns(2) (the
     * calling thread's namespace is never changed).
     *
     * @param ns the namespace
     * @return the open socket, bound in {@code ns}
     * @throws NetlinkException if the namespace file cannot be opened ({@code ENOENT}: no such PID or
     *                          name), setns(2) fails ({@code EPERM}: not root; {@code EINVAL}: not a
     *                          network namespace file), or socket(2)/bind(2) fails
     */
    public static RtNetlink open(NetNamespace ns) throws NetlinkException {
        if (ns == null) {
            throw new IllegalArgumentException("netns: must not be null (use open() for the own namespace)");
        }
        return new RtNetlink(NsThread.call(ns, () -> RtnlSocket.openHere(ns.toString())), "in " + ns);
    }

    // ------------------------------------------------------------------ links

    /**
     * Dumps all links of the namespace ({@code RTM_GETLINK} with {@code NLM_F_DUMP}).
     *
     * @return links in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<LinkInfo> links() throws NetlinkException {
        List<LinkInfo> out = new ArrayList<>();
        for (NlMessage m : sock.dump(RtnlEncoder.dumpLinks(), "dump links", where)) {
            if (m.type() == Nl.RTM_NEWLINK) {
                out.add(RtnlDecoder.decoded("dump links", where, () -> RtnlDecoder.parseLink(m)));
            }
        }
        return out;
    }

    /**
     * Looks a link up by name ({@code RTM_GETLINK} with {@code IFLA_IFNAME}).
     *
     * @param name interface name
     * @return the link, or empty if there is none ({@code ENODEV})
     * @throws IllegalArgumentException if the name is invalid
     * @throws NetlinkException         on any other error
     */
    public Optional<LinkInfo> link(String name) throws NetlinkException {
        InterfaceName.check("interface", name);
        try {
            for (NlMessage m : sock.request(RtnlEncoder.getLink(name), false, "get link", obj(name))) {
                if (m.type() == Nl.RTM_NEWLINK) {
                    return Optional.of(RtnlDecoder.decoded("get link", obj(name), () -> RtnlDecoder.parseLink(m)));
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.errno() == 19) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Like {@link #link(String)} but a missing link is an error.
     *
     * @param name interface name
     * @return the link
     * @throws NetlinkException {@code ENODEV} if there is no such link, or another error
     */
    public LinkInfo requireLink(String name) throws NetlinkException {
        Optional<LinkInfo> l = link(name);
        if (l.isEmpty()) {
            throw new NetlinkException("get link", obj(name), 19, null, null);
        }
        return l.get();
    }

    /**
     * Creates a veth pair ({@code ip link add NAME type veth peer name PEER netns NS}, veth(4)):
     * {@code RTM_NEWLINK} with {@code NLM_F_CREATE|NLM_F_EXCL}, {@code IFLA_LINKINFO} kind "veth" and a
     * {@code VETH_INFO_PEER} carrying the peer's name and {@code IFLA_NET_NS_FD}. Both ends start down.
     *
     * @param name     local end, created in this socket's namespace
     * @param peerName peer end
     * @param peerNs   namespace for the peer, or null for this socket's namespace
     * @throws IllegalArgumentException if a name is invalid or both names are equal in one namespace
     * @throws NetlinkException         e.g. {@code EEXIST} if a name is taken (in its namespace),
     *                                  {@code ENOENT} if {@code peerNs} does not exist
     */
    public void createVeth(String name, String peerName, NetNamespace peerNs) throws NetlinkException {
        createVeth(name, peerName, peerNs, LinkChange.none());
    }

    /**
     * Creates a veth pair whose peer is configured in the same request: the peer's {@code ifinfomsg}
     * and attributes carry the MTU and MAC of {@code peer} (the kernel configures it as it
     * registers it, veth(4)); {@code peer}'s name and namespace, if set, override
     * {@code peerName}/{@code peerNs}. The peer cannot be created up: the kernel opens it before the
     * pair is linked and refuses with {@code ENOTCONN}; set it up afterwards from its namespace.
     *
     * @param name     local end, created in this socket's namespace, down
     * @param peerName peer end
     * @param peerNs   namespace for the peer, or null for this socket's namespace
     * @param peer     MTU/MAC/up for the peer ({@link LinkChange#none()} for defaults)
     * @throws IllegalArgumentException if a name is invalid or {@code peer} asks for up
     * @throws NetlinkException         e.g. {@code EEXIST} if a name is taken in its namespace
     */
    public void createVeth(String name, String peerName, NetNamespace peerNs, LinkChange peer) throws NetlinkException {
        createVeth(name, peerName, peerNs, peer, LinkChange.none());
    }

    /**
     * Like {@link #createVeth(String, String, NetNamespace, LinkChange)}, also configuring the local end
     * in the same request: its MTU and MAC from {@code local}. Name, namespace and up of {@code local}
     * are not used; an alias is refused because the kernel ignores {@code IFLA_IFALIAS} when creating
     * (set it with {@link #change(String, LinkChange)} afterwards).
     *
     * @param name     local end
     * @param peerName peer end
     * @param peerNs   namespace for the peer, or null
     * @param peer     MTU/MAC for the peer
     * @param local    MTU/MAC for the local end
     * @throws IllegalArgumentException if a name is invalid, {@code peer} asks for up or either asks for an alias
     * @throws NetlinkException         e.g. {@code EEXIST}
     */
    public void createVeth(String name, String peerName, NetNamespace peerNs, LinkChange peer, LinkChange local)
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
        String object = "'" + name + "' " + where + " (peer '" + pName + "' " + (pNs == null ? where : "in " + pNs) + ")";
        int nsFd = pNs == null ? -1 : RtnlSocket.openNamespace(pNs, "create veth", object);
        try {
            sock.request(RtnlEncoder.newVeth(name, local, pName, nsFd, peer), false, "create veth", object);
        } finally {
            if (nsFd >= 0) {
                RtnlSocket.closeFd(nsFd);
            }
        }
    }

    /**
     * Applies {@code change} to link {@code name} in one {@code RTM_NEWLINK} request (see
     * {@link LinkChange} for the order the kernel applies the parts in). An empty change is a no-op
     * that still checks that the link exists.
     *
     * @param name   existing link in this namespace
     * @param change what to change
     * @throws IllegalArgumentException if the name is invalid
     * @throws NetlinkException         e.g. {@code ENODEV} (no such link), {@code EBUSY} (rename while
     *                                  up), {@code EEXIST} (new name taken), {@code EINVAL} (MTU out of
     *                                  the device's range), {@code ENOENT} (target namespace gone)
     */
    public void change(String name, LinkChange change) throws NetlinkException {
        InterfaceName.check("interface", name);
        String op = "set link" + (change.toString().startsWith("(") ? "" : " " + change);
        int index = 0;
        if (change.newName().isPresent()) {
            index = requireLink(name).index();
        }
        int nsFd = change.netns().isPresent() ? RtnlSocket.openNamespace(change.netns().get(), op, obj(name)) : -1;
        try {
            sock.request(RtnlEncoder.setLink(index, name, nsFd, change), false, op, obj(name));
        } finally {
            if (nsFd >= 0) {
                RtnlSocket.closeFd(nsFd);
            }
        }
    }

    /**
     * Sets a link administratively up or down ({@code ip link set NAME up|down}).
     *
     * @param name link name
     * @param up   true for up
     * @throws NetlinkException e.g. {@code ENODEV}
     */
    public void setUp(String name, boolean up) throws NetlinkException {
        change(name, LinkChange.none().withUp(up));
    }

    /**
     * Sets the MTU ({@code IFLA_MTU}).
     *
     * @param name  link name
     * @param bytes 68..65535
     * @throws IllegalArgumentException if out of range
     * @throws NetlinkException         e.g. {@code EINVAL} if the device rejects it
     */
    public void setMtu(String name, int bytes) throws NetlinkException {
        change(name, LinkChange.none().withMtu(bytes));
    }

    /**
     * Sets the MAC address ({@code IFLA_ADDRESS}).
     *
     * @param name link name
     * @param mac  unicast {@code aa:bb:cc:dd:ee:ff}
     * @throws IllegalArgumentException if the MAC is malformed or multicast
     * @throws NetlinkException         e.g. {@code EADDRNOTAVAIL}
     */
    public void setMac(String name, String mac) throws NetlinkException {
        change(name, LinkChange.none().withMac(mac));
    }

    /**
     * Renames a link ({@code ip link set NAME name NEW}). Kernels before 6.2 refuse to rename a link
     * that is up ({@code EBUSY}); set it down first to be portable.
     *
     * @param name    current name
     * @param newName new name
     * @throws NetlinkException {@code EEXIST} if the name is taken, {@code EBUSY} if up (old kernels)
     */
    public void rename(String name, String newName) throws NetlinkException {
        change(name, LinkChange.none().withName(newName));
    }

    /**
     * Moves a link into another namespace ({@code ip link set NAME netns NS}); it arrives down and
     * without addresses.
     *
     * @param name   link in this namespace
     * @param target target namespace
     * @throws NetlinkException {@code EEXIST} if the target has a link of that name, {@code ENOENT}
     *                          if the target does not exist
     */
    public void moveToNamespace(String name, NetNamespace target) throws NetlinkException {
        change(name, LinkChange.none().withNetns(target));
    }

    /**
     * Deletes a link ({@code RTM_DELLINK}); deleting one end of a veth pair deletes both.
     *
     * @param name link name
     * @throws NetlinkException {@code ENODEV} if there is no such link
     */
    public void deleteLink(String name) throws NetlinkException {
        InterfaceName.check("interface", name);
        sock.request(RtnlEncoder.delLink(name), false, "delete link", obj(name));
    }

    /**
     * Deletes a link if it exists.
     *
     * @param name link name
     * @return true if deleted, false if there was none
     * @throws NetlinkException on errors other than {@code ENODEV}
     */
    public boolean deleteLinkIfExists(String name) throws NetlinkException {
        try {
            deleteLink(name);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == 19) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Deletes several links at once and returns when they are gone: each existing one is put into a link group
     * ({@code IFLA_GROUP}, {@code ip link set NAME group N}) of a number no link of the namespace has, then one
     * {@code RTM_DELLINK} of that group ({@code ip link delete group N}) unregisters them together. The kernel
     * waits for the network stack's RCU grace periods once for the whole group instead of once per link
     * (docs/benchmarks.md, network state, has the figures). Deleting one end of a veth pair deletes both. A link
     * that does not exist is skipped. When the kernel refuses the group deletion (a link kind without
     * {@code dellink}: {@code EOPNOTSUPP}), the links are deleted one by one.
     *
     * @param names link names in this namespace (interface-name rules); duplicates are ignored
     * @return the names that were deleted (the ones that existed), in the order given
     * @throws IllegalArgumentException if a name is invalid (nothing deleted)
     * @throws NetlinkException on a kernel or socket error other than {@code ENODEV}; the links deleted or
     *                          grouped so far may be gone
     */
    public List<String> deleteLinks(java.util.Collection<String> names) throws NetlinkException {
        java.util.LinkedHashSet<String> want = new java.util.LinkedHashSet<>(names);
        for (String n : want) {
            InterfaceName.check("interface", n);
        }
        List<String> out = new ArrayList<>();
        if (want.isEmpty()) {
            return out;
        }
        if (want.size() == 1) {
            String n = want.iterator().next();
            if (deleteLinkIfExists(n)) {
                out.add(n);
            }
            return out;
        }
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (NlMessage m : sock.dump(RtnlEncoder.dumpLinks(), "dump links", where)) {
            if (m.type() != Nl.RTM_NEWLINK) {
                continue;
            }
            Integer g = RtnlDecoder.decoded("dump links", where, () -> RtnlDecoder.linkGroup(m));
            if (g != null) {
                used.add(g);
            }
        }
        int group;
        do {
            group = 0x50000000 | java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000000);
        } while (used.contains(group));
        for (String n : want) {
            try {
                sock.request(RtnlEncoder.setLinkGroup(n, group), false, "set link group " + group, obj(n));
                out.add(n);
            } catch (NetlinkException e) {
                if (e.errno() != 19) {
                    throw e;
                }
            }
        }
        if (out.isEmpty()) {
            return out;
        }
        try {
            sock.request(RtnlEncoder.delLinkGroup(group), false, "delete link group " + group, out.size() + " links");
        } catch (NetlinkException e) {
            if (e.errno() != 95) {
                throw e;
            }
            List<String> one = new ArrayList<>();
            for (String n : out) {
                if (deleteLinkIfExists(n)) {
                    one.add(n);
                }
            }
            return one;
        }
        return out;
    }

    // ------------------------------------------------------------------ addresses and routes

    /**
     * Adds an address ({@code ip addr add ADDR/PREFIX dev NAME}): {@code RTM_NEWADDR} with
     * {@code NLM_F_CREATE|NLM_F_EXCL}, {@code IFA_LOCAL} and {@code IFA_ADDRESS}.
     *
     * @param name      link name
     * @param address   IPv4 or IPv6 address
     * @param prefixLen 0..32 (IPv4) or 0..128 (IPv6)
     * @throws IllegalArgumentException if the prefix is out of range
     * @throws NetlinkException         {@code EEXIST} if present, {@code ENODEV} if no such link
     */
    public void addAddress(String name, InetAddress address, int prefixLen) throws NetlinkException {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLen < 0 || prefixLen > max) {
            throw new IllegalArgumentException("prefix length: must be 0.." + max + ", got " + prefixLen);
        }
        int index = requireLink(name).index();
        sock.request(RtnlEncoder.newAddr(address, prefixLen, index), false,
                "add address " + address.getHostAddress() + "/" + prefixLen, "to " + obj(name));
    }

    /**
     * Dumps all addresses of the namespace ({@code RTM_GETADDR}, both families).
     *
     * @return addresses in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<AddressInfo> addresses() throws NetlinkException {
        List<AddressInfo> out = new ArrayList<>();
        for (NlMessage m : sock.dump(RtnlEncoder.dumpAddrs(), "dump addresses", where)) {
            AddressInfo a = m.type() == Nl.RTM_NEWADDR
                    ? RtnlDecoder.decoded("dump addresses", where, () -> RtnlDecoder.parseAddress(m)) : null;
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Adds a default route via a gateway in the main table ({@code ip route add default via GW}).
     *
     * @param gateway next hop (IPv4 or IPv6), must be reachable on a connected subnet
     * @throws NetlinkException {@code EEXIST} if a default route exists, {@code ENETUNREACH} if the
     *                          gateway is not on a connected subnet
     */
    public void addDefaultRoute(InetAddress gateway) throws NetlinkException {
        addRoute(null, 0, gateway, null);
    }

    /**
     * Adds a unicast route to the main table ({@code RTM_NEWROUTE}, {@code NLM_F_CREATE|NLM_F_EXCL},
     * protocol boot, as ip-route(8) does).
     *
     * @param destination network address, or null for default
     * @param dstLen      prefix length of the destination (0 for default)
     * @param gateway     next hop, or null for a directly connected route (then {@code device} is needed)
     * @param device      output link name, or null
     * @throws IllegalArgumentException if neither gateway nor device is given, or families differ
     * @throws NetlinkException         e.g. {@code EEXIST}, {@code ENETUNREACH}, {@code ENODEV}
     */
    public void addRoute(InetAddress destination, int dstLen, InetAddress gateway, String device) throws NetlinkException {
        if (gateway == null && device == null) {
            throw new IllegalArgumentException("route: needs a gateway or a device");
        }
        if (destination != null && gateway != null && RtnlEncoder.family(destination) != RtnlEncoder.family(gateway)) {
            throw new IllegalArgumentException("gateway: must be the same address family as the destination");
        }
        int oif = device == null ? 0 : requireLink(device).index();
        String what = (destination == null ? "default" : destination.getHostAddress() + "/" + dstLen)
                + (gateway == null ? "" : " via " + gateway.getHostAddress()) + (device == null ? "" : " dev " + device);
        sock.request(RtnlEncoder.newRoute(destination, dstLen, gateway, oif), false, "add route " + what, where);
    }

    /**
     * Dumps the routes of all tables ({@code RTM_GETROUTE}, both families).
     *
     * @return routes in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<RouteInfo> routes() throws NetlinkException {
        List<RouteInfo> out = new ArrayList<>();
        for (NlMessage m : sock.dump(RtnlEncoder.dumpRoutes(), "dump routes", where)) {
            if (m.type() == Nl.RTM_NEWROUTE) {
                out.add(RtnlDecoder.decoded("dump routes", where, () -> RtnlDecoder.parseRoute(m)));
            }
        }
        return out;
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        sock.close();
    }

    /** @return {@code RtNetlink[fd=FD in NAMESPACE]}: the socket's descriptor and namespace, for logs */
    @Override
    public String toString() {
        return "RtNetlink[fd=" + sock.fd() + " " + where + "]";
    }

    // ------------------------------------------------------------------ plumbing

    private String obj(String name) {
        return "link '" + name + "' " + where;
    }
}
