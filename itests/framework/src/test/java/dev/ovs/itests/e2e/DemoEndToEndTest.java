package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/patchbay demo} of the packaged appliance ({@code distribution/target/patchbay-VERSION/}, env
 * {@code PATCHBAY_DIST}) run as a user runs it: sandboxed appliance, private podman with two busybox
 * containers attached over D-Bus ({@code dev.ovs.PortAgent1}), ping, VLAN isolation and restoration,
 * signals, bus events, ledger stats, then a complete cleanup (docs/demo.md).
 */
class DemoEndToEndTest {
    private static final long TIMEOUT_MINUTES = 5;

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process demo;

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay-demo")).as("built distribution (mvn install builds it)").isExecutable();
        for (String tool : List.of("podman", "runc", "conmon", "busybox", "busctl", "gdbus", "ovsdb-server",
                "ovs-vswitchd", "dbus-daemon")) {
            Tools.require(tool);
        }
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.destroy(); // SIGTERM: the demo's EXIT trap cleans up
            if (!demo.waitFor(90, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
        dir.close();
        before.assertNoneSince();
    }

    @Test
    void demoRunsGreenOnRealContainersAndLeavesNothingBehind() throws Exception {
        Path demoDir = dir.resolve("demo");
        Path out = dir.resolve("demo.out");
        demo = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "demo", "--dir", demoDir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean finished = demo.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        String text = read(out);
        assertThat(finished).as("demo finished within %d minutes:\n%s", TIMEOUT_MINUTES, text).isTrue();
        assertThat(demo.exitValue()).as("demo exit status:\n%s", text).isZero();

        assertThat(text).contains("DEMO OK").doesNotContain("FAILED");
        // ping on the untagged bridge, blocked across VLANs 10/20, working again on VLAN 10
        assertThat(text).contains("PING OK: demo-a reaches demo-b")
                .contains("2 packets transmitted, 2 packets received")
                .contains("VLAN ISOLATION: demo-a cannot reach demo-b")
                .contains("2 packets transmitted, 0 packets received")
                .contains("VLAN RESTORED: demo-a reaches demo-b on VLAN 10");
        assertThat(text.indexOf("PING OK")).isLessThan(text.indexOf("VLAN ISOLATION"));
        assertThat(text.indexOf("VLAN ISOLATION")).isLessThan(text.indexOf("VLAN RESTORED"));
        // the network state step: VLAN 50 under a checkpoint with --confirm=3, not committed, rolled back by itself
        assertThat(text).containsPattern("patchbay state apply --confirm=3: checkpoint \\S+ pending \\(2 changes\\)")
                .contains("NETSTATE VLAN 50: demo-a reaches demo-b")
                .containsPattern("rolled-back changes=2 .*reason=confirm timeout")
                .contains("NETSTATE ROLLBACK: not committed, rolled back at the deadline: demo-a on VLAN 10, demo-b on VLAN 20 again")
                .contains("NETSTATE ISOLATION RESTORED: demo-a cannot reach demo-b (VLANs 10/20)");
        assertThat(text.indexOf("NETSTATE VLAN 50")).isLessThan(text.indexOf("NETSTATE ROLLBACK"));
        // the extension path: the example bundles hot-deployed into the running appliance, used over D-Bus
        assertThat(text).containsPattern("dev.ovs.examples.vlan.jar copied into deploy/: dev.ovs.Vlan1 on the bus after \\d+ ms")
                .contains("EXTENSION VLAN ISOLATION: demo-a cannot reach demo-b (dev.ovs.Vlan1, VLANs 30/40)")
                .contains("EXTENSION VLAN RESTORED: demo-a reaches demo-b (dev.ovs.Vlan1, VLAN 30)")
                .containsPattern("dev.ovs.examples.qos.jar copied into deploy/: dev.ovs.QoS1 on the bus after \\d+ ms")
                .contains("linux-htb").contains("max-rate=\"10000000\"")
                .contains("EXTENSION QOS: linux-htb QoS + Queue rows made and, after Clear, gone")
                .containsPattern("dev.ovs.examples.vlan.jar removed from deploy/: dev.ovs.Vlan1 gone from the bus after \\d+ ms")
                .containsPattern("dev.ovs.examples.qos.jar removed from deploy/: dev.ovs.QoS1 gone from the bus after \\d+ ms")
                .contains("(core not restarted)");
        assertThat(text.indexOf("EXTENSION VLAN ISOLATION")).isLessThan(text.indexOf("EXTENSION VLAN RESTORED"));
        // the sandbox's systemd-networkd applied the appliance's .network file; net:links lists the link
        assertThat(text).contains("NETWORKD: demo-nd0 configured by the sandbox's systemd-networkd")
                .containsPattern("\\d+ demo-nd0 +routable +configured");
        // signals, bus events, ledger stats
        assertThat(text).contains("dev.ovs.PortAgent1.PortCreated ('demo-a', 'eth1',")
                .contains("dev.ovs.PortAgent1.PortCreated ('demo-b', 'eth1',")
                .contains("org.openvswitch.ovsdb.BridgeAdded ('br-demo',)")
                .contains("\"topic\":\"portagent.container.demo-a.port.created\"")
                .contains("\"topic\":\"ovsdb.bridge.br-demo.added\"");
        assertThat(text).containsPattern("\\\\\"verified\\\\\":true").containsPattern("\\\\\"height\\\\\":[1-9]");
        // the health report: everything ok, podman's socket standing in for dockerd
        assertThat(text).contains("HEALTHY: every bundle, OVSDB, D-Bus, networkd and the Docker API ok")
                .containsPattern("docker +ok +Docker API at .*podman.sock answers /_ping")
                .contains("D-Bus dev.ovs.Health1 GetStatus: s \"ok\"");
        // every step printed with its time
        assertThat(text).containsPattern("\\[1\\] \\d+ ms  start the appliance").contains("Timings:");

        // everything cleaned up: the directory, the sandbox namespace, the processes (Leftovers in tearDown)
        assertThat(demoDir).doesNotExist();
        Matcher ns = Pattern.compile("netns (pb-sbx-[0-9a-f]{8})").matcher(text);
        assertThat(ns.find()).as("namespace name printed").isTrue();
        assertThat(Cmd.run("ip", "netns", "list")).doesNotContain(ns.group(1));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
