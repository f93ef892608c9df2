package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.FleetSandbox;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet with packaged appliances (docs/fleet.md), through the harness's {@link FleetSandbox}: a hub of three
 * nats-servers with JetStream in a network namespace of its own, and {@link #HOSTS} appliances, each
 * {@code bin/patchbay run --sandbox} (private ovsdb-server, ovs-vswitchd, dbus-daemon, systemd-networkd in its own
 * namespace) joined to the hub by a veth, with {@code etc/dev.ovs.fleet.cfg} enabled. Rollouts are made with
 * {@code bin/patchbay fleet apply} inside the hub namespace; the effect is checked from outside: {@code ovs-vsctl}
 * against each appliance's own database, {@code ip -n} in its namespace, a raw NATS subscriber on the hub.
 *
 * <p>Size knob: system property {@code fleet.hosts} or environment variable {@code FLEET_HOSTS} (default 5, at
 * least 3); the benchmark suite {@code fleet} runs more.
 */
class FleetEndToEndTest {
    /** Appliances in this test: {@code -Dfleet.hosts} / {@code FLEET_HOSTS}, default 5. */
    static final int HOSTS = Integer.parseInt(System.getProperty("fleet.hosts",
            System.getenv().getOrDefault("FLEET_HOSTS", "5")));
    /** Confirm timeout of the appliances' checkpoints, seconds. */
    private static final int CONFIRM = 8;

    private final Path home = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private FleetSandbox fleet;

    @BeforeEach
    void setUp() {
        assertThat(home.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        assertThat(HOSTS).as("fleet.hosts").isGreaterThanOrEqualTo(3);
        for (String t : List.of("ovsdb-server", "ovs-vswitchd", "dbus-daemon", "nats-server", "curl", "bash")) {
            Tools.require(t);
        }
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        dir.close();
        before.assertNoneSince();
    }

    private static String vsctl(String db, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db, "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30)).strip();
    }

    private static String hosts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(FleetSandbox::hostId).collect(Collectors.joining(","));
    }

    /** {@code fleet apply ARGS} that must stop at a failure (exit 1); its output. */
    private String stopped(String... args) {
        Cmd.Failed f = catchThrowableOfType(Cmd.Failed.class, () -> fleet.fleet(args));
        assertThat(f).as("fleet apply exits 1 when it stops").isNotNull();
        assertThat(f.exitCode()).as(f.stdout() + f.stderr()).isEqualTo(1);
        return f.stdout();
    }

    @Test
    void rolloutsEventsAndReportsAcrossPackagedAppliances() throws Exception {
        fleet = FleetSandbox.start(home, dir.path(), HOSTS, Map.of("confirm.seconds", Integer.toString(CONFIRM),
                "poll.seconds", "5"), Duration.ofSeconds(90 + 20L * HOSTS));

        // a rollout to all hosts, two at a time: every host applies, the bridges exist in each host's own database
        Path good = Files.writeString(dir.resolve("good.yaml"), "interfaces:\n- name: br-fleet\n  type: ovs-bridge\n"
                + "  bridge:\n    port:\n    - name: fl0\n      vlan: {mode: access, tag: 10}\n"
                + "- name: fl0\n  type: ovs-interface\n");
        String out = fleet.fleet("apply", "--hosts", hosts(1, HOSTS), "--max-unavailable", "2", "--timeout", "60",
                good.toString());
        assertThat(out).contains("rollout complete");
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(vsctl(fleet.db(i), "list-ports", "br-fleet")).isEqualTo("fl0");
            assertThat(vsctl(fleet.db(i), "get", "Interface", "fl0", "type")).isEqualTo("internal");
            assertThat(vsctl(fleet.db(i), "get", "Port", "fl0", "tag")).isEqualTo("10");
            assertThat(checkpointsFor(i, revisionIn(out, FleetSandbox.hostId(i)))).isEqualTo(1);
        }
        String status = fleet.fleet("status");
        assertThat(status.lines().filter(l -> l.matches("host\\d+ +(\\d+) +\\1 applied .*"))).as(status).hasSize(HOSTS);

        // a document that verifies on host1 (it has a kernel device uplink7) but not on host2: host2 rolls back,
        // the rollout (one at a time) stops there, the hosts after it are not written and do not change
        Cmd.run("ip", "-n", fleet.netns(1), "link", "add", "uplink7", "type", "veth", "peer", "name", "uplink7p");
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                "interfaces:\n- name: br-up\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: uplink7\n");
        String stop = stopped("apply", "--hosts", hosts(1, HOSTS), "--max-unavailable", "1", "--timeout", "60",
                bad.toString());
        assertThat(stop).containsPattern("host1 +\\d+ applied").containsPattern("host2 +\\d+ rolled-back")
                .contains("rollout stopped");
        for (int i = 3; i <= HOSTS; i++) {
            assertThat(stop).containsPattern("host" + i + " +- not-started");
        }
        assertThat(vsctl(fleet.db(1), "list-ports", "br-up")).isEqualTo("uplink7");
        for (int i = 2; i <= HOSTS; i++) {
            assertThat(vsctl(fleet.db(i), "list-br")).as("host%d", i).doesNotContain("br-up");
            assertThat(vsctl(fleet.db(i), "list-ports", "br-fleet")).isEqualTo("fl0");
        }
        String afterBad = fleet.fleet("status");
        assertThat(afterBad).containsPattern("host2 +(\\d+) +\\1 rolled-back");
        for (int i = 3; i <= HOSTS; i++) {
            long was = revisionIn(out, FleetSandbox.hostId(i));
            assertThat(afterBad).as("host%d's desired key untouched", i)
                    .containsPattern("host" + i + " +" + was + " +" + was + " applied");
        }

        // events: a bridge added with ovs-vsctl on host3 arrives at a subscriber on the hub (raw NATS protocol)
        Path events = dir.resolve("events.txt");
        String script = "exec 3<>/dev/tcp/" + FleetSandbox.hubAddress(3) + "/4222; printf 'CONNECT {\"verbose\":false}"
                + "\\r\\nSUB patchbay.host3.ovsdb.bridge.> 1\\r\\nPING\\r\\n' >&3; exec cat <&3";
        try (Daemon sub = Daemon.start("nats-sub", fleet.hub(), List.of("bash", "-c", script), Map.of(), events)) {
            Frameworks.eventually("subscriber registered", Duration.ofSeconds(20), () -> read(events).contains("PONG"));
            vsctl(fleet.db(3), "add-br", "br-ev", "--", "set", "Bridge", "br-ev", "datapath_type=netdev");
            Frameworks.eventually(() -> "event on the hub: " + read(events), Duration.ofSeconds(30),
                    () -> read(events).contains("MSG patchbay.host3.ovsdb.bridge.br-ev.added 1"));
        }

        cutOffDocumentIsRolledBack(HOSTS);
        linkCutDuringRollout();
        natsServerKilledDuringRollout();
    }

    /**
     * A document that moves host {@code k}'s uplink to another subnet cuts it off from NATS: the checkpoint is rolled
     * back at the confirm deadline, the uplink gets its address back, and the host reports {@code rolled-back} after
     * it reconnects. The uplink is first put under systemd-networkd through the network state (a committed document
     * with its present address), as an appliance whose uplink Patchbay configures.
     */
    private void cutOffDocumentIsRolledBack(int k) throws Exception {
        String up = FleetSandbox.uplink(k);
        Path own = Files.writeString(dir.resolve("uplink.yaml"), uplinkDoc(up, FleetSandbox.address(k)));
        fleet.shell(k, "state:apply " + own);
        Frameworks.eventually("host" + k + " connected with a networkd-managed uplink", Duration.ofSeconds(60),
                () -> fleet.connected(k) && addresses(k).contains(FleetSandbox.address(k) + "/24"));
        Path cut = Files.writeString(dir.resolve("cut.yaml"), uplinkDoc(up, "10.78." + k + ".2"));
        String out = stopped("apply", "--hosts", FleetSandbox.hostId(k), "--timeout", "90", cut.toString());
        long rev = revisionIn(out, FleetSandbox.hostId(k));
        assertThat(out).containsPattern(FleetSandbox.hostId(k) + " +" + rev + " rolled-back .*connectivity check failed");
        assertThat(addresses(k)).contains(FleetSandbox.address(k) + "/24").doesNotContain("10.78." + k + ".2");
        assertThat(checkpointLines(k, rev)).singleElement().asString().contains(" rolled-back ");
        assertThat(fleet.fleet("status")).containsPattern(FleetSandbox.hostId(k) + " +" + rev + " +" + rev + " rolled-back");
        Frameworks.eventually("host" + k + " connected again", Duration.ofSeconds(30), () -> fleet.connected(k));
    }

    private static String uplinkDoc(String link, String address) {
        return "interfaces:\n- name: " + link + "\n  type: ethernet\n  ipv4:\n    enabled: true\n    address:\n"
                + "    - {ip: " + address + ", prefix-length: 24}\n";
    }

    /** IPv4 addresses of host {@code k}'s uplink as {@code ip -n NS -4 -o addr show} prints them. */
    private String addresses(int k) {
        return Cmd.run("ip", "-n", fleet.netns(k), "-4", "-o", "addr", "show", "dev", FleetSandbox.uplink(k));
    }

    /**
     * host2's link cut (its uplink set down): a rollout to every host, one at a time, halts at host2 (timeout);
     * another revision is written for it meanwhile; when the link is back, host2 applies only the newest, once.
     */
    private void linkCutDuringRollout() throws Exception {
        Cmd.run("ip", "-n", fleet.netns(2), "link", "set", FleetSandbox.uplink(2), "down");
        String t3 = stopped("apply", "--hosts", hosts(1, HOSTS), "--max-unavailable", "1", "--timeout", "10",
                doc("three", "br-three").toString());
        assertThat(t3).containsPattern("host1 +\\d+ applied").containsPattern("host2 +\\d+ timeout");
        for (int i = 3; i <= HOSTS; i++) {
            assertThat(t3).containsPattern("host" + i + " +- not-started");
            assertThat(vsctl(fleet.db(i), "list-br")).doesNotContain("br-three");
        }
        String t4 = stopped("apply", "--hosts", "host2", "--timeout", "3", doc("four", "br-four").toString());
        long rev3 = revisionIn(t3, "host2");
        long rev4 = revisionIn(t4, "host2");
        assertThat(vsctl(fleet.db(2), "list-br")).doesNotContain("br-three").doesNotContain("br-four");
        Cmd.run("ip", "-n", fleet.netns(2), "link", "set", FleetSandbox.uplink(2), "up");
        Frameworks.eventually(() -> "host2 reports revision " + rev4 + ": " + fleet.fleet("status"), Duration.ofSeconds(90),
                () -> fleet.fleet("status").lines().anyMatch(l -> l.matches("host2 +" + rev4 + " +" + rev4 + " applied .*")));
        assertThat(vsctl(fleet.db(2), "list-br")).contains("br-four").doesNotContain("br-three");
        assertThat(checkpointsFor(2, rev4)).isEqualTo(1);
        assertThat(checkpointsFor(2, rev3)).isZero();
    }

    /** A hub server killed in the middle of a rollout: the rollout completes, every host applies its revision once. */
    private void natsServerKilledDuringRollout() throws Exception {
        Path five = doc("five", "br-five");
        Process rollout = new ProcessBuilder(fleet.fleetCommand("apply", "--hosts", hosts(1, HOSTS), "--timeout", "60",
                five.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("rollout5.txt").toFile()).start();
        try {
            Frameworks.eventually("host1 applied br-five", Duration.ofSeconds(60),
                    () -> vsctl(fleet.db(1), "list-br").contains("br-five"));
            fleet.nats().kill(1);
            assertThat(rollout.waitFor(180, TimeUnit.SECONDS)).as("rollout finished").isTrue();
            String out5 = read(dir.resolve("rollout5.txt"));
            assertThat(rollout.exitValue()).as(out5).isZero();
            assertThat(out5).contains("rollout complete");
            for (int i = 1; i <= HOSTS; i++) {
                assertThat(vsctl(fleet.db(i), "list-br")).contains("br-five");
                assertThat(checkpointsFor(i, revisionIn(out5, FleetSandbox.hostId(i)))).as("host%d applied once", i)
                        .isEqualTo(1);
            }
        } finally {
            if (rollout.isAlive()) {
                rollout.destroyForcibly();
            }
        }
    }

    /** Checkpoint lines of host {@code i}'s network state made for desired revision {@code rev} of its key. */
    private long checkpointsFor(int i, long rev) {
        return checkpointLines(i, rev).size();
    }

    /** {@code state:checkpoints} lines of host {@code i} whose caller is the fleet agent for desired revision {@code rev}. */
    private List<String> checkpointLines(int i, long rev) {
        String caller = "patchbay-desired/host" + i + "@" + rev;
        return fleet.shell(i, "state:checkpoints").lines().filter(l -> l.contains(caller + " ") || l.endsWith(caller))
                .toList();
    }

    private static long revisionIn(String applyOutput, String host) {
        return applyOutput.lines().filter(l -> l.startsWith(host + " ")).map(l -> l.trim().split(" +")[1])
                .filter(x -> x.matches("\\d+")).mapToLong(Long::parseLong).findFirst().orElseThrow();
    }

    private Path doc(String name, String bridge) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), "interfaces:\n- name: " + bridge + "\n  type: ovs-bridge\n");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
