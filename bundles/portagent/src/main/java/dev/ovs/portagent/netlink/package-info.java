/**
 * rtnetlink (rtnetlink(7), netlink(7)) from Java through JNA: links (veth pairs across network
 * namespaces, up/down, MTU, MAC, rename, move, delete, dump), addresses and routes. Private to the port
 * agent's implementation bundle (not exported); tests and tools outside a framework use it from the
 * implementation jar.
 *
 * <p>Entry points: {@link dev.ovs.portagent.netlink.NetNamespace} names a network namespace (by PID,
 * {@code /var/run/netns} name or path); {@link dev.ovs.portagent.netlink.RtNetlink#open(NetNamespace)}
 * opens a {@code NETLINK_ROUTE} socket inside it (on a dedicated platform thread that calls setns(2)
 * and exits; the calling thread is never moved). Every request is acknowledged by the kernel; a
 * negative acknowledgement is a {@link dev.ovs.portagent.netlink.NetlinkException} carrying the errno
 * name, the operation, the object and the kernel's extended-ack message. Names follow
 * {@link dev.ovs.base.InterfaceName}.
 */
package dev.ovs.portagent.netlink;
