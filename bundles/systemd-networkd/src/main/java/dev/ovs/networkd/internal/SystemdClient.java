package dev.ovs.networkd.internal;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.networkd.JobMode;
import dev.ovs.networkd.JobResult;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.base.ErrorKind;
import dev.ovs.networkd.Systemd;
import dev.ovs.networkd.UnitFileChange;
import dev.ovs.networkd.UnitState;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.Variant;
import org.freedesktop.systemd1.Manager;
import org.freedesktop.systemd1.Unit;

/**
 * {@link Systemd} over a {@link BusLink}. Job tracking: on every (re)connection a {@code JobRemoved}
 * handler is added and {@code Subscribe()} is called (on the client's own thread; systemd then reports every
 * job, whoever queued it; when systemd is not on the bus this fails quietly and is retried before the first
 * job call on that connection). A job's {@code JobRemoved} may be handled before the job call's reply
 * (different dbus-java threads): removals that nobody waits for yet are kept (last {@value #RECENT}) and
 * looked up when the reply arrives, under one lock, so no result is lost. Every {@code JobRemoved} is also
 * handed to the job listener (the component publishes it as {@code systemd.unit.<unit>.job}).
 */
final class SystemdClient implements Systemd, BusLink.Listener {
    private static final System.Logger LOG = System.getLogger(SystemdClient.class.getName());
    static final int RECENT = 1024;
    private static final Pattern UNIT = Pattern.compile(
            "[A-Za-z0-9:_.\\\\@-]{1,255}\\.(service|socket|target|device|mount|automount|swap|timer|path|slice|scope)");

    private final BusLink link;
    private final Consumer<JobResult> jobs;
    private final ExecutorService subscriber = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dev.ovs.networkd-systemd-subscribe");
        t.setDaemon(true);
        return t;
    });
    private final Object subscribeLock = new Object();
    private final Object lock = new Object();
    private final Map<String, CompletableFuture<JobResult>> pending = new HashMap<>();
    private final LinkedHashMap<String, JobResult> recent = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobResult> e) {
            return size() > RECENT;
        }
    };
    private volatile DBusConnection subscribedOn;
    private AutoCloseable handler;

    SystemdClient(BusLink link) {
        this(link, r -> { });
    }

    /**
     * @param link where the connection comes from
     * @param jobs called with every {@code JobRemoved} systemd reports, on a dbus-java signal thread; must not
     *             block
     */
    SystemdClient(BusLink link, Consumer<JobResult> jobs) {
        this.link = link;
        this.jobs = jobs;
        link.addListener(this);
    }

    /** Stops listening and the subscribe thread (waits up to 5 s for a Subscribe call in flight). */
    void close() {
        link.removeListener(this);
        synchronized (lock) {
            closeHandler(); // the connection may still be up: remove the match rule
        }
        disconnected();
        subscriber.shutdownNow();
        try {
            subscriber.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void connected(DBusConnection c) {
        try {
            synchronized (lock) {
                closeHandler();
                handler = c.addSigHandler(Manager.JobRemoved.class, this::onJobRemoved);
            }
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.networkd: cannot listen for JobRemoved: " + e);
        }
        try {
            subscriber.execute(() -> {
                try {
                    ensureSubscribed(c);
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "dev.ovs.networkd: systemd Subscribe on connect failed (systemd not on this "
                            + "bus?), retried before the first job call: " + e);
                }
            });
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    @Override
    public void disconnected() {
        List<CompletableFuture<JobResult>> fail;
        synchronized (lock) {
            // Forgotten, not closed: closing sends RemoveMatch, a blocking call that on a connection the bus daemon
            // has dropped waits for dbus-java's reply timeout (20 s) on the connector thread of dev.ovs.dbus, which
            // reconnects only after every listener returned. The match rule went away with the connection.
            handler = null;
            subscribedOn = null;
            fail = new ArrayList<>(pending.values());
            pending.clear();
            recent.clear();
        }
        for (CompletableFuture<JobResult> f : fail) {
            f.completeExceptionally(new NetworkdException(ErrorKind.Unavailable,
                    "D-Bus connection lost while waiting for a job; its outcome is unknown"));
        }
    }

    private void closeHandler() {
        if (handler != null) {
            try {
                handler.close();
            } catch (Exception e) {
                // connection gone
            }
            handler = null;
        }
    }

    void onJobRemoved(Manager.JobRemoved s) {
        String path = s.getJob().getPath();
        JobResult r = new JobResult(s.getId().longValue(), path, s.getUnit(), JobResult.Result.of(s.getResult()),
                s.getResult());
        CompletableFuture<JobResult> f;
        synchronized (lock) {
            f = pending.remove(path);
            if (f == null) {
                recent.put(path, r);
            }
        }
        if (f != null) {
            f.complete(r);
        }
        try {
            jobs.accept(r);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.networkd: job listener failed for " + r + ": " + e);
        }
    }

    static String checkUnit(String unit) {
        if (unit == null || !UNIT.matcher(unit).matches()) {
            throw new InvalidArgumentException("unit", "must be 1..255 chars of [A-Za-z0-9:_.\\@-] ending in a unit type "
                    + "suffix (.service, .socket, .target, ...), got " + unit);
        }
        return unit;
    }

    private Manager manager(DBusConnection c) {
        return Calls.SYSTEMD.run("systemd Manager", () -> c.getRemoteObject(Manager.BUS_NAME, Manager.PATH, Manager.class));
    }

    private void ensureSubscribed(DBusConnection c) {
        synchronized (subscribeLock) {
            if (subscribedOn == c) {
                return;
            }
            try {
                manager(c).Subscribe();
            } catch (DBusExecutionException e) {
                String n = Calls.errorName(e);
                if (!n.endsWith("AlreadySubscribed")) {
                    throw Calls.SYSTEMD.map("Subscribe", e);
                }
            }
            subscribedOn = c;
        }
    }

    private interface JobCall {
        DBusPath call(Manager m, String unit, String mode);
    }

    private JobResult job(String verb, String unit, JobMode mode, Duration timeout, JobCall call) {
        checkUnit(unit);
        if (mode == null) {
            throw new InvalidArgumentException("mode", "must not be null");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidArgumentException("timeout", "must be positive, got " + timeout);
        }
        DBusConnection c = link.connection();
        String what = verb + "(" + unit + ", " + mode.wire() + ")";
        ensureSubscribed(c);
        DBusPath job = Calls.SYSTEMD.get(what, () -> call.call(manager(c), unit, mode.wire()));
        CompletableFuture<JobResult> f = new CompletableFuture<>();
        synchronized (lock) {
            JobResult done = recent.remove(job.getPath());
            if (done != null) {
                return done;
            }
            pending.put(job.getPath(), f);
        }
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            synchronized (lock) {
                pending.remove(job.getPath());
            }
            throw new NetworkdException(ErrorKind.Timeout, what + ": job " + job.getPath() + " did not finish within "
                    + timeout.toMillis() + " ms; it is still queued or running");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NetworkdException ne) {
                throw ne;
            }
            throw new NetworkdException(ErrorKind.Failed, what + ": " + e.getCause(), null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (lock) {
                pending.remove(job.getPath());
            }
            throw new NetworkdException(ErrorKind.Failed, what + ": interrupted while waiting for job " + job.getPath());
        }
    }

    @Override
    public JobResult start(String unit, JobMode mode, Duration timeout) {
        return job("StartUnit", unit, mode, timeout, Manager::StartUnit);
    }

    @Override
    public JobResult stop(String unit, JobMode mode, Duration timeout) {
        return job("StopUnit", unit, mode, timeout, Manager::StopUnit);
    }

    @Override
    public JobResult restart(String unit, JobMode mode, Duration timeout) {
        return job("RestartUnit", unit, mode, timeout, Manager::RestartUnit);
    }

    @Override
    public JobResult reloadOrRestart(String unit, JobMode mode, Duration timeout) {
        return job("ReloadOrRestartUnit", unit, mode, timeout, Manager::ReloadOrRestartUnit);
    }

    @Override
    public UnitState unitState(String unit) {
        checkUnit(unit);
        DBusConnection c = link.connection();
        DBusPath p = Calls.SYSTEMD.get("LoadUnit(" + unit + ")", () -> manager(c).LoadUnit(unit));
        Map<String, Variant<?>> props = Calls.SYSTEMD.run("GetAll(" + Unit.INTERFACE + ") of " + unit,
                () -> c.getRemoteObject(Manager.BUS_NAME, p.getPath(), Properties.class).GetAll(Unit.INTERFACE));
        String load = str(props.get("LoadState"));
        if ("not-found".equals(load)) {
            throw new NetworkdException(ErrorKind.NotFound, "unit " + unit + " not found (LoadState not-found)");
        }
        return new UnitState(unit, p.getPath(), load, str(props.get("ActiveState")), str(props.get("SubState")));
    }

    private static String str(Variant<?> v) {
        return v == null || v.getValue() == null ? null : v.getValue().toString();
    }

    private static List<String> checkFiles(List<String> files) {
        if (files == null || files.isEmpty()) {
            throw new InvalidArgumentException("files", "at least one unit file is required");
        }
        for (String f : files) {
            if (f == null || !(f.startsWith("/") ? f.substring(f.lastIndexOf('/') + 1) : f).matches(UNIT.pattern())) {
                throw new InvalidArgumentException("files", "each must be a unit file name or absolute path, got " + f);
            }
        }
        return List.copyOf(files);
    }

    private static List<UnitFileChange> changes(List<Manager.UnitFileChange> l) {
        List<UnitFileChange> out = new ArrayList<>();
        if (l != null) {
            for (Manager.UnitFileChange c : l) {
                out.add(new UnitFileChange(c.type, c.file, c.destination));
            }
        }
        return out;
    }

    @Override
    public List<UnitFileChange> enable(List<String> files, boolean runtime, boolean force) {
        List<String> fs = checkFiles(files);
        DBusConnection c = link.connection();
        Manager.EnableResult<Boolean, List<Manager.UnitFileChange>> r = Calls.SYSTEMD.get("EnableUnitFiles(" + fs + ")",
                () -> manager(c).EnableUnitFiles(fs, runtime, force));
        return changes(r.changes);
    }

    @Override
    public List<UnitFileChange> disable(List<String> files, boolean runtime) {
        List<String> fs = checkFiles(files);
        DBusConnection c = link.connection();
        return changes(Calls.SYSTEMD.get("DisableUnitFiles(" + fs + ")", () -> manager(c).DisableUnitFiles(fs, runtime)));
    }

    @Override
    public void daemonReload() {
        DBusConnection c = link.connection();
        Calls.SYSTEMD.get("Reload", () -> {
            manager(c).Reload();
            return null;
        });
    }
}
