package dev.ovs.networkd;

/**
 * How a systemd job ended: the {@code JobRemoved(u id, o job, s unit, s result)} signal
 * (org.freedesktop.systemd1(5)).
 *
 * @param id     numeric job id
 * @param job    job object path, e.g. {@code /org/freedesktop/systemd1/job/42}
 * @param unit   unit name
 * @param result the result
 * @param raw    the result string as systemd sent it
 */
public record JobResult(long id, String job, String unit, Result result, String raw) {
    /** Job results ({@code JobRemoved}'s {@code result}). */
    public enum Result {
        /** {@code done}: successful. */
        DONE,
        /** {@code canceled}: canceled before it finished. */
        CANCELED,
        /** {@code timeout}: the job timeout was reached. */
        TIMEOUT,
        /** {@code failed}: the job failed. */
        FAILED,
        /** {@code dependency}: a job this one depended on failed. */
        DEPENDENCY,
        /** {@code skipped}: the job did not apply to the unit's state. */
        SKIPPED,
        /** any other string (newer systemd versions). */
        OTHER;

        /**
         * @param s systemd's result string
         * @return the constant, {@link #OTHER} for unknown strings
         */
        public static Result of(String s) {
            if (s != null) {
                for (Result r : values()) {
                    if (r != OTHER && r.name().equalsIgnoreCase(s)) {
                        return r;
                    }
                }
            }
            return OTHER;
        }
    }

    /** @return true if the result is {@link Result#DONE} */
    public boolean succeeded() {
        return result == Result.DONE;
    }
}
