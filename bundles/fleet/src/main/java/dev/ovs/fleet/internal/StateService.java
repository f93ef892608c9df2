package dev.ovs.fleet.internal;

/**
 * What the agent needs of the network-state service, in the shape of the pinned {@code dev.ovs.NetState1}
 * members (DESIGN.md, "Network state"): {@code Show}, {@code Apply(doc, confirm)}, {@code Commit}, {@code Rollback}
 * and the state of one checkpoint from {@code ListCheckpoints}. The component adapts the OSGi network-state service
 * to it; unit tests use a fake.
 *
 * <p>Errors: {@link dev.ovs.base.InvalidArgumentException} for a bad document (nothing changed);
 * {@link dev.ovs.base.DomainException} with kind {@code CheckpointPending} (another checkpoint pending, nothing
 * changed), {@code NotFound} (no such pending checkpoint), {@code Conflict}/{@code Timeout}/{@code Failed} (the
 * apply failed and was rolled back: an apply is atomic).
 */
public interface StateService {
    /** @return the current state document (YAML) */
    String show();

    /**
     * @param document       state document (YAML)
     * @param confirmSeconds seconds until the checkpoint rolls back by itself unless committed (at least 1)
     * @param caller         who asks, for the network-state journal, e.g. {@code fleet patchbay-desired/host3@42}
     * @return the checkpoint id
     */
    String apply(String document, int confirmSeconds, String caller);

    /** @param checkpoint a pending checkpoint id, made permanent */
    void commit(String checkpoint);

    /** @param checkpoint a pending checkpoint id, restored to its before-image now */
    void rollback(String checkpoint);

    /**
     * @param checkpoint a checkpoint id
     * @return {@code pending}, {@code committed}, {@code rolled-back}, or null when the service does not know it
     */
    String checkpointState(String checkpoint);
}
