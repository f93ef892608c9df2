package dev.ovs.fleet;

import dev.ovs.base.InvalidArgumentException;

/**
 * The {@code status} of a {@link Report}, with its pinned wire name (DESIGN.md, "Fleet (NATS)").
 */
public enum ReportStatus {
    /** The revision was applied, the connectivity check passed and the checkpoint is committed: {@code applied}. */
    APPLIED("applied"),
    /**
     * The revision changed the host and was undone: the apply or its verification failed, the connectivity check
     * failed, the confirm timeout passed, or the agent stopped while the checkpoint was pending: {@code rolled-back}.
     */
    ROLLED_BACK("rolled-back"),
    /**
     * The revision changed nothing: the document is invalid, another checkpoint is pending, or the network-state
     * service is not available: {@code failed}.
     */
    FAILED("failed"),
    /** The revision is applied and its checkpoint waits for the connectivity check: {@code pending}. */
    PENDING("pending");

    private final String wire;

    ReportStatus(String wire) {
        this.wire = wire;
    }

    /** @return the JSON value, e.g. {@code rolled-back} */
    public String wire() {
        return wire;
    }

    /** @return whether the agent is done with the revision (every status but {@link #PENDING}) */
    public boolean terminal() {
        return this != PENDING;
    }

    /**
     * @param wire a JSON value such as {@code applied}
     * @return the status
     * @throws InvalidArgumentException naming {@code status} when {@code wire} is not one of the four names
     */
    public static ReportStatus fromWire(String wire) {
        for (ReportStatus s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw new InvalidArgumentException("status", "must be applied, rolled-back, failed or pending, got '" + wire + "'");
    }

    @Override
    public String toString() {
        return wire;
    }
}
