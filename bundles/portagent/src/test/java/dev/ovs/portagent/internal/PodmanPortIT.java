package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.Podman;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real podman containers (resolved by name through podman's Docker API) attached to a userspace OVS
 * bridge; compatibility with the real ovs-docker script, whose {@code docker} is a shim calling podman.
 */
class PodmanPortIT {
    private static Leftovers before;
    private static ShortTempDir dir;
    private static Podman podman;
    private static Netns host;
    private static Ovs ovs;
    private static OvsdbClient client;
    private static VSwitch vs;
    private static FileLedger ledger;
    private static PortAgentImpl agent;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        try {
            podman = Podman.start(dir.path());
            host = Netns.create();
            ovs = Ovs.start(host, dir.path());
            client = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
            assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
            vs = NetdevVSwitch.create(client);
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            ledger = FileLedger.open(dir.resolve("ledger.jsonl"), true, Clock.systemUTC());
            agent = new PortAgentImpl(() -> vs, new ContainerResolver(new DockerClient(podman.apiSocket(), Duration.ofSeconds(20))),
                    ledger, NetNamespace.ofPath(host.path()), PortAgentImpl.Faults.NONE);
            Path bin = dir.resolve("bin");
            Files.createDirectories(bin);
            Path docker = bin.resolve("docker");
            String global = podman.globalArgs().stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
            String confEnv = podman.env().entrySet().stream().map(e -> e.getKey() + "='" + e.getValue() + "'")
                    .collect(Collectors.joining(" "));
            Files.writeString(docker, "#!/bin/sh\nexec env " + confEnv + " podman " + global + " \"$@\"\n");
            docker.toFile().setExecutable(true);
            env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "OVS_RUNDIR", dir.path().toString());
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
            if (ledger != null) {
                ledger.close();
            }
            if (client != null) {
                client.close();
            }
            if (ovs != null) {
                ovs.close();
            }
            if (host != null) {
                host.close();
            }
            if (podman != null) {
                podman.close();
            }
        } finally {
            dir.close();
            before.assertNoneSince();
        }
    }

    private static String runInHost(String... argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(host.wrap(argv)).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process pr = pb.start();
        String out = new String(pr.getInputStream().readAllBytes());
        assertThat(pr.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        return out;
    }

    private static boolean ping(int pid, String to) {
        for (int i = 0; i < 5; i++) {
            try {
                Cmd.run("nsenter", "-t", Integer.toString(pid), "-n", "ping", "-c", "1", "-W", "1", to);
                return true;
            } catch (Cmd.Failed e) {
                // retry: ARP / MAC learning
            }
        }
        return false;
    }

    @Test
    void labelledContainersAttachAndDetachByThemselvesAndReconcileCleansUp() throws Exception {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (AutoAttach auto = new AutoAttach(agent, new DockerClient(podman.apiSocket(), Duration.ofSeconds(20)), log::add)) {
            auto.start();
            await("first reconcile", () -> auto.reconciles() >= 1);
            String id = podman.run("pbt-auto", Map.of("dev.ovs.bridge", "br1", "dev.ovs.interface", "eth5",
                    "dev.ovs.ipaddress", "10.7.0.5/24", "dev.ovs.vlan", "3"));
            await("port for labelled container", () -> agent.listPorts().stream().anyMatch(p -> p.containerId().equals(id)));
            ContainerPort p = agent.listPorts().stream().filter(x -> x.containerId().equals(id)).findFirst().orElseThrow();
            assertThat(p.containerIface()).isEqualTo("eth5");
            assertThat(p.bridge()).isEqualTo("br1");
            assertThat(p.tag()).isEqualTo(dev.ovs.ovsdb.vswitch.VlanTag.of(3));
            assertThat(Cmd.run("nsenter", "-t", Integer.toString(podman.pid(id)), "-n", "ip", "addr", "show", "eth5"))
                    .contains("inet 10.7.0.5/24");
            podman.rm(id);
            await("port removed after the container died", () -> agent.listPorts().stream().noneMatch(x -> x.containerId().equals(id)));
            assertThat(Cmd.run("ip", "-n", host.name(), "-o", "link")).doesNotContain(p.port());
            assertThat(log).isEmpty();
            assertThat(log).noneMatch(l -> l.contains("auto start"));
        }
        // reconcile: an orphan Patchbay veth (as after kill -9 between veth and OVSDB row), a stale port of a
        // vanished namespace, a labelled container that started while nobody watched
        try (dev.ovs.portagent.netlink.RtNetlink nl = dev.ovs.portagent.netlink.RtNetlink.open(NetNamespace.ofPath(host.path()))) {
            nl.createVeth("00000000000ff_l", "00000000000ff_c", null);
            nl.change("00000000000ff_l", dev.ovs.portagent.netlink.LinkChange.none().withAlias(PortAgentImpl.ALIAS));
            assertThat(nl.requireLink("00000000000ff_l").alias()).isEqualTo(PortAgentImpl.ALIAS);
            nl.createVeth("foreign0", "foreign1", null); // not ours: must survive
        }
        Netns gone = Netns.create();
        String stalePort;
        try {
            stalePort = agent.addPort("br0", "eth1", "netns:" + gone.name(), PortSettings.NONE, "test");
        } finally {
            gone.close();
        }
        String late = podman.run("pbt-late", Map.of("dev.ovs.bridge", "br0", "dev.ovs.interface", "eth7"));
        Reconciler.Reconciled r = new Reconciler(agent).reconcile(true);
        assertThat(r.orphansDeleted()).containsExactly("00000000000ff_l");
        assertThat(r.stalePortsRemoved()).containsExactly(stalePort);
        assertThat(r.attached()).hasSize(1);
        assertThat(r.failures()).isEmpty();
        String links = Cmd.run("ip", "-n", host.name(), "-o", "link");
        assertThat(links).doesNotContain("00000000000ff").doesNotContain(stalePort).contains("foreign0");
        assertThat(agent.listPorts()).extracting(ContainerPort::containerId).containsExactly(late);
        assertThat(new Reconciler(agent).reconcile(true)).isEqualTo(new Reconciler.Reconciled(List.of(), List.of(), List.of(), List.of(), List.of(), List.of()));
        Cmd.run("ip", "-n", host.name(), "link", "del", "foreign0");
        podman.rm(late);
        new Reconciler(agent).reconcile(false);
        assertThat(agent.listPorts()).isEmpty();
        for (String br : vs.listBridges()) {
            vs.deleteBridge(br, true);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Test
    void containersByNamePingEachOtherAndOvsDockerInteroperates() throws Exception {
        podman.run("pbt-a", Map.of());
        podman.run("pbt-b", Map.of());
        int pa = podman.pid("pbt-a");
        int pb = podman.pid("pbt-b");
        String portA = agent.addPort("br0", "eth1", "pbt-a", new PortSettings("10.5.0.1/24", null, null, null, null), "test");
        String portB = agent.addPort("br0", "eth1", "pbt-b", new PortSettings("10.5.0.2/24", null, null, null, null), "test");
        assertThat(Cmd.run("nsenter", "-t", Integer.toString(pa), "-n", "ip", "addr", "show", "eth1")).contains("inet 10.5.0.1/24");
        assertThat(ping(pa, "10.5.0.2")).isTrue();
        assertThat(ping(pb, "10.5.0.1")).isTrue();

        // Patchbay's port removed by the real ovs-docker
        runInHost("ovs-docker", "del-port", "br0", "eth1", "pbt-b");
        assertThat(agent.listPorts()).extracting(ContainerPort::port).containsExactly(portA);
        assertThat(Cmd.run("ip", "-n", host.name(), "-o", "link")).doesNotContain(portB);
        assertThat(ping(pa, "10.5.0.2")).isFalse();

        // ovs-docker's port removed by Patchbay
        runInHost("ovs-docker", "add-port", "br0", "eth1", "pbt-b", "--ipaddress=10.5.0.2/24");
        vs.replica().awaitSynced(Duration.ofSeconds(5));
        Cmd.run("nsenter", "-t", Integer.toString(pa), "-n", "ip", "neigh", "flush", "all"); // pbt-b's eth1 has a new MAC
        assertThat(ping(pa, "10.5.0.2")).isTrue();
        List<ContainerPort> ports = agent.listPorts();
        assertThat(ports).hasSize(2);
        agent.deletePort("br0", "eth1", "pbt-b", "test");
        assertThat(Cmd.run("nsenter", "-t", Integer.toString(pb), "-n", "ip", "-o", "link")).doesNotContain("eth1");
        agent.deletePorts("br0", "pbt-a", "test");
        assertThat(agent.listPorts()).isEmpty();
        assertThat(Cmd.run("ip", "-n", host.name(), "-o", "link")).doesNotContain("_l");

        // figures (printed, not asserted): add-port + del-port cycles, Patchbay vs ovs-docker, same container and bridge
        int n = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            agent.addPort("br0", "eth2", "pbt-a", new PortSettings("10.6.0.1/24", null, null, null, null), "bench");
            agent.deletePort("br0", "eth2", "pbt-a", "bench");
        }
        double ours = (System.nanoTime() - t0) / 1e6 / n;
        int m = 5;
        t0 = System.nanoTime();
        for (int i = 0; i < m; i++) {
            runInHost("ovs-docker", "add-port", "br0", "eth2", "pbt-a", "--ipaddress=10.6.0.1/24");
            runInHost("ovs-docker", "del-port", "br0", "eth2", "pbt-a");
        }
        double theirs = (System.nanoTime() - t0) / 1e6 / m;
        System.out.printf("add+del cycle: Patchbay %.1f ms (n=%d), ovs-docker %.1f ms (n=%d), ratio %.1fx%n", ours, n, theirs, m,
                theirs / ours);
        assertThat(agent.listPorts()).isEmpty();
        DockerClient dc = new DockerClient(podman.apiSocket(), Duration.ofSeconds(20));
        long a0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            dc.inspect("pbt-a");
        }
        long a1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            vs.addPort("br0", "pbtx" + i, dev.ovs.ovsdb.vswitch.PortOptions.NONE.withInterfaceType("internal"), false);
            vs.deletePort("br0", "pbtx" + i, false);
        }
        long a2 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ledger.begin("x", "y", Map.of()).succeeded(null);
        }
        long a3 = System.nanoTime();
        try (dev.ovs.portagent.netlink.RtNetlink nl = dev.ovs.portagent.netlink.RtNetlink.open(NetNamespace.ofPath(host.path()))) {
            for (int i = 0; i < n; i++) {
                nl.createVeth("pbv0", "pbv1", NetNamespace.ofPid(pa));
                nl.deleteLink("pbv0");
            }
        }
        long a4 = System.nanoTime();
        System.out.printf("PROFILE inspect %.1f ms, ovsdb add+del %.1f ms, ledger fsync append %.1f ms, veth add+del %.1f ms%n",
                (a1 - a0) / 1e6 / n, (a2 - a1) / 1e6 / n, (a3 - a2) / 1e6 / n, (a4 - a3) / 1e6 / n);
        List<String> left = new ArrayList<>(List.of(Cmd.run("ip", "-n", host.name(), "-o", "link").split("\n")));
        assertThat(left).noneMatch(l -> l.contains("_l"));
        podman.rm("pbt-a");
        podman.rm("pbt-b");
    }
}
