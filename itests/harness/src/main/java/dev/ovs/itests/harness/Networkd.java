package dev.ovs.itests.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code systemd-networkd} (systemd-networkd(8), systemd 252) outside PID 1, in the given network
 * namespace and a private mount namespace, with a private {@link DbusDaemon} as its system bus.
 *
 * <p>Started as {@code ip netns exec NS unshare -m --propagation private sh -c SCRIPT}, where the
 * script (each step from VERSIONS.md "Pitfalls"):
 * <ol>
 * <li>mounts a tmpfs on {@code /run} (the host's /run is never written);</li>
 * <li>links {@code /run/dbus/system_bus_socket} to the private bus socket (sd-bus' system bus);</li>
 * <li>creates {@code /run/systemd/netif/{links,leases,lldp}} owned by {@code systemd-network}
 * (networkd drops to that user and writes its state there);</li>
 * <li>bind-mounts {@code networkDir} on {@code /etc/systemd/network} (only the test's
 * {@code .network}/{@code .netdev}/{@code .link} files are seen);</li>
 * <li>remounts {@code /sys} read-only, which makes networkd treat links as not managed by udev (they
 * would stay "pending" otherwise, no udevd runs here);</li>
 * <li>{@code exec}s systemd-networkd, so the tracked PID is networkd's own (it is stopped by PID;
 * when it exits the mount namespace and its mounts disappear with it).</li>
 * </ol>
 * Log (stdout/stderr, {@code SYSTEMD_LOG_TARGET=console}): {@code networkd.log} next to the bus socket.
 * {@link #stop()}, {@link #start()} and {@link #restart()} as every {@link RestartableDaemon} (each start gets
 * a fresh mount namespace and {@code /run}; the network files stay); it is stopped by PID and its private
 * mounts vanish with it.
 */
public final class Networkd extends RestartableDaemon {
    /** Well-known bus name of networkd (org.freedesktop.network1(5)). */
    public static final String BUS_NAME = "org.freedesktop.network1";
    /** Manager object path. */
    public static final String PATH = "/org/freedesktop/network1";
    /** Manager interface. */
    public static final String MANAGER = "org.freedesktop.network1.Manager";
    private static final Duration READY = Duration.ofSeconds(30);

    private static final String SCRIPT = """
            set -e
            mount -t tmpfs -o mode=0755 tmpfs /run
            mkdir -p /run/dbus /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
            ln -s "$1" /run/dbus/system_bus_socket
            chown -R systemd-network:systemd-network /run/systemd/netif
            mkdir -p /etc/systemd/network
            mount --bind "$2" /etc/systemd/network
            mount -o remount,bind,ro /sys
            exec "$3"
            """;

    private final Netns ns;
    private final DbusDaemon bus;
    private final Path networkDir;
    private final Path program;

    private Networkd(Netns ns, DbusDaemon bus, Path networkDir, Path program) {
        super("systemd-networkd", ns, bus.socket().resolveSibling("networkd.log"), READY);
        this.ns = ns;
        this.bus = bus;
        this.networkDir = networkDir;
        this.program = program;
    }

    /**
     * Starts networkd and waits until it owns {@link #BUS_NAME} and answers {@code ListLinks}.
     *
     * @param ns         the network namespace whose links networkd manages (required: never the host)
     * @param bus        a running private bus (its policy must let networkd own {@link #BUS_NAME};
     *                   the allow-all default does)
     * @param networkDir existing directory of {@code .network} files, readable by user
     *                   {@code systemd-network} (mode 0755); may be empty and filled later, then
     *                   {@link #reload()}
     * @return the running networkd
     * @throws IllegalArgumentException if an argument is null or networkDir is not a directory
     * @throws IllegalStateException    if networkd does not answer within 30 s (message has its log)
     */
    public static Networkd start(Netns ns, DbusDaemon bus, Path networkDir) {
        if (ns == null) {
            throw new IllegalArgumentException("ns: required (networkd must never manage host links)");
        }
        if (bus == null) {
            throw new IllegalArgumentException("bus: required (networkd's system bus)");
        }
        if (networkDir == null || !Files.isDirectory(networkDir)) {
            throw new IllegalArgumentException("networkDir: must be an existing directory, got " + networkDir);
        }
        Path networkd = Tools.require("systemd-networkd");
        Tools.require("unshare");
        Tools.require("mount");
        Tools.require("nsenter");
        networkDir.toFile().setReadable(true, false);
        networkDir.toFile().setExecutable(true, false);
        Networkd n = new Networkd(ns, bus, networkDir, networkd);
        n.start();
        return n;
    }

    @Override
    protected List<String> command() {
        return List.of("unshare", "-m", "--propagation", "private", "sh", "-c", SCRIPT, "networkd-sh",
                bus.socket().toString(), networkDir.toAbsolutePath().toString(), program.toString());
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("SYSTEMD_LOG_TARGET", "console", "SYSTEMD_LOG_LEVEL", "info");
    }

    /** @return null: networkd has no socket of its own, it is ready when it answers on the bus */
    @Override
    public Path socket() {
        return null;
    }

    @Override
    protected boolean answers() {
        listLinks();
        return true;
    }

    @Override
    protected String readiness() {
        return "ListLinks on the private bus";
    }

    /** @return the log; the mounts and state under /run vanish with networkd's mount namespace */
    @Override
    protected List<Path> files() {
        return List.of(log());
    }

    /** @return the bus networkd is connected to */
    public DbusDaemon bus() {
        return bus;
    }

    /** @return the directory bind-mounted on /etc/systemd/network */
    public Path networkDir() {
        return networkDir;
    }

    /**
     * Calls {@code Manager.ListLinks} over the private bus.
     *
     * @return busctl's text output, e.g. {@code a(iso) 2 1 "lo" "/org/freedesktop/network1/link/_31" ...}
     */
    public String listLinks() {
        return call("ListLinks");
    }

    /** Calls {@code Manager.Reload}: networkd re-reads {@link #networkDir()} and reconfigures. */
    public void reload() {
        call("Reload");
    }

    /**
     * Calls a Manager method with busctl ({@code busctl call org.freedesktop.network1
     * /org/freedesktop/network1 org.freedesktop.network1.Manager METHOD [SIGNATURE ARGS...]}).
     *
     * @param methodAndArgs method name, then optional signature and arguments as busctl(1) expects
     * @return busctl output
     */
    public String call(String... methodAndArgs) {
        List<String> a = new ArrayList<>(List.of("call", BUS_NAME, PATH, MANAGER));
        a.addAll(List.of(methodAndArgs));
        return bus.busctl(a.toArray(String[]::new));
    }

    /**
     * Runs {@code networkctl ARGS} inside networkd's mount and network namespaces (via
     * {@code nsenter -t PID -m -n}), where /run/systemd/netif and the system bus socket are the private
     * ones; e.g. {@code networkctl("status","veth0")}.
     *
     * @param args networkctl arguments
     * @return stdout
     */
    public String networkctl(String... args) {
        List<String> a = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid()), "-m", "-n", "networkctl",
                "--no-pager", "--no-legend"));
        a.addAll(List.of(args));
        return Cmd.run(a, Duration.ofSeconds(30));
    }

    /**
     * Polls {@code networkctl list} until link {@code ifname} shows {@code operational} in its
     * OPERATIONAL column and {@code setup} in its SETUP column (networkctl(1)).
     *
     * @param ifname      interface name
     * @param operational e.g. {@code "routable"}, {@code "carrier"}
     * @param setup       e.g. {@code "configured"}, {@code "unmanaged"}
     * @param timeout     maximum wait
     * @throws IllegalStateException on timeout, with the last listing
     */
    public void awaitLink(String ifname, String operational, String setup, Duration timeout) {
        daemon().awaitReady(ifname + " " + operational + "/" + setup, timeout, () -> {
            for (String line : networkctl("list").split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[1].equals(ifname) && f[3].equals(operational) && f[4].equals(setup)) {
                    return true;
                }
            }
            return false;
        });
    }

    @Override
    public String toString() {
        return "Networkd[pid " + pid() + ", netns " + ns.name() + ", bus " + bus.address() + "]";
    }
}
