package dev.ovs.shell.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One evaluation of the appliance's health: the overall {@link Status}, one {@link Check} per part (bundles,
 * components, each dependency) and the state of every bundle.
 *
 * @param status  the worst status among the counted checks
 * @param checks  the checks, in a fixed order
 * @param bundles every installed bundle
 * @param at      when the evaluation finished
 */
record HealthReport(Status status, List<Check> checks, List<BundleState> bundles, Instant at) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A check's outcome, from best to worst ({@link #SKIPPED}: not applicable, never counted). */
    enum Status {
        /** Not applicable here (the bundle is not installed, the feature is disabled). */
        SKIPPED,
        /** Works. */
        OK,
        /** Works partly, or an optional dependency is missing: the appliance serves its core. */
        DEGRADED,
        /** Broken: a bundle or component does not run, or a core dependency (OVSDB, D-Bus) is missing. */
        DOWN;

        /** @return the lower-case word used in reports: {@code ok}, {@code degraded}, {@code down}, {@code n/a} */
        String word() {
            return this == SKIPPED ? "n/a" : name().toLowerCase(Locale.ROOT);
        }

        /** @return the worse of the two */
        Status worst(Status other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    /**
     * @param name    what was checked: {@code bundles}, {@code components}, {@code ovsdb}, {@code dbus},
     *                {@code networkd}, {@code docker}, {@code nats}
     * @param status  its outcome
     * @param detail  one line: what was seen, and why it is not ok
     * @param counted false when the configuration ({@code dev.ovs.health ignore}) excludes it from the overall status
     */
    record Check(String name, Status status, String detail, boolean counted) {
        Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * @param id      bundle id
     * @param name    symbolic name
     * @param version version
     * @param state   {@code ACTIVE}, {@code RESOLVED} (fragments), {@code INSTALLED}, ...
     * @param ok      whether that state is the expected one (active; resolved for a fragment)
     */
    record BundleState(long id, String name, String version, String state, boolean ok) {
    }

    /**
     * @param checks  the checks
     * @param bundles the bundles
     * @param at      when
     * @return the report, its status the worst of the counted checks ({@link Status#OK} if none is worse)
     */
    static HealthReport of(List<Check> checks, List<BundleState> bundles, Instant at) {
        Status s = Status.OK;
        for (Check c : checks) {
            if (c.counted() && c.status() != Status.SKIPPED) {
                s = s.worst(c.status());
            }
        }
        return new HealthReport(s, List.copyOf(checks), List.copyOf(bundles), at);
    }

    /** @return whether the overall status is {@link Status#OK} */
    boolean healthy() {
        return status == Status.OK;
    }

    /**
     * @return one line for systemd's {@code STATUS=}: {@code healthy: N bundles active, ovsdb, dbus, ... ok} or
     *         {@code degraded: docker: DETAIL; networkd: DETAIL} (the counted checks that are not ok)
     */
    String summary() {
        if (healthy()) {
            long active = bundles.stream().filter(BundleState::ok).count();
            return "healthy: " + active + " bundles active; " + checks.stream()
                    .filter(c -> c.status() == Status.OK && !c.name().equals("bundles"))
                    .map(Check::name).collect(Collectors.joining(", ")) + " ok";
        }
        return status.word() + ": " + checks.stream().filter(c -> c.counted() && c.status().ordinal() > Status.OK.ordinal())
                .map(c -> c.name() + ": " + c.detail()).collect(Collectors.joining("; "));
    }

    /**
     * @return the report for people: {@code status: WORD}, a line per check ({@code NAME STATUS DETAIL}, with
     *         {@code (ignored)} for checks not counted), then a line per bundle ({@code ID STATE NAME VERSION})
     */
    String text() {
        StringBuilder sb = new StringBuilder("status: ").append(healthy() ? "healthy" : status.word()).append('\n');
        for (Check c : checks) {
            sb.append(String.format("  %-11s %-9s %s%s%n", c.name(), c.status().word(), c.detail(),
                    c.counted() ? "" : " (ignored)"));
        }
        sb.append("bundles:\n");
        for (BundleState b : bundles) {
            sb.append(String.format("  %3d %-9s %s %s%s%n", b.id(), b.state(), b.name(), b.version(),
                    b.ok() ? "" : "  <- not running"));
        }
        return sb.toString();
    }

    /**
     * @return the report as JSON: {@code {"status": "ok|degraded|down", "healthy": bool, "summary": text,
     *         "at": ISO-8601, "checks": [{"name", "status", "detail", "counted"}], "bundles": [{"id", "name",
     *         "version", "state", "ok"}]}}
     */
    String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", status.word());
        root.put("healthy", healthy());
        root.put("summary", summary());
        root.put("at", at.toString());
        ArrayNode cs = root.putArray("checks");
        for (Check c : checks) {
            cs.addObject().put("name", c.name()).put("status", c.status().word()).put("detail", c.detail())
                    .put("counted", c.counted());
        }
        ArrayNode bs = root.putArray("bundles");
        for (BundleState b : bundles) {
            bs.addObject().put("id", b.id()).put("name", b.name()).put("version", b.version()).put("state", b.state())
                    .put("ok", b.ok());
        }
        return root.toString();
    }
}
