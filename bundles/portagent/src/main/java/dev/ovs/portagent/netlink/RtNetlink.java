package dev.ovs.portagent.netlink;

import dev.ovs.base.InterfaceName;
import dev.ovs.portagent.Validate;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.ovs.portagent.netlink.internal.LibC;
import dev.ovs.portagent.netlink.internal.Nl;
import dev.ovs.portagent.netlink.internal.NlBuilder;
import dev.ovs.portagent.netlink.internal.NlMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
    private static final int RECV_BUF = 65536;
    private static final int DUMP_RETRIES = 5;
    private final LibC c = LibC.INSTANCE;
    private final int fd;
    private final String where;
    private final Memory rbuf = new Memory(RECV_BUF);
    private final byte[] rcopy = new byte[RECV_BUF];
    private final ReentrantLock lock = new ReentrantLock();
    private int seq;
    private boolean closed;

    private RtNetlink(int fd, String where) {
        this.fd = fd;
        this.where = where;
    }

    /**
     * Opens a socket in the network namespace of the calling thread (normally the JVM's own).
     *
     * @return the open socket
     * @throws NetlinkException if socket(2) or bind(2) fails (e.g. {@code EPERM}, {@code EMFILE})
     */
    public static RtNetlink open() throws NetlinkException {
        return new RtNetlink(socketHere("own netns"), "in own netns");
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
        return new RtNetlink(NsThread.call(ns, () -> socketHere(ns.toString())), "in " + ns);
    }

    private static int socketHere(String where) throws NetlinkException {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new NetlinkException("open NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
        try {
            byte[] one = intBytes(1);
            try {
                c.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, one, 4);
                c.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, one, 4);
            } catch (LastErrorException e) {
                // old kernel without extended acks: errors still carry errno
            }
            ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(10).putLong(0);
            c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), 16);
            ByteBuffer sa = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                    .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0);
            c.bind(fd, sa.array(), 12);
            return fd;
        } catch (LastErrorException e) {
            c.close(fd);
            throw new NetlinkException("bind NETLINK_ROUTE socket", where, e.getErrorCode(), null, e);
        }
    }

    private static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    // ------------------------------------------------------------------ validation

    // ------------------------------------------------------------------ links

    /**
     * Dumps all links of the namespace ({@code RTM_GETLINK} with {@code NLM_F_DUMP}).
     *
     * @return links in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<LinkInfo> links() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
        List<LinkInfo> out = new ArrayList<>();
        for (NlMessage m : dump(b, "dump links", where)) {
            if (m.type() == Nl.RTM_NEWLINK) {
                out.add(decoded("dump links", where, () -> parseLink(m)));
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
        NlBuilder b = new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
        try {
            for (NlMessage m : request(b, false, "get link", obj(name))) {
                if (m.type() == Nl.RTM_NEWLINK) {
                    return Optional.of(decoded("get link", obj(name), () -> parseLink(m)));
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
        int nsFd = pNs == null ? -1 : openNs(pNs, "create veth", object);
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
            request(b, false, "create veth", object);
        } finally {
            if (nsFd >= 0) {
                c.close(nsFd);
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
        int nsFd = change.netns().isPresent() ? openNs(change.netns().get(), op, obj(name)) : -1;
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
            request(b, false, op, obj(name));
        } finally {
            if (nsFd >= 0) {
                c.close(nsFd);
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
        NlBuilder b = new NlBuilder(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrString(Nl.IFLA_IFNAME, name);
        request(b, false, "delete link", obj(name));
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
     * waits for the network stack's RCU grace periods once for the whole group instead of once per link (50 veth
     * pairs: about 70 ms instead of about 1.2 s one by one). Deleting one end of a veth pair deletes both. A link
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
        for (NlMessage m : dump(new NlBuilder(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP)
                .ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0), "dump links", where)) {
            if (m.type() != Nl.RTM_NEWLINK) {
                continue;
            }
            ByteBuffer g = NlMessage.attrs(m.payload("ifinfomsg", 16), 16, m.payload("ifinfomsg", 16).limit()).get(Nl.IFLA_GROUP);
            if (g != null) {
                used.add(NlMessage.u32(g));
            }
        }
        int group;
        do {
            group = 0x50000000 | java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000000);
        } while (used.contains(group));
        for (String n : want) {
            NlBuilder b = new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                    .attrString(Nl.IFLA_IFNAME, n).attrU32(Nl.IFLA_GROUP, group);
            try {
                request(b, false, "set link group " + group, obj(n));
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
        NlBuilder del = new NlBuilder(Nl.RTM_DELLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK).ifinfomsg(Nl.AF_UNSPEC, 0, 0, 0, 0)
                .attrU32(Nl.IFLA_GROUP, group);
        try {
            request(del, false, "delete link group " + group, out.size() + " links");
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
        byte[] raw = address.getAddress();
        NlBuilder b = new NlBuilder(Nl.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .ifaddrmsg(family(address), prefixLen, 0, 0, index).attr(Nl.IFA_LOCAL, raw).attr(Nl.IFA_ADDRESS, raw);
        request(b, false, "add address " + address.getHostAddress() + "/" + prefixLen, "to " + obj(name));
    }

    /**
     * Dumps all addresses of the namespace ({@code RTM_GETADDR}, both families).
     *
     * @return addresses in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<AddressInfo> addresses() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).ifaddrmsg(Nl.AF_UNSPEC, 0, 0, 0, 0);
        List<AddressInfo> out = new ArrayList<>();
        for (NlMessage m : dump(b, "dump addresses", where)) {
            AddressInfo a = m.type() == Nl.RTM_NEWADDR ? decoded("dump addresses", where, () -> parseAddress(m)) : null;
            if (a != null) {
                out.add(a);
            }
        }
        return out;
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
        InetAddress any = gateway != null ? gateway : destination;
        int fam = any == null ? Nl.AF_INET : family(any);
        if (destination != null && gateway != null && family(destination) != family(gateway)) {
            throw new IllegalArgumentException("gateway: must be the same address family as the destination");
        }
        int oif = device == null ? 0 : requireLink(device).index();
        NlBuilder b = new NlBuilder(Nl.RTM_NEWROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
                .rtmsg(fam, destination == null ? 0 : dstLen, 0, 0, Nl.RT_TABLE_MAIN, Nl.RTPROT_BOOT,
                        gateway == null ? 253 : Nl.RT_SCOPE_UNIVERSE, Nl.RTN_UNICAST, 0);
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
        request(b, false, "add route " + what, where);
    }

    /**
     * Dumps the routes of all tables ({@code RTM_GETROUTE}, both families).
     *
     * @return routes in kernel order
     * @throws NetlinkException on a kernel or socket error
     */
    public List<RouteInfo> routes() throws NetlinkException {
        NlBuilder b = new NlBuilder(Nl.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP).rtmsg(Nl.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0, 0);
        List<RouteInfo> out = new ArrayList<>();
        for (NlMessage m : dump(b, "dump routes", where)) {
            if (m.type() == Nl.RTM_NEWROUTE) {
                out.add(decoded("dump routes", where, () -> parseRoute(m)));
            }
        }
        return out;
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

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                c.close(fd);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RtNetlink[fd=" + fd + " " + where + "]";
    }

    // ------------------------------------------------------------------ plumbing

    private String obj(String name) {
        return "link '" + name + "' " + where;
    }

    private int openNs(NetNamespace ns, String op, String object) throws NetlinkException {
        try {
            return c.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException(op, object + ": cannot open " + ns, e.getErrorCode(), null, e);
        }
    }

    private static int family(InetAddress a) {
        return a instanceof Inet4Address ? Nl.AF_INET : Nl.AF_INET6;
    }

    private static InetAddress inet(ByteBuffer a) {
        try {
            return InetAddress.getByAddress(NlMessage.bytes(a));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address attribute of " + a.limit() + " bytes", e);
        }
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

    private List<NlMessage> dump(NlBuilder b, String op, String object) throws NetlinkException {
        for (int attempt = 1;; attempt++) {
            try {
                return request(b, true, op, object);
            } catch (DumpInterrupted e) {
                if (attempt >= DUMP_RETRIES) {
                    throw new NetlinkException(op, object, 0, "dump interrupted by concurrent changes "
                            + DUMP_RETRIES + " times (NLM_F_DUMP_INTR)", null);
                }
            }
        }
    }

    /** Internal signal: a dump was inconsistent and must be repeated. */
    private static final class DumpInterrupted extends NetlinkException {
        private static final long serialVersionUID = 1L;

        DumpInterrupted() {
            super("dump", "", 0, "interrupted", null);
        }
    }

    private List<NlMessage> request(NlBuilder b, boolean dump, String op, String object) throws NetlinkException {
        lock.lock();
        try {
            if (closed) {
                throw new NetlinkException(op, object, 9, "socket closed", null);
            }
            int s = ++seq;
            byte[] msg = b.build(s);
            try {
                c.send(fd, msg, new NativeLong(msg.length), 0);
            } catch (LastErrorException e) {
                throw new NetlinkException(op, object + " (send)", e.getErrorCode(), null, e);
            }
            List<NlMessage> out = new ArrayList<>();
            boolean interrupted = false;
            while (true) {
                long n;
                try {
                    n = c.recv(fd, rbuf, new NativeLong(RECV_BUF), LibC.MSG_TRUNC).longValue();
                } catch (LastErrorException e) {
                    int errno = e.getErrorCode() == 11 ? 110 : e.getErrorCode();
                    throw new NetlinkException(op, object + " (waiting for the kernel's reply)", errno, null, e);
                }
                if (n > RECV_BUF) {
                    throw new NetlinkException(op, object, 90, "reply of " + n + " bytes truncated to " + RECV_BUF, null);
                }
                rbuf.read(0, rcopy, 0, (int) n);
                List<NlMessage> msgs;
                try {
                    msgs = NlMessage.parse(rcopy, (int) n);
                } catch (IllegalArgumentException e) {
                    throw new NetlinkException(op, object, 71, e.getMessage(), e);
                }
                for (NlMessage m : msgs) {
                    if (m.seq() != s) {
                        continue; // stale reply of an earlier, abandoned request
                    }
                    if ((m.flags() & Nl.NLM_F_DUMP_INTR) != 0) {
                        interrupted = true;
                    }
                    if (m.type() == Nl.NLMSG_ERROR) {
                        int err = decoded(op, object, () -> ackError(m));
                        if (err == 0) {
                            if (!dump) {
                                return out;
                            }
                            continue;
                        }
                        throw new NetlinkException(op, object, -err, extAck(m), null);
                    }
                    if (m.type() == Nl.NLMSG_DONE) {
                        if (m.payload().limit() >= 4 && m.payload().getInt(0) < 0) {
                            throw new NetlinkException(op, object, -m.payload().getInt(0), null, null);
                        }
                        if (interrupted) {
                            throw new DumpInterrupted();
                        }
                        return out;
                    }
                    if (m.type() == Nl.NLMSG_OVERRUN) {
                        throw new NetlinkException(op, object, 105, "netlink overrun", null);
                    }
                    if (m.type() != Nl.NLMSG_NOOP) {
                        out.add(m);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A reply whose bytes are malformed: {@code EPROTO} naming the operation and the decoder's reason. */
    private static <T> T decoded(String op, String object, Supplier<T> decode) throws NetlinkException {
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

    /** A dedicated platform thread that enters a namespace, runs one task, restores and ends. */
    static final class NsThread {
        private NsThread() {
        }

        interface Task<T> {
            T run() throws NetlinkException;
        }

        static <T> T call(NetNamespace ns, Task<T> task) throws NetlinkException {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    result.set(enterAndRun(ns, task));
                } catch (Throwable e) {
                    result.set(e);
                }
            }, "rtnetlink-setns " + ns);
            t.setDaemon(true);
            t.start();
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Object r = result.get();
            if (r instanceof NetlinkException e) {
                throw e;
            }
            if (r instanceof RuntimeException e) {
                throw e;
            }
            if (r instanceof Error e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            T v = (T) r;
            return v;
        }

        private static <T> T enterAndRun(NetNamespace ns, Task<T> task) throws NetlinkException {
            LibC c = LibC.INSTANCE;
            int self;
            try {
                self = c.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new NetlinkException("open", "own thread's netns /proc/thread-self/ns/net", e.getErrorCode(), null, e);
            }
            try {
                int target;
                try {
                    target = c.open(ns.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
                } catch (LastErrorException e) {
                    throw new NetlinkException("open", ns.toString(), e.getErrorCode(), null, e);
                }
                try {
                    c.setns(target, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw new NetlinkException("setns into", ns.toString(), e.getErrorCode(), null, e);
                } finally {
                    c.close(target);
                }
                try {
                    return task.run();
                } finally {
                    try {
                        c.setns(self, LibC.CLONE_NEWNET);
                    } catch (LastErrorException e) {
                        // the thread ends right after this; nothing else runs in it
                    }
                }
            } finally {
                c.close(self);
            }
        }
    }
}
