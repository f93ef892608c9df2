package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged appliance ({@code distribution/target/patchbay-VERSION/}) as a user runs it:
 * {@code bin/patchbay run}, {@code bin/patchbay shell -c}, and {@code bin/patchbay run --sandbox}
 * with its private ovsdb-server, ovs-vswitchd and dbus-daemon in a network namespace.
 */
class ApplianceEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process appliance;

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (appliance != null && appliance.isAlive()) {
            stop(appliance);
        }
        dir.close();
        before.assertNoneSince();
    }

    @Test
    void runAnswersOnTheAdminSocketWithEveryBundleActive() throws Exception {
        Path state = dir.resolve("state");
        Path etc = Launcher.privateEtc(dist.resolve("etc"), dir.path(), state);
        appliance = launch(List.of("run", "--etc", etc.toString(), "--state", state.toString()));
        Path socket = state.resolve("admin.sock");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, this::log);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertEveryBundleActive(shell(state, "lb"));

        // the bus CLI against the appliance's bus socket (path read from etc/dev.ovs.bus.cfg)
        Path subOut = dir.resolve("sub.out");
        Path subErr = dir.resolve("sub.err");
        Process sub = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "bus", "--etc", etc.toString(), "sub",
                "--count", "1", "--seconds", "30", "e2e.>").redirectOutput(subOut.toFile())
                .redirectError(subErr.toFile()).start();
        try {
            Frameworks.eventually("bus sub subscribed", START, () -> {
                try {
                    return Files.readString(subErr).contains("subscribed");
                } catch (IOException e) {
                    return false;
                }
            });
            Cmd.run(dist.resolve("bin/patchbay").toString(), "bus", "--etc", etc.toString(), "pub", "e2e.hello",
                    "{\"n\":7}");
            assertThat(sub.waitFor(30, TimeUnit.SECONDS)).as("sub exits after one event").isTrue();
            assertThat(sub.exitValue()).isZero();
            assertThat(Files.readString(subOut)).contains("\"topic\":\"e2e.hello\"").contains("\"n\":7");
        } finally {
            sub.destroyForcibly();
        }

        // a failing command: exit status 1 and the message on stderr
        Cmd.Failed failed = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "no-such-command"));
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stderr()).contains("Command not found: no-such-command");

        // peer credentials: even with the file mode opened up, another uid is refused by the server
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        for (Path d = state; d.startsWith(dir.path()); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Tools.require("setpriv");
        // the client jar where uid 65534 can read it, wherever this checkout lives (e.g. a 0700 temp dir)
        Path clientJar = dir.resolve("patchbay-shell-client.jar");
        Files.copy(dist.resolve("lib/patchbay-shell-client.jar"), clientJar);
        Files.setPosixFilePermissions(clientJar, PosixFilePermissions.fromString("rw-r--r--"));
        Cmd.Failed refused = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run(List.of("setpriv",
                "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-C", dir.path().toString(), javaBin(), "-cp",
                clientJar.toString(), "dev.ovs.shell.AdminClient",
                "--socket", socket.toString(), "-c", "lb"), Duration.ofSeconds(30)));
        assertThat(refused.exitCode()).as("exit status; stderr: " + refused.stderr()).isEqualTo(2);
        assertThat(refused.stderr()).contains("permission denied: uid 65534");

        stop(appliance);
        assertThat(socket).as("admin socket removed on shutdown").doesNotExist();
    }

    @Test
    void sandboxRunsPrivateDaemonsInItsOwnNamespaceAndCleansUp() throws Exception {
        Tools.require("ovsdb-server");
        Tools.require("ovs-vswitchd");
        Tools.require("dbus-daemon");
        Path sbx = dir.resolve("sbx");
        appliance = launch(List.of("run", "--sandbox", sbx.toString()));
        Path state = sbx.resolve("state");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, this::log);
        assertEveryBundleActive(shell(state, "lb"));
        // the sandbox changes only its own keys in its copy of etc/; every other key (and comment) stays
        assertThat(Files.readString(sbx.resolve("run/etc/dev.ovs.dbus.cfg")))
                .contains("address=unix:path=" + sbx.resolve("run/dbus/bus.sock"), "unexport.grace.ms=5000",
                        "# When an exported object's bundle is updated")
                .containsOnlyOnce("address=");
        assertThat(Files.readString(sbx.resolve("run/etc/dev.ovs.ovsdb.cfg")))
                .contains("remote=unix:" + sbx.resolve("run/ovs/db.sock"), "bridge.datapath_type=netdev",
                        "# OVSDB connection")
                .containsOnlyOnce("remote=").containsOnlyOnce("bridge.datapath_type=");

        String ns = Files.readAllLines(sbx.resolve("env")).stream()
                .filter(l -> l.startsWith("export PATCHBAY_NETNS=")).map(l -> l.substring(l.indexOf('=') + 1)).findFirst()
                .orElseThrow();
        assertThat(Cmd.run("ip", "netns", "list")).contains(ns);
        // the appliance's JVM (the launcher's child) runs inside the sandbox namespace, not in ours
        ProcessHandle jvm = appliance.toHandle().children().findFirst().orElseThrow();
        assertThat(jvm.info().command().orElse("")).endsWith("java");
        Path jvmNs = Files.readSymbolicLink(Path.of("/proc", Long.toString(jvm.pid()), "ns/net"));
        assertThat(jvmNs).isEqualTo(Files.readSymbolicLink(Path.of("/proc",
                pidOf(sbx.resolve("run/ovs/ovs-vswitchd.pid")), "ns/net")));
        assertThat(jvmNs).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
        // private OVS answers and makes a userspace bridge inside the namespace
        String db = "unix:" + sbx.resolve("run/ovs/db.sock");
        Cmd.run(List.of("ovs-vsctl", "--db=" + db, "--timeout=20", "add-br", "br-sbx", "--", "set", "Bridge",
                "br-sbx", "datapath_type=netdev"), Duration.ofSeconds(30));
        assertThat(Cmd.run("ip", "-n", ns, "link", "show", "br-sbx")).contains("br-sbx");
        // private dbus-daemon answers
        String busAddress = "unix:path=" + sbx.resolve("run/dbus/bus.sock");
        assertThat(Cmd.run("busctl", "--address=" + busAddress, "call", "org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId")).startsWith("s ");

        // the appliance is on that bus: org.openvswitch.ovsdb, backed by the private OVS
        String call = "busctl --address=" + busAddress + " call org.openvswitch.ovsdb /org/openvswitch/ovsdb "
                + "org.openvswitch.ovsdb ";
        Frameworks.eventually("org.openvswitch.ovsdb answers", START, () -> {
            try {
                return Cmd.run((call + "BridgeExists s br-sbx").split(" ")).trim().equals("b true");
            } catch (Cmd.Failed notYet) {
                return false;
            }
        });
        Cmd.run((call + "CreateBridge s br-dbus").split(" "));
        Cmd.run("ovs-vsctl", "--db=" + db, "br-exists", "br-dbus");
        assertThat(Cmd.run((call + "ListBridges").split(" "))).contains("\"br-dbus\"", "\"br-sbx\"");
        assertThat(shell(state, "ovs:list-br")).contains("br-dbus");
        // the live shell's view of the D-Bus side: connected, inline dispatch on, both core objects exported
        assertThat(shell(state, "dbus:status")).contains("connection: " + busAddress + " — connected as :")
                .containsPattern("inline dispatch: on — [1-9][0-9]* calls answered on the reader thread")
                .contains("  /org/openvswitch/ovsdb  org.openvswitch.ovsdb  EXPORTED  service ")
                .contains("  /dev/ovs/PortAgent1  dev.ovs.PortAgent1  EXPORTED  service ");

        // the sandbox's systemd-networkd: on the same bus, in the same namespace, applying the appliance's files
        String links = shell(state, "net:links");
        assertThat(links).contains("IDX LINK").containsPattern("\\s1 lo\\s");
        Cmd.run("ip", "-n", ns, "link", "add", "sbx-nd0", "type", "veth", "peer", "name", "sbx-nd1");
        Cmd.run("ip", "-n", ns, "link", "set", "sbx-nd1", "up");
        assertThat(shell(state, "net:configure sbx-nd0 --address 10.99.0.1/24"))
                .contains("wrote " + sbx.resolve("run/network/10-patchbay-sbx-nd0.network"));
        Frameworks.eventually("networkd configures sbx-nd0", START,
                () -> Cmd.run("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "sbx-nd0").contains("10.99.0.1/24"));
        Frameworks.eventually("net:links shows sbx-nd0 configured", START,
                () -> shell(state, "net:links").lines().anyMatch(l -> l.contains(" sbx-nd0 ") && l.endsWith("configured")));
        assertThat(shell(state, "net:link sbx-nd0")).contains("AdministrativeState: configured")
                .contains("Address: 10.99.0.1/24 (static)");
        String networkdPid = pidOf(sbx.resolve("run/networkd.pid"));
        assertThat(Files.readSymbolicLink(Path.of("/proc", networkdPid, "ns/net"))).isEqualTo(jvmNs);
        // no systemd as PID 1 on the sandbox's bus: unit:* fails with one clear line
        Cmd.Failed noSystemd = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "unit:status ssh.service"));
        assertThat(noSystemd.exitCode()).isEqualTo(1);
        assertThat(noSystemd.stderr()).contains("error: Unavailable: LoadUnit(ssh.service): systemd is not running on "
                + "this D-Bus bus (nobody owns org.freedesktop.systemd1").doesNotContain(".service files");

        List<String> daemonPids = List.of(pidOf(sbx.resolve("run/ovs/ovsdb-server.pid")),
                pidOf(sbx.resolve("run/ovs/ovs-vswitchd.pid")), pidOf(sbx.resolve("run/dbus/dbus.pid")), networkdPid);
        stop(appliance);
        assertThat(Cmd.run("ip", "netns", "list")).doesNotContain(ns);
        for (String pid : daemonPids) {
            assertThat(Path.of("/proc", pid)).as("daemon pid " + pid + " stopped").doesNotExist();
        }
    }

    @Test
    void sandboxHonoursTheStateOption() throws Exception {
        Tools.require("ovsdb-server");
        Tools.require("ovs-vswitchd");
        Tools.require("dbus-daemon");
        Path sbx = dir.resolve("sbx");
        Path state = dir.resolve("elsewhere");
        appliance = launch(List.of("run", "--sandbox", sbx.toString(), "--state", state.toString()));
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, this::log);
        assertThat(state.resolve("admin.sock")).exists();
        assertThat(sbx.resolve("state")).doesNotExist();
        assertThat(Files.readAllLines(sbx.resolve("env"))).contains("export PATCHBAY_STATE=" + state);
        assertThat(Files.readString(sbx.resolve("run/etc/dev.ovs.bus.cfg"))).contains("socket=" + state.resolve("bus.sock"));
        assertThat(shell(state, "echo hello")).contains("hello");
        stop(appliance);
        assertThat(state.resolve("admin.sock")).doesNotExist();
    }

    @Test
    void shippedSystemdUnitParsesWithoutWarnings() throws Exception {
        Tools.require("systemd-analyze");
        // systemd is not PID 1 here: check the unit as systemd reads it (every key known, values valid)
        Path unit = dir.resolve("patchbay.service");
        Files.writeString(unit, Files.readString(dist.resolve("lib/systemd/system/patchbay.service"))
                .replace("/opt/patchbay/bin/patchbay", "/bin/true"));
        String out = Cmd.run("sh", "-c", "systemd-analyze verify '" + unit + "' 2>&1");
        assertThat(out).as("systemd-analyze verify").doesNotContainIgnoringCase("unknown")
                .doesNotContainIgnoringCase("invalid").doesNotContainIgnoringCase("failed");
        assertThat(Files.readString(unit)).contains("Type=notify", "NotifyAccess=main", "WatchdogSec=30s",
                "BusName=org.openvswitch.ovsdb",
                "CapabilityBoundingSet=CAP_NET_ADMIN", "ProtectSystem=");
    }

    private Process launch(List<String> args) throws IOException {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(dist.resolve("bin/patchbay").toString());
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("appliance.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    private String shell(Path state, String command) {
        return Launcher.shell(dist.resolve("bin/patchbay"), state, command);
    }

    private void assertEveryBundleActive(String lb) throws IOException {
        List<String> rows = lb.lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
        long jars;
        try (Stream<Path> s = Files.list(dist.resolve("bundle"))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).count();
        }
        assertThat(rows).as("lb lists the system bundle and every jar of bundle/").hasSize((int) jars + 1);
        assertThat(rows).allSatisfy(r -> assertThat(r.split("\\|")[1].trim()).as(r).isEqualTo("Active"));
    }

    private void stop(Process p) throws Exception {
        p.destroy(); // SIGTERM
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("appliance did not stop within 60 s after SIGTERM:\n" + log());
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("appliance.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String pidOf(Path pidfile) throws IOException {
        return Files.readString(pidfile).trim();
    }

    private static String javaBin() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
