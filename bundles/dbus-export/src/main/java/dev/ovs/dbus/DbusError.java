package dev.ovs.dbus;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * A D-Bus error with a stable name, thrown by exported methods. Obtain instances from {@link DbusErrors}.
 *
 * <p>How the name reaches the wire: dbus-java 5.2.0 builds the error reply of a method that throws a
 * {@link DBusExecutionException} from the exception's Java binary class name with every {@code '$'}
 * replaced by {@code '.'} ({@code org.freedesktop.dbus.messages.Error}); the concrete subclasses of this
 * type are nested classes named so that this yields exactly {@link #errorName()}, and the error message
 * (D-Bus error body, signature {@code s}) is {@link #getMessage()}.
 */
public abstract class DbusError extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message human readable message, sent as the error's body
     */
    protected DbusError(String message) {
        super(message);
    }

    /** @return the D-Bus error name, e.g. {@code org.freedesktop.DBus.Error.InvalidArgs} */
    public final String errorName() {
        return getClass().getName().replace('$', '.');
    }
}
