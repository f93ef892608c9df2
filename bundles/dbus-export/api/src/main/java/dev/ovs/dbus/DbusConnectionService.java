package dev.ovs.dbus;

import java.util.Optional;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.messages.DBusSignal;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The appliance's one D-Bus connection (OSGi service of component PID {@code dev.ovs.dbus}).
 *
 * <p>Configuration {@code etc/dev.ovs.dbus.cfg}: {@code address} = {@code system} (default; the system bus,
 * {@code DBUS_SYSTEM_BUS_ADDRESS} or {@code unix:path=/var/run/dbus/system_bus_socket}), {@code session}
 * ({@code DBUS_SESSION_BUS_ADDRESS}), or an explicit D-Bus address such as {@code unix:path=/run/x/bus.sock}
 * (D-Bus specification, "Server Addresses"; the native transport supports {@code unix:path=} only).
 *
 * <p>The service is registered while the component is active, connected or not: when the bus daemon is
 * missing or goes away the component reconnects with exponential backoff (100 ms doubling up to 5 s),
 * then re-acquires the bus names and re-exports every whiteboard object ({@link DbusExport}).
 */
@ProviderType
public interface DbusConnectionService {
    /** @return the configured address ({@code system}, {@code session} or a D-Bus address) */
    String address();

    /** @return true while a connection to the bus is up */
    boolean isConnected();

    /**
     * The current connection, for client calls ({@code getRemoteObject}) and signal handlers. Do not close
     * it, and do not keep it across {@link DbusConnectionListener#disconnected()}.
     *
     * @return the connection, or empty while disconnected
     */
    Optional<DBusConnection> connection();

    /** @return the unique bus name of the current connection (e.g. {@code :1.42}), or empty while disconnected */
    Optional<String> uniqueName();

    /**
     * Sends a signal if connected (at-most-once: signals while disconnected are dropped and counted).
     *
     * @param signal a dbus-java signal instance (an inner class of its {@code DBusInterface})
     * @return true if handed to the connection, false if dropped because there is no connection
     * @throws IllegalArgumentException if signal is null
     */
    boolean emit(DBusSignal signal);

    /** @return how many connections were established since activation (1 after the first connect) */
    long connectCount();

    /** @return how many signals {@link #emit(DBusSignal)} dropped because there was no connection */
    long droppedSignals();

    /**
     * Adds a listener; if connected now, {@link DbusConnectionListener#connected(DBusConnection)} is
     * called at once on the caller's thread.
     *
     * @param listener the listener, not null
     */
    void addListener(DbusConnectionListener listener);

    /** @param listener listener to remove (unknown listeners are ignored) */
    void removeListener(DbusConnectionListener listener);

    /**
     * The D-Bus call the calling thread is serving: inside a member of a whiteboard export ({@link DbusExport})
     * called through this connection, the call with its caller's credentials ({@link DbusCall#uid()},
     * {@link DbusCall#pid()}, {@link DbusCall#groups()}); e.g. a face that allows some arguments to root only.
     * Empty on any other thread, and when the member was called in-process (not over D-Bus). The default (for
     * implementations that export nothing, such as test stubs) is always empty.
     *
     * @return the call being served on this thread, or empty
     * @since dev.ovs.dbus 2.1.0
     */
    default Optional<DbusCall> currentCall() {
        return Optional.empty();
    }
}
