package dev.ovs.dbus;

import java.util.Objects;
import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * A D-Bus error: a stable error name and a human message (D-Bus specification, "Message Types: ERROR": the
 * {@code ERROR_NAME} header and a body of signature {@code s}). Thrown by members of whiteboard objects
 * ({@link DbusExport}), usually obtained from {@link DbusErrors}; most faces never build one themselves and
 * throw their domain exceptions instead, which the exporter maps with {@link DbusErrors#map}.
 *
 * <p>How the name reaches the wire: dbus-java 5.2.0 names an error reply after the Java binary class name
 * of the thrown exception ({@code '$'} replaced by {@code '.'}; {@code org.freedesktop.dbus.messages.Error});
 * its {@code DBusExecutionException#setType} does nothing. The whiteboard exporter of {@code dev.ovs.dbus}
 * therefore throws, in place of a {@code DbusError}, an instance of a class it defines at run time whose
 * name is {@link #errorName()}. A {@code DbusError} thrown from an object exported some other way (directly on
 * a dbus-java connection) reaches the caller as {@code dev.ovs.dbus.DbusError}.
 *
 * @since dev.ovs.dbus 2.0.0
 */
public class DbusError extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    /** The error name. */
    private final String errorName;

    /**
     * @param errorName the D-Bus error name, e.g. {@code dev.ovs.Vlan1.Error.NotFound}: the rules of
     *                  {@link DbusErrors#errorNameViolation(String)} (D-Bus specification, "Valid Error Names")
     * @param message   human readable message, sent as the error's body; not null
     * @throws dev.ovs.base.InvalidArgumentException {@code errorName} naming the broken rule
     * @throws NullPointerException if message is null
     */
    public DbusError(String errorName, String message) {
        super(Objects.requireNonNull(message, "message"));
        String bad = DbusErrors.errorNameViolation(errorName);
        if (bad != null) {
            throw new dev.ovs.base.InvalidArgumentException("errorName", bad);
        }
        this.errorName = errorName;
    }

    /** @return the D-Bus error name, e.g. {@code org.freedesktop.DBus.Error.InvalidArgs}; never null */
    public final String errorName() {
        return errorName;
    }

    /** @return {@code "<error name>: <message>"} */
    @Override
    public String toString() {
        return errorName + ": " + getMessage();
    }
}
