package dev.ovs.networkd.internal;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.networkd.JobMode;
import dev.ovs.networkd.JobResult;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.networkd.Systemd;
import dev.ovs.networkd.UnitState;
import java.time.Duration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands, scope {@code unit}: {@code start|stop|restart UNIT [MODE]} (mode default replace; waits for
 * the job, {@code job.timeout.seconds} of PID dev.ovs.networkd, default 90) and {@code status UNIT}. Errors are
 * one line {@code error: KIND: message}.
 */
@Component(service = UnitCommands.class, configurationPid = "dev.ovs.networkd",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = {"osgi.command.scope=unit",
            "osgi.command.function=start", "osgi.command.function=stop", "osgi.command.function=restart",
            "osgi.command.function=status"})
public final class UnitCommands {
    @Reference
    private Systemd systemd;
    private Duration timeout = Duration.ofSeconds(90);

    /** For DS. */
    public UnitCommands() {
    }

    UnitCommands(Systemd systemd, Duration timeout) {
        this.systemd = systemd;
        this.timeout = timeout;
    }

    @Activate
    void activate(java.util.Map<String, Object> props, NetworkdConfig config) {
        timeout = Duration.ofSeconds(NetworkdComponent.validate(props, config).job_timeout_seconds());
    }

    private interface Job {
        JobResult run(String unit, JobMode mode, Duration timeout);
    }

    private String job(Job j, String unit, String mode) {
        try {
            JobResult r = j.run(unit, JobMode.parse(mode), timeout);
            return r.unit() + ": " + r.raw() + " (job " + r.job() + ")";
        } catch (NetworkdException | InvalidArgumentException e) {
            return NetCommands.error(e);
        }
    }

    /** @param unit unit name @return result line */
    public String start(String unit) {
        return start(unit, "replace");
    }

    /** @param unit unit name @param mode job mode @return result line */
    public String start(String unit, String mode) {
        return job(systemd::start, unit, mode);
    }

    /** @param unit unit name @return result line */
    public String stop(String unit) {
        return stop(unit, "replace");
    }

    /** @param unit unit name @param mode job mode @return result line */
    public String stop(String unit, String mode) {
        return job(systemd::stop, unit, mode);
    }

    /** @param unit unit name @return result line */
    public String restart(String unit) {
        return restart(unit, "replace");
    }

    /** @param unit unit name @param mode job mode @return result line */
    public String restart(String unit, String mode) {
        return job(systemd::restart, unit, mode);
    }

    /** @param unit unit name @return {@code UNIT: LoadState ActiveState (SubState)} or an error line */
    public String status(String unit) {
        try {
            UnitState s = systemd.unitState(unit);
            return s.name() + ": " + s.loadState() + " " + s.activeState() + " (" + s.subState() + ")";
        } catch (NetworkdException | InvalidArgumentException e) {
            return NetCommands.error(e);
        }
    }
}
