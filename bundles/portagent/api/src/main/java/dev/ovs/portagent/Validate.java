package dev.ovs.portagent;

import dev.ovs.base.InvalidArgumentException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Input checks for port operations, applied before any side effect. Each method throws
 * {@link InvalidArgumentException} naming the field and the rule, e.g. argument {@code mtu}, rule
 * {@code must be 68..65535 bytes, got 40}. Interface and bridge names follow the one rule of
 * {@link dev.ovs.base.InterfaceName}. No method performs a DNS lookup: addresses must be literals.
 * Stateless.
 */
public final class Validate {
    private Validate() {
    }

    /**
     * A unicast Ethernet MAC address {@code aa:bb:cc:dd:ee:ff}.
     *
     * @param field field name
     * @param mac   the address (either case)
     * @return the address in lower case
     * @throws InvalidArgumentException if not six ':'-separated hex octets, multicast or all zero
     */
    public static String mac(String field, String mac) {
        macOctets(field, mac);
        return mac.toLowerCase(Locale.ROOT);
    }

    /**
     * A unicast Ethernet MAC address as the 6 octets of {@code IFLA_ADDRESS} (rtnetlink(7)).
     *
     * @param field field name for the message
     * @param mac   {@code aa:bb:cc:dd:ee:ff} (hex, either case)
     * @return the 6 octets
     * @throws InvalidArgumentException if malformed, multicast (I/G bit, IEEE 802 §8.2) set or all zero
     */
    public static byte[] macOctets(String field, String mac) {
        if (mac == null || !mac.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")) {
            throw new InvalidArgumentException(field, "MAC address must be six hex octets separated by ':' "
                    + "(aa:bb:cc:dd:ee:ff), got '" + mac + "'");
        }
        byte[] out = new byte[6];
        boolean zero = true;
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) Integer.parseInt(mac.substring(i * 3, i * 3 + 2), 16);
            zero &= out[i] == 0;
        }
        if ((out[0] & 1) != 0) {
            throw new InvalidArgumentException(field, "MAC address must be unicast (least significant bit of "
                    + "the first octet clear), got '" + mac + "'");
        }
        if (zero) {
            throw new InvalidArgumentException(field, "MAC address must not be 00:00:00:00:00:00");
        }
        return out;
    }

    /**
     * A network namespace name as {@code ip netns add NAME} binds it under {@code /var/run/netns}
     * (ip-netns(8)): 1..255 characters (NAME_MAX), no {@code '/'}, NUL or whitespace, not {@code "."} or
     * {@code ".."}.
     *
     * @param field field name
     * @param name  the name
     * @return the name
     * @throws InvalidArgumentException if a rule is broken
     */
    public static String netnsName(String field, String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            throw new InvalidArgumentException(field, "network namespace name must be 1..255 characters, got '"
                    + name + "'");
        }
        if (name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == 0 || Character.isWhitespace(c))) {
            throw new InvalidArgumentException(field, "network namespace name must not contain '/', NUL or "
                    + "whitespace and not be '.' or '..', got '" + name + "'");
        }
        return name;
    }

    /**
     * An MTU in bytes: 68 (RFC 791 minimum) .. 65535.
     *
     * @param field field name
     * @param mtu   value
     * @return the value
     * @throws InvalidArgumentException if out of range
     */
    public static int mtu(String field, long mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new InvalidArgumentException(field, "must be 68..65535 bytes, got " + mtu);
        }
        return (int) mtu;
    }

    /**
     * An IPv4 or IPv6 address literal (dotted quad without leading zeros, or RFC 4291 text without a
     * zone). Never resolves names.
     *
     * @param field field name
     * @param text  the literal
     * @return the address
     * @throws InvalidArgumentException if not a literal
     */
    public static InetAddress ipLiteral(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field, "must be an IPv4 or IPv6 address literal, got empty");
        }
        if (text.matches("[0-9.]+")) {
            String[] parts = text.split("\\.", -1);
            if (parts.length == 4) {
                byte[] b = new byte[4];
                boolean ok = true;
                for (int i = 0; i < 4 && ok; i++) {
                    String p = parts[i];
                    ok = !p.isEmpty() && p.length() <= 3 && !(p.length() > 1 && p.startsWith("0"))
                            && Integer.parseInt(p) <= 255;
                    if (ok) {
                        b[i] = (byte) Integer.parseInt(p);
                    }
                }
                if (ok) {
                    return byAddress(b);
                }
            }
            throw new InvalidArgumentException(field, "must be an IPv4 address a.b.c.d with each part 0..255 "
                    + "(no leading zeros), got '" + text + "'");
        }
        if (text.contains(":") && text.matches("[0-9A-Fa-f:.]+") && text.length() <= 45) {
            try {
                InetAddress a = InetAddress.getByName(text); // a literal: no lookup
                if (!(a instanceof Inet4Address)) {
                    return a;
                }
            } catch (UnknownHostException e) {
                // fall through
            }
        }
        throw new InvalidArgumentException(field, "must be an IPv4 or IPv6 address literal, got '" + text + "'");
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An interface address with optional prefix ({@code ADDRESS[/PREFIX]}, as ovs-docker's
     * {@code --ipaddress}); without a prefix the host prefix (32 or 128) is used, like
     * {@code ip addr add}. The address must be unicast (not unspecified, not multicast).
     *
     * @param field field name
     * @param text  e.g. {@code 192.168.1.2/24}
     * @return the parsed address and prefix
     * @throws InvalidArgumentException if malformed, the prefix is out of range, or not unicast
     */
    public static Cidr cidr(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field, "must be ADDRESS or ADDRESS/PREFIX, got empty");
        }
        int slash = text.indexOf('/');
        InetAddress a = ipLiteral(field, slash < 0 ? text : text.substring(0, slash));
        int max = a instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max) {
                throw new InvalidArgumentException(field, "prefix length must be 0.." + max + ", got '" + p + "'");
            }
            prefix = Integer.parseInt(p);
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw new InvalidArgumentException(field, "must be a unicast address (not unspecified or multicast), got '"
                    + text + "'");
        }
        return new Cidr(a, prefix);
    }

    /**
     * A default gateway: a unicast address literal; when the interface address is known it must be
     * of the same family, inside its subnet, and different from it (otherwise the kernel could not
     * reach it: {@code ENETUNREACH}).
     *
     * @param field   field name
     * @param text    the gateway literal
     * @param address the interface address, or null if none is set
     * @return the gateway
     * @throws InvalidArgumentException if a rule is broken
     */
    public static InetAddress gateway(String field, String text, Cidr address) {
        InetAddress g = ipLiteral(field, text);
        if (g.isAnyLocalAddress() || g.isMulticastAddress()) {
            throw new InvalidArgumentException(field, "must be a unicast address, got '" + text + "'");
        }
        if (address != null) {
            if ((g instanceof Inet4Address) != address.isIpv4()) {
                throw new InvalidArgumentException(field, "must be the same address family as the ipaddress "
                        + address + ", got '" + text + "'");
            }
            if (!address.contains(g)) {
                throw new InvalidArgumentException(field, "must lie inside the ipaddress subnet " + address
                        + ", got '" + text + "'");
            }
            if (g.equals(address.address())) {
                throw new InvalidArgumentException(field, "must differ from the ipaddress itself, got '" + text + "'");
            }
        }
        return g;
    }

    /**
     * Text form of an address: dotted quad, or RFC 5952 canonical IPv6 (lower case, longest run of
     * two or more zero groups as {@code ::}).
     *
     * @param a the address
     * @return its text
     */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8;) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
