package dev.ovs.portagent.netlink;

import dev.ovs.base.InterfaceName;
import java.net.InetAddress;
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
 * ({@code SO_RCVTIMEO}); a timeout is reported as {@code ETIMEDOUT}.
 */
public final class RtNetlink implements AutoCloseable {
    private final NlSocket nl;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;

    private RtNetlink(NlSocket nl) {
        this.nl = nl;
        this.links = new Links(nl);
        this.addresses = new Addresses(nl, links);
        this.routes = new Routes(nl, links);
    }

    /**
     * Opens a socket in the network namespace of the calling thread (normally the JVM's own).
     *
     * @return the open socket
     * @throws NetlinkException if socket(2) or bind(2) fails (e.g. {@code EPERM}, {@code EMFILE})
     */
    public static RtNetlink open() throws NetlinkException {
        return new RtNetlink(NlSocket.openHere("own netns"));
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
        return new RtNetlink(Namespaces.call(ns, () -> NlSocket.openHere(ns.toString())));
    }

    // ------------------------------------------------------------------ links

    /**
     * Dumps all links of the namespace ({@code RTM_GETLINK} with {@code NLM_F_DUMP}).
     *
     * @return links in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<LinkInfo> links() throws NetlinkException {
        return links.dump();
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
        return links.get(name);
    }

    /**
     * Like {@link #link(String)} but a missing link is an error.
     *
     * @param name interface name
     * @return the link
     * @throws NetlinkException {@code ENODEV} if there is no such link, or another error
     */
    public LinkInfo requireLink(String name) throws NetlinkException {
        return links.require(name);
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
        links.createVeth(name, peerName, peerNs, peer, local);
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
        links.change(name, change);
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
        links.delete(name);
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
            if (e.errno() == Links.ENODEV) {
                return false;
            }
            throw e;
        }
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
        addresses.add(name, address, prefixLen);
    }

    /**
     * Dumps all addresses of the namespace ({@code RTM_GETADDR}, both families).
     *
     * @return addresses in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<AddressInfo> addresses() throws NetlinkException {
        return addresses.dump();
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
        routes.add(destination, dstLen, gateway, device);
    }

    /**
     * Dumps the routes of all tables ({@code RTM_GETROUTE}, both families).
     *
     * @return routes in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<RouteInfo> routes() throws NetlinkException {
        return routes.dump();
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        nl.close();
    }

    @Override
    public String toString() {
        return "RtNetlink[" + nl + "]";
    }
}
