package dev.ovs.netstate;

import java.util.Objects;

/**
 * One change that {@link NetState#apply} makes (or {@link NetState#diff} reports).
 *
 * <p>Values are JSON-like Java values: {@link String}, {@link Long}, {@link Boolean}, {@link java.util.List}
 * (e.g. trunk VLANs, sorted), {@link java.util.Map} with String keys (a created object's fields), or null
 * (the field or key is not set).
 *
 * @param op    {@code create}, {@code update} or {@code delete}
 * @param kind  the object's kind: {@code bridge} (OVSDB Bridge row), {@code port} (Port row),
 *              {@code interface} (Interface row), {@code container-port} (a port of the port agent),
 *              {@code vlan} (a systemd-networkd VLAN netdev) or {@code link} (the systemd-networkd {@code .network}
 *              file Patchbay owns for a link)
 * @param name  the object's name; for a container port {@code <container>/<interface>}
 * @param field for {@code update}: the document field, e.g. {@code vlan.tag}, {@code mtu},
 *              {@code ovs-db.external_ids.owner}, {@code bridge} (a port moving to another bridge), for a
 *              container port {@code vlan}, {@code bridge}, {@code ipv4}, {@code ipv6}, {@code mac}, {@code mtu},
 *              {@code gateway}, for a link {@code ipv4.address}, {@code ipv4.dhcp}, {@code ipv6.address},
 *              {@code ipv6.dhcp}, {@code vlans}, {@code routes} (or {@code file} for keys the document does not
 *              describe); null for {@code create} and {@code delete}
 * @param from  the current value; null for {@code create}
 * @param to    the value after the change; null for {@code delete}
 * @param path  the document path that asks for it, e.g. {@code interfaces[0].bridge.port[1]}; null for a
 *              change that follows from another one (a port deleted with its bridge)
 */
public record Change(String op, String kind, String name, String field, Object from, Object to, String path) {
    /** Create. */
    public static final String CREATE = "create";
    /** Update. */
    public static final String UPDATE = "update";
    /** Delete. */
    public static final String DELETE = "delete";

    /**
     * @throws NullPointerException if op, kind or name is null
     */
    public Change {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }
}
