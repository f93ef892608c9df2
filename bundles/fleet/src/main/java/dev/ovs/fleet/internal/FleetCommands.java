package dev.ovs.fleet.internal;

import dev.ovs.fleet.Fleet;
import dev.ovs.fleet.FleetStatus;
import dev.ovs.fleet.Report;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo shell commands, scope {@code fleet}: {@code fleet:status}. */
@Component(service = FleetCommands.class, property = {"osgi.command.scope=fleet", "osgi.command.function=status"})
public final class FleetCommands {
    @Reference
    private Fleet fleet;

    /** For DS. */
    public FleetCommands() {
    }

    FleetCommands(Fleet fleet) {
        this.fleet = fleet;
    }

    /**
     * {@code fleet:status}: the agent's host id, connection, event counters, desired and applied revisions and the
     * last report.
     *
     * @return the report, one {@code key value} per line
     */
    public String status() {
        return format(fleet.status());
    }

    static String format(FleetStatus s) {
        StringBuilder sb = new StringBuilder();
        line(sb, "enabled", s.enabled());
        if (!s.enabled()) {
            return sb.toString();
        }
        line(sb, "host.id", s.hostId());
        line(sb, "connection", s.connection() + (s.server().isEmpty() ? "" : " " + s.server()));
        line(sb, "events", "published " + s.eventsPublished() + ", dropped " + s.eventsDropped() + ", queued "
                + s.eventsQueued() + ", skipped " + s.eventsSkipped());
        line(sb, "desired", s.desiredRevision() == 0 ? "-" : s.desiredRevision());
        line(sb, "applied", s.appliedRevision() == 0 ? "-" : s.appliedRevision());
        Report r = s.lastReport();
        line(sb, "report", r == null ? "-" : "revision " + r.revision() + " " + r.status()
                + (r.checkpoint() == null ? "" : " checkpoint " + r.checkpoint())
                + (r.error() == null ? "" : " error: " + r.error()) + (s.reportUnsent() ? " (not yet sent)" : ""));
        line(sb, "error", s.lastError().isEmpty() ? "-" : s.lastError());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(String.format("%-11s %s%n", key, value));
    }
}
