package dev.ovs.networkd;

import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The service manager over D-Bus ({@code org.freedesktop.systemd1}, org.freedesktop.systemd1(5)); never
 * {@code systemctl}. OSGi service of component PID {@code dev.ovs.networkd}.
 *
 * <p>Job methods enqueue a job and return when systemd reports it finished ({@code JobRemoved} for exactly
 * that job path; the client is subscribed with {@code Subscribe} and listens before the call, so a job that
 * finishes before the call returns is not missed). A job result other than {@code done} is returned, not
 * thrown. Unit names are validated first: 1..255 chars of {@code [A-Za-z0-9:_.\\@-]} with a type suffix
 * ({@code .service}, {@code .socket}, ...).
 *
 * <p>Errors: {@link dev.ovs.base.InvalidArgumentException} for a bad name, mode or timeout;
 * {@link NetworkdException} with kind NotFound for an unknown unit ({@code org.freedesktop.systemd1.NoSuchUnit}
 * or LoadState {@code not-found}), Timeout when the job did not finish within the timeout (it is left
 * running), Unavailable without a connection or without systemd on the bus, Failed for other D-Bus errors.
 */
@ProviderType
public interface Systemd {
    /**
     * {@code StartUnit}.
     *
     * @param unit    unit name, e.g. {@code systemd-networkd.service}
     * @param mode    job mode
     * @param timeout how long to wait for the job (positive)
     * @return the job's result
     */
    JobResult start(String unit, JobMode mode, Duration timeout);

    /**
     * {@code StopUnit}.
     *
     * @param unit    unit name
     * @param mode    job mode
     * @param timeout positive
     * @return the job's result
     */
    JobResult stop(String unit, JobMode mode, Duration timeout);

    /**
     * {@code RestartUnit}.
     *
     * @param unit    unit name
     * @param mode    job mode
     * @param timeout positive
     * @return the job's result
     */
    JobResult restart(String unit, JobMode mode, Duration timeout);

    /**
     * {@code ReloadOrRestartUnit}.
     *
     * @param unit    unit name
     * @param mode    job mode
     * @param timeout positive
     * @return the job's result
     */
    JobResult reloadOrRestart(String unit, JobMode mode, Duration timeout);

    /**
     * {@code LoadUnit} then the Unit properties LoadState, ActiveState, SubState.
     *
     * @param unit unit name
     * @return the state
     * @throws NetworkdException kind NotFound if the unit does not exist (LoadState {@code not-found})
     */
    UnitState unitState(String unit);

    /**
     * {@code EnableUnitFiles(files, runtime, force)}.
     *
     * @param files   unit file names (validated like unit names) or absolute paths
     * @param runtime true: enable in /run only
     * @param force   true: replace conflicting symlinks
     * @return the changes made
     */
    List<UnitFileChange> enable(List<String> files, boolean runtime, boolean force);

    /**
     * {@code DisableUnitFiles(files, runtime)}.
     *
     * @param files   unit file names
     * @param runtime true: disable in /run only
     * @return the changes made
     */
    List<UnitFileChange> disable(List<String> files, boolean runtime);

    /** {@code Reload()}: daemon reload. */
    void daemonReload();
}
