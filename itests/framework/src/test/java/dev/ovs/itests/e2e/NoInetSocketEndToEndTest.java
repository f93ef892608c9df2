package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing of the appliance listens on TCP or UDP (docs/security.md): every way in is a Unix socket (admin shell,
 * bus) or D-Bus. The packaged appliance runs in sandbox mode, connected to its private ovsdb-server and
 * dbus-daemon and answering on D-Bus; then the inet sockets of its network namespace
 * ({@code /proc/PID/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}, proc(5)) are matched by inode against
 * the sockets the appliance's JVM holds open ({@code /proc/PID/fd}): none may be a listening TCP socket or a
 * UDP socket.
 */
class NoInetSocketEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern SOCKET_FD = Pattern.compile("socket:\\[(\\d+)]");
    private static final String TCP_LISTEN = "0A"; // include/net/tcp_states.h

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process appliance;

    /** One line of /proc/PID/net/{tcp,tcp6,udp,udp6}. */
    record InetSocket(String table, String local, String state, long inode) {
        boolean listeningOrBound() {
            return table.startsWith("udp") || state.equals(TCP_LISTEN);
        }

        int port() {
            return Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
        }
    }

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (appliance != null && appliance.isAlive()) {
            Launcher.terminate(appliance);
        }
        dir.close();
        before.assertNoneSince();
    }

    @Test
    void theRunningApplianceHasNoListeningTcpAndNoUdpSocket() throws Exception {
        Tools.require("ovsdb-server");
        Tools.require("ovs-vswitchd");
        Tools.require("dbus-daemon");
        Tools.require("busctl");
        Path sbx = dir.resolve("sbx");
        Path log = dir.resolve("appliance.log");
        appliance = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--sandbox", sbx.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).start();
        Path state = sbx.resolve("state");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> read(log));
        // fully up: on the bus and backed by OVS (a call that reaches ovsdb-server)
        String bus = "--address=unix:path=" + sbx.resolve("run/dbus/bus.sock");
        Frameworks.eventually("org.openvswitch.ovsdb answers", START, () -> {
            try {
                Cmd.run("busctl", bus, "call", "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb",
                        "org.openvswitch.ovsdb", "CreateBridge", "s", "br-inet");
                return true;
            } catch (Cmd.Failed notYet) {
                return false;
            }
        });
        long jvm = appliance.toHandle().children().filter(c -> c.info().command().orElse("").endsWith("java"))
                .findFirst().orElseThrow(() -> new AssertionError("no appliance JVM under the launcher")).pid();

        Set<Long> inodes = socketInodes(jvm);
        // the fd scan sees the appliance's sockets: its admin socket is among them
        assertThat(unixSocketInode(jvm, state.resolve("admin.sock"))).as("admin.sock listening inode")
                .isNotNull().isIn(inodes);
        List<InetSocket> owned = inetSockets(jvm).stream().filter(s -> inodes.contains(s.inode())).toList();
        System.out.println("appliance pid " + jvm + ": " + inodes.size() + " sockets, inet ones: " + owned);
        assertThat(owned.stream().filter(InetSocket::listeningOrBound).toList())
                .as("listening TCP or bound UDP sockets of the appliance").isEmpty();
    }

    @Test
    void theScanFindsTheListenersOfThisTestsOwnProcess() throws Exception {
        long self = ProcessHandle.current().pid();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket tcp = new ServerSocket(0, 1, loopback);
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            Set<Long> inodes = socketInodes(self);
            List<InetSocket> found = inetSockets(self).stream().filter(s -> inodes.contains(s.inode()))
                    .filter(InetSocket::listeningOrBound).toList();
            assertThat(found).anySatisfy(s -> {
                assertThat(s.table()).startsWith("tcp");
                assertThat(s.state()).isEqualTo(TCP_LISTEN);
                assertThat(s.port()).isEqualTo(tcp.getLocalPort());
            });
            assertThat(found).anySatisfy(s -> {
                assertThat(s.table()).startsWith("udp");
                assertThat(s.port()).isEqualTo(udp.getLocalPort());
            });
        }
    }

    /** The inodes of the sockets process {@code pid} holds open ({@code /proc/PID/fd/N -> socket:[INODE]}). */
    static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    Matcher m = SOCKET_FD.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(Long.parseLong(m.group(1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading
                }
            }
        }
        return inodes;
    }

    /** Every socket of the TCP and UDP tables (IPv4 and IPv6) of {@code pid}'s network namespace. */
    static List<InetSocket> inetSockets(long pid) throws IOException {
        List<InetSocket> sockets = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            List<String> lines = Files.readAllLines(file);
            assertThat(lines.get(0)).as(file + " header").contains("local_address").contains("inode");
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                sockets.add(new InetSocket(table, f[1], f[3], Long.parseLong(f[9])));
            }
        }
        return sockets;
    }

    /** The inode of the listening Unix socket bound to {@code path} in {@code pid}'s namespace, or null. */
    private static Long unixSocketInode(long pid, Path path) throws IOException {
        // Num RefCount Protocol Flags Type St Inode Path
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "unix"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[7].equals(path.toString())) {
                return Long.parseLong(f[6]);
            }
        }
        return null;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
