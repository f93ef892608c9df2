package dev.ovs.portagent;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Optional settings of add-port, as ovs-docker's {@code --ipaddress}, {@code --macaddress},
 * {@code --gateway}, {@code --mtu}, plus the access VLAN (Port {@code tag}). The address texts and the MTU
 * are checked by the agent with {@link Validate} before any side effect; the VLAN is a {@link VlanTag},
 * checked when it was made.
 *
 * @param ipaddress  {@code ADDRESS[/PREFIX]}, or null
 * @param macaddress {@code aa:bb:cc:dd:ee:ff}, or null
 * @param gateway    default gateway literal, or null
 * @param mtu        68..65535, or null
 * @param vlan       the access VLAN (Port {@code tag}), or null for none
 */
public record PortSettings(String ipaddress, String macaddress, String gateway, Integer mtu, VlanTag vlan) {
    /** No settings. */
    public static final PortSettings NONE = new PortSettings(null, null, null, null, null);

    /**
     * From D-Bus {@code a{sv}} / shell options: keys {@code ipaddress}, {@code macaddress},
     * {@code gateway} (strings), {@code mtu}, {@code vlan} (integral numbers of any D-Bus numeric type, a
     * {@code d} only with an integral value, or decimal strings).
     *
     * @param options the options
     * @return the settings
     * @throws InvalidArgumentException for an unknown key, a value of the wrong type (a fraction, NaN or an
     *                                  infinity for a number), or a {@code vlan} outside 0..4095 (naming the key)
     */
    public static PortSettings fromOptions(Map<String, ?> options) {
        String ip = null;
        String mac = null;
        String gw = null;
        Integer mtu = null;
        VlanTag vlan = null;
        for (Map.Entry<String, ?> e : options.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "ipaddress" -> ip = text(e.getKey(), v);
                case "macaddress" -> mac = text(e.getKey(), v);
                case "gateway" -> gw = text(e.getKey(), v);
                case "mtu" -> mtu = number(e.getKey(), v);
                case "vlan" -> vlan = VlanTag.of(e.getKey(), number(e.getKey(), v));
                default -> throw new InvalidArgumentException("options", "unknown key '" + e.getKey()
                        + "' (known: ipaddress, macaddress, gateway, mtu, vlan)");
            }
        }
        return new PortSettings(ip, mac, gw, mtu, vlan);
    }

    private static String text(String k, Object v) {
        if (!(v instanceof CharSequence)) {
            throw new InvalidArgumentException(k, "must be a string");
        }
        return v.toString();
    }

    private static Integer number(String k, Object v) {
        if (v instanceof Number n) {
            BigDecimal d;
            try {
                d = new BigDecimal(n.toString()); // exact: also D-Bus uint64 above 2^63, doubles, BigInteger
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(k, "must be an integer, got " + n);
            }
            if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
                throw new InvalidArgumentException(k, "must be an integer, got " + n);
            }
            if (d.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0 || d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw new InvalidArgumentException(k, "out of range, got " + n);
            }
            return d.intValueExact();
        }
        if (v instanceof CharSequence s && s.toString().matches("-?[0-9]{1,9}")) {
            return Integer.parseInt(s.toString());
        }
        throw new InvalidArgumentException(k, "must be an integer");
    }
}
