package org.freedesktop.systemd1;

import java.util.List;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;

/**
 * {@code org.freedesktop.systemd1.Manager} on object {@value #PATH} of bus name {@value #BUS_NAME}
 * (org.freedesktop.systemd1(5), "The Manager Object"): only the members Patchbay uses, with systemd's exact
 * names and signatures. Errors are D-Bus errors such as {@code org.freedesktop.systemd1.NoSuchUnit}.
 */
public interface Manager extends DBusInterface {
    /** Well-known bus name of the service manager. */
    String BUS_NAME = "org.freedesktop.systemd1";
    /** Object path of the manager. */
    String PATH = "/org/freedesktop/systemd1";

    /**
     * {@code GetUnit(in s name, out o unit)}: the object of a loaded unit.
     *
     * @param name unit name, e.g. {@code systemd-networkd.service}
     * @return unit object path
     */
    DBusPath GetUnit(String name);

    /**
     * {@code LoadUnit(in s name, out o unit)}: like GetUnit but loads the unit from disk if needed (a
     * missing unit file gives a unit with LoadState {@code not-found}).
     *
     * @param name unit name
     * @return unit object path
     */
    DBusPath LoadUnit(String name);

    /**
     * {@code StartUnit(in s name, in s mode, out o job)}.
     *
     * @param name unit name
     * @param mode job mode: replace, fail, isolate, ignore-dependencies, ignore-requirements
     * @return job object path
     */
    DBusPath StartUnit(String name, String mode);

    /**
     * {@code StopUnit(in s name, in s mode, out o job)}.
     *
     * @param name unit name
     * @param mode job mode
     * @return job object path
     */
    DBusPath StopUnit(String name, String mode);

    /**
     * {@code RestartUnit(in s name, in s mode, out o job)}.
     *
     * @param name unit name
     * @param mode job mode
     * @return job object path
     */
    DBusPath RestartUnit(String name, String mode);

    /**
     * {@code ReloadOrRestartUnit(in s name, in s mode, out o job)}.
     *
     * @param name unit name
     * @param mode job mode
     * @return job object path
     */
    DBusPath ReloadOrRestartUnit(String name, String mode);

    /** {@code Subscribe()}: enables the job and unit signals for this client. */
    void Subscribe();

    /** {@code Unsubscribe()}. */
    void Unsubscribe();

    /** {@code Reload()}: daemon reload (re-reads all unit files). */
    void Reload();

    /**
     * {@code EnableUnitFiles(in as files, in b runtime, in b force, out b carries_install_info,
     * out a(sss) changes)}.
     *
     * @param files   unit file names or paths
     * @param runtime true: only in /run (until reboot)
     * @param force   true: replace existing symlinks
     * @return carries_install_info and the changes made
     */
    EnableResult<Boolean, List<UnitFileChange>> EnableUnitFiles(List<String> files, boolean runtime, boolean force);

    /**
     * {@code DisableUnitFiles(in as files, in b runtime, out a(sss) changes)}.
     *
     * @param files   unit file names
     * @param runtime true: only in /run
     * @return the changes made
     */
    List<UnitFileChange> DisableUnitFiles(List<String> files, boolean runtime);

    /**
     * One element of the {@code a(sss)} change list: type ({@code symlink} or {@code unlink}), file name of
     * the symlink, destination of the symlink (empty for unlink).
     */
    final class UnitFileChange extends Struct {
        /** {@code symlink} or {@code unlink}. */
        @Position(0)
        public final String type;
        /** The symlink's path. */
        @Position(1)
        public final String file;
        /** The symlink's target, empty for unlink. */
        @Position(2)
        public final String destination;

        /**
         * @param type        change type
         * @param file        symlink path
         * @param destination symlink target
         */
        public UnitFileChange(String type, String file, String destination) {
            this.type = type;
            this.file = file;
            this.destination = destination;
        }
    }

    /**
     * The two out arguments of EnableUnitFiles ({@code b}, {@code a(sss)}).
     *
     * @param <A> Boolean
     * @param <B> List of UnitFileChange
     */
    final class EnableResult<A, B> extends Tuple {
        /** carries_install_info. */
        @Position(0)
        public final A carriesInstallInfo;
        /** changes. */
        @Position(1)
        public final B changes;

        /**
         * @param carriesInstallInfo whether the unit files had [Install] information
         * @param changes            the changes made
         */
        public EnableResult(A carriesInstallInfo, B changes) {
            this.carriesInstallInfo = carriesInstallInfo;
            this.changes = changes;
        }
    }

    /**
     * Signal {@code JobNew(u id, o job, s unit)}: a job was enqueued (only sent to subscribed clients).
     */
    class JobNew extends DBusSignal {
        private final UInt32 id;
        private final DBusPath job;
        private final String unit;

        /**
         * @param path object path of the emitter ({@value Manager#PATH})
         * @param id   numeric job id
         * @param job  job object path
         * @param unit unit name
         * @throws DBusException if the signal cannot be built
         */
        public JobNew(String path, UInt32 id, DBusPath job, String unit) throws DBusException {
            super(path, id, job, unit);
            this.id = id;
            this.job = job;
            this.unit = unit;
        }

        /** @return numeric job id */
        public UInt32 getId() {
            return id;
        }

        /** @return job object path */
        public DBusPath getJob() {
            return job;
        }

        /** @return unit name */
        public String getUnit() {
            return unit;
        }
    }

    /**
     * Signal {@code JobRemoved(u id, o job, s unit, s result)}: a job finished or was removed; result is
     * one of done, canceled, timeout, failed, dependency, skipped (only sent to subscribed clients).
     */
    class JobRemoved extends DBusSignal {
        private final UInt32 id;
        private final DBusPath job;
        private final String unit;
        private final String result;

        /**
         * @param path   object path of the emitter ({@value Manager#PATH})
         * @param id     numeric job id
         * @param job    job object path
         * @param unit   unit name
         * @param result job result
         * @throws DBusException if the signal cannot be built
         */
        public JobRemoved(String path, UInt32 id, DBusPath job, String unit, String result) throws DBusException {
            super(path, id, job, unit, result);
            this.id = id;
            this.job = job;
            this.unit = unit;
            this.result = result;
        }

        /** @return numeric job id */
        public UInt32 getId() {
            return id;
        }

        /** @return job object path */
        public DBusPath getJob() {
            return job;
        }

        /** @return unit name */
        public String getUnit() {
            return unit;
        }

        /** @return job result */
        public String getResult() {
            return result;
        }
    }
}
