package dev.ovs.fleet;

import dev.ovs.base.InvalidArgumentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which hosts a rollout writes to and how: an explicit host list or every known host, at most
 * {@link #maxUnavailable()} hosts between their desired write and their report at any time, and how long each host
 * may take. Immutable; build with {@link #hosts(List)} or {@link #all()} and the {@code with} methods.
 */
public final class RolloutOptions {
    /** Default time a host may take from the desired write to a terminal report: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final List<String> hosts;
    private final boolean all;
    private final int maxUnavailable;
    private final Duration timeout;

    private RolloutOptions(List<String> hosts, boolean all, int maxUnavailable, Duration timeout) {
        this.hosts = hosts;
        this.all = all;
        this.maxUnavailable = maxUnavailable;
        this.timeout = timeout;
    }

    /**
     * @param hosts host ids in rollout order, at least one, no duplicates (see {@link Subjects#checkHostId})
     * @return options for exactly these hosts, max-unavailable 1, timeout {@link #DEFAULT_TIMEOUT}
     * @throws InvalidArgumentException naming {@code hosts} or {@code hosts[i]} when the list is empty, has a
     *                                  duplicate or an invalid host id
     */
    public static RolloutOptions hosts(List<String> hosts) {
        if (hosts == null || hosts.isEmpty()) {
            throw new InvalidArgumentException("hosts", "at least one host is required");
        }
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < hosts.size(); i++) {
            Subjects.checkHostId("hosts[" + i + "]", hosts.get(i));
            if (!seen.add(hosts.get(i))) {
                throw new InvalidArgumentException("hosts[" + i + "]", "duplicate host '" + hosts.get(i) + "'");
            }
        }
        return new RolloutOptions(List.copyOf(new ArrayList<>(seen)), false, 1, DEFAULT_TIMEOUT);
    }

    /**
     * @return options for every host that has a key in {@value Subjects#DESIRED_BUCKET} or
     *         {@value Subjects#REPORTED_BUCKET}, in sorted order, max-unavailable 1, timeout {@link #DEFAULT_TIMEOUT}
     */
    public static RolloutOptions all() {
        return new RolloutOptions(List.of(), true, 1, DEFAULT_TIMEOUT);
    }

    /**
     * @param n how many hosts may be between their desired write and a terminal report at once, at least 1
     * @return a copy with that limit
     * @throws InvalidArgumentException naming {@code max-unavailable} when {@code n < 1}
     */
    public RolloutOptions withMaxUnavailable(int n) {
        if (n < 1) {
            throw new InvalidArgumentException("max-unavailable", "must be at least 1, got " + n);
        }
        return new RolloutOptions(hosts, all, n, timeout);
    }

    /**
     * @param t how long one host may take from its desired write to a terminal report, 1 s .. 1 day
     * @return a copy with that timeout
     * @throws InvalidArgumentException naming {@code timeout} when out of range
     */
    public RolloutOptions withTimeout(Duration t) {
        if (t == null || t.compareTo(Duration.ofSeconds(1)) < 0 || t.compareTo(Duration.ofDays(1)) > 0) {
            throw new InvalidArgumentException("timeout", "must be 1 s .. 1 day, got " + t);
        }
        return new RolloutOptions(hosts, all, maxUnavailable, t);
    }

    /** @return the explicit hosts in order; empty when {@link #allHosts()} */
    public List<String> hostList() {
        return hosts;
    }

    /** @return whether the rollout targets every known host */
    public boolean allHosts() {
        return all;
    }

    /** @return the max-unavailable limit, at least 1 */
    public int maxUnavailable() {
        return maxUnavailable;
    }

    /** @return the per-host timeout */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "RolloutOptions[" + (all ? "all" : String.join(",", hosts)) + " max-unavailable=" + maxUnavailable
                + " timeout=" + timeout + "]";
    }
}
