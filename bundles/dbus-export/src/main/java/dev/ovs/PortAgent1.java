package dev.ovs;

/**
 * Holder whose nested classes are named like the D-Bus errors {@code dev.ovs.PortAgent1.Error.<Kind>} (dbus-java
 * names an error reply after the exception's binary class name, {@code '$'} becoming {@code '.'}).
 * Private to the bundle: create instances with {@link dev.ovs.dbus.DbusErrors}.
 */
public final class PortAgent1 {
    private PortAgent1() {
    }

    /** The {@code Error} component of the error names. */
    public static final class Error {
        private Error() {
        }

        /** {@code dev.ovs.PortAgent1.Error.NotFound}. */
        public static final class NotFound extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public NotFound(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.AlreadyExists}. */
        public static final class AlreadyExists extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public AlreadyExists(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.ConstraintViolation}. */
        public static final class ConstraintViolation extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public ConstraintViolation(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.ReferentialIntegrity}. */
        public static final class ReferentialIntegrity extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public ReferentialIntegrity(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.Timeout}. */
        public static final class Timeout extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Timeout(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.Unavailable}. */
        public static final class Unavailable extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Unavailable(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.PortAgent1.Error.Failed}. */
        public static final class Failed extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Failed(String message) {
                super(message);
            }
        }
    }
}
