package dev.ovs.dbus;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when the D-Bus connection of {@link DbusConnectionService} comes and goes, e.g. to re-add signal
 * handlers (match rules do not survive a bus daemon restart). Calls are made on the connection's
 * reconnect thread, one at a time; exceptions are logged and ignored. Do not block for long.
 */
@ConsumerType
public interface DbusConnectionListener {
    /**
     * A connection was established (first time or after a loss). Whiteboard exports and their bus names
     * are already in place when this is called.
     *
     * @param connection the new connection; valid until {@link #disconnected()}
     */
    void connected(DBusConnection connection);

    /** The connection was lost or closed; a new one will follow with {@link #connected(DBusConnection)}. */
    default void disconnected() {
    }
}
