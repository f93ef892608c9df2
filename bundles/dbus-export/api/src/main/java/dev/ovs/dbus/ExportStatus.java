package dev.ovs.dbus;

import java.util.Objects;

/**
 * Immutable status of one whiteboard export (see {@link DbusExport}).
 *
 * @param serviceId   the OSGi {@code service.id} of the exported service
 * @param bundle      symbolic name of the bundle that registered it ({@code ?} if unknown)
 * @param objectPath  the requested object path (as given, may be invalid)
 * @param busName     the requested bus name, or null if none
 * @param state       see {@link State}
 * @param message     human readable reason for any state other than {@link State#EXPORTED}; empty otherwise
 */
public record ExportStatus(long serviceId, String bundle, String objectPath, String busName, State state,
        String message) {
    /** Export states. */
    public enum State {
        /** Exported on the current connection (and the bus name, if any, is owned). */
        EXPORTED,
        /** Waiting for a connection to the bus. */
        PENDING,
        /** Another tracked service already uses this object path; exported when that one goes away. */
        PATH_CONFLICT,
        /** Exported, but the bus name is owned by another connection or the bus policy denies owning it. */
        NAME_CONFLICT,
        /** The service properties are invalid (bad path or name) or the object implements no DBusInterface. */
        INVALID,
        /** dbus-java refused to export the object (e.g. an unsupported Java type in a method signature). */
        FAILED
    }

    /**
     * @throws NullPointerException if bundle, objectPath, state or message is null
     */
    public ExportStatus {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(objectPath, "objectPath");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
    }
}
