package dev.ovs.networkd.internal;

import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusConnectionService;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.messages.DBusSignal;

/** Test stand-in for dev.ovs.dbus's connection service: one fixed connection, listeners told at once. */
final class StaticConnectionService implements DbusConnectionService {
    private final DBusConnection conn;
    final List<DbusConnectionListener> listeners = new CopyOnWriteArrayList<>();

    StaticConnectionService(DBusConnection conn) {
        this.conn = conn;
    }

    @Override
    public String address() {
        return "test";
    }

    @Override
    public boolean isConnected() {
        return conn.isConnected();
    }

    @Override
    public Optional<DBusConnection> connection() {
        return Optional.of(conn);
    }

    @Override
    public Optional<String> uniqueName() {
        return Optional.of(conn.getUniqueName());
    }

    @Override
    public boolean emit(DBusSignal signal) {
        conn.sendMessage(signal);
        return true;
    }

    @Override
    public long connectCount() {
        return 1;
    }

    @Override
    public long droppedSignals() {
        return 0;
    }

    @Override
    public void addListener(DbusConnectionListener listener) {
        listeners.add(listener);
        listener.connected(conn);
    }

    @Override
    public void removeListener(DbusConnectionListener listener) {
        listeners.remove(listener);
    }
}
