package dev.ovs.portagent;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An interface address with prefix length, as {@code ip addr add ADDRESS/PREFIX} takes it.
 *
 * @param address      unicast IPv4 or IPv6 address
 * @param prefixLength 0..32 (IPv4) or 0..128 (IPv6)
 */
public record Cidr(InetAddress address, int prefixLength) {
    /**
     * Whether {@code other} lies in this address's subnet (same family, same first
     * {@link #prefixLength()} bits).
     *
     * @param other an address
     * @return true if in the subnet
     */
    public boolean contains(InetAddress other) {
        byte[] a = address.getAddress();
        byte[] b = other.getAddress();
        if (a.length != b.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit++) {
            int m = 0x80 >> (bit % 8);
            if ((a[bit / 8] & m) != (b[bit / 8] & m)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether this is IPv4 */
    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** @return {@code 10.0.0.2/24} or {@code fd00::2/64} */
    @Override
    public String toString() {
        return Validate.format(address) + "/" + prefixLength;
    }
}
