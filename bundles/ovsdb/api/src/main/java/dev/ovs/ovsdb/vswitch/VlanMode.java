package dev.ovs.ovsdb.vswitch;

import dev.ovs.base.InvalidArgumentException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Port {@code vlan_mode} (ovs-vswitchd.conf.db(5), Port table, "VLAN Configuration"). An empty column means
 * {@link #TRUNK} if the port has no {@code tag}, else {@link #ACCESS}.
 */
public enum VlanMode {
    /** {@code access}: untagged packets in the port's {@code tag} VLAN; tagged packets are dropped. */
    ACCESS("access"),
    /** {@code trunk}: tagged packets of the {@code trunks} VLANs (all if empty); untagged go to VLAN 0. */
    TRUNK("trunk"),
    /** {@code native-tagged}: a trunk whose native VLAN ({@code tag}) is sent tagged. */
    NATIVE_TAGGED("native-tagged"),
    /** {@code native-untagged}: a trunk whose native VLAN ({@code tag}) is sent untagged. */
    NATIVE_UNTAGGED("native-untagged"),
    /** {@code dot1q-tunnel}: 802.1ad QinQ, the {@code tag} VLAN pushed as outer tag. */
    DOT1Q_TUNNEL("dot1q-tunnel");

    private final String column;

    VlanMode(String column) {
        this.column = column;
    }

    /** @return the value as stored in the column, e.g. {@code "native-untagged"} */
    public String column() {
        return column;
    }

    /**
     * @param argument the argument to name in the error, e.g. {@code vlan_mode}
     * @param value    a column value, e.g. {@code "access"}
     * @return the mode
     * @throws InvalidArgumentException naming {@code argument} and the allowed values when {@code value} is
     *                                  none of them
     */
    public static VlanMode of(String argument, String value) {
        for (VlanMode m : values()) {
            if (m.column.equals(value)) {
                return m;
            }
        }
        throw new InvalidArgumentException(argument, "must be one of "
                + Arrays.stream(values()).map(VlanMode::column).collect(Collectors.joining(", ")) + ", got '" + value + "'");
    }

    /** @return {@link #column()} */
    @Override
    public String toString() {
        return column;
    }
}
