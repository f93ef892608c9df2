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
            Launcher.stop(appliance, dir.resolve("appliance.log"));
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
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertEveryBundleActive(shell(state, "lb"));

        // help: every command once; the dashless aliases still run
        List<String> help = shell(state, "help").lines().toList();
        assertThat(help).doesNotHaveDuplicates().contains("ovs:add-br", "ovs:list-br", "port:del-all", "port:set-vlan",
                "config:set", "system:health").doesNotContain("ovs:addbr", "ovs:listbr", "port:delall", "port:setvlan");
        assertThat(shell(state, "help ovs:add-br")).contains("scope: ovs");
        // (no ovsdb-server here: both names run the same command and fail the same way)
        Cmd.Failed dashless = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "ovs:listbr"));
        Cmd.Failed dashed = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "ovs:list-br"));
        assertThat(dashless.stderr()).isEqualTo(dashed.stderr()).contains("no connection to ovsdb-server");

        // configuration: listed with its metatype, checked before writing, written to etc/ and applied live
        assertThat(shell(state, "config:list")).containsPattern("dev\\.ovs\\.bus +dev\\.ovs\\.bus +"
                + java.util.regex.Pattern.quote(etc.resolve("dev.ovs.bus.cfg").toString()));
        assertThat(shell(state, "config:get dev.ovs.bus")).contains("queue.size = 1024 (default)",
                "Integer, default \"1024\". Per-subscriber queue capacity");
        String busCfg = Files.readString(etc.resolve("dev.ovs.bus.cfg"));
        Cmd.Failed bad = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "config:set dev.ovs.bus queue.size 0"));
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("error: queue.size: '0' is rejected by the metatype: less than minimum");
        bad = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "config:set dev.ovs.bus queue.size many"));
        assertThat(bad.stderr()).contains("error: queue.size: must be an Integer");
        bad = catchThrowableOfType(Cmd.Failed.class, () -> shell(state, "config:set dev.ovs.bus no.such 1"));
        assertThat(bad.stderr()).contains("error: no.such: is not an attribute of dev.ovs.bus");
        assertThat(Files.readString(etc.resolve("dev.ovs.bus.cfg"))).isEqualTo(busCfg);
        assertThat(shell(state, "config:set dev.ovs.bus queue.size 2048")).contains(
                "dev.ovs.bus: queue.size=2048 written to " + etc.resolve("dev.ovs.bus.cfg") + " and applied");
        assertThat(Files.readString(etc.resolve("dev.ovs.bus.cfg"))).isEqualTo(busCfg + "queue.size=2048\n");
        assertThat(shell(state, "config:get dev.ovs.bus")).contains("queue.size = 2048\n");

        // health: no OVSDB and no D-Bus here, so not healthy, exit 1, and the report says why
        Cmd.Failed unhealthy = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run(List.of(
                dist.resolve("bin/patchbay").toString(), "health", "--state", state.toString()), Duration.ofSeconds(60)));
        assertThat(unhealthy.exitCode()).isEqualTo(1);
        assertThat(unhealthy.stdout()).startsWith("status: down\n")
                .containsPattern("\\n  bundles +ok +\\d+ bundles running\\n")
                .containsPattern("\\n  ovsdb +down +not connected to unix:" + java.util.regex.Pattern.quote(
                        dir.resolve("no-ovsdb.sock").toString()))
                .containsPattern("\\n  dbus +down +not connected to unix:path=")
                .contains("ACTIVE    dev.ovs.shell ");

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

        Launcher.stop(appliance, dir.resolve("appliance.log"));
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
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
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
        // (the launcher's other child is the sandbox's systemd-networkd)
        ProcessHandle jvm = appliance.toHandle().children().filter(c -> c.info().command().orElse("").endsWith("java"))
                .findFirst().orElseThrow();
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
        // a port agent call over D-Bus is in the ledger once: the port agent's intent and outcome, none of the exporter
        Path ledgerFile = state.resolve("ledger.jsonl");
        int linesBefore = Files.readAllLines(ledgerFile).size();
        Cmd.Failed noPort = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run("busctl", "--address=" + busAddress,
                "call", "dev.ovs.PortAgent1", "/dev/ovs/PortAgent1", "dev.ovs.PortAgent1", "RemoveContainerInterface",
                "sss", "br-dbus", "eth9", "netns:pb-no-such-ns"));
        assertThat(noPort).isNotNull();
        List<String> ledgerLines = Files.readAllLines(ledgerFile);
        assertThat(ledgerLines.subList(linesBefore, ledgerLines.size())).hasSize(2)
                .allMatch(l -> l.contains("\"op\":\"del-port\"") && l.matches(".*\"caller\":\"dbus::1\\.\\d+ uid=0 pid=\\d+\".*"));
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

        // health: everything but the Docker API (none here) is ok; ignoring it (config:set, applied live) makes the
        // appliance healthy; the same status on D-Bus
        Cmd.Failed degraded = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run(List.of(
                dist.resolve("bin/patchbay").toString(), "health", "--state", state.toString()), Duration.ofSeconds(60)));
        assertThat(degraded.exitCode()).as(degraded.stdout()).isEqualTo(1);
        assertThat(degraded.stdout()).startsWith("status: degraded\n").containsPattern("\\n  ovsdb +ok +connected")
                .containsPattern("\\n  dbus +ok +connected").containsPattern("\\n  networkd +ok +")
                .containsPattern("\\n  docker +degraded +no Docker API socket at ");
        String health = "busctl --address=" + busAddress + " call dev.ovs.Health1 /dev/ovs/Health1 dev.ovs.Health1 ";
        assertThat(Cmd.run((health + "GetStatus").split(" ")).trim()).isEqualTo("s \"degraded\"");
        assertThat(shell(state, "config:set dev.ovs.health ignore docker")).contains("applied");
        String healthy = Cmd.run(List.of(dist.resolve("bin/patchbay").toString(), "health", "--state", state.toString()),
                Duration.ofSeconds(60));
        assertThat(healthy).startsWith("status: healthy\n").contains("(ignored)");
        assertThat(Cmd.run((health + "GetStatus").split(" ")).trim()).isEqualTo("s \"ok\"");
        assertThat(Cmd.run((health + "GetReport").split(" "))).contains("\\\"healthy\\\":true");

        List<String> daemonPids = List.of(pidOf(sbx.resolve("run/ovs/ovsdb-server.pid")),
                pidOf(sbx.resolve("run/ovs/ovs-vswitchd.pid")), pidOf(sbx.resolve("run/dbus/dbus.pid")), networkdPid);
        Launcher.stop(appliance, dir.resolve("appliance.log"));
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
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
        assertThat(state.resolve("admin.sock")).exists();
        assertThat(sbx.resolve("state")).doesNotExist();
        assertThat(Files.readAllLines(sbx.resolve("env"))).contains("export PATCHBAY_STATE=" + state);
        assertThat(Files.readString(sbx.resolve("run/etc/dev.ovs.bus.cfg"))).contains("socket=" + state.resolve("bus.sock"));
        assertThat(shell(state, "echo hello")).contains("hello");
        Launcher.stop(appliance, dir.resolve("appliance.log"));
        assertThat(state.resolve("admin.sock")).doesNotExist();
    }

    @Test
    void systemdNotificationsReachTheNotifySocket() throws Exception {
        Path python = Tools.require("/usr/bin/python3");
        Path state = dir.resolve("state");
        Path etc = Launcher.privateEtc(dist.resolve("etc"), dir.path(), state);
        Path notify = dir.resolve("notify.sock");
        Path received = dir.resolve("notify.out");
        // systemd's side of sd_notify(3): a datagram socket; each datagram is written as one line, '|' for newlines
        Process systemd = new ProcessBuilder(python.toString(), "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                with open(sys.argv[2], "a") as out:
                    while True:
                        out.write(s.recv(4096).decode().replace("\\n", "|") + "\\n")
                        out.flush()
                """, notify.toString(), received.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("python.log").toFile()).start();
        try {
            Frameworks.eventually("receiver bound", START, () -> Files.exists(notify));
            ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--etc",
                    etc.toString(), "--state", state.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("appliance.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("NOTIFY_SOCKET", notify.toString());
            pb.environment().put("WATCHDOG_USEC", "2000000");
            appliance = pb.start();
            Frameworks.eventually(() -> "READY and a WATCHDOG ping in " + read(received), START,
                    () -> read(received).contains("READY=1|") && read(received).lines().skip(1)
                            .anyMatch(l -> l.contains("WATCHDOG=1")));
            List<String> lines = read(received).lines().toList();
            assertThat(lines.get(0)).startsWith("READY=1|STATUS=down: ").contains("ovsdb: not connected to unix:");
            // OVSDB and D-Bus are missing here, but every bundle runs: live, so the watchdog is pinged
            assertThat(lines.get(0)).endsWith("|WATCHDOG=1|");
            Launcher.stop(appliance, dir.resolve("appliance.log"));
            assertThat(read(received)).contains("STOPPING=1|STATUS=stopping|");
        } finally {
            systemd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
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

    private static String pidOf(Path pidfile) throws IOException {
        return Files.readString(pidfile).trim();
    }

    private static String javaBin() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
