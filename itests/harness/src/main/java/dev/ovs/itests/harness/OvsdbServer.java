package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private {@code ovsdb-server} (ovsdb-server(1), Open vSwitch 3.1) on a fresh
 * {@code Open_vSwitch} database, created with {@code ovsdb-tool create} from
 * {@code /usr/share/openvswitch/vswitch.ovsschema}, and initialised with {@code ovs-vsctl --no-wait
 * init} (so the single {@code Open_vSwitch} root row exists, as {@code ovs-ctl} would do).
 *
 * <p>Files in {@code dir}: {@code conf.db}, {@code db.sock} (the JSON-RPC endpoint of RFC 7047),
 * {@code ovsdb-server.pid}, {@code ovsdb-server.ctl} (unixctl, for {@code ovs-appctl -t}),
 * {@code ovsdb-server.log}. The daemon runs in the foreground as a child of this JVM (tracked by PID,
 * see {@link Daemon}); {@code OVS_RUNDIR}/{@code OVS_DBDIR}/{@code OVS_LOGDIR} point into {@code dir}
 * so nothing under {@code /var/run/openvswitch} is touched.
 *
 * <p>Optional TCP remote {@code ptcp:PORT:127.0.0.1} (RFC 7047 section 6 assigns port 6640): inside
 * a namespace it listens on the namespace's own loopback (reachable only from inside it, e.g. with
 * {@link Netns#exec}); with {@code ns == null} it listens on the host loopback on a free port, which
 * the JVM can reach directly.
 *
 * <p>{@link #stop()}, {@link #start()} and {@link #restart()} as every {@link RestartableDaemon}: the same
 * database file, socket and TCP port, a new PID; {@link #close()} also deletes the database.
 */
public final class OvsdbServer extends RestartableDaemon {
    /** Schema used for the fresh database. */
    public static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");
    private static final Duration READY = Duration.ofSeconds(20);

    private final Netns ns;
    private final Path dir;
    private final Path db;
    private final Path socket;
    private final Path ctl;
    private int tcpPort = -1;

    private OvsdbServer(Netns ns, Path dir) {
        super("ovsdb-server", ns, dir.resolve("ovsdb-server.log"), READY);
        this.ns = ns;
        this.dir = dir;
        this.db = dir.resolve("conf.db");
        this.socket = ShortTempDir.checkSocketPath(dir.resolve("db.sock"));
        this.ctl = ShortTempDir.checkSocketPath(dir.resolve("ovsdb-server.ctl"));
    }

    /**
     * Creates a fresh database and starts ovsdb-server on a Unix socket.
     *
     * @param ns  namespace to run in; {@code null} = the caller's (host) namespace
     * @param dir existing directory for db, socket, pidfile, log (keep it short: {@link ShortTempDir})
     * @return the running server, answering {@code list_dbs}
     * @throws IllegalArgumentException if dir is null/not a directory or socket paths get too long
     * @throws IllegalStateException    if the server does not become ready within 20 s
     */
    public static OvsdbServer start(Netns ns, Path dir) {
        return start(ns, dir, false);
    }

    /**
     * Like {@link #start(Netns, Path)}, optionally with a TCP remote on 127.0.0.1.
     *
     * @param ns  namespace to run in; {@code null} = host namespace
     * @param dir existing directory
     * @param tcp whether to also listen on {@code ptcp:PORT:127.0.0.1} (port 6640 inside a namespace,
     *            a free ephemeral port in the host namespace)
     * @return the running server
     */
    public static OvsdbServer start(Netns ns, Path dir, boolean tcp) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        Tools.require("ovsdb-server");
        Tools.require("ovsdb-tool");
        Tools.require("ovsdb-client");
        Tools.require("ovs-vsctl");
        if (!Files.isReadable(SCHEMA)) {
            Tools.require(SCHEMA.toString());
        }
        OvsdbServer s = new OvsdbServer(ns, dir);
        if (tcp) {
            s.tcpPort = s.pickPort();
        }
        Cmd.run("ovsdb-tool", "create", s.db.toString(), SCHEMA.toString());
        s.start();
        try {
            s.vsctl("init");
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private int pickPort() {
        if (ns != null) {
            return 6640;
        }
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port", e);
        }
    }

    @Override
    protected List<String> command() {
        List<String> argv = new ArrayList<>(List.of("ovsdb-server", db.toString(),
                "--remote=punix:" + socket,
                "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
                "--pidfile=" + dir.resolve("ovsdb-server.pid"),
                "--unixctl=" + ctl,
                "--log-file=" + log(),
                "-vconsole:off", "--no-chdir"));
        if (tcpPort > 0) {
            argv.add("--remote=ptcp:" + tcpPort + ":127.0.0.1");
        }
        return argv;
    }

    @Override
    protected Map<String, String> environment() {
        return env(dir);
    }

    @Override
    protected boolean answers() {
        return Cmd.run("ovsdb-client", "--timeout=5", "list-dbs", remote()).contains("Open_vSwitch");
    }

    @Override
    protected String readiness() {
        return "list-dbs on " + socket;
    }

    @Override
    protected void afterReady() {
        if (tcpPort > 0) {
            awaitTcp();
        }
    }

    @Override
    protected List<Path> files() {
        return List.of(db, dir.resolve(".conf.db.~lock~"), socket, dir.resolve("ovsdb-server.pid"), ctl, log());
    }

    private void awaitTcp() {
        List<String> probe = List.of("ovsdb-client", "--timeout=5", "list-dbs", "tcp:127.0.0.1:" + tcpPort);
        daemon().awaitReady("TCP remote 127.0.0.1:" + tcpPort, READY, () -> (ns == null
                ? Cmd.run(probe, Duration.ofSeconds(10))
                : ns.exec(Duration.ofSeconds(10), probe.toArray(String[]::new))).contains("Open_vSwitch"));
    }

    static Map<String, String> env(Path dir) {
        return Map.of("OVS_RUNDIR", dir.toString(), "OVS_DBDIR", dir.toString(), "OVS_LOGDIR", dir.toString(),
                "OVS_PKGDATADIR", "/usr/share/openvswitch");
    }

    /** @return the Unix socket path {@code DIR/db.sock} */
    @Override
    public Path socket() {
        return socket;
    }

    /** @return {@code "unix:" + socket()}, the OVSDB remote syntax of ovsdb-client(1) */
    public String remote() {
        return "unix:" + socket;
    }

    /** @return the TCP port on 127.0.0.1 (of the server's namespace), or -1 if none */
    public int tcpPort() {
        return tcpPort;
    }

    /** @return the unixctl socket, for {@code ovs-appctl -t} */
    public Path ctl() {
        return ctl;
    }

    /** @return the database file */
    public Path dbFile() {
        return db;
    }

    /**
     * Adds a TCP remote {@code ptcp:PORT:127.0.0.1} at run time (ovs-appctl
     * {@code ovsdb-server/add-remote}); kept across {@link #restart()}. No-op if already enabled.
     *
     * @return this
     */
    public OvsdbServer withTcp() {
        if (tcpPort > 0) {
            return this;
        }
        tcpPort = pickPort();
        appctl("ovsdb-server/add-remote", "ptcp:" + tcpPort + ":127.0.0.1");
        awaitTcp();
        return this;
    }

    /**
     * Runs {@code ovs-vsctl --db=unix:SOCK --no-wait --timeout=20 ARGS} (ovs-vsctl(8)); no waiting
     * for ovs-vswitchd (there is none).
     *
     * @param args ovs-vsctl commands and options, e.g. {@code "add-br","br0"}
     * @return stdout
     * @throws Cmd.Failed on non-zero exit
     */
    public String vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + remote(), "--no-wait", "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    /**
     * Runs {@code ovsdb-client --timeout=20 COMMAND unix:SOCK REST...} (ovsdb-client(1)): the remote is
     * inserted after the first argument (the command), e.g. {@code client("list-tables",
     * "Open_vSwitch")} or {@code client("transact", json)}.
     *
     * @param args command then its arguments; at least the command
     * @return stdout
     * @throws IllegalArgumentException if args is empty
     * @throws Cmd.Failed               on non-zero exit
     */
    public String client(String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("args: need at least the ovsdb-client command");
        }
        List<String> argv = new ArrayList<>(List.of("ovsdb-client", "--timeout=20", args[0], remote()));
        argv.addAll(List.of(args).subList(1, args.length));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    /**
     * Runs {@code ovs-appctl -t DIR/ovsdb-server.ctl ARGS} (ovs-appctl(8)).
     *
     * @param args unixctl command and arguments
     * @return stdout
     */
    public String appctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-appctl", "-t", ctl.toString()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
        return "OvsdbServer[" + remote() + (tcpPort > 0 ? ", tcp 127.0.0.1:" + tcpPort : "")
                + (ns == null ? "" : ", netns " + ns.name()) + "]";
    }
}
