package dev.ovs.portagent.netlink;

import java.net.InetAddress;

/**
 * One interface address as reported by {@code RTM_NEWADDR} (rtnetlink(7)).
 *
 * @param index        ifindex of the interface
 * @param address      {@code IFA_LOCAL}, or {@code IFA_ADDRESS} when there is no local attribute
 * @param prefixLength {@code ifa_prefixlen}, 0..32 (IPv4) or 0..128 (IPv6)
 * @param scope        {@code ifa_scope} (0 universe, 253 link, 254 host)
 * @param label        {@code IFA_LABEL} (IPv4 only), or null
 */
public record AddressInfo(int index, InetAddress address, int prefixLength, int scope, String label) {
    /** @return {@code address/prefix}, e.g. {@code 10.0.0.2/24} */
    public String cidr() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
