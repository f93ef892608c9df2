package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private {@code dbus-daemon} (dbus-daemon(1), D-Bus 1.14) with a configuration file written by the
 * harness: {@code <listen>unix:path=DIR/bus.sock</listen>}, {@code <auth>EXTERNAL</auth>}, no
 * {@code <user>} (stays root), no service activation, no syslog, no pidfile, run with
 * {@code --nofork} as a tracked child process (log: {@code DIR/dbus-daemon.log}).
 *
 * <p>Policy (dbus-daemon(1) "policy" section; later rules win within a context):
 * <ul>
 * <li>{@link #start(Path)} and {@link #start(Path, String)}: allow-all default policy (any user may
 * connect, own any name, send and receive anything), followed by the caller's extra XML.</li>
 * <li>{@link #startSystemLike(Path, String)}: the default policy of Debian's
 * {@code /usr/share/dbus-1/system.conf} (deny own, deny method calls except to the bus itself; allow
 * signals and requested replies), followed by the caller's extra XML, e.g. a {@code <policy
 * user="root"><allow own="dev.ovs.Patchbay"/>...</policy>} or {@code <includedir>/path/to/shipped/d</includedir>}
 * / {@code <include>file.conf</include>} for a policy file a bundle ships.</li>
 * </ul>
 * {@link #startSystemLike(Path, String, Map)} also gives the daemon groups that the host does not have (for a
 * policy file with {@code <policy group="patchbay">}): it runs in a private mount namespace (unshare(1)) in which
 * {@code /etc/group} is a copy of the host's with those groups appended, bind-mounted over it; nothing changes on
 * the host, and the namespace ends with the daemon. dbus-daemon 1.14 matches {@code group=} policies against the
 * caller's own groups (SO_PEERGROUPS), so a client run with {@code setpriv --groups=GID} is a member.
 * The daemon does not need a network namespace: clients reach it through the socket file. Stop, start,
 * restart and close as every {@link RestartableDaemon}: a restart disconnects every client, same
 * configuration and socket path.
 */
public final class DbusDaemon extends RestartableDaemon {
    private static final Duration READY = Duration.ofSeconds(20);

    /** Allow-all default policy used by {@link #start(Path)}. */
    public static final String ALLOW_ALL_POLICY = """
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_type="method_return"/>
                <allow send_type="error"/>
                <allow send_destination="*" eavesdrop="true"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow receive_sender="*"/>
                <allow eavesdrop="true"/>
              </policy>
            """;

    /** System-bus-like default policy used by {@link #startSystemLike(Path, String)}. */
    public static final String SYSTEM_LIKE_POLICY = """
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
                <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
              </policy>
              <policy user="root">
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
              </policy>
            """;

    private final Path dir;
    private final Path socket;
    private final Path config;
    /** The {@code /etc/group} the daemon sees, or null for the host's. */
    private Path groupFile;

    private DbusDaemon(Path dir) {
        super("dbus-daemon", null, dir.resolve("dbus-daemon.log"), READY);
        this.dir = dir;
        this.socket = ShortTempDir.checkSocketPath(dir.resolve("bus.sock"));
        this.config = dir.resolve("bus.conf");
    }

    /**
     * Starts a bus with the allow-all policy.
     *
     * @param dir existing short directory ({@link ShortTempDir})
     * @return the running bus, answering {@code ListNames}
     * @throws IllegalArgumentException if dir is not a directory
     * @throws IllegalStateException    if the bus does not become ready within 20 s
     */
    public static DbusDaemon start(Path dir) {
        return start(dir, "");
    }

    /**
     * Starts a bus with the allow-all policy followed by {@code extraConfigXml}.
     *
     * @param dir            existing short directory
     * @param extraConfigXml XML elements inserted into {@code <busconfig>} after the default policy
     *                       (e.g. restricting {@code <policy>}s, {@code <includedir>}); may be empty
     * @return the running bus
     */
    public static DbusDaemon start(Path dir, String extraConfigXml) {
        return launchNew(dir, ALLOW_ALL_POLICY, extraConfigXml, Map.of());
    }

    /**
     * Starts a bus with the system-bus-like default policy ({@link #SYSTEM_LIKE_POLICY}) followed by
     * {@code extraConfigXml}, for testing a shipped policy file.
     *
     * @param dir            existing short directory
     * @param extraConfigXml XML elements after the default policy; may be empty
     * @return the running bus
     */
    public static DbusDaemon startSystemLike(Path dir, String extraConfigXml) {
        return launchNew(dir, SYSTEM_LIKE_POLICY, extraConfigXml, Map.of());
    }

    /**
     * As {@link #startSystemLike(Path, String)}, with groups the host does not have: the daemon runs in a private
     * mount namespace whose {@code /etc/group} is the host's plus one line {@code name:x:gid:} per entry (written
     * to {@code DIR/group}), so that policies naming them apply.
     *
     * @param dir            existing short directory
     * @param extraConfigXml XML elements after the default policy; may be empty
     * @param groups         group name → gid to add, e.g. {@code Map.of("patchbay", 64000L)}
     * @return the running bus
     * @throws IllegalArgumentException if dir is not a directory, or a group exists on the host already
     */
    public static DbusDaemon startSystemLike(Path dir, String extraConfigXml, Map<String, Long> groups) {
        return launchNew(dir, SYSTEM_LIKE_POLICY, extraConfigXml, groups);
    }

    private static DbusDaemon launchNew(Path dir, String policy, String extra, Map<String, Long> groups) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        Tools.require("dbus-daemon");
        Tools.require("busctl");
        DbusDaemon d = new DbusDaemon(dir);
        String xml = """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                %s%s
                </busconfig>
                """.formatted(d.socket, policy, extra == null ? "" : extra);
        try {
            Files.writeString(d.config, xml, StandardCharsets.UTF_8);
            if (!groups.isEmpty()) {
                Tools.require("unshare");
                StringBuilder g = new StringBuilder(Files.readString(Path.of("/etc/group"), StandardCharsets.UTF_8));
                if (g.length() > 0 && g.charAt(g.length() - 1) != '\n') {
                    g.append('\n');
                }
                for (Map.Entry<String, Long> e : groups.entrySet()) {
                    if (g.toString().lines().anyMatch(l -> l.startsWith(e.getKey() + ":"))) {
                        throw new IllegalArgumentException("groups: " + e.getKey() + " exists on the host already");
                    }
                    g.append(e.getKey()).append(":x:").append(e.getValue()).append(":\n");
                }
                d.groupFile = dir.resolve("group");
                Files.writeString(d.groupFile, g, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + d.config, e);
        }
        d.start();
        return d;
    }

    @Override
    protected List<String> command() {
        if (groupFile != null) {
            // unshare execs sh, sh execs dbus-daemon: one PID throughout; the mount namespace ends with it
            return List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount --bind \"$0\" /etc/group && exec dbus-daemon --config-file=\"$1\" --nofork --nopidfile"
                            + " --nosyslog", groupFile.toString(), config.toString());
        }
        return List.of("dbus-daemon", "--config-file=" + config, "--nofork", "--nopidfile", "--nosyslog");
    }

    @Override
    protected boolean answers() {
        return busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames")
                .contains("org.freedesktop.DBus");
    }

    @Override
    protected String readiness() {
        return "ListNames on " + socket;
    }

    @Override
    protected List<Path> files() {
        return groupFile == null ? List.of(socket, config, log()) : List.of(socket, config, log(), groupFile);
    }

    /** @return {@code "unix:path=" + socket()}, a D-Bus server address (D-Bus specification, "Server Addresses") */
    public String address() {
        return "unix:path=" + socket;
    }

    /** @return the listening socket {@code DIR/bus.sock} */
    @Override
    public Path socket() {
        return socket;
    }

    /** @return the generated configuration file {@code DIR/bus.conf} */
    public Path config() {
        return config;
    }

    /**
     * Runs {@code busctl --address=unix:path=SOCK ARGS} (busctl(1)), e.g. {@code busctl("call",
     * "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames")}.
     *
     * @param args busctl verb and arguments
     * @return stdout
     * @throws Cmd.Failed on non-zero exit (e.g. an error reply) or after 30 s
     */
    public String busctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("busctl", "--address=" + address(), "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30));
    }

    /**
     * Runs {@code PREFIX busctl --address=unix:path=SOCK ARGS}, e.g. as another user with a {@link Setpriv} prefix:
     * {@code busctlAs(Setpriv.nobody(), "call", NAME, PATH, IFACE, "Get", "s", "p1")}.
     *
     * @param prefix the command that runs busctl, e.g. {@link Setpriv#nobody()}; empty for none
     * @param args busctl verb and arguments
     * @return stdout, trimmed
     * @throws Cmd.Failed on non-zero exit (e.g. an error reply such as AccessDenied, in {@link Cmd.Failed#stderr()})
     *         or after 30 s
     */
    public String busctlAs(List<String> prefix, String... args) {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("busctl", "--address=" + address(), "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30)).trim();
    }

    /**
     * The busctl arguments of a method call: {@code call DEST PATH INTERFACE MEMBER [SIGNATURE ARGS...]}
     * (busctl(1) "call").
     *
     * @param destination the bus name, e.g. {@code dev.ovs.PortAgent1}
     * @param path the object path
     * @param iface the interface name
     * @param member the member name
     * @param signatureAndArgs the input signature followed by the arguments in busctl's notation; none for no input
     * @return the argument array for {@link #busctl(String...)} or {@link #busctlAs(List, String...)}
     */
    public static String[] call(String destination, String path, String iface, String member,
            String... signatureAndArgs) {
        List<String> a = new ArrayList<>(List.of("call", destination, path, iface, member));
        a.addAll(List.of(signatureAndArgs));
        return a.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return "DbusDaemon[" + address() + "]";
    }
}
