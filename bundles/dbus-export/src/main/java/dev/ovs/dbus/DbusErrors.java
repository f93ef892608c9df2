package dev.ovs.dbus;

import java.util.Objects;

/**
 * Factories for the D-Bus errors pinned in DESIGN.md ("Pinned external contracts / D-Bus"). Throw the
 * result from a method of an exported object; the caller sees the error name and the message.
 *
 * <pre>
 * throw DbusErrors.invalidArgs("bridge", "must be 1..15 bytes");   // org.freedesktop.DBus.Error.InvalidArgs
 * throw DbusErrors.ovsdb(Kind.AlreadyExists, "bridge br0 exists"); // org.openvswitch.ovsdb.Error.AlreadyExists
 * throw DbusErrors.portAgent(Kind.NotFound, "no such container");  // dev.ovs.PortAgent1.Error.NotFound
 * </pre>
 *
 * A third-party interface that wants its own error names declares its own exception classes extending
 * {@link DbusError} (or dbus-java's {@code DBusExecutionException}) whose binary name, with {@code '$'}
 * replaced by {@code '.'}, is the wanted error name (see {@code docs/extending.md}).
 */
public final class DbusErrors {
    /** Error name for bad input (D-Bus specification, standard error names): {@value}. */
    public static final String INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs";
    /** Prefix of the errors of {@code org.openvswitch.ovsdb}: {@value}. */
    public static final String OVSDB_PREFIX = "org.openvswitch.ovsdb.Error.";
    /** Prefix of the errors of {@code dev.ovs.PortAgent1}: {@value}. */
    public static final String PORT_AGENT_PREFIX = "dev.ovs.PortAgent1.Error.";

    /** Error kinds: the last component of the error name. Same constants as the OVSDB bundle's kinds. */
    public enum Kind {
        /** A named object (bridge, port, container, row) does not exist. */
        NotFound,
        /** The object to create already exists. */
        AlreadyExists,
        /** A schema or semantic constraint would be violated. */
        ConstraintViolation,
        /** A reference would dangle (RFC 7047 "referential integrity violation"). */
        ReferentialIntegrity,
        /** An operation timed out. */
        Timeout,
        /** The backend (ovsdb-server, the OVSDB bundle, the container runtime) is not available right now. */
        Unavailable,
        /** Anything else. */
        Failed;

        /**
         * Maps a kind name from another bundle (e.g. {@code dev.ovs.base.ErrorKind#name()}).
         *
         * @param name a constant name; null or unknown names give {@link #Failed}
         * @return the kind
         */
        public static Kind of(String name) {
            if (name != null) {
                for (Kind k : values()) {
                    if (k.name().equals(name)) {
                        return k;
                    }
                }
            }
            return Failed;
        }
    }

    private DbusErrors() {
    }

    /**
     * Bad input: {@code org.freedesktop.DBus.Error.InvalidArgs} with message
     * {@code "<argument>: <rule>"}.
     *
     * @param argument the argument's name as in the interface documentation, e.g. {@code bridge}
     * @param rule     the rule that was broken, e.g. {@code must not be empty}
     * @return the exception to throw
     */
    public static DbusError invalidArgs(String argument, String rule) {
        return new org.freedesktop.DBus.Error.InvalidArgs(Objects.requireNonNull(argument, "argument") + ": "
                + Objects.requireNonNull(rule, "rule"));
    }

    /**
     * An {@code org.openvswitch.ovsdb.Error.<Kind>} error.
     *
     * @param kind    the kind, not null
     * @param message human readable message, not null
     * @return the exception to throw
     */
    public static DbusError ovsdb(Kind kind, String message) {
        Objects.requireNonNull(message, "message");
        switch (Objects.requireNonNull(kind, "kind")) {
            case NotFound:
                return new org.openvswitch.ovsdb.Error.NotFound(message);
            case AlreadyExists:
                return new org.openvswitch.ovsdb.Error.AlreadyExists(message);
            case ConstraintViolation:
                return new org.openvswitch.ovsdb.Error.ConstraintViolation(message);
            case ReferentialIntegrity:
                return new org.openvswitch.ovsdb.Error.ReferentialIntegrity(message);
            case Timeout:
                return new org.openvswitch.ovsdb.Error.Timeout(message);
            case Unavailable:
                return new org.openvswitch.ovsdb.Error.Unavailable(message);
            default:
                return new org.openvswitch.ovsdb.Error.Failed(message);
        }
    }

    /**
     * A {@code dev.ovs.PortAgent1.Error.<Kind>} error.
     *
     * @param kind    the kind, not null
     * @param message human readable message, not null
     * @return the exception to throw
     */
    public static DbusError portAgent(Kind kind, String message) {
        Objects.requireNonNull(message, "message");
        switch (Objects.requireNonNull(kind, "kind")) {
            case NotFound:
                return new dev.ovs.PortAgent1.Error.NotFound(message);
            case AlreadyExists:
                return new dev.ovs.PortAgent1.Error.AlreadyExists(message);
            case ConstraintViolation:
                return new dev.ovs.PortAgent1.Error.ConstraintViolation(message);
            case ReferentialIntegrity:
                return new dev.ovs.PortAgent1.Error.ReferentialIntegrity(message);
            case Timeout:
                return new dev.ovs.PortAgent1.Error.Timeout(message);
            case Unavailable:
                return new dev.ovs.PortAgent1.Error.Unavailable(message);
            default:
                return new dev.ovs.PortAgent1.Error.Failed(message);
        }
    }
}
