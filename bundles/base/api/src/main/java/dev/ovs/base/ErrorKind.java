package dev.ovs.base;

/**
 * Stable error kinds of every Patchbay API. On D-Bus the constant's name is the last component of the
 * error name: {@code org.openvswitch.ovsdb.Error.NotFound}, {@code dev.ovs.PortAgent1.Error.Timeout},
 * {@code dev.ovs.NetState1.Error.Conflict} (DESIGN.md, "Pinned external contracts"). Bad input is not a
 * kind: it is {@link InvalidArgumentException} ({@code org.freedesktop.DBus.Error.InvalidArgs}).
 */
public enum ErrorKind {
    /** A named object (bridge, port, container, row, checkpoint, unit) does not exist. */
    NotFound,
    /** The object to create already exists. */
    AlreadyExists,
    /** A schema or semantic constraint would be violated (RFC 7047 "constraint violation", a kernel rule). */
    ConstraintViolation,
    /** A reference would dangle (RFC 7047 §4.1.3 "referential integrity violation"). */
    ReferentialIntegrity,
    /** Someone else changed what the operation read before it committed (RFC 7047 {@code wait} failed). */
    Conflict,
    /** A commit-confirmed checkpoint is pending; another one cannot start. */
    CheckpointPending,
    /** An operation or a peer did not finish in time. */
    Timeout,
    /** A backend (ovsdb-server, a bundle, the container runtime, systemd, the ledger) is not available now. */
    Unavailable,
    /** Anything else. */
    Failed
}
