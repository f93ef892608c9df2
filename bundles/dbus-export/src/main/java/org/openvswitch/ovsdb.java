package org.openvswitch;

/**
 * Holder whose nested classes are named like the D-Bus errors {@code org.openvswitch.ovsdb.Error.<Kind>} (dbus-java
 * names an error reply after the exception's binary class name, {@code '$'} becoming {@code '.'}).
 * Private to the bundle: create instances with {@link dev.ovs.dbus.DbusErrors}.
 */
public final class ovsdb {
    private ovsdb() {
    }

    /** The {@code Error} component of the error names. */
    public static final class Error {
        private Error() {
        }

        /** {@code org.openvswitch.ovsdb.Error.NotFound}. */
        public static final class NotFound extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public NotFound(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.AlreadyExists}. */
        public static final class AlreadyExists extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public AlreadyExists(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.ConstraintViolation}. */
        public static final class ConstraintViolation extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public ConstraintViolation(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.ReferentialIntegrity}. */
        public static final class ReferentialIntegrity extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public ReferentialIntegrity(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.Timeout}. */
        public static final class Timeout extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Timeout(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.Unavailable}. */
        public static final class Unavailable extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Unavailable(String message) {
                super(message);
            }
        }

        /** {@code org.openvswitch.ovsdb.Error.Failed}. */
        public static final class Failed extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Failed(String message) {
                super(message);
            }
        }
    }
}
