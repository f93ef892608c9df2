package dev.ovs.ovsdb.vswitch;

import dev.ovs.base.InvalidArgumentException;

/**
 * An 802.1Q VLAN id as Open vSwitch stores it: Port {@code tag} and the elements of Port {@code trunks} are
 * integers 0..4095 (ovs-vswitchd.conf.db(5), Port table, "VLAN Configuration"; vswitch.ovsschema
 * {@code minInteger 0, maxInteger 4095}). The range is checked once, when the value is made; every
 * operation that takes a {@code VlanTag} trusts it. Immutable, ordered by {@link #value()}.
 */
public final class VlanTag implements Comparable<VlanTag> {
    /** Smallest VLAN id: {@value}. */
    public static final int MIN = 0;
    /** Largest VLAN id: {@value}. */
    public static final int MAX = 4095;

    private static final VlanTag[] CACHE = new VlanTag[MAX + 1];

    static {
        for (int i = MIN; i <= MAX; i++) {
            CACHE[i] = new VlanTag(i);
        }
    }

    private final int value;

    private VlanTag(int value) {
        this.value = value;
    }

    /**
     * @param argument the argument, option or document path to name in the error, e.g. {@code tag},
     *                 {@code options.vlan}, {@code interfaces[2].bridge.port[0].vlan.tag}
     * @param value    the VLAN id
     * @return the tag
     * @throws InvalidArgumentException {@code "<argument>: must be 0..4095, got <value>"} when out of range
     */
    public static VlanTag of(String argument, long value) {
        if (value < MIN || value > MAX) {
            throw new InvalidArgumentException(argument, "must be " + MIN + ".." + MAX + ", got " + value);
        }
        return CACHE[(int) value];
    }

    /**
     * {@link #of(String, long)} with argument {@code tag}.
     *
     * @param value the VLAN id
     * @return the tag
     * @throws InvalidArgumentException {@code "tag: must be 0..4095, got <value>"} when out of range
     */
    public static VlanTag of(long value) {
        return of("tag", value);
    }

    /**
     * Parses a decimal VLAN id (leading and trailing whitespace ignored).
     *
     * @param argument the argument to name in the error
     * @param text     decimal digits, e.g. {@code "100"}
     * @return the tag
     * @throws InvalidArgumentException {@code "<argument>: must be a decimal VLAN id 0..4095, got '<text>'"}
     *                                  for null, non-decimal or out-of-range text
     */
    public static VlanTag parse(String argument, String text) {
        String t = text == null ? "" : text.strip();
        if (!t.matches("[0-9]{1,9}") || Integer.parseInt(t) > MAX) {
            throw new InvalidArgumentException(argument, "must be a decimal VLAN id " + MIN + ".." + MAX + ", got '" + text + "'");
        }
        return CACHE[Integer.parseInt(t)];
    }

    /** @return the VLAN id, 0..4095 */
    public int value() {
        return value;
    }

    @Override
    public int compareTo(VlanTag o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VlanTag t && t.value == value;
    }

    @Override
    public int hashCode() {
        return value;
    }

    /** @return the VLAN id in decimal, e.g. {@code "100"} */
    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
