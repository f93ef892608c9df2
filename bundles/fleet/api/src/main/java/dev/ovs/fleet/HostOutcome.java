package dev.ovs.fleet;

/**
 * What a rollout did on one host. Immutable.
 *
 * @param host          the host id
 * @param revision      the desired KV revision written for it, 0 when the rollout did not write to it
 * @param result        the outcome
 * @param error         the host's reported error, the timeout, or null
 * @param elapsedMillis time from the desired write to the terminal report (or to the timeout), ms; 0 when not
 *                      started
 */
public record HostOutcome(String host, long revision, Result result, String error, long elapsedMillis) {
    /** Outcome of one host in a rollout. */
    public enum Result {
        /** The host reported {@code applied} for the written revision. */
        APPLIED,
        /** The host reported {@code rolled-back}. */
        ROLLED_BACK,
        /** The host reported {@code failed}. */
        FAILED,
        /** No terminal report for the written revision within the timeout. */
        TIMEOUT,
        /** The rollout stopped before writing to this host: its desired document is unchanged. */
        NOT_STARTED
    }
}
