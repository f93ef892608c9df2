package dev.ovs.networkd.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.freedesktop.systemd1.AlreadySubscribed;
import org.freedesktop.systemd1.Job;
import org.freedesktop.systemd1.Manager;
import org.freedesktop.systemd1.NoSuchUnit;
import org.freedesktop.systemd1.Unit;

/**
 * TEST-ONLY stand-in for systemd's service manager (PID 1 cannot run in these sandboxes): owns
 * {@code org.freedesktop.systemd1} on a private bus and implements, with systemd's exact names and signatures
 * (org.freedesktop.systemd1(5), systemd 252), the members Patchbay uses: Manager.GetUnit/LoadUnit/StartUnit/
 * StopUnit/RestartUnit/ReloadOrRestartUnit/Subscribe/Unsubscribe/Reload/EnableUnitFiles/DisableUnitFiles,
 * unit objects {@code /org/freedesktop/systemd1/unit/<escaped name>} (Unit properties Id, LoadState,
 * ActiveState, SubState) and job objects {@code /org/freedesktop/systemd1/job/<id>} (Job.Cancel, properties
 * Id u, Unit (so), JobType s, State s). Ordering as systemd: the job object exists and {@code JobNew} is sent
 * before the method reply; {@code JobRemoved(id, job, unit, result)} is sent when the job ends, after which the
 * job object is gone; both signals only while some client is subscribed; a second Subscribe from the same
 * client is {@code org.freedesktop.systemd1.AlreadySubscribed}; unknown units are
 * {@code org.freedesktop.systemd1.NoSuchUnit} ("Unit X not found."), LoadUnit of a missing unit gives a unit
 * with LoadState not-found.
 *
 * <p>Unit behaviours (by name): {@code ok.service} jobs end "done" after 50 ms; {@code broken.service} start
 * ends "failed"; {@code dep.service} start ends "dependency"; {@code skip.service} reload-or-restart ends
 * "skipped"; {@code instant.service} sends JobRemoved before even returning the reply (the race a client must
 * survive); {@code hang.service} jobs never end until canceled ("canceled").
 */
final class FakeSystemd implements AutoCloseable {
    final DBusConnection conn;
    final Map<String, U> units = new ConcurrentHashMap<>();
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicInteger subscribeCalls = new AtomicInteger();
    final AtomicInteger jobCalls = new AtomicInteger();
    final List<String> signals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Set<String> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextJob = new AtomicLong(100);
    private final Map<String, J> jobs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();

    FakeSystemd(String address) throws DBusException {
        conn = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        for (String n : List.of("ok.service", "broken.service", "dep.service", "skip.service", "instant.service",
                "hang.service")) {
            unit(n, "loaded");
        }
        conn.exportObject(Manager.PATH, new M());
        conn.requestBusName(Manager.BUS_NAME);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9' && i > 0)) {
                sb.append(c);
            } else {
                sb.append('_').append(String.format("%02x", (int) c));
            }
        }
        return sb.toString();
    }

    private U unit(String name, String load) throws DBusException {
        U u = new U(name, load);
        units.put(name, u);
        conn.exportObject(u.path, u);
        return u;
    }

    private void emit(org.freedesktop.dbus.messages.DBusSignal s, String log) {
        if (!subscribers.isEmpty()) {
            signals.add(log);
            conn.sendMessage(s);
        }
    }

    @Override
    public void close() {
        exec.shutdownNow();
        try {
            conn.releaseBusName(Manager.BUS_NAME);
        } catch (Exception e) {
            // bus gone
        }
        try {
            conn.close();
        } catch (Exception e) {
            // ignore
        }
    }

    /** Struct for the Job's {@code Unit} property {@code (so)}. */
    public static final class JobUnit extends Struct {
        /** unit name. */
        @Position(0)
        public final String name;
        /** unit path. */
        @Position(1)
        public final DBusPath path;

        /** @param name n @param path p */
        public JobUnit(String name, DBusPath path) {
            this.name = name;
            this.path = path;
        }
    }

    /** A unit object. */
    final class U implements Unit, Properties {
        final String name;
        final String path;
        volatile String load;
        volatile String active = "inactive";
        volatile String sub = "dead";

        U(String name, String load) {
            this.name = name;
            this.path = Manager.PATH + "/unit/" + escape(name);
            this.load = load;
        }

        @Override
        public String getObjectPath() {
            return path;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String iface, String prop) {
            Variant<?> v = GetAll(iface).get(prop);
            if (v == null) {
                throw new org.freedesktop.dbus.errors.UnknownProperty("no property " + prop);
            }
            return (A) v.getValue();
        }

        @Override
        public <A> void Set(String iface, String prop, A value) {
            throw new org.freedesktop.dbus.errors.PropertyReadOnly(prop + " is read-only");
        }

        @Override
        public Map<String, Variant<?>> GetAll(String iface) {
            Map<String, Variant<?>> m = new HashMap<>();
            if (Unit.INTERFACE.equals(iface)) {
                m.put("Id", new Variant<>(name));
                m.put("LoadState", new Variant<>(load));
                m.put("ActiveState", new Variant<>(active));
                m.put("SubState", new Variant<>(sub));
            }
            return m;
        }
    }

    /** A job object. */
    final class J implements Job, Properties {
        final long id;
        final String path;
        final U unit;
        final String type;
        final String outcome;
        volatile boolean finished;

        J(long id, U unit, String type, String outcome) {
            this.id = id;
            this.path = Manager.PATH + "/job/" + id;
            this.unit = unit;
            this.type = type;
            this.outcome = outcome;
        }

        @Override
        public String getObjectPath() {
            return path;
        }

        @Override
        public void Cancel() {
            finish("canceled");
        }

        synchronized void finish(String result) {
            if (finished) {
                return;
            }
            finished = true;
            if (result.equals("done")) {
                boolean up = !type.equals("stop");
                unit.active = up ? "active" : "inactive";
                unit.sub = up ? "running" : "dead";
            } else if (result.equals("failed")) {
                unit.active = "failed";
                unit.sub = "failed";
            }
            jobs.remove(path);
            conn.unExportObject(path);
            try {
                emit(new Manager.JobRemoved(Manager.PATH, new UInt32(id), new DBusPath(path), unit.name, result),
                        "JobRemoved " + id + " " + result);
            } catch (DBusException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String iface, String prop) {
            return (A) GetAll(iface).get(prop).getValue();
        }

        @Override
        public <A> void Set(String iface, String prop, A value) {
            throw new org.freedesktop.dbus.errors.PropertyReadOnly(prop + " is read-only");
        }

        @Override
        public Map<String, Variant<?>> GetAll(String iface) {
            Map<String, Variant<?>> m = new HashMap<>();
            if (Job.INTERFACE.equals(iface)) {
                m.put("Id", new Variant<>(new UInt32(id)));
                m.put("Unit", new Variant<>(new JobUnit(unit.name, new DBusPath(unit.path)), "(so)"));
                m.put("JobType", new Variant<>(type));
                m.put("State", new Variant<>("running"));
            }
            return m;
        }
    }

    /** The Manager object. */
    final class M implements Manager {
        @Override
        public String getObjectPath() {
            return PATH;
        }

        private U known(String name) {
            U u = units.get(name);
            if (u == null || !"loaded".equals(u.load)) {
                throw new NoSuchUnit("Unit " + name + " not found.");
            }
            return u;
        }

        @Override
        public DBusPath GetUnit(String name) {
            U u = units.get(name);
            if (u == null) {
                throw new NoSuchUnit("Unit " + name + " not loaded.");
            }
            return new DBusPath(u.path);
        }

        @Override
        public DBusPath LoadUnit(String name) {
            U u = units.get(name);
            if (u == null) {
                try {
                    u = unit(name, "not-found");
                } catch (DBusException e) {
                    throw new DBusExecutionException(e.getMessage());
                }
            }
            return new DBusPath(u.path);
        }

        private DBusPath job(String name, String mode, String type) {
            jobCalls.incrementAndGet();
            if (!Set.of("replace", "fail", "isolate", "ignore-dependencies", "ignore-requirements",
                    "replace-irreversibly").contains(mode)) {
                throw new DBusExecutionException("Job mode " + mode + " invalid.");
            }
            U u = known(name);
            String outcome = switch (name) {
                case "broken.service" -> type.equals("start") ? "failed" : "done";
                case "dep.service" -> type.equals("start") ? "dependency" : "done";
                case "skip.service" -> type.equals("reload-or-restart") ? "skipped" : "done";
                case "hang.service" -> null;
                default -> "done";
            };
            long id = nextJob.getAndIncrement();
            J j = new J(id, u, type, outcome);
            try {
                conn.exportObject(j.path, j);
                jobs.put(j.path, j);
                emit(new Manager.JobNew(PATH, new UInt32(id), new DBusPath(j.path), name), "JobNew " + id);
            } catch (DBusException e) {
                throw new DBusExecutionException(e.getMessage());
            }
            if (name.equals("instant.service")) {
                j.finish(outcome);
            } else if (outcome != null) {
                exec.schedule(() -> j.finish(outcome), 50, TimeUnit.MILLISECONDS);
            }
            return new DBusPath(j.path);
        }

        @Override
        public DBusPath StartUnit(String name, String mode) {
            return job(name, mode, "start");
        }

        @Override
        public DBusPath StopUnit(String name, String mode) {
            return job(name, mode, "stop");
        }

        @Override
        public DBusPath RestartUnit(String name, String mode) {
            return job(name, mode, "restart");
        }

        @Override
        public DBusPath ReloadOrRestartUnit(String name, String mode) {
            return job(name, mode, "reload-or-restart");
        }

        @Override
        public void Subscribe() {
            subscribeCalls.incrementAndGet();
            String sender = AbstractConnection.getCallInfo().getSource();
            if (!subscribers.add(sender)) {
                throw new AlreadySubscribed("Client is already subscribed.");
            }
        }

        @Override
        public void Unsubscribe() {
            subscribers.remove(AbstractConnection.getCallInfo().getSource());
        }

        @Override
        public void Reload() {
            reloads.incrementAndGet();
        }

        @Override
        public EnableResult<Boolean, List<UnitFileChange>> EnableUnitFiles(List<String> files, boolean runtime,
                boolean force) {
            List<UnitFileChange> ch = new ArrayList<>();
            for (String f : files) {
                known(f);
                ch.add(new UnitFileChange("symlink", (runtime ? "/run" : "/etc") + "/systemd/system/multi-user.target.wants/"
                        + f, "/lib/systemd/system/" + f));
            }
            return new EnableResult<>(true, ch);
        }

        @Override
        public List<UnitFileChange> DisableUnitFiles(List<String> files, boolean runtime) {
            List<UnitFileChange> ch = new ArrayList<>();
            for (String f : files) {
                known(f);
                ch.add(new UnitFileChange("unlink", (runtime ? "/run" : "/etc") + "/systemd/system/multi-user.target.wants/"
                        + f, ""));
            }
            return ch;
        }
    }

    Set<String> jobPaths() {
        return new HashSet<>(jobs.keySet());
    }
}
