package dev.ovs.networkd.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.networkd.NetworkdException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.freedesktop.dbus.connections.impl.DBusConnection;

/**
 * The appliance's shared connection ({@link DbusConnectionService} of bundle dev.ovs.dbus, which reconnects
 * by itself); the service may come and go (dynamic reference), listeners are moved along.
 */
final class SharedBusLink implements BusLink, DbusConnectionListener {
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile DbusConnectionService service;

    synchronized void bind(DbusConnectionService s) {
        unbind(service);
        service = s;
        s.addListener(this);
    }

    synchronized void unbind(DbusConnectionService s) {
        if (s != null && s == service) {
            s.removeListener(this);
            service = null;
            disconnected();
        }
    }

    @Override
    public void connected(DBusConnection connection) {
        for (Listener l : listeners) {
            l.connected(connection);
        }
    }

    @Override
    public void disconnected() {
        for (Listener l : listeners) {
            l.disconnected();
        }
    }

    @Override
    public DBusConnection connection() {
        DbusConnectionService s = service;
        if (s == null) {
            throw new NetworkdException(ErrorKind.Unavailable,
                    "no D-Bus connection: the dev.ovs.dbus connection service is not available");
        }
        return s.connection().orElseThrow(() -> new NetworkdException(ErrorKind.Unavailable,
                "no D-Bus connection to " + s.address() + " right now (reconnecting)"));
    }

    @Override
    public synchronized void addListener(Listener l) {
        listeners.add(l);
        DbusConnectionService s = service;
        if (s != null) {
            s.connection().ifPresent(l::connected);
        }
    }

    @Override
    public void removeListener(Listener l) {
        listeners.remove(l);
    }
}
