package dev.ovs.networkd.internal;

import dev.ovs.networkd.NetworkdException;
import org.freedesktop.dbus.connections.impl.DBusConnection;

/** Where the clients get their D-Bus connection from, and hear about it coming and going. */
interface BusLink {
    /**
     * @return the current connection
     * @throws NetworkdException kind Unavailable while disconnected
     */
    DBusConnection connection();

    /**
     * Adds a listener; if connected, {@link Listener#connected(DBusConnection)} is called at once.
     *
     * @param l listener
     */
    void addListener(Listener l);

    /** @param l listener to remove */
    void removeListener(Listener l);

    /** Connection events (called one at a time, on the link's thread). */
    interface Listener {
        /** @param c the new connection */
        void connected(DBusConnection c);

        /** The connection is gone. */
        void disconnected();
    }
}
