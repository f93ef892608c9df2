package dev.ovs.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.fleet.HostOutcome;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import dev.ovs.fleet.RolloutOptions;
import dev.ovs.fleet.RolloutResult;
import dev.ovs.fleet.Subjects;
import dev.ovs.fleet.client.NatsFleetController;
import dev.ovs.fleet.client.ReportJson;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.LeftoverCheck;
import dev.ovs.itests.harness.NatsCluster;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.netstate.internal.NetStateEngine;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.vswitch.VSwitch;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fleet agent with the <em>real</em> network-state engine (bundle {@code dev.ovs.netstate}, outside a
 * framework) on two hosts, each a private ovsdb-server + ovs-vswitchd (userspace datapath) in a network namespace of
 * its own, and a real 3-node nats-server hub: a rollout creates the bridges (seen with {@code ovs-vsctl} against each
 * host's own database); a document that fails verification on one host (a port on a kernel device that host does
 * not have) is rolled back there, reported {@code rolled-back}, stops the rollout and leaves the other host
 * untouched; {@code state.show} answers the host's real document.
 */
@ExtendWith(LeftoverCheck.class)
class FleetNetStateIT {
    /** One host: OVS in its own namespace, a VSwitch, a network-state engine and a fleet agent. */
    private static final class Host implements AutoCloseable {
        final Netns ns;
        final ShortTempDir dir;
        final Ovs ovs;
        final OvsdbClient client;
        final VSwitch vs;
        final NetStateEngine engine;
        FleetAgent agent;

        Host() throws Exception {
            ns = Netns.create();
            dir = ShortTempDir.create();
            ovs = Ovs.start(ns, dir.path());
            client = dev.ovs.ovsdb.rpc.OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
            vs = dev.ovs.ovsdb.vswitch.impl.VSwitches.create(client, true, 20000, "netdev");
            if (!vs.replica().awaitSynced(Duration.ofSeconds(20))) {
                throw new IllegalStateException("replica not synced");
            }
            engine = new NetStateEngine(() -> vs, new Journal(Files.createDirectories(dir.path().resolve("journal"))),
                    new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null);
        }

        void startAgent(String host, String servers) {
            Settings s = new Settings(true, List.of(servers.split(",")), null, host, List.of("ovsdb.>"), false, null, 0,
                    10, null, null, 1024, 1, dir.path().resolve("fleet.json"));
            NetStateAdapter adapter = new NetStateAdapter(engine);
            agent = new FleetAgent(s, () -> adapter);
            agent.start();
        }

        String vsctl(String... args) {
            return ovs.vsctl(args).trim();
        }

        @Override
        public void close() {
            if (agent != null) {
                agent.close();
            }
            engine.close();
            try {
                client.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
            ovs.close();
            ns.close();
            dir.close();
        }
    }

    private static Report report(NatsFleetController c, String host) throws Exception {
        var e = c.bucket(Subjects.REPORTED_BUCKET).get(host);
        return e == null ? null : ReportJson.read(e.getValue());
    }

    @Test
    void rolloutThroughTheRealNetworkStateEngine() throws Exception {
        try (ShortTempDir hubDir = ShortTempDir.create(); NatsCluster nats = NatsCluster.start(hubDir.path(), 3);
                NatsFleetController c = NatsFleetController.connect(List.of(nats.urls().split(",")), null, null, false, 0)) {
            List<Host> hosts = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Host h = new Host();
                    hosts.add(h);
                    h.startAgent("ns-host" + i, nats.urls());
                }
                String good = "interfaces:\n- name: br-fleet\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: fl0\n"
                        + "- name: fl0\n  type: ovs-interface\n";
                RolloutResult r = c.rollout(good, RolloutOptions.hosts(List.of("ns-host0", "ns-host1"))
                        .withMaxUnavailable(1).withTimeout(Duration.ofSeconds(60)));
                assertThat(r.complete()).as("%s", r).isTrue();
                for (Host h : hosts) {
                    assertThat(h.vsctl("list-ports", "br-fleet")).isEqualTo("fl0");
                    assertThat(h.vsctl("get", "Interface", "fl0", "type")).isEqualTo("internal");
                }
                Report rep0 = report(c, "ns-host0");
                assertThat(rep0.status()).isEqualTo(ReportStatus.APPLIED);
                assertThat(hosts.get(0).engine.checkpoint(rep0.checkpoint()).orElseThrow().state().wire())
                        .isEqualTo("committed");

                // host1 gets a kernel device named uplink7, host0 does not: the port verifies only on host1
                hosts.get(1).ns.addVeth("uplink7", "uplink7p");
                String bad = "interfaces:\n- name: br-up\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: uplink7\n";
                RolloutResult r2 = c.rollout(bad, RolloutOptions.hosts(List.of("ns-host0", "ns-host1"))
                        .withTimeout(Duration.ofSeconds(60)));
                assertThat(r2.outcomes()).extracting(HostOutcome::host, HostOutcome::result).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ns-host0", HostOutcome.Result.ROLLED_BACK),
                        org.assertj.core.groups.Tuple.tuple("ns-host1", HostOutcome.Result.NOT_STARTED));
                assertThat(r2.outcomes().get(0).error()).contains("uplink7");
                Report rep = report(c, "ns-host0");
                assertThat(rep.status()).isEqualTo(ReportStatus.ROLLED_BACK);
                // rolled back on host0: no br-up; host1 never got the document
                assertThat(Cmd.run(List.of("ovs-vsctl", "--db=" + hosts.get(0).ovs.db().remote(), "list-br"),
                        Duration.ofSeconds(20))).doesNotContain("br-up");
                assertThat(hosts.get(1).vsctl("list-br")).doesNotContain("br-up");
                assertThat(c.bucket(Subjects.DESIRED_BUCKET).get("ns-host1").getValueAsString()).isEqualTo(good);
                assertThat(hosts.get(0).vsctl("list-ports", "br-fleet")).isEqualTo("fl0");

                // state.show answers the host's real document
                Message show = c.connection().request(Subjects.stateShow("ns-host1"), new byte[0], Duration.ofSeconds(10));
                assertThat(new String(show.getData(), StandardCharsets.UTF_8)).contains("br-fleet", "fl0");
            } finally {
                for (int i = hosts.size() - 1; i >= 0; i--) {
                    hosts.get(i).close();
                }
            }
        }
    }
}
