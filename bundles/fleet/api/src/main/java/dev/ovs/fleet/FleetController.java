package dev.ovs.fleet;

import dev.ovs.base.InvalidArgumentException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The rollout side of the fleet: writes desired state documents and reads reports over one NATS connection
 * (a JetStream-enabled hub). The implementation is in bundle {@code dev.ovs.fleet} ({@code docs/fleet.md} says how
 * to get one outside a framework); {@code bin/patchbay fleet apply|status} uses it.
 * Thread-safe; {@link #close()} closes the connection.
 */
@ProviderType
public interface FleetController extends AutoCloseable {
    /**
     * Rolls {@code document} out: writes it to key {@code <host>} of {@value Subjects#DESIRED_BUCKET} for at most
     * {@link RolloutOptions#maxUnavailable()} hosts at a time (in order), and waits for each host's report about
     * exactly the revision written. When a host applied, the next host starts. At the first host that reports
     * {@code rolled-back} or {@code failed}, or does not report within {@link RolloutOptions#timeout()}, no further
     * host is written: the hosts already in progress are waited for, the rest stay untouched
     * ({@link HostOutcome.Result#NOT_STARTED}). Creates both buckets when they do not exist.
     *
     * @param document a state document (YAML text, DESIGN.md "Network state"), not blank; it is validated by each
     *                 host, not here
     * @param options  target hosts, max-unavailable, per-host timeout
     * @return every target host's outcome
     * @throws InvalidArgumentException naming {@code document} when it is blank or larger than the bucket's value
     *                                  limit, or {@code hosts} when {@link RolloutOptions#all()} finds no host
     * @throws FleetException           {@code Unavailable} when NATS or JetStream does not answer, {@code Failed} when a
     *                                  write is refused
     */
    RolloutResult rollout(String document, RolloutOptions options);

    /**
     * @return one row per host that has a key in either bucket, sorted by host id
     * @throws FleetException {@code Unavailable} when NATS or JetStream does not answer
     */
    List<HostState> status();

    /** Closes the NATS connection. Idempotent. */
    @Override
    void close();
}
