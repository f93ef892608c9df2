package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The port agent against real ovsdb-server + ovs-vswitchd (userspace datapath) in a private
 * namespace ("host"), with two plain namespaces as containers ({@code netns:NAME}).
 */
class PortAgentIT extends AgentOnRealOvs {

    @Test
    void addPortLikeOvsDockerThenDelete() {
        String port = agent.addPort("br0", "eth1", ref(c1),
                new PortSettings("10.1.0.2/24", "02:00:00:aa:bb:01", "10.1.0.1", 1400, VlanTag.of(10)), "test");
        assertThat(port).matches("[0-9a-f]{13}_l");
        // up (set by the agent after the OVSDB change) and promiscuous (set by ovs-vswitchd while it added the
        // port): neither change lost the other's flag
        assertThat(ip(host, "link", "show", port)).contains("mtu 1400").contains(",UP").contains("PROMISC");
        String inside = ip(c1, "-d", "link", "show", "eth1");
        assertThat(inside).contains("mtu 1400").contains("link/ether 02:00:00:aa:bb:01").contains(",UP").contains("veth");
        assertThat(ip(c1, "addr", "show", "eth1")).contains("inet 10.1.0.2/24");
        assertThat(ip(c1, "route", "show", "default")).contains("default via 10.1.0.1 dev eth1");
        // the exact query ovs-docker uses to find the port
        // (a value with ':' must be quoted for ovs-vsctl; ovs-docker itself passes it unquoted, which only
        // works for container IDs/names, never for pid:/netns: references)
        assertThat(ovs.vsctl("--data=bare", "--no-heading", "--columns=name", "find", "interface",
                "external_ids:container_id=\"" + ref(c1) + "\"", "external_ids:container_iface=eth1").trim()).isEqualTo(port);
        assertThat(ovs.vsctl("get", "port", port, "tag").trim()).isEqualTo("10");
        assertThat(ovs.vsctl("get", "bridge", "br0", "datapath_type").trim()).isEqualTo("netdev");
        assertThat(agent.listPorts()).containsExactly(new ContainerPort(port, "br0", ref(c1), "eth1", VlanTag.of(10)));

        assertThatThrownBy(() -> agent.addPort("br0", "eth1", ref(c1), PortSettings.NONE, "test"))
                .isInstanceOf(PortAgentException.class).hasMessage("Port already attached for CONTAINER=" + ref(c1) + " and INTERFACE=eth1")
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.AlreadyExists));

        agent.deletePort("br0", "eth1", ref(c1), "test");
        assertThat(ip(host, "-o", "link")).doesNotContain(port);
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(ovs.vsctl("--columns=name", "find", "interface", "external_ids:container_id=\"" + ref(c1) + "\"").trim()).isEmpty();
        assertThat(ovs.vsctl("list-ports", "br0").trim()).isEmpty();
        assertThatThrownBy(() -> agent.deletePort("br0", "eth1", ref(c1), "test")).isInstanceOf(PortAgentException.class)
                .hasMessageContaining("Failed to find any attached port");

        // each call: its intent (with the arguments) before, its outcome after
        assertThat(agent.ledgerTail(8)).extracting(LedgerEntry::result).filteredOn("intent"::equals).hasSize(4);
        assertThat(agent.ledgerTail(2).get(0).result()).isEqualTo("intent");
        List<LedgerEntry> tail = outcomes(4);
        assertThat(tail).extracting(LedgerEntry::operation).containsExactly("add-port", "add-port", "del-port", "del-port");
        assertThat(tail.get(0).result()).isEqualTo("ok: " + port);
        assertThat(tail.get(0).caller()).isEqualTo("test");
        assertThat(intents(4).get(0).args()).containsEntry("vlan", "10").containsEntry("ipaddress", "10.1.0.2/24");
        assertThat(tail.get(1).result()).startsWith("error: Port already attached");
        assertThat(tail.get(2).result()).isEqualTo("ok: " + port);
        assertThat(tail.get(3).result()).startsWith("error: Failed to find");
        assertThat(agent.verifyLedger().verified()).isTrue();
    }

    /**
     * The default route is added on the port's own interface: with another interface of the container on the
     * gateway's subnet, a route without a device would land on that one and outlive the port.
     */
    @Test
    void theDefaultRouteGoesWithItsPort() {
        agent.addPort("br0", "eth1", ref(c1), new PortSettings("10.70.1.2/24", null, null, null, null), "test");
        agent.addPort("br0", "eth2", ref(c1), new PortSettings("10.70.1.3/24", null, "10.70.1.254", null, null), "test");
        assertThat(ip(c1, "route", "show", "default")).contains("default via 10.70.1.254 dev eth2");
        agent.deletePort("br0", "eth2", ref(c1), "test");
        assertThat(ip(c1, "route", "show", "default")).isBlank();
        assertThat(ip(c1, "addr", "show", "eth1")).contains("inet 10.70.1.2/24");
        agent.deletePort("br0", "eth1", ref(c1), "test");
    }

    @Test
    void trafficFlowsOnSameVlanOnly() {
        agent.addPort("br0", "eth1", ref(c1), new PortSettings("10.2.0.1/24", null, null, null, VlanTag.of(5)), "test");
        agent.addPort("br0", "eth1", ref(c2), new PortSettings("10.2.0.2/24", null, null, null, VlanTag.of(5)), "test");
        assertThat(ping(c1, "10.2.0.2")).as("same tag").isTrue();
        agent.setVlan("br0", "eth1", ref(c2), VlanTag.of(6), "test");
        assertThat(ovs.vsctl("get", "port", agent.listPorts().stream().filter(p -> p.containerId().equals(ref(c2)))
                .findFirst().orElseThrow().port(), "tag").trim()).isEqualTo("6");
        Cmd.run("ip", "-n", c1.name(), "neigh", "flush", "all");
        // datapath flows cached before the change are revalidated asynchronously (late on a busy machine)
        ovs.appctl("dpctl/del-flows");
        assertThat(ping(c1, "10.2.0.2")).as("different tags").isFalse();
        agent.setVlan("br0", "eth1", ref(c2), VlanTag.of(5), "test");
        assertThat(ping(c1, "10.2.0.2")).as("same tag again").isTrue();
        assertThat(agent.deletePorts("br0", ref(c1), "test")).hasSize(1);
        assertThat(agent.deletePorts("br0", ref(c1), "test")).isEmpty();
    }

    /**
     * {@code deletePort} that commits and then fails as when the OVSDB bundle goes away (updated, reconfigured)
     * while the change waits for ovs-vswitchd: the row is gone, the caller gets Unavailable.
     */
    private static VSwitch committedThenUnavailable(VSwitch real) {
        return (VSwitch) Proxy.newProxyInstance(VSwitch.class.getClassLoader(), new Class<?>[] {VSwitch.class}, (p, m, a) -> {
            Object r;
            try {
                r = m.invoke(real, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals("deletePort")) {
                throw new OvsdbException(ErrorKind.Unavailable, "injected",
                        "the VSwitch went away while waiting for ovs-vswitchd (the change was committed)");
            }
            return r;
        });
    }

    @Test
    void aRemoveCutAfterItsOvsdbCommitStillDeletesTheLinkSoARetryConverges() {
        String port = agent.addPort("br0", "eth1", ref(c1), new PortSettings("10.9.0.2/24", null, null, null, null), "test");
        vswitch.set(committedThenUnavailable(vs));
        assertThatThrownBy(() -> agent.deletePort("br0", "eth1", ref(c1), "test")).isInstanceOf(PortAgentException.class)
                .hasMessageContaining("went away while waiting for ovs-vswitchd");
        vswitch.set(vs);
        // the link went too: no interface is left in the container without a row that would let a retry find it
        assertThat(ip(host, "-o", "link")).doesNotContain(port);
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(ovs.vsctl("list-ports", "br0").trim()).isEmpty();
        assertThatThrownBy(() -> agent.deletePort("br0", "eth1", ref(c1), "test")).isInstanceOf(PortAgentException.class)
                .hasMessageContaining("Failed to find any attached port");
        // and the same interface can be added again (before: EEXIST for eth1 in the container)
        String again = agent.addPort("br0", "eth1", ref(c1), PortSettings.NONE, "test");
        assertThat(ip(c1, "-o", "link")).contains("eth1");
        agent.deletePort("br0", "eth1", ref(c1), "test");
        assertThat(ip(host, "-o", "link")).doesNotContain(again);
    }

    @Test
    void aReconcileDuringAnAddLeavesItsVethAlone() {
        // at "ovsdb" the host veth exists with its alias but has no OVSDB row yet: an orphan but for the add in progress
        List<Reconciler.Reconciled> seen = new ArrayList<>();
        during.set(Map.entry("ovsdb", () -> seen.add(new Reconciler(agent).reconcile(false))));
        String port = agent.addPort("br0", "eth1", ref(c1), new PortSettings("10.8.0.2/24", null, null, null, null), "test");
        during.set(null);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).orphansDeleted()).isEmpty();
        assertThat(ip(host, "-o", "link")).contains(port);
        assertThat(ip(c1, "-o", "addr", "show", "eth1")).contains("10.8.0.2/24");
        // once the add is over, the same state is an orphan again
        agent.deletePort("br0", "eth1", ref(c1), "test");
    }

    @Test
    void reconcileRemovesUnfinishedPortsAndTheEmptyBridgesTheyCreated() {
        // a completed add-port clears its marks: the new bridge and the port are like any other
        String done = agent.addPort("bry", "eth1", ref(c1), PortSettings.NONE, "test");
        assertThat(ovs.vsctl("get", "Bridge", "bry", "external_ids").trim()).isEqualTo("{}");
        assertThat(ovs.vsctl("get", "Interface", done, "external_ids")).contains("container_iface=eth1")
                .doesNotContain("patchbay_state");
        // the state an add-port killed after its OVSDB insert leaves (a new bridge, the port's row in progress)
        String killed = agent.addPort("brz", "eth2", ref(c2), new PortSettings("10.6.0.2/24", null, null, null, null), "test");
        ovs.vsctl("set", "Interface", killed, "external_ids:patchbay_state=adding", "--", "set", "Bridge", "brz",
                "external_ids:patchbay_auto=true", "--", "set", "Bridge", "bry", "external_ids:patchbay_auto=true");
        ovs.addBridge("bradm"); // an administrator's empty bridge
        vs.replica().awaitSynced(Duration.ofSeconds(5));
        Reconciler.Reconciled r = new Reconciler(agent).reconcile(false);
        assertThat(r.unfinishedRemoved()).containsExactly(killed);
        assertThat(r.bridgesRemoved()).containsExactly("brz");
        assertThat(r.failures()).isEmpty();
        assertThat(ip(host, "-o", "link")).doesNotContain(killed).contains(done);
        assertThat(ip(c2, "-o", "link")).doesNotContain("eth2");
        assertThat(ovs.vsctl("list-br")).doesNotContain("brz").contains("bry", "bradm");
        // a marked bridge that has a port stays
        assertThat(ovs.vsctl("list-ports", "bry").trim()).isEqualTo(done);
        agent.deletePort("bry", "eth1", ref(c1), "test");
    }

    @Test
    void everyStepIsRolledBack() {
        for (String step : List.of("bridge", "veth", "rename", "ovsdb", "host-up", "container-up", "address", "route", "complete")) {
            failAt.set(step);
            assertThatThrownBy(() -> agent.addPort("brx", "eth1", ref(c1),
                    new PortSettings("10.3.0.2/24", null, "10.3.0.1", null, null), "test"))
                    .as(step).hasMessageContaining("injected failure at " + step);
            assertThat(ip(host, "-o", "link")).as(step).doesNotContain("_l");
            assertThat(ip(c1, "-o", "link")).as(step).doesNotContain("eth1");
            assertThat(vs.bridgeExists("brx")).as(step).isFalse();
            assertThat(ovs.vsctl("--columns=name", "find", "interface", "external_ids:container_iface=eth1").trim()).as(step).isEmpty();
        }
        failAt.set(null);
        // a kernel refusal late in the sequence (gateway is fine by syntax but the route exists) rolls back too
        c1.addVeth("dm0", "dm1");
        Cmd.run("ip", "-n", c1.name(), "addr", "add", "10.4.0.9/24", "dev", "dm0");
        Cmd.run("ip", "-n", c1.name(), "route", "add", "default", "via", "10.4.0.1");
        assertThatThrownBy(() -> agent.addPort("br0", "eth1", ref(c1), new PortSettings("10.4.1.2/24", null, "10.4.1.1", null, null), "test"))
                .isInstanceOf(PortAgentException.class).hasMessageContaining("EEXIST").hasMessageContaining("add route default via 10.4.1.1");
        assertThat(ip(host, "-o", "link")).doesNotContain("_l");
        assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
        assertThat(vs.bridgeExists("br0")).isFalse();
        // interface name taken inside the container
        c1.addVeth("eth1", "eth1p");
        assertThatThrownBy(() -> agent.addPort("br0", "eth1", ref(c1), PortSettings.NONE, "test"))
                .isInstanceOf(PortAgentException.class).hasMessageContaining("EEXIST")
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.AlreadyExists));
        assertThat(ip(host, "-o", "link")).doesNotContain("_l");
        assertThat(vs.bridgeExists("br0")).isFalse();
    }

    @Test
    void badInputAndUnknownContainersFailBeforeAnySideEffect() {
        long height = agent.ledgerStats().height();
        String[][] cases = {
            {"this-bridge-is-too-long", "eth1", ref(c1), null, null, "bridge: "},
            {"br0", "eth/1", ref(c1), null, null, "interface: "},
            {"br0", "eth1", "no such/container", null, null, "container: "},
            {"br0", "eth1", "netns:pbt-missing", null, null, "container: no network namespace"},
            {"br0", "eth1", ref(c1), "10.0.0.300/24", null, "ipaddress: "},
            {"br0", "eth1", ref(c1), "10.0.0.2/24", "10.0.1.1", "gateway: must lie inside"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> agent.addPort(c[0], c[1], c[2], new PortSettings(c[3], null, c[4], null, null), "test"))
                    .as(c[5]).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(c[5]);
        }
        assertThatThrownBy(() -> agent.addPort("br0", "eth1", ref(c1), new PortSettings(null, "01:00:00:00:00:01", null, null, null), "t"))
                .hasMessageStartingWith("macaddress: ");
        assertThatThrownBy(() -> agent.addPort("br0", "eth1", ref(c1), new PortSettings(null, null, null, 40, null), "t"))
                .hasMessageStartingWith("mtu: ");
        assertThatThrownBy(() -> agent.setVlan("br0", "eth1", ref(c1), null, "t")).hasMessageStartingWith("vlan: ");
        assertThatThrownBy(() -> agent.addPort("br0", "eth1", "docker-container", PortSettings.NONE, "t"))
                .isInstanceOf(PortAgentException.class).hasMessageContaining("no-docker.sock: cannot connect");
        assertThat(vs.bridgeExists("br0")).isFalse();
        assertThat(ip(host, "-o", "link")).doesNotContain("_l");
        assertThat(agent.ledgerStats().height()).isEqualTo(height + 20); // failures are recorded too: intent, outcome
        assertThat(agent.ledgerTail(1).get(0).result()).startsWith("error: ");
    }

    @Test
    void withoutDockerTheAutoModeStillCleansOrphansOnStart() throws Exception {
        try (dev.ovs.portagent.netlink.RtNetlink nl = dev.ovs.portagent.netlink.RtNetlink.open(NetNamespace.ofPath(host.path()))) {
            nl.createVeth("00000000000aa_l", "00000000000aa_c", null);
            nl.change("00000000000aa_l", dev.ovs.portagent.netlink.LinkChange.none().withAlias(PortAgentImpl.ALIAS));
            // killed before the rename + alias: ours by its pending name
            nl.createVeth("00000000000bb_p", "00000000000bb_c", null);
            // ovs-docker's name without our alias (e.g. an ovs-docker add-port in progress): not ours
            nl.createVeth("00000000000cc_l", "00000000000cc_c", null);
        }
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (AutoAttach auto = new AutoAttach(agent, new DockerClient(dir.resolve("no-docker.sock"), Duration.ofSeconds(2)), log::add)) {
            auto.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (auto.reconciles() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(auto.reconciles()).isEqualTo(1);
        }
        assertThat(ip(host, "-o", "link")).doesNotContain("00000000000aa").doesNotContain("00000000000bb")
                .contains("00000000000cc_l");
        ip(host, "link", "del", "00000000000cc_l");
        assertThat(log).anyMatch(l -> l.startsWith("docker events: ") && l.contains("no-docker.sock: cannot connect"));
        assertThat(log).anyMatch(l -> l.startsWith("reconcile (Docker API unavailable): ") && l.contains("00000000000aa_l"));
    }

    private static String tail(Path ledger) {
        try {
            List<String> l = Files.readAllLines(ledger);
            return String.join(" | ", l.subList(Math.max(0, l.size() - 3), l.size()));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void killDashNineInTheMiddleThenReconcileLeavesACleanState() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 4; round++) {
            Path ledgerFile = dir.resolve("crash-" + round + ".jsonl");
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), CrashingAgentMain.class.getName(), ovs.db().remote(),
                    host.path().toString(), ref(c1), ledgerFile.toString(), dir.resolve("no-docker.sock").toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("crash.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!Files.readString(dir.resolve("crash.log")).contains("READY") && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(20);
                }
                assertThat(p.isAlive()).as(Files.readString(dir.resolve("crash.log"))).isTrue();
                // first ledger entry written (a cold JVM on a busy machine may need a while), then a random moment
                while (!(Files.exists(ledgerFile) && Files.size(ledgerFile) > 0) && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(10);
                }
                Thread.sleep(rnd.nextInt(700));
            } finally {
                p.destroyForcibly(); // SIGKILL, by our own child's PID
                p.waitFor();
            }
            // the next start: the ledger verifies (a torn last line is repaired), reconcile cleans up
            try (FileLedger l = FileLedger.open(ledgerFile, false, Clock.systemUTC())) {
                assertThat(l.stats().verified()).as(l.stats().toString()).isTrue();
                assertThat(l.stats().height()).isPositive();
            }
            new Reconciler(agent).reconcile(false);
            for (ContainerPort cp : agent.listPorts()) {
                assertThat(ip(host, "-o", "link")).contains(cp.port()); // every row has its veth
            }
            for (String line : ip(host, "-o", "-d", "link", "show", "type", "veth").split("\n")) {
                if (line.contains("_l")) {
                    String name = line.split(":\\s+")[1].replaceAll("@.*", "");
                    assertThat(vs.iface(name)).as("veth " + name + " without OVSDB row: " + ip(host, "-d", "link", "show", name)
                            + "; child's ledger tail: " + tail(ledgerFile)).isPresent();
                }
            }
            // and the container can be (re)used: del-ports, then a fresh add-port works
            agent.deletePorts("br0", ref(c1), "test");
            assertThat(ip(host, "-o", "link")).doesNotContain("_l");
            assertThat(ip(c1, "-o", "link")).doesNotContain("eth1");
            String port = agent.addPort("br0", "eth1", ref(c1), PortSettings.NONE, "test");
            agent.deletePort("br0", "eth1", ref(c1), "test");
            assertThat(ip(host, "-o", "link")).doesNotContain(port);
        }
    }

    @Test
    void interoperatesWithTheRealOvsDockerScript() throws Exception {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path docker = bin.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\necho 'docker shim: not used by del-port' >&2\nexit 1\n");
        docker.toFile().setExecutable(true);
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "OVS_RUNDIR", dir.path().toString());
        String port = agent.addPort("br0", "eth1", ref(c1), PortSettings.NONE, "test");
        runInHost(env, "ovs-docker", "del-port", "br0", "eth1", "\"" + ref(c1) + "\""); // quoted: see above
        assertThat(ip(host, "-o", "link")).doesNotContain(port);
        assertThat(agent.listPorts()).isEmpty();
        // the other way round: a port made like ovs-docker does it (its exact commands), removed by Patchbay
        String p = "0123456789abc";
        runInHost(env, "ip", "link", "add", p + "_l", "type", "veth", "peer", "name", p + "_c");
        runInHost(env, "ovs-vsctl", "--may-exist", "add-port", "br0", p + "_l", "--", "set", "interface", p + "_l",
                "external_ids:container_id=" + ref(c1), "external_ids:container_iface=eth2");
        runInHost(env, "ip", "link", "set", p + "_c", "netns", c1.name());
        vs.replica().awaitSynced(Duration.ofSeconds(5));
        assertThat(agent.listPorts()).extracting(ContainerPort::port).contains(p + "_l");
        agent.deletePort("br0", "eth2", ref(c1), "test");
        assertThat(ip(host, "-o", "link")).doesNotContain(p + "_l");
        assertThat(ip(c1, "-o", "link")).doesNotContain(p + "_c");
        assertThat(ovs.vsctl("list-ports", "br0").trim()).isEmpty();
    }

    private static void runInHost(Map<String, String> env, String... argv) throws Exception {
        List<String> cmd = new ArrayList<>(host.wrap(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process pr = pb.start();
        String out = new String(pr.getInputStream().readAllBytes());
        assertThat(pr.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
    }
}
