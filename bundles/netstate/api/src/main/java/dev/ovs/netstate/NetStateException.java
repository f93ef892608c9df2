package dev.ovs.netstate;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import java.util.Set;

/**
 * A failure of {@link NetState} with one of the kinds pinned for {@code dev.ovs.NetState1}:
 * {@link ErrorKind#CheckpointPending}, {@link ErrorKind#NotFound}, {@link ErrorKind#Conflict},
 * {@link ErrorKind#Timeout} or {@link ErrorKind#Failed} (D-Bus {@code dev.ovs.NetState1.Error.<kind>}).
 */
public class NetStateException extends DomainException {
    private static final long serialVersionUID = 1L;

    /** The kinds a NetStateException may have. */
    public static final Set<ErrorKind> KINDS = Set.of(ErrorKind.CheckpointPending, ErrorKind.NotFound,
            ErrorKind.Conflict, ErrorKind.Timeout, ErrorKind.Failed);

    /**
     * @param kind    one of {@link #KINDS}
     * @param message human-readable message naming the checkpoint or object and what failed
     * @param cause   underlying cause, or null
     * @throws IllegalArgumentException if kind is not one of {@link #KINDS}
     * @throws NullPointerException     if kind is null
     */
    public NetStateException(ErrorKind kind, String message, Throwable cause) {
        super(check(kind), message, cause);
    }

    /** Same as {@link #NetStateException(ErrorKind, String, Throwable)} without a cause. */
    public NetStateException(ErrorKind kind, String message) {
        this(kind, message, null);
    }

    private static ErrorKind check(ErrorKind kind) {
        if (kind != null && !KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind: must be one of " + KINDS + ", got " + kind);
        }
        return kind;
    }
}
