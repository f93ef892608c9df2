package dev.ovs.fleet;

/**
 * One row of {@link FleetController#status()} ({@code bin/patchbay fleet status}): what is desired for a host and
 * what it reported. Immutable.
 *
 * @param host            the host id (a key of bucket {@value Subjects#DESIRED_BUCKET} or
 *                        {@value Subjects#REPORTED_BUCKET})
 * @param desiredRevision the KV revision of its desired document, 0 when none
 * @param report          its last report, or null when it has not reported (or its report does not parse)
 */
public record HostState(String host, long desiredRevision, Report report) {
    /** @return whether the host reported {@link ReportStatus#APPLIED} for its current desired revision */
    public boolean converged() {
        return desiredRevision > 0 && report != null && report.revision() == desiredRevision
                && report.status() == ReportStatus.APPLIED;
    }
}
