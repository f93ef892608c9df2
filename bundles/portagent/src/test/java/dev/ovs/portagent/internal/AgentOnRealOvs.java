package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
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

/**
 * The fixture of the port agent's real-daemon tests: ovsdb-server + ovs-vswitchd (userspace datapath) in a
 * private namespace ("host"), two plain namespaces as containers ({@code netns:NAME}) per test, an agent with
 * a fault hook ({@link #failAt}, {@link #during}) and a swappable VSwitch ({@link #vswitch}). After each test
 * every container port and bridge is removed; after the class nothing is left ({@link Leftovers}).
 */
abstract class AgentOnRealOvs {
    static Leftovers before;
    static ShortTempDir dir;
    static Netns host;
    static Ovs ovs;
    static OvsdbClient client;
    static VSwitch vs;
    static FileLedger ledger;
    Netns c1;
    Netns c2;
    final AtomicReference<String> failAt = new AtomicReference<>();
    /** Step name and an action run there (instead of failing). */
    final AtomicReference<Map.Entry<String, Runnable>> during = new AtomicReference<>();
    PortAgentImpl agent;
    /** The VSwitch the agent sees (a test may wrap {@link #vs}). */
    final AtomicReference<VSwitch> vswitch = new AtomicReference<>();

    @BeforeAll
    static void startOvs() throws Exception {
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        host = Netns.create();
        ovs = Ovs.start(host, dir.path());
        client = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
        assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
        vs = NetdevVSwitch.create(client);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
        ledger = FileLedger.open(dir.resolve("ledger.jsonl"), false, Clock.systemUTC());
    }

    @AfterAll
    static void stopOvs() throws Exception {
        try {
            if (ledger != null) {
                ledger.close();
            }
            if (client != null) {
                client.close();
            }
            if (ovs != null) {
                ovs.close();
            }
        } finally {
            if (host != null) {
                host.close();
            }
            dir.close();
            before.assertNoneSince();
        }
    }

    @BeforeEach
    void setUp() {
        c1 = Netns.create();
        c2 = Netns.create();
        ContainerResolver resolver = new ContainerResolver(new DockerClient(dir.resolve("no-docker.sock"), Duration.ofSeconds(2)));
        vswitch.set(vs);
        agent = new PortAgentImpl(vswitch::get, resolver, ledger, NetNamespace.ofPath(host.path()), step -> {
            if (step.equals(failAt.get())) {
                throw new IllegalStateException("injected failure at " + step);
            }
            Map.Entry<String, Runnable> d = during.get();
            if (d != null && d.getKey().equals(step)) {
                d.getValue().run();
            }
        });
    }

    @AfterEach
    void tearDown() {
        try {
            for (ContainerPort p : agent.listPorts()) {
                agent.deletePorts("br0", p.containerId(), "test-cleanup");
            }
            for (String br : vs.listBridges()) {
                vs.deleteBridge(br, true);
            }
        } finally {
            agent.close();
            c1.close();
            c2.close();
        }
    }

    static String ip(Netns ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns.name()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, Cmd.DEFAULT_TIMEOUT);
    }

    String ref(Netns ns) {
        return "netns:" + ns.name();
    }

    /** Up to 5 attempts of one echo each (ARP and MAC learning need a moment after changes). */
    static boolean ping(Netns from, String to) {
        for (int i = 0; i < 5; i++) {
            try {
                from.exec(Duration.ofSeconds(15), "ping", "-c", "1", "-W", "1", to);
                return true;
            } catch (Cmd.Failed e) {
                // retry
            }
        }
        return false;
    }

    /**
     * @param n how many
     * @return the last {@code n} outcome lines of the ledger (intents left out), oldest first
     */
    List<dev.ovs.portagent.LedgerEntry> outcomes(int n) {
        return last(agent.ledgerTail(1000).stream().filter(e -> !e.result().equals("intent")).toList(), n);
    }

    /**
     * @param n how many
     * @return the last {@code n} intent lines of the ledger (with the arguments), oldest first
     */
    List<dev.ovs.portagent.LedgerEntry> intents(int n) {
        return last(agent.ledgerTail(1000).stream().filter(e -> e.result().equals("intent")).toList(), n);
    }

    private static <T> List<T> last(List<T> l, int n) {
        return l.subList(Math.max(0, l.size() - n), l.size());
    }
}
