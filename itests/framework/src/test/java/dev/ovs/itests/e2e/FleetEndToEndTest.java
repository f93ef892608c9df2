package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.NatsCluster;
import dev.ovs.itests.harness.Netns;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet with packaged appliances (docs/fleet.md): a hub of three nats-servers with JetStream in a network
 * namespace of its own, and {@value #HOSTS} appliances, each {@code bin/patchbay run --sandbox} (private
 * ovsdb-server, ovs-vswitchd, dbus-daemon in its own namespace) joined to the hub by a veth, with
 * {@code etc/dev.ovs.fleet.cfg} enabled. Rollouts are made with {@code bin/patchbay fleet apply} inside the hub
 * namespace; the effect is checked with {@code ovs-vsctl} against each appliance's own database.
 *
 * <p>Until {@code distribution/patchbay.bndrun} lists the fleet bundles, the test runs a copy of the distribution
 * with {@code dev.ovs.fleet.api} and {@code dev.ovs.fleet} from {@code bundles/fleet} added to its {@code bundle/}.
 */
class FleetEndToEndTest {
    /** Appliances in this test (CI-sized; the benchmark module runs more). */
    static final int HOSTS = 3;
    private static final Duration START = Duration.ofSeconds(90);

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private final Path fleetBundles = Path.of(System.getenv().getOrDefault("PATCHBAY_FLEET_BUNDLES",
            "../../bundles/fleet")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Netns hub;
    private NatsCluster nats;
    private Path home;
    private final List<Process> appliances = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        for (String t : List.of("ovsdb-server", "ovs-vswitchd", "dbus-daemon", "nats-server", "curl", "bash")) {
            Tools.require(t);
        }
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        home = distributionWithFleet();
        hub = Netns.create();
        nats = NatsCluster.start(Files.createDirectories(dir.resolve("hub")), 3, hub, "0.0.0.0");
    }

    /** The distribution itself when it ships the fleet bundles, else a copy with them added to bundle/. */
    private Path distributionWithFleet() throws IOException {
        try (Stream<Path> s = Files.list(dist.resolve("bundle"))) {
            if (s.anyMatch(p -> p.getFileName().toString().matches("dev\\.ovs\\.fleet-[0-9].*\\.jar"))) {
                return dist;
            }
        }
        Path copy = dir.resolve("dist");
        Cmd.run("cp", "-a", dist.toString(), copy.toString());
        for (Path jar : List.of(fleetBundles.resolve("api/target/dev.ovs.fleet.api-0.1.0-SNAPSHOT.jar"),
                fleetBundles.resolve("target/dev.ovs.fleet-0.1.0-SNAPSHOT.jar"))) {
            assertThat(jar).as("built fleet bundle").isRegularFile();
            Files.copy(jar, copy.resolve("bundle").resolve(jar.getFileName()));
        }
        return copy;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : appliances) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : appliances) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (nats != null) {
            nats.close();
        }
        if (hub != null) {
            hub.close();
        }
        dir.close();
        before.assertNoneSince();
    }

    private Path sbx(int i) {
        return dir.resolve("sbx" + i);
    }

    private String db(int i) {
        return "unix:" + sbx(i).resolve("run/ovs/db.sock");
    }

    /** The hub's address on the veth to appliance {@code i}: 10.77.i.1 (the appliance is 10.77.i.2). */
    private static String hubAddress(int i) {
        return "10.77." + i + ".1";
    }

    private void startAppliance(int i) throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc" + i));
        try (Stream<Path> s = Files.list(home.resolve("etc"))) {
            for (Path f : s.toList()) {
                Files.copy(f, etc.resolve(f.getFileName()));
            }
        }
        String a = hubAddress(i);
        Files.writeString(etc.resolve("dev.ovs.fleet.cfg"), "enabled=true\nservers=nats://" + a + ":4222,nats://" + a
                + ":4223,nats://" + a + ":4224\ninsecure=true\nhost.id=host" + i + "\nconfirm.seconds=10\npoll.seconds=5\n");
        appliances.add(new ProcessBuilder(home.resolve("bin/patchbay").toString(), "run", "--sandbox", sbx(i).toString(),
                "--etc", etc.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("appliance" + i + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start());
    }

    /** Joins appliance {@code i}'s sandbox namespace to the hub: veth fh{i} (hub, 10.77.i.1) - fa{i} (10.77.i.2). */
    private String link(int i) throws Exception {
        Path env = sbx(i).resolve("env");
        Frameworks.eventually("sandbox " + i + " namespace", START, () -> Files.exists(env));
        String netns = Files.readAllLines(env).stream().filter(l -> l.startsWith("export PATCHBAY_NETNS="))
                .map(l -> l.substring("export PATCHBAY_NETNS=".length())).findFirst().orElseThrow();
        hub.addVeth("fh" + i, "fa" + i);
        hub.exec("ip", "addr", "add", hubAddress(i) + "/24", "dev", "fh" + i);
        hub.exec("ip", "link", "set", "fa" + i, "netns", netns);
        Cmd.run("ip", "-n", netns, "addr", "add", "10.77." + i + ".2/24", "dev", "fa" + i);
        Cmd.run("ip", "-n", netns, "link", "set", "fa" + i, "up");
        return netns;
    }

    private String fleet(String... args) {
        List<String> argv = new ArrayList<>(List.of(home.resolve("bin/patchbay").toString(), "fleet"));
        argv.addAll(List.of(args));
        argv.addAll(List.of("--servers", "nats://" + hubAddress(1) + ":4222", "--insecure"));
        return hub.exec(Duration.ofSeconds(120), argv.toArray(String[]::new));
    }

    private static String vsctl(String db, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db, "--timeout=20"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Duration.ofSeconds(30)).strip();
    }

    private String log(int i) {
        try {
            return Files.readString(dir.resolve("appliance" + i + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Test
    void rolloutsEventsAndReportsAcrossPackagedAppliances() throws Exception {
        List<String> namespaces = new ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            startAppliance(i);
        }
        for (int i = 1; i <= HOSTS; i++) {
            namespaces.add(link(i));
        }
        for (int i = 1; i <= HOSTS; i++) {
            int n = i;
            Path state = sbx(i).resolve("state");
            Launcher.awaitShell(appliances.get(i - 1), home.resolve("bin/patchbay"), state, START, () -> log(n));
            Frameworks.eventually(() -> "host" + n + " connected to the hub: "
                    + Launcher.shell(home.resolve("bin/patchbay"), state, "fleet:status"), START,
                    () -> connected(Launcher.shell(home.resolve("bin/patchbay"), state, "fleet:status")));
        }

        // a rollout to all hosts, one at a time: every host applies, the bridges exist in each host's own database
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "interfaces:\n- name: br-fleet\n  type: ovs-bridge\n  bridge:\n    port:\n"
                + "    - name: fl0\n- name: fl0\n  type: ovs-interface\n");
        String out = fleet("apply", "--hosts", "host1,host2,host3", "--max-unavailable", "1", "--timeout", "60",
                good.toString());
        assertThat(out).contains("rollout complete");
        for (int i = 1; i <= HOSTS; i++) {
            assertThat(vsctl(db(i), "list-ports", "br-fleet")).isEqualTo("fl0");
            assertThat(vsctl(db(i), "get", "Interface", "fl0", "type")).isEqualTo("internal");
        }
        String status = fleet("status");
        assertThat(status.lines().filter(l -> l.matches("host[1-3] +(\\d+) +\\1 applied .*"))).as(status).hasSize(HOSTS);

        // a document that verifies on host1 (it has a kernel device uplink7) but not on host2: host2 rolls back,
        // the rollout stops there, host3 is untouched
        Cmd.run("ip", "-n", namespaces.get(0), "link", "add", "uplink7", "type", "veth", "peer", "name", "uplink7p");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "interfaces:\n- name: br-up\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: uplink7\n");
        Cmd.Failed stopped = org.assertj.core.api.Assertions.catchThrowableOfType(Cmd.Failed.class,
                () -> fleet("apply", "--hosts", "host1,host2,host3", "--timeout", "60", bad.toString()));
        assertThat(stopped).as("fleet apply exits 1 when it stops").isNotNull();
        assertThat(stopped.exitCode()).isEqualTo(1);
        assertThat(stopped.stdout()).containsPattern("host1 +\\d+ applied").containsPattern("host2 +\\d+ rolled-back")
                .containsPattern("host3 +- not-started").contains("rollout stopped");
        assertThat(vsctl(db(1), "list-ports", "br-up")).isEqualTo("uplink7");
        assertThat(vsctl(db(2), "list-br")).doesNotContain("br-up");
        assertThat(vsctl(db(3), "list-br")).doesNotContain("br-up");
        assertThat(vsctl(db(2), "list-ports", "br-fleet")).isEqualTo("fl0");

        // events: a bridge added with ovs-vsctl on host3 arrives at a subscriber on the hub (raw NATS protocol)
        Path events = dir.resolve("events.txt");
        String script = "exec 3<>/dev/tcp/" + hubAddress(3) + "/4222; printf 'CONNECT {\"verbose\":false}\\r\\n"
                + "SUB patchbay.host3.ovsdb.bridge.> 1\\r\\nPING\\r\\n' >&3; exec cat <&3";
        try (Daemon sub = Daemon.start("nats-sub", hub, List.of("bash", "-c", script), Map.of(), events)) {
            Frameworks.eventually("subscriber registered", Duration.ofSeconds(20),
                    () -> read(events).contains("PONG"));
            vsctl(db(3), "add-br", "br-ev", "--", "set", "Bridge", "br-ev", "datapath_type=netdev");
            Frameworks.eventually(() -> "event on the hub: " + read(events), Duration.ofSeconds(30),
                    () -> read(events).contains("MSG patchbay.host3.ovsdb.bridge.br-ev.added 1"));
        }

        // host2's link cut: a rollout to it halts (timeout); two revisions are written meanwhile; when the link is
        // back, host2 applies only the newest, once, and reports it
        Path state2 = sbx(2).resolve("state");
        Cmd.run("ip", "-n", namespaces.get(1), "link", "set", "fa2", "down");
        Frameworks.eventually("host2 notices the cut", START,
                () -> !connected(Launcher.shell(home.resolve("bin/patchbay"), state2, "fleet:status")));
        Cmd.Failed t3 = org.assertj.core.api.Assertions.catchThrowableOfType(Cmd.Failed.class,
                () -> fleet("apply", "--hosts", "host2", "--timeout", "3", doc("three", "br-three").toString()));
        assertThat(t3.exitCode()).isEqualTo(1);
        assertThat(t3.stdout()).containsPattern("host2 +\\d+ timeout");
        Cmd.Failed t4 = org.assertj.core.api.Assertions.catchThrowableOfType(Cmd.Failed.class,
                () -> fleet("apply", "--hosts", "host2", "--timeout", "3", doc("four", "br-four").toString()));
        long rev3 = revisionIn(t3.stdout(), "host2");
        long rev4 = revisionIn(t4.stdout(), "host2");
        Cmd.run("ip", "-n", namespaces.get(1), "link", "set", "fa2", "up");
        Frameworks.eventually(() -> "host2 reports revision " + rev4 + ": " + fleet("status"), START,
                () -> fleet("status").lines().anyMatch(l -> l.matches("host2 +" + rev4 + " +" + rev4 + " applied .*")));
        assertThat(vsctl(db(2), "list-br")).contains("br-four").doesNotContain("br-three");
        assertThat(checkpointsFor(2, rev4)).isEqualTo(1);
        assertThat(checkpointsFor(2, rev3)).isZero();

        // a hub server killed in the middle of a rollout: the rollout completes, every host applies once
        Path five = doc("five", "br-five");
        List<String> argv = new ArrayList<>(List.of(home.resolve("bin/patchbay").toString(), "fleet", "apply", "--hosts",
                "host1,host2,host3", "--timeout", "60", five.toString(), "--servers", "nats://" + hubAddress(1) + ":4222",
                "--insecure"));
        Process rollout = new ProcessBuilder(hub.wrap(argv.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("rollout5.txt").toFile()).start();
        try {
            Frameworks.eventually("host1 applied br-five", START, () -> vsctl(db(1), "list-br").contains("br-five"));
            nats.kill(1);
            assertThat(rollout.waitFor(180, TimeUnit.SECONDS)).as("rollout finished").isTrue();
            String out5 = read(dir.resolve("rollout5.txt"));
            assertThat(rollout.exitValue()).as(out5).isZero();
            assertThat(out5).contains("rollout complete");
            for (int i = 1; i <= HOSTS; i++) {
                assertThat(vsctl(db(i), "list-br")).contains("br-five");
                assertThat(checkpointsFor(i, revisionIn(out5, "host" + i))).as("host%d applied once", i).isEqualTo(1);
            }
        } finally {
            if (rollout.isAlive()) {
                rollout.destroyForcibly();
            }
        }
    }

    /** Checkpoint lines of host {@code i}'s network state made for desired revision {@code rev} of its key. */
    private long checkpointsFor(int i, long rev) {
        String cps = Launcher.shell(home.resolve("bin/patchbay"), sbx(i).resolve("state"), "state:checkpoints");
        return cps.lines().filter(l -> l.contains("patchbay-desired/host" + i + "@" + rev + " ")
                || l.endsWith("patchbay-desired/host" + i + "@" + rev)).count();
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

    /** Whether fleet:status shows the NATS connection as CONNECTED (not DISCONNECTED, which contains the word). */
    private static boolean connected(String status) {
        return java.util.regex.Pattern.compile("(?<![A-Z])CONNECTED").matcher(status).find();
    }
}
