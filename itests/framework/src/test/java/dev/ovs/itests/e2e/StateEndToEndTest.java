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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/patchbay state ...} against the packaged appliance in its sandbox ({@code bin/patchbay run --sandbox}):
 * show, diff, apply with {@code --confirm} that is rolled back at its deadline, apply + commit, and the exit
 * statuses scripts rely on (docs/state.md).
 */
class StateEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process appliance;

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        Tools.require("ovsdb-server");
        Tools.require("ovs-vswitchd");
        Tools.require("dbus-daemon");
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
    void stateCommandsOnTheSandboxAppliance() throws Exception {
        Path sbx = dir.resolve("sbx");
        appliance = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--sandbox", sbx.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("appliance.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Path state = sbx.resolve("state");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
        String db = "unix:" + sbx.resolve("run/ovs/db.sock");
        // the sandbox gives the network state the userspace datapath for new bridges, like dev.ovs.ovsdb
        assertThat(Files.readString(sbx.resolve("run/etc/dev.ovs.netstate.cfg"))).containsOnlyOnce("bridge.datapath_type=netdev");
        Frameworks.eventually("state show answers", START, () -> {
            try {
                return state(state, "show").startsWith("interfaces:");
            } catch (Cmd.Failed notYet) {
                return false;
            }
        });
        Cmd.run(List.of("ovs-vsctl", "--db=" + db, "--timeout=20", "add-br", "br-e2e", "--", "set", "Bridge", "br-e2e",
                "datapath_type=netdev", "--", "add-port", "br-e2e", "p1", "tag=10", "--", "set", "Interface", "p1",
                "type=internal"), Duration.ofSeconds(30));
        String shown = state(state, "show");
        assertThat(shown).contains("name: br-e2e", "name: p1", "tag: 10");

        // show's output applied back: no changes (diff and apply), exit 0
        Path current = dir.resolve("current.yaml");
        Files.writeString(current, shown);
        assertThat(state(state, "diff", current.toString())).isEqualTo("no changes");
        assertThat(state(state, "apply", current.toString())).contains("committed (no changes)");

        // VLAN 50 with --confirm=10 and no commit: rolled back by itself at the deadline (10 s: the checks below see it
        // pending on a loaded machine too)
        Path vlan50 = dir.resolve("vlan50.yaml");
        Files.writeString(vlan50, """
                interfaces:
                - name: br-e2e
                  type: ovs-bridge
                  bridge:
                    port:
                    - name: p1
                      vlan: {mode: access, tag: 50}
                    - name: p2
                      vlan: {mode: access, tag: 50}
                - name: p2
                  type: ovs-interface
                """);
        assertThat(state(state, "diff", vlan50.toString())).contains("update port p1 vlan.tag: 10 -> 50", "create port p2");
        String applied = state(state, "apply", vlan50.toString(), "--confirm=10");
        assertThat(applied).containsPattern("checkpoint [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} pending \\(\\d+ changes\\), rolled back in 10 s");
        String id = applied.split(" ")[1];
        assertThat(vsctl(db, "get", "Port", "p1", "tag")).isEqualTo("50");
        assertThat(vsctl(db, "get", "Port", "p1", "vlan_mode")).isEqualTo("access");
        assertThat(vsctl(db, "list-ports", "br-e2e")).contains("p2");
        assertThat(state(state, "checkpoints")).contains(id + " pending");
        // another apply while it is pending: exit status 4
        Cmd.Failed pending = catchThrowableOfType(Cmd.Failed.class, () -> state(state, "apply", dir.resolve("other.yaml")
                .toString()));
        assertThat(pending).as("apply of a missing file").isNotNull();
        assertThat(pending.exitCode()).isEqualTo(64);
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "interfaces:\n- name: br-other\n  type: ovs-bridge\n");
        pending = catchThrowableOfType(Cmd.Failed.class, () -> state(state, "apply", other.toString()));
        assertThat(pending.exitCode()).as(pending.stderr()).isEqualTo(4);
        assertThat(pending.stderr()).contains("error: CheckpointPending: checkpoint " + id + " is pending");

        Frameworks.eventually("checkpoint " + id + " rolled back by its deadline", Duration.ofSeconds(40),
                () -> state(state, "checkpoints").contains(id + " rolled-back"));
        assertThat(state(state, "checkpoints")).contains(id + " rolled-back").contains("reason=confirm timeout");
        assertThat(vsctl(db, "get", "Port", "p1", "tag")).isEqualTo("10");
        assertThat(vsctl(db, "get", "Port", "p1", "vlan_mode")).isEqualTo("[]");
        assertThat(vsctl(db, "list-ports", "br-e2e")).doesNotContain("p2");
        assertThat(state(state, "diff", current.toString())).isEqualTo("no changes");

        // the same from standard input, committed: stays
        String committed = Cmd.run(List.of("sh", "-c", "'" + dist.resolve("bin/patchbay") + "' state --state '" + state
                + "' apply - --confirm=30 < '" + vlan50 + "'"), Duration.ofSeconds(60));
        String id2 = committed.split(" ")[1];
        assertThat(state(state, "commit")).isEqualTo("committed");
        assertThat(state(state, "checkpoints")).contains(id2 + " committed");
        assertThat(vsctl(db, "get", "Port", "p1", "tag")).isEqualTo("50");

        // systemd-networkd of the sandbox: an address and a route on a link, through a file the appliance owns; not
        // committed, so the file goes again at the deadline and networkd takes the address and the route away
        if (Files.exists(sbx.resolve("run/networkd.pid"))) { // the sandbox runs systemd-networkd when the host has it
            String ns = Files.readAllLines(sbx.resolve("env")).stream().filter(l -> l.startsWith("export PATCHBAY_NETNS="))
                    .map(l -> l.substring(l.indexOf('=') + 1)).findFirst().orElseThrow();
            Cmd.run("ip", "-n", ns, "link", "add", "st-nd0", "type", "veth", "peer", "name", "st-nd1");
            Cmd.run("ip", "-n", ns, "link", "set", "st-nd1", "up");
            Path net = dir.resolve("net.yaml");
            Files.writeString(net, """
                    interfaces:
                    - name: st-nd0
                      type: ethernet
                      ipv4: {address: [{ip: 10.32.0.1, prefix-length: 24}]}
                    routes:
                      config:
                      - {destination: 10.33.0.0/16, next-hop-address: 10.32.0.254, next-hop-interface: st-nd0}
                    """);
            String netId = state(state, "apply", net.toString(), "--confirm=2").split(" ")[1];
            assertThat(Cmd.run("ip", "-n", ns, "-o", "addr", "show", "dev", "st-nd0")).contains("inet 10.32.0.1/24");
            assertThat(Files.readString(sbx.resolve("run/network/10-patchbay-st-nd0.network"))).contains("Address=10.32.0.1/24",
                    "Destination=10.33.0.0/16");
            assertThat(state(state, "show")).contains("name: st-nd0", "destination: 10.33.0.0/16");
            Frameworks.eventually("checkpoint " + netId + " rolled back", Duration.ofSeconds(20),
                    () -> state(state, "checkpoints").contains(netId + " rolled-back"));
            assertThat(sbx.resolve("run/network/10-patchbay-st-nd0.network")).doesNotExist();
            Frameworks.eventually("10.32.0.1 gone from st-nd0", Duration.ofSeconds(20),
                    () -> !Cmd.run("ip", "-n", ns, "-o", "addr", "show", "dev", "st-nd0").contains("10.32.0.1"));
        }

        // exit statuses for scripts: invalid document 2, nothing pending 7, usage 64; nothing changed
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "interfaces:\n- name: br-e2e\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: p1\n"
                + "      vlan: {tag: 5000}\n");
        Cmd.Failed invalid = catchThrowableOfType(Cmd.Failed.class, () -> state(state, "apply", bad.toString()));
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.stderr()).contains("error: InvalidArgs: interfaces[0].bridge.port[0].vlan.tag: must be 0..4095, got 5000");
        assertThat(catchThrowableOfType(Cmd.Failed.class, () -> state(state, "rollback")).exitCode()).isEqualTo(7);
        assertThat(catchThrowableOfType(Cmd.Failed.class, () -> state(state, "frobnicate")).exitCode()).isEqualTo(64);
        assertThat(vsctl(db, "get", "Port", "p1", "tag")).isEqualTo("50");
        // no staged copies of the documents are left in the state directory
        try (var s = Files.list(state)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".state-doc."));
        }

        Launcher.stop(appliance, dir.resolve("appliance.log")); // stops on SIGTERM
        // the appliance unreachable: exit status 3
        assertThat(catchThrowableOfType(Cmd.Failed.class, () -> state(state, "show")).exitCode()).isEqualTo(3);
    }

    private String state(Path state, String... args) {
        List<String> argv = new ArrayList<>(List.of(dist.resolve("bin/patchbay").toString(), "state", "--state",
                state.toString()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(60)).strip();
    }

    private static String vsctl(String db, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db, "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30)).strip();
    }
}
