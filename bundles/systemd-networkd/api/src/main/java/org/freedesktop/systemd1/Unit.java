package org.freedesktop.systemd1;

import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.freedesktop.systemd1.Unit} (org.freedesktop.systemd1(5), "Unit Objects"). Patchbay only reads
 * its properties {@code Id}, {@code LoadState}, {@code ActiveState}, {@code SubState} (all {@code s}) through
 * {@code org.freedesktop.DBus.Properties}; the interface has no members declared here.
 */
public interface Unit extends DBusInterface {
    /** D-Bus interface name. */
    String INTERFACE = "org.freedesktop.systemd1.Unit";
}
