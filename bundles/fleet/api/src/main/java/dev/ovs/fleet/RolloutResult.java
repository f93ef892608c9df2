package dev.ovs.fleet;

import java.util.List;

/**
 * The result of {@link FleetController#rollout}: one {@link HostOutcome} per target host, in rollout order.
 *
 * @param outcomes every target host's outcome; hosts after a failure are {@link HostOutcome.Result#NOT_STARTED}
 * @param elapsedMillis wall time of the whole rollout, ms
 */
public record RolloutResult(List<HostOutcome> outcomes, long elapsedMillis) {
    /**
     * @param outcomes      outcomes in rollout order (copied)
     * @param elapsedMillis wall time, ms
     */
    public RolloutResult {
        outcomes = List.copyOf(outcomes);
    }

    /** @return whether every target host applied its revision */
    public boolean complete() {
        return outcomes.stream().allMatch(o -> o.result() == HostOutcome.Result.APPLIED);
    }

    /** @return the first host that did not apply (in completion order of the failures: first in the list), or null */
    public HostOutcome firstFailure() {
        return outcomes.stream().filter(o -> o.result() != HostOutcome.Result.APPLIED
                && o.result() != HostOutcome.Result.NOT_STARTED).findFirst().orElse(null);
    }
}
