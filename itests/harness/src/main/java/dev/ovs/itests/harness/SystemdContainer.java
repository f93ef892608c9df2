package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * systemd (systemd(1), Debian 12: 252) as PID 1 of a container of its own, for tests of units, D-Bus
 * activation, watchdogs and jobs under a real service manager.
 *
 * <p>Isolation (why: a system-mode systemd that shares the host's {@code /tmp} or network namespace empties
 * the host's {@code /tmp} through {@code systemd-tmpfiles} and starts every enabled service of the host):
 * <ul>
 * <li><b>root</b>: an overlay (overlayfs, {@code lowerdir=/}) of the host's root file system with its upper
 * and work directories on a tmpfs mounted at {@code DIR/sd} (size 2 GiB), mounted at {@code DIR/sd/root}.
 * The host's installed packages (systemd, dbus, Open vSwitch, the JDK) are all there; every write, package
 * installation included, lands in the tmpfs and vanishes with it. Mounts below the host's {@code /} (e.g.
 * {@code /proc}, {@code /work}) are not part of the lower layer.</li>
 * <li><b>/tmp, /var/tmp, /run, /run/lock, /var/log/journal</b>: fresh tmpfs mounts (podman {@code --tmpfs
 * ...,notmpcopyup}: nothing of the host's directories is copied in).</li>
 * <li><b>network</b>: podman {@code --network none}: a namespace with only {@code lo}.</li>
 * <li><b>PID, mount, UTS, IPC namespaces</b>: podman's; systemd is PID 1 inside ({@code --systemd=always},
 * {@code /sbin/init}).</li>
 * <li><b>services</b>: before boot the host's enablement links ({@code /etc/systemd/system/*.wants} and
 * {@code *.requires}) are removed from the overlay, {@code default.target} is {@code multi-user.target}
 * and {@code /etc/machine-id} is new, so only the distribution's static units start (journald, dbus,
 * logind): none of the host's enabled services (databases, podman, OVS, timers) runs inside.</li>
 * </ul>
 *
 * <p>podman (podman-run(1), 4.3): confined to {@code DIR} like {@link Podman} ({@link Podman#globalArgs(Path)}:
 * {@code --runtime runc --cgroup-manager cgroupfs}, private storage, file locks); no image is pulled
 * ({@code --rootfs}). Capabilities: podman's default set plus {@code SYS_ADMIN} (systemd's service sandboxing
 * mounts, {@code setns}), {@code NET_ADMIN} (links, veths) and {@code SYS_PTRACE} ({@code /proc/PID/ns/net} of
 * other processes); {@code /dev/net/tun} (the userspace datapath's tap); explicit {@code --ulimit nofile}
 * (at most the caller's hard limit, 16384) and {@code nproc=4096} because runc cannot inherit this sandbox's
 * limits. After start the container's root mount is made {@code rshared} (mount(8) {@code --make-rshared}),
 * as systemd does on a host it boots but not in a container: mounts made later (e.g. {@code ip netns add})
 * then propagate into the mount namespaces of running services.
 *
 * <p>{@link #exec(String...)} runs a command inside through {@code nsenter -t PID -m -u -i -n -p -C -r -w}
 * (nsenter(1)) with a clean environment ({@code PATH} of a root shell, {@code LANG=C.UTF-8},
 * {@code SYSTEMD_PAGER=}, {@code SYSTEMD_COLORS=0}). It runs with the caller's full privileges in the
 * container's namespaces, outside the container's cgroup: long-lived processes belong in units
 * ({@code systemd-run}) or in {@link #spawn(String, Path, String...)}.
 *
 * <p>{@link #close()} (idempotent, also run by the harness's last-resort shutdown hook): {@code podman rm -f
 * -t 0} (SIGKILL to PID 1 ends the PID namespace and with it every process inside), waits for {@code conmon}
 * (by its PID from {@code podman inspect}), unmounts everything under {@code DIR} (the overlay, the tmpfs),
 * deletes podman's state. Nothing is killed by name.
 */
public final class SystemdContainer implements AutoCloseable {
    /** Longest wait for {@code systemctl is-system-running} to say running or degraded: {@value} s. */
    public static final int BOOT_SECONDS = 120;
    private static final Duration CMD = Duration.ofSeconds(120);
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path layers;
    private final Path root;
    private final String name;
    private volatile long pid = -1;
    private volatile long conmon = -1;
    private String bootState = "";
    private List<String> failedAtBoot = List.of();
    private boolean closed;

    private SystemdContainer(Path dir) {
        this.dir = dir;
        this.layers = dir.resolve("sd");
        this.root = layers.resolve("root");
        this.name = "pbt-systemd-" + dir.getFileName().toString().replaceAll("[^a-zA-Z0-9_.-]", "");
    }

    /**
     * Builds the overlay root, starts the container and waits until systemd reports
     * {@code running} or {@code degraded} ({@code systemctl is-system-running}).
     *
     * @param dir existing short directory ({@link ShortTempDir}); layers, podman state and logs go below it
     * @return the booted container
     * @throws IllegalArgumentException if dir is not a directory
     * @throws IllegalStateException    if systemd does not reach running or degraded within
     *                                  {@value #BOOT_SECONDS} s (message: last state, jobs, journal tail)
     * @throws Cmd.Failed               if mounting or podman fails
     */
    public static SystemdContainer boot(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        Tools.requireRoot();
        for (String tool : List.of("podman", "runc", "conmon", "nsenter", "mount", "umount")) {
            Tools.require(tool);
        }
        SystemdContainer c = new SystemdContainer(dir);
        Registry.addResource(c);
        try {
            c.mountRoot();
            c.prepareRoot();
            c.start();
            c.awaitBoot(Duration.ofSeconds(BOOT_SECONDS));
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void mountRoot() {
        try {
            Files.createDirectories(layers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + layers, e);
        }
        Cmd.run("mount", "-t", "tmpfs", "-o", "size=2g,mode=0755", "pbt-systemd-layers", layers.toString());
        try {
            for (String d : List.of("upper", "work", "root")) {
                Files.createDirectory(layers.resolve(d));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the overlay directories in " + layers, e);
        }
        Cmd.run("mount", "-t", "overlay", "pbt-systemd-root", "-o", "lowerdir=/,upperdir=" + layers.resolve("upper")
                + ",workdir=" + layers.resolve("work"), root.toString());
    }

    /** Removes the host's enablement links, boots multi-user.target, gives the container a machine id. */
    private void prepareRoot() {
        Path units = path("/etc/systemd/system");
        try {
            if (Files.isDirectory(units)) {
                List<Path> links = new ArrayList<>();
                try (DirectoryStream<Path> s = Files.newDirectoryStream(units)) {
                    for (Path p : s) {
                        String n = p.getFileName().toString();
                        if ((n.endsWith(".wants") || n.endsWith(".requires")) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                            links.add(p);
                        }
                    }
                }
                for (Path p : links) {
                    ShortTempDir.deleteTree(p);
                }
            }
            Files.createDirectories(units);
            Path def = units.resolve("default.target");
            Files.deleteIfExists(def);
            Files.createSymbolicLink(def, Path.of("/lib/systemd/system/multi-user.target"));
            byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            Path machineId = path("/etc/machine-id");
            Files.deleteIfExists(machineId);
            Files.writeString(machineId, HexFormat.of().formatHex(id) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the container's /etc in " + root, e);
        }
    }

    private void start() {
        try {
            Podman.writeContainersConf(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("containers.conf"), e);
        }
        long nofile = Math.min(16384, hardNofile());
        List<String> a = new ArrayList<>(List.of("run", "-d", "--name", name, "--hostname", "pbt-systemd",
                "--network", "none", "--pull", "never",
                "--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=4096:4096",
                "--cap-add", "SYS_ADMIN,NET_ADMIN,SYS_PTRACE", "--systemd=always",
                "--tmpfs", "/run:rw,mode=755,notmpcopyup", "--tmpfs", "/run/lock:rw,mode=1777,notmpcopyup",
                "--tmpfs", "/tmp:rw,mode=1777,notmpcopyup", "--tmpfs", "/var/tmp:rw,mode=1777,notmpcopyup",
                "--tmpfs", "/var/log/journal:rw,mode=2755,notmpcopyup"));
        if (Files.exists(Path.of("/dev/net/tun"))) {
            a.addAll(List.of("--device", "/dev/net/tun"));
        }
        a.addAll(List.of("--rootfs", root.toString(), "/sbin/init"));
        podman(a.toArray(String[]::new));
        conmon = Long.parseLong(podman("inspect", "-f", "{{.State.ConmonPid}}", name).trim());
        pid = Long.parseLong(podman("inspect", "-f", "{{.State.Pid}}", name).trim());
        if (pid <= 0) {
            throw new IllegalStateException("container " + name + " is not running after podman run (pid " + pid + ")");
        }
        Cmd.run(List.of("nsenter", "-t", Long.toString(pid), "-m", "mount", "--make-rshared", "/"), CMD);
    }

    private static long hardNofile() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.trim().split("\\s+");
                    return "unlimited".equals(f[4]) ? Long.MAX_VALUE : Long.parseLong(f[4]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 1024;
    }

    private void awaitBoot(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = isSystemRunning();
            if (state.equals("running") || state.equals("degraded")) {
                bootState = state;
                if (state.equals("degraded")) {
                    failedAtBoot = exec("systemctl", "--failed", "--plain", "--no-legend", "--no-pager").lines()
                            .map(String::trim).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
                }
                return;
            }
            if (systemdProcess().isEmpty()) {
                break;
            }
            sleep(200);
        }
        throw new IllegalStateException("systemd in container " + name + " did not reach running/degraded within "
                + timeout.toSeconds() + " s (last state '" + state + "')\n--- jobs ---\n" + quiet("systemctl",
                "list-jobs", "--no-pager") + "\n--- journal ---\n" + quiet("journalctl", "-b", "-n", "60", "--no-pager"));
    }

    private String isSystemRunning() {
        try {
            return exec(Duration.ofSeconds(30), "systemctl", "is-system-running").trim();
        } catch (Cmd.Failed e) {
            return e.stdout().trim();
        }
    }

    private Optional<ProcessHandle> systemdProcess() {
        return pid > 0 ? ProcessHandle.of(pid).filter(h -> Podman.running(h.pid())) : Optional.empty();
    }

    private String quiet(String... argv) {
        try {
            return exec(Duration.ofSeconds(20), argv);
        } catch (RuntimeException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String podman(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("podman");
        argv.addAll(Podman.globalArgs(dir));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Podman.env(dir), CMD);
    }

    /**
     * The argv that runs {@code argv} inside the container (see class doc).
     *
     * @param argv program and arguments as seen inside the container
     * @return {@code nsenter ... -- env -i PATH=... argv...}
     * @throws IllegalArgumentException if argv is empty
     * @throws IllegalStateException    if the container is not running
     */
    public List<String> wrap(String... argv) {
        if (argv == null || argv.length == 0) {
            throw new IllegalArgumentException("argv: must contain at least the program name");
        }
        if (pid <= 0 || closed) {
            throw new IllegalStateException("container " + name + " is not running");
        }
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-m", "-u", "-i", "-n", "-p",
                "-C", "-r", "-w", "--", "/usr/bin/env", "-i", "PATH=" + PATH, "LANG=C.UTF-8", "SYSTEMD_PAGER=",
                "SYSTEMD_COLORS=0", "TERM=dumb"));
        cmd.addAll(List.of(argv));
        return cmd;
    }

    /**
     * Runs a command inside the container with a 120 s timeout.
     *
     * @param argv program and arguments as seen inside the container
     * @return stdout (UTF-8)
     * @throws Cmd.Failed            on non-zero exit (exit code, stdout and stderr in the exception) or timeout
     * @throws IllegalStateException if the container is not running
     */
    public String exec(String... argv) {
        return exec(CMD, argv);
    }

    /**
     * Runs a command inside the container.
     *
     * @param timeout positive maximum wall time
     * @param argv    program and arguments as seen inside the container
     * @return stdout (UTF-8)
     * @throws Cmd.Failed            on non-zero exit or timeout
     * @throws IllegalStateException if the container is not running
     */
    public String exec(Duration timeout, String... argv) {
        return Cmd.run(wrap(argv), timeout);
    }

    /**
     * Runs a command inside the container and returns its exit status.
     *
     * @param argv program and arguments as seen inside the container
     * @return exit status, -1 on timeout (120 s)
     * @throws IllegalStateException if the container is not running
     */
    public int status(String... argv) {
        return Cmd.status(wrap(argv), CMD);
    }

    /**
     * {@code systemctl ARGS} inside the container (systemctl(1)).
     *
     * @param args arguments, e.g. {@code ("start", "patchbay.service")}
     * @return stdout
     * @throws Cmd.Failed on non-zero exit
     */
    public String systemctl(String... args) {
        List<String> a = new ArrayList<>(List.of("systemctl", "--no-pager"));
        a.addAll(List.of(args));
        return exec(a.toArray(String[]::new));
    }

    /**
     * One property of a unit ({@code systemctl show -p NAME --value UNIT}).
     *
     * @param unit     unit name
     * @param property property name, e.g. {@code ActiveState}, {@code MainPID}, {@code NRestarts}
     * @return the value, trimmed
     */
    public String property(String unit, String property) {
        return systemctl("show", "-p", property, "--value", unit).trim();
    }

    /**
     * The journal of a unit since boot ({@code journalctl -u UNIT -b -n LINES}), for failure messages.
     *
     * @param unit  unit name
     * @param lines last lines to show
     * @return the journal text, or the error in parentheses
     */
    public String journal(String unit, int lines) {
        return quiet("journalctl", "-b", "--no-pager", "-o", "short-monotonic", "-u", unit, "-n", Integer.toString(lines));
    }

    /**
     * Starts a long-running command inside the container as a tracked child of this JVM ({@link Daemon}: stopped
     * by PID, with its descendants, on {@link Daemon#close()}; at the latest it ends with the container).
     *
     * @param label short name for messages
     * @param log   host file receiving stdout and stderr
     * @param argv  program and arguments as seen inside the container
     * @return the running process
     */
    public Daemon spawn(String label, Path log, String... argv) {
        return Daemon.start(label, null, wrap(argv), Map.of(), log);
    }

    /**
     * The host path of a path inside the container (through the overlay: reads see the container's files,
     * writes land in the container's upper layer only).
     *
     * @param inContainer absolute path inside the container, e.g. {@code /etc/patchbay}
     * @return the host path below {@link #root()}
     * @throws IllegalArgumentException if the path is not absolute or contains {@code ..}
     */
    public Path path(String inContainer) {
        if (inContainer == null || !inContainer.startsWith("/") || List.of(inContainer.split("/")).contains("..")) {
            throw new IllegalArgumentException("inContainer: must be an absolute path without '..', got " + inContainer);
        }
        return root.resolve(inContainer.substring(1));
    }

    /**
     * Writes a file inside the container (mode 0644, parent directories created 0755).
     *
     * @param inContainer absolute path inside the container
     * @param content     UTF-8 text
     * @return the host path written
     * @throws UncheckedIOException if it cannot be written
     */
    public Path write(String inContainer, String content) {
        Path p = path(inContainer);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + inContainer + " in the container", e);
        }
    }

    /**
     * Makes Debian's {@code openvswitch-switch} units work without the {@code openvswitch} kernel module: a
     * drop-in {@code /etc/systemd/system/ovs-vswitchd.service.d/pbt-userspace.conf} starts {@code ovs-vswitchd
     * --disable-system} directly (the userspace datapath only; {@code ovs-ctl} would {@code modprobe} the module
     * and fail), and {@code /etc/openvswitch/conf.db} is removed so {@code ovsdb-server.service} creates a fresh
     * database. Bridges must use {@code datapath_type=netdev}. Then {@code systemctl daemon-reload}.
     *
     * @throws UncheckedIOException if the files cannot be written
     */
    public void useUserspaceOvs() {
        write("/etc/systemd/system/ovs-vswitchd.service.d/pbt-userspace.conf", String.join("\n",
                "# Written by the test harness: no openvswitch kernel module here, userspace datapath only.",
                "[Service]",
                "Type=forking",
                "PIDFile=/run/openvswitch/ovs-vswitchd.pid",
                "ExecStart=",
                "ExecStart=/usr/sbin/ovs-vswitchd unix:/run/openvswitch/db.sock --disable-system"
                        + " --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach --no-chdir"
                        + " --log-file=/var/log/openvswitch/ovs-vswitchd.log -vconsole:off",
                "ExecStop=",
                "ExecStop=/usr/bin/ovs-appctl -t ovs-vswitchd exit",
                "ExecReload=",
                ""));
        try {
            Files.deleteIfExists(path("/etc/openvswitch/conf.db"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove /etc/openvswitch/conf.db in the container", e);
        }
        systemctl("daemon-reload");
    }

    /** @return the container's root as seen from the host (the overlay mount point) */
    public Path root() {
        return root;
    }

    /** @return the host PID of the container's systemd (PID 1 inside) */
    public long systemdPid() {
        return pid;
    }

    /** @return the container name ({@code pbt-systemd-<dir name>}) */
    public String name() {
        return name;
    }

    /** @return what {@code systemctl is-system-running} said when boot completed: running or degraded */
    public String bootState() {
        return bootState;
    }

    /** @return the units that had failed when boot completed (empty unless {@link #bootState()} is degraded) */
    public List<String> failedAtBoot() {
        return failedAtBoot;
    }

    /**
     * Removes the container (by name; SIGKILL to its PID 1 ends its PID namespace), waits for its conmon by PID,
     * unmounts the overlay and the tmpfs, deletes podman's state. Idempotent; best effort (what remains is for
     * {@link Leftovers} to report).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.isDirectory(dir.resolve("root"))) {
                try {
                    podman("rm", "-f", "-t", "0", name);
                } catch (RuntimeException e) {
                    // not created, or already gone
                }
            }
            awaitExit(conmon);
            awaitExit(pid);
            List<String> mounts = new ArrayList<>(Leftovers.mountPoints());
            mounts.sort((x, y) -> y.length() - x.length());
            for (String m : mounts) {
                if (m.startsWith(dir + "/")) {
                    if (Cmd.status(List.of("umount", m), Duration.ofSeconds(30)) != 0) {
                        Cmd.status(List.of("umount", "-l", m), Duration.ofSeconds(30));
                    }
                }
            }
            if (!Set.copyOf(Leftovers.mountPoints()).contains(layers.toString())) {
                ShortTempDir.deleteTree(layers);
            }
            Podman.deleteState(dir);
        } finally {
            Registry.removeResource(this);
        }
    }

    private static void awaitExit(long p) {
        if (p <= 0) {
            return;
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (Podman.running(p) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (Podman.running(p)) {
            ProcessHandle.of(p).ifPresent(Daemon::stop);
        }
    }

    @Override
    public String toString() {
        return "SystemdContainer[" + name + ", systemd pid " + pid + "]";
    }
}
