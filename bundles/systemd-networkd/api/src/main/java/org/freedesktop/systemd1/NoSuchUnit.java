package org.freedesktop.systemd1;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * D-Bus error {@code org.freedesktop.systemd1.NoSuchUnit} (unknown unit, e.g. StartUnit or GetUnit of a unit that does not exist). dbus-java 5.2.0 maps an error reply to the exception
 * class whose binary name is the error name, so callers can tell it apart; it is also what a test-only
 * service throws to send this error.
 */
public class NoSuchUnit extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    /** @param message the error message (the reply's body) */
    public NoSuchUnit(String message) {
        super(message);
    }
}
