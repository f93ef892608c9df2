package dev.ovs.shell.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo command {@code system:health} ({@code bin/patchbay health} runs it through the admin socket): prints
 * {@link HealthReport#text()} and ends with exit status 0 when healthy, 1 otherwise (degraded or down; the report
 * says which check and why).
 */
@Component(service = HealthCommands.class, property = {"osgi.command.scope=system", "osgi.command.function=health"})
public final class HealthCommands {
    @Reference
    private HealthComponent health;

    /** For DS. */
    public HealthCommands() {
    }

    HealthCommands(HealthComponent health) {
        this.health = health;
    }

    /**
     * @param session the session: its exit status is set to 1 when the appliance is not healthy
     * @return the report: overall status, one line per check, one line per bundle
     */
    @Descriptor("reports the appliance's health: bundles, components, OVSDB, D-Bus, networkd, Docker API, NATS")
    public String health(CommandSession session) {
        HealthReport r = health.check();
        if (!r.healthy()) {
            session.put(AdminShellServer.EXIT_STATUS, 1);
        }
        return r.text().stripTrailing();
    }
}
