package dev.ovs.ovsdb.vswitch;

/**
 * The Open_vSwitch tables whose rows are addressed by their {@code name} column (ovs-vswitchd.conf.db(5)):
 * the targets of {@link VSwitch#setExternalIds} and {@link VSwitch#updateExternalIds}.
 */
public enum NamedTable {
    /** Table {@code Bridge}. */
    BRIDGE("Bridge"),
    /** Table {@code Port}. */
    PORT("Port"),
    /** Table {@code Interface}. */
    INTERFACE("Interface");

    private final String table;

    NamedTable(String table) {
        this.table = table;
    }

    /** @return the table name in the schema, e.g. {@code "Port"} */
    public String table() {
        return table;
    }

    /** @return the argument name used in errors: {@code bridge}, {@code port} or {@code interface} */
    public String argument() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
