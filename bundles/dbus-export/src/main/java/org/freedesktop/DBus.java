package org.freedesktop;

/**
 * Holder whose nested classes are named like the D-Bus errors {@code org.freedesktop.DBus.Error.<Kind>} (dbus-java
 * names an error reply after the exception's binary class name, {@code '$'} becoming {@code '.'}).
 * Private to the bundle: create instances with {@link dev.ovs.dbus.DbusErrors}.
 */
public final class DBus {
    private DBus() {
    }

    /** The {@code Error} component of the error names. */
    public static final class Error {
        private Error() {
        }

        /** {@code org.freedesktop.DBus.Error.InvalidArgs}. */
        public static final class InvalidArgs extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public InvalidArgs(String message) {
                super(message);
            }
        }
    }
}
