package dev.ovs.fleet;

import dev.ovs.base.InvalidArgumentException;
import java.util.Objects;

/**
 * What a host reports about one desired revision: the value of key {@code <host.id>} in bucket
 * {@value Subjects#REPORTED_BUCKET}, JSON {@code {"revision": <desired KV revision>, "status":
 * "applied|rolled-back|failed|pending", "checkpoint": id or null, "error": text or null, "ts": ms}}
 * (DESIGN.md, "Fleet (NATS)"). Immutable value.
 */
public final class Report {
    private final long revision;
    private final ReportStatus status;
    private final String checkpoint;
    private final String error;
    private final long timestamp;

    /**
     * @param revision   the KV revision of the desired document this report is about, at least 1
     * @param status     the outcome, not null
     * @param checkpoint the network-state checkpoint id, or null when none was taken
     * @param error      a human-readable reason for {@code rolled-back}/{@code failed}, or null
     * @param timestamp  when the host wrote the report, milliseconds since the Unix epoch
     * @throws InvalidArgumentException naming {@code revision} or {@code status} when invalid
     */
    public Report(long revision, ReportStatus status, String checkpoint, String error, long timestamp) {
        if (revision < 1) {
            throw new InvalidArgumentException("revision", "must be at least 1, got " + revision);
        }
        if (status == null) {
            throw new InvalidArgumentException("status", "must not be null");
        }
        this.revision = revision;
        this.status = status;
        this.checkpoint = checkpoint;
        this.error = error;
        this.timestamp = timestamp;
    }

    /** @return the desired KV revision this report is about (1 or more) */
    public long revision() {
        return revision;
    }

    /** @return the outcome */
    public ReportStatus status() {
        return status;
    }

    /** @return the checkpoint id, or null */
    public String checkpoint() {
        return checkpoint;
    }

    /** @return the reason of a failure or rollback, or null */
    public String error() {
        return error;
    }

    /** @return when the report was written, ms since the Unix epoch */
    public long timestamp() {
        return timestamp;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Report)) {
            return false;
        }
        Report r = (Report) o;
        return revision == r.revision && status == r.status && Objects.equals(checkpoint, r.checkpoint)
                && Objects.equals(error, r.error) && timestamp == r.timestamp;
    }

    @Override
    public int hashCode() {
        return Objects.hash(revision, status, checkpoint, error, timestamp);
    }

    @Override
    public String toString() {
        return "Report[revision=" + revision + " status=" + status + " checkpoint=" + checkpoint + " error=" + error
                + " ts=" + timestamp + "]";
    }
}
