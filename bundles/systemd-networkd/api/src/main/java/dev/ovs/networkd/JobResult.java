package dev.ovs.networkd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a systemd job ended: the {@code JobRemoved(u id, o job, s unit, s result)} signal
 * (org.freedesktop.systemd1(5)). Every job systemd reports, whoever queued it, is published on the bus as
 * topic {@code systemd.unit.<unit>.job} (unit name percent-encoded by {@code Topics.of}, e.g.
 * {@code systemd.unit.patchbay%2Eservice.job}), type {@value #TYPE}, with payload {@link #toPayload()}:
 * <pre>{"unit":"patchbay.service","job":"/org/freedesktop/systemd1/job/42","id":42,"result":"done"}</pre>
 *
 * @param id     numeric job id
 * @param job    job object path, e.g. {@code /org/freedesktop/systemd1/job/42}
 * @param unit   unit name
 * @param result the result
 * @param raw    the result string as systemd sent it
 */
public record JobResult(long id, String job, String unit, Result result, String raw) {
    /** Topic type of the bus event: {@value}. */
    public static final String TYPE = "job";

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

    /**
     * @return the bus payload (JSON object content): {@code unit}, {@code job} (object path), {@code id} and
     *         {@code result} (systemd's string, {@link #raw()})
     */
    public Map<String, Object> toPayload() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("job", job);
        m.put("id", id);
        m.put("result", raw);
        return m;
    }

    /** @return true if the result is {@link Result#DONE} */
    public boolean succeeded() {
        return result == Result.DONE;
    }
}
