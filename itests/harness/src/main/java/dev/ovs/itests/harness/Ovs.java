package dev.ovs.itests.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link OvsdbServer} plus {@code ovs-vswitchd} (ovs-vswitchd(8), Open vSwitch 3.1) inside a
 * network namespace, for the userspace datapath only.
 *
 * <p>ovs-vswitchd runs in the foreground with {@code --disable-system} (a hidden option of OVS 3.1:
 * no kernel datapath is ever opened, so no openvswitch kernel module is needed or touched),
 * {@code --pidfile}, {@code --unixctl=DIR/ovs-vswitchd.ctl}, {@code --log-file=DIR/ovs-vswitchd.log}
 * and {@code OVS_RUNDIR=DIR} (bridge management sockets {@code DIR/BR.mgmt}). Bridges must use
 * {@code datapath_type=netdev} ({@link #addBridge(String)} does); their internal ports and the
 * {@code ovs-netdev} tap device appear inside the namespace, never on the host.
 */
public final class Ovs implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(30);
    private final Netns ns;
    private final Path dir;
    private final OvsdbServer db;
    private final Path ctl;
    private final Vswitchd vswitchd;

    private Ovs(Netns ns, Path dir, OvsdbServer db) {
        this.ns = ns;
        this.dir = dir;
        this.db = db;
        this.ctl = ShortTempDir.checkSocketPath(dir.resolve("ovs-vswitchd.ctl"));
        this.vswitchd = new Vswitchd();
    }

    /** ovs-vswitchd on the server's socket; ready when its unixctl answers and it applied the configuration. */
    private final class Vswitchd extends RestartableDaemon {
        Vswitchd() {
            super("ovs-vswitchd", ns, dir.resolve("ovs-vswitchd.log"), READY);
        }

        @Override
        protected List<String> command() {
            return List.of("ovs-vswitchd", db.remote(), "--disable-system",
                    "--pidfile=" + dir.resolve("ovs-vswitchd.pid"), "--unixctl=" + ctl,
                    "--log-file=" + log(), "-vconsole:off", "--no-chdir");
        }

        @Override
        protected java.util.Map<String, String> environment() {
            return OvsdbServer.env(dir);
        }

        @Override
        public Path socket() {
            return ctl;
        }

        @Override
        protected boolean answers() {
            return !appctl("version").isBlank();
        }

        @Override
        protected String readiness() {
            return "unixctl version on " + ctl;
        }

        @Override
        protected void afterReady() {
            // a waiting command: returns once vswitchd has applied the configuration (cur_cfg == next_cfg)
            daemon().awaitReady("cur_cfg caught up", READY, () -> {
                vsctl("init");
                return true;
            });
        }

        @Override
        protected List<Path> files() {
            return List.of(dir.resolve("ovs-vswitchd.pid"), ctl, log());
        }
    }

    /**
     * Starts ovsdb-server and ovs-vswitchd in {@code ns}, files in {@code dir}.
     *
     * @param ns  the namespace (required: vswitchd creates interfaces, which must never be on the host)
     * @param dir existing short directory ({@link ShortTempDir})
     * @return running OVS; {@code ovs-vsctl init} has been applied by vswitchd
     * @throws IllegalArgumentException if ns is null or dir is not a directory
     * @throws IllegalStateException    if a daemon does not become ready
     */
    public static Ovs start(Netns ns, Path dir) {
        if (ns == null) {
            throw new IllegalArgumentException("ns: required (ovs-vswitchd must not create interfaces on the host)");
        }
        Tools.require("ovs-vswitchd");
        Tools.require("ovs-appctl");
        OvsdbServer db = OvsdbServer.start(ns, dir);
        Ovs o = new Ovs(ns, dir, db);
        try {
            o.vswitchd.start();
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /** @return the database server */
    public OvsdbServer db() {
        return db;
    }

    /** @return the namespace */
    public Netns netns() {
        return ns;
    }

    /**
     * @return ovs-vswitchd: {@link RestartableDaemon#stop()}, {@link RestartableDaemon#start()} and
     *         {@link RestartableDaemon#restart()} keep the database; a restart re-creates the datapath ports
     */
    public RestartableDaemon vswitchd() {
        return vswitchd;
    }

    /**
     * Runs {@code ovs-vsctl --db=unix:SOCK --timeout=20 ARGS}, <em>waiting</em> for ovs-vswitchd to
     * apply the change (ovs-vsctl(8) default behaviour).
     *
     * @param args ovs-vsctl commands
     * @return stdout
     * @throws Cmd.Failed on non-zero exit or timeout
     */
    public String vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db.remote(), "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    /**
     * Runs {@code ovs-appctl -t DIR/ovs-vswitchd.ctl ARGS}, e.g. {@code appctl("fdb/show","br0")}.
     *
     * @param args unixctl command and arguments
     * @return stdout
     */
    public String appctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-appctl", "-t", ctl.toString()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    /**
     * Adds a userspace bridge: {@code ovs-vsctl add-br NAME -- set Bridge NAME datapath_type=netdev},
     * waiting for vswitchd to create it (its internal port appears, down, inside the namespace).
     *
     * @param name bridge name, 1..15 chars (IFNAMSIZ)
     * @throws IllegalArgumentException if the name is invalid
     */
    public void addBridge(String name) {
        Netns.checkIfName("name", name);
        vsctl("add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev");
    }

    /** Stops ovs-vswitchd, then ovsdb-server (by PID), and deletes their files. Idempotent. */
    @Override
    public void close() {
        try {
            vswitchd.close();
        } finally {
            db.close();
        }
    }

    @Override
    public String toString() {
        return "Ovs[" + db.remote() + ", netns " + ns.name() + "]";
    }
}
