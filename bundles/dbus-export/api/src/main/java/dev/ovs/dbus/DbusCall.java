package dev.ovs.dbus;

import java.util.Objects;

/**
 * One incoming method call on a whiteboard object, as an {@link DbusAuthorizer} sees it before the member
 * runs.
 *
 * @param sender        the caller's unique bus name, e.g. {@code :1.42} (the D-Bus {@code SENDER} header; the
 *                      bus daemon sets it, so it cannot be forged); empty on a peer-to-peer connection
 * @param objectPath    the object path called, e.g. {@code /dev/ovs/Vlan1}
 * @param interfaceName the D-Bus interface name, e.g. {@code dev.ovs.Vlan1}
 * @param member        the member name, e.g. {@code CreateBridge}
 * @param readOnly      whether the member is declared {@link ReadOnly} on its interface
 * @since dev.ovs.dbus 2.0.0
 */
public record DbusCall(String sender, String objectPath, String interfaceName, String member, boolean readOnly) {
    /**
     * @throws NullPointerException if a string is null
     */
    public DbusCall {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(objectPath, "objectPath");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(member, "member");
    }
}
