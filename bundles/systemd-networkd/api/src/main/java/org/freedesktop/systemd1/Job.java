package org.freedesktop.systemd1;

import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * {@code org.freedesktop.systemd1.Job} (org.freedesktop.systemd1(5), "Job Objects"), at
 * {@code /org/freedesktop/systemd1/job/<id>}. Properties (via {@code org.freedesktop.DBus.Properties}):
 * {@code Id u}, {@code Unit (so)}, {@code JobType s}, {@code State s} (waiting or running).
 */
public interface Job extends DBusInterface {
    /** D-Bus interface name. */
    String INTERFACE = "org.freedesktop.systemd1.Job";

    /** {@code Cancel()}: cancels the job; it is then removed with result {@code canceled}. */
    void Cancel();
}
