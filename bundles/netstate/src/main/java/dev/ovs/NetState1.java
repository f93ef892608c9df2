package dev.ovs;

/**
 * Holder whose nested classes are named like the D-Bus errors {@code dev.ovs.NetState1.Error.<Kind>} (dbus-java
 * names an error reply after the exception's binary class name, {@code '$'} becoming {@code '.'}). Private to
 * bundle {@code dev.ovs.netstate}: thrown by its D-Bus face only.
 */
public final class NetState1 {
    private NetState1() {
    }

    /** The {@code Error} component of the error names. */
    public static final class Error {
        private Error() {
        }

        /** {@code dev.ovs.NetState1.Error.CheckpointPending}: another checkpoint is pending. */
        public static final class CheckpointPending extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public CheckpointPending(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.NetState1.Error.NotFound}: no such checkpoint. */
        public static final class NotFound extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public NotFound(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.NetState1.Error.Conflict}: someone else changed what the apply read. */
        public static final class Conflict extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Conflict(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.NetState1.Error.Timeout}: ovs-vswitchd did not apply the change in time. */
        public static final class Timeout extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Timeout(String message) {
                super(message);
            }
        }

        /** {@code dev.ovs.NetState1.Error.Failed}: anything else. */
        public static final class Failed extends dev.ovs.dbus.DbusError {
            private static final long serialVersionUID = 1L;

            /** @param message human readable message (the error body) */
            public Failed(String message) {
                super(message);
            }
        }
    }
}
