package org.freedesktop.network1;

import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.freedesktop.network1.Link} at {@code /org/freedesktop/network1/link/_<ifindex as escaped
 * decimal>} (org.freedesktop.network1(5), "Link Object"). Properties read through
 * {@code org.freedesktop.DBus.Properties} (all {@code s}): {@code OperationalState}, {@code CarrierState},
 * {@code AddressState}, {@code IPv4AddressState}, {@code IPv6AddressState}, {@code OnlineState},
 * {@code AdministrativeState}; changes are announced with {@code PropertiesChanged}.
 */
public interface Link extends DBusInterface {
    /** D-Bus interface name. */
    String INTERFACE = "org.freedesktop.network1.Link";

    /**
     * {@code Describe(out s json)}.
     *
     * @return JSON description of this link
     */
    String Describe();

    /** {@code Reconfigure()}: re-applies the link's .network file. */
    void Reconfigure();
}
