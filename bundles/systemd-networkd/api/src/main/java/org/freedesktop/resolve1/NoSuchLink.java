package org.freedesktop.resolve1;

import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * D-Bus error {@code org.freedesktop.resolve1.NoSuchLink}: what systemd-networkd (systemd 252) replies to
 * {@code GetLinkByName}/{@code GetLinkByIndex} for an unknown link ("Link NAME not known"); systemd's
 * {@code BUS_ERROR_NO_SUCH_LINK} is shared by resolved and networkd. dbus-java 5.2.0 maps an error reply to
 * the exception class whose binary name is the error name, so callers can tell it apart.
 */
public class NoSuchLink extends DBusExecutionException {
    private static final long serialVersionUID = 1L;

    /** @param message the error message (the reply's body) */
    public NoSuchLink(String message) {
        super(message);
    }
}
