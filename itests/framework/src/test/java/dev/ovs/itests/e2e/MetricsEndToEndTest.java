package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged appliance's metrics (docs/operations.md, "Metrics") with real values: {@code bin/patchbay run
 * --sandbox} (private ovsdb-server, ovs-vswitchd and dbus-daemon), read through {@code bin/patchbay metrics}
 * (the admin socket) and with curl on {@code <state>/metrics.sock}; changes made through D-Bus and the shell show
 * up in the counters.
 */
class MetricsEndToEndTest {
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
    void sandboxAnswersWithRealValuesThroughTheLauncherAndTheUnixSocket() throws Exception {
        for (String tool : List.of("ovsdb-server", "ovs-vswitchd", "dbus-daemon", "busctl", "curl", "ss")) {
            Tools.require(tool);
        }
        Path sbx = dir.resolve("sbx");
        appliance = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--sandbox", sbx.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("appliance.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Path state = sbx.resolve("state");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
        assertThat(Launcher.shell(dist.resolve("bin/patchbay"), state, "lb"))
                .containsPattern("Active\\s*\\|\\s*\\d+\\|Patchbay metrics").containsPattern("Active\\s*\\|\\s*\\d+\\|micrometer-core");
        // the registry is a service other bundles can add meters to
        assertThat(Launcher.shell(dist.resolve("bin/patchbay"), state, "inspect cap service"))
                .contains("io.micrometer.core.instrument.MeterRegistry");

        // OVSDB connected to the sandbox's ovsdb-server, its replica synced (one Open_vSwitch row); D-Bus up with
        // both core objects exported; the bus on; the JVM
        Frameworks.eventually("ovsdb connected and replica synced", START, () -> {
            String m = metrics(state);
            return m.contains("\npatchbay_ovsdb_connected 1.0\n")
                    && m.contains("\npatchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Open_vSwitch\"} 1.0\n")
                    && m.contains("\npatchbay_dbus_connected 1.0\n");
        });
        String m = metrics(state);
        assertThat(m).contains("# TYPE patchbay_ovsdb_connected gauge\n", "\npatchbay_ovsdb_connections_total 1.0\n",
                "\npatchbay_ovsdb_reconnects_total 0.0\n",
                "\npatchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Bridge\"} 0.0\n",
                "\npatchbay_dbus_export_state{bundle=\"dev.ovs.ovsdb\",bus_name=\"org.openvswitch.ovsdb\","
                        + "path=\"/org/openvswitch/ovsdb\",state=\"EXPORTED\"} 1.0\n",
                "\npatchbay_dbus_export_state{bundle=\"dev.ovs.portagent\",bus_name=\"dev.ovs.PortAgent1\","
                        + "path=\"/dev/ovs/PortAgent1\",state=\"EXPORTED\"} 1.0\n",
                "\npatchbay_bus_enabled 1.0\n", "\npatchbay_bus_socket_up 1.0\n",
                "\npatchbay_ledger_height 0.0\n", "\npatchbay_ledger_verified 1.0\n",
                "\npatchbay_metrics_source_up{source=\"portagent\"} 1.0\n",
                "\npatchbay_metrics_source_up{source=\"ledger\"} 1.0\n", "\njvm_memory_used_bytes{area=\"heap\",",
                "\njvm_threads_live_threads ")
                .doesNotContain("patchbay_dbus_calls_total{", "patchbay_portagent_ledger");

        // a D-Bus call: counted per interface and member; the bridge it made is a replica row (ovs-vsctl agrees)
        String busAddress = "unix:path=" + sbx.resolve("run/dbus/bus.sock");
        Cmd.run("busctl", "--address=" + busAddress, "call", "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb",
                "org.openvswitch.ovsdb", "CreateBridge", "s", "br-metrics");
        Cmd.run("ovs-vsctl", "--db=unix:" + sbx.resolve("run/ovs/db.sock"), "br-exists", "br-metrics");
        Frameworks.eventually("bridge in the replica", START,
                () -> metrics(state).contains("\npatchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Bridge\"} 1.0\n"));
        assertThat(metrics(state)).contains(
                "\npatchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 1.0\n",
                "# TYPE patchbay_dbus_call_duration_seconds histogram\n",
                "# TYPE patchbay_ovsdb_transaction_duration_seconds histogram\n")
                // its latency: one observation in the histogram; the OVSDB transaction it sent: committed
                .containsPattern("\npatchbay_dbus_call_duration_seconds_count\\{interface=\"org.openvswitch.ovsdb\","
                        + "member=\"CreateBridge\"\\} 1(\\.0)?\n")
                .containsPattern("\npatchbay_dbus_call_duration_seconds_sum\\{interface=\"org.openvswitch.ovsdb\","
                        + "member=\"CreateBridge\"\\} (?!0\\.0\n)[0-9][0-9.E-]*\n")
                .containsPattern("\npatchbay_ovsdb_transaction_duration_seconds_count\\{database=\"Open_vSwitch\","
                        + "outcome=\"committed\"\\} [1-9][0-9]*(\\.0)?\n")
                .doesNotContain("patchbay_dbus_call_errors_total{");
        // the same call again fails (the bridge exists): an error by its D-Bus name, the call counted too
        Cmd.Failed again = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run("busctl", "--address=" + busAddress,
                "call", "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "CreateBridge", "s",
                "br-metrics"));
        assertThat(again).isNotNull();
        assertThat(metrics(state)).contains(
                "\npatchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 2.0\n")
                .containsPattern("\npatchbay_dbus_call_errors_total\\{error=\"org\\.openvswitch\\.ovsdb\\.Error\\.[A-Za-z]+\","
                        + "interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"\\} 1\\.0\n")
                .containsPattern("\npatchbay_dbus_call_duration_seconds_count\\{interface=\"org.openvswitch.ovsdb\","
                        + "member=\"CreateBridge\"\\} 2(\\.0)?\n");

        // a port agent operation that fails is one ledger entry, counted with its result
        Cmd.Failed failed = catchThrowableOfType(Cmd.Failed.class,
                () -> Launcher.shell(dist.resolve("bin/patchbay"), state, "port:del br-metrics eth9 no-such-container"));
        assertThat(failed.exitCode()).isEqualTo(1);
        // the ledger is shared: the exporter's CreateBridge call above has its entries in it too
        assertThat(metrics(state)).containsPattern("\npatchbay_ledger_height [1-9][0-9]*\\.0\n")
                .contains("\npatchbay_ledger_operations_total{operation=\"del-port\",result=\"error\"} 1.0\n",
                        "\npatchbay_ledger_operations_total{operation=\"org.openvswitch.ovsdb.CreateBridge\",result=\"ok\"} 1.0\n",
                        "\npatchbay_ledger_operations_total{operation=\"org.openvswitch.ovsdb.CreateBridge\",result=\"error\"} 1.0\n");

        // the same exposition over HTTP on the Unix socket (mode 0660); OpenMetrics when asked for
        Path sock = state.resolve("metrics.sock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
        String http = Cmd.run("curl", "-sS", "-i", "--unix-socket", sock.toString(), "http://localhost/metrics");
        assertThat(http).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/plain; version=0.0.4",
                "\npatchbay_ovsdb_connected 1.0\n",
                "\npatchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 2.0\n");
        assertThat(Cmd.run("curl", "-sS", "-H", "Accept: application/openmetrics-text; version=1.0.0", "--unix-socket",
                sock.toString(), "http://localhost/metrics")).contains("\npatchbay_ovsdb_connected 1.0\n").endsWith("# EOF\n");
        assertThat(Cmd.run(dist.resolve("bin/patchbay").toString(), "metrics", "--state", state.toString(), "--openmetrics"))
                .endsWith("# EOF\n");

        // no TCP port by default: nothing listens in the appliance's network namespace
        String ns = Files.readAllLines(sbx.resolve("env")).stream()
                .filter(l -> l.startsWith("export PATCHBAY_NETNS=")).map(l -> l.substring(l.indexOf('=') + 1)).findFirst()
                .orElseThrow();
        assertThat(Cmd.run("ip", "netns", "exec", ns, "ss", "-Hltn").strip()).isEmpty();

        Launcher.stop(appliance, dir.resolve("appliance.log"));
        assertThat(sock).as("metrics socket removed on shutdown").doesNotExist();
    }

    private String metrics(Path state) {
        return Cmd.run(List.of(dist.resolve("bin/patchbay").toString(), "metrics", "--state", state.toString()),
                Duration.ofSeconds(30));
    }
}
