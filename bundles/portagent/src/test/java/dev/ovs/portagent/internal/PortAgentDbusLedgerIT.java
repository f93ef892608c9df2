package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.dbus.PortAgent1;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.portagent.netlink.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each call of a mutating {@code dev.ovs.PortAgent1} member is in the shared ledger exactly once (one intent, one
 * outcome), the port agent's record with the D-Bus caller's uid and pid and the arguments by name: a real port agent
 * (real ovsdb-server + ovs-vswitchd, rtnetlink in private namespaces) behind the real exporter on a real
 * dbus-daemon, both given the same ledger as in the appliance, called with busctl; the ledger file is read line by
 * line.
 */
class PortAgentDbusLedgerIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void everyMutatingCallIsOneIntentAndOneOutcome() throws Exception {
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir dir = ShortTempDir.create(); Netns host = Netns.create(); Netns c1 = Netns.create();
                Ovs ovs = Ovs.start(host, dir.path()); DbusDaemon bus = DbusDaemon.start(dir.path());
                OvsdbClient client = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
                FileLedger ledger = FileLedger.open(dir.path().resolve("ledger.jsonl"), false, Clock.systemUTC())) {
            VSwitch vs = NetdevVSwitch.create(client);
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            ContainerResolver resolver = new ContainerResolver(
                    new DockerClient(dir.path().resolve("no-docker.sock"), Duration.ofSeconds(2)));
            DbusConnectionComponent dbus = new DbusConnectionComponent(bus.address());
            dbus.setLedger(ledger); // the exporter records in the same ledger as the port agent (one service)
            try (PortAgentImpl agent = new PortAgentImpl(() -> vs, resolver, ledger, NetNamespace.ofPath(host.path()),
                    PortAgentImpl.Faults.NONE)) {
                PortAgentDbusComponent face = new PortAgentDbusComponent(agent, dbus);
                assertThat(dbus.export(face, PortAgent1.OBJECT_PATH, PortAgent1.BUS_NAME).state())
                        .isEqualTo(State.EXPORTED);
                Path file = dir.path().resolve("ledger.jsonl");
                String container = "netns:" + c1.name();

                String reply = call("CreateContainerInterface", bus, "sssa{sv}", "br0", "eth1", container, "1",
                        "mtu", "u", "1400").trim();
                assertThat(reply).matches("s \"[0-9a-f]{13}_l\"");
                String port = reply.substring(3, reply.length() - 1);
                assertThat(Cmd.run(List.of("ip", "-n", c1.name(), "-o", "link", "show", "eth1"), Cmd.DEFAULT_TIMEOUT))
                        .contains("mtu 1400");
                List<JsonNode> add = lines(file);
                assertThat(add).as("CreateContainerInterface: one intent and one outcome").hasSize(2);
                assertThat(add.get(0).path("op").asText()).isEqualTo("add-port");
                assertThat(add.get(0).path("result").asText()).isEqualTo("intent");
                assertThat(add.get(0).path("caller").asText()).matches("dbus::1\\.\\d+ uid=0 pid=[1-9]\\d*");
                assertThat(add.get(0).path("args").toString()).isEqualTo("{\"bridge\":\"br0\",\"container\":\""
                        + container + "\",\"interface\":\"eth1\",\"mtu\":\"1400\"}");
                assertThat(add.get(1).path("of").asLong()).isEqualTo(add.get(0).path("seq").asLong());
                assertThat(add.get(1).path("result").asText()).isEqualTo("ok: " + port);

                call("SetContainerVlan", bus, "sssq", "br0", "eth1", container, "10");
                List<JsonNode> vlan = lines(file).subList(2, lines(file).size());
                assertThat(vlan).as("SetContainerVlan: one intent and one outcome").hasSize(2);
                assertThat(vlan.get(0).path("op").asText()).isEqualTo("set-vlan");
                assertThat(vlan.get(1).path("result").asText()).isEqualTo("ok: " + port);

                // a call the port agent refuses: recorded once too, the refusal as its outcome
                Cmd.Failed missing = fails(bus, "RemoveContainerInterface", "sss", "br0", "eth9", container);
                assertThat(missing.stderr()).isNotEmpty();
                List<JsonNode> refused = lines(file).subList(4, lines(file).size());
                assertThat(refused).as("RemoveContainerInterface (no such port): one intent and one outcome").hasSize(2);
                assertThat(refused.get(0).path("op").asText()).isEqualTo("del-port");
                assertThat(refused.get(1).path("result").asText()).startsWith("error: ");

                call("RemoveContainerInterface", bus, "sss", "br0", "eth1", container);
                assertThat(ovs.vsctl("list-ports", "br0")).doesNotContain(port);
                List<JsonNode> del = lines(file).subList(6, lines(file).size());
                assertThat(del).as("RemoveContainerInterface: one intent and one outcome").hasSize(2);
                assertThat(del.get(0).path("op").asText()).isEqualTo("del-port");
                assertThat(del.get(1).path("result").asText()).isEqualTo("ok: " + port);

                call("ListPorts", bus);
                call("GetBlockchainStats", bus);
                assertThat(lines(file)).as("read-only members are not recorded").hasSize(8);
                assertThat(lines(file)).extracting(n -> n.path("caller").asText())
                        .allMatch(c -> c.matches("dbus::1\\.\\d+ uid=0 pid=[1-9]\\d*"));
                assertThat(ledger.verify().verified()).isTrue();
            } finally {
                dbus.close();
            }
        }
        before.assertNoneSince();
    }

    private static String call(String member, DbusDaemon bus, String... sig) {
        List<String> a = new ArrayList<>(List.of("call", PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH,
                PortAgent1.BUS_NAME, member));
        a.addAll(List.of(sig));
        return bus.busctl(a.toArray(String[]::new));
    }

    private static Cmd.Failed fails(DbusDaemon bus, String member, String... sig) {
        try {
            call(member, bus, sig);
        } catch (Cmd.Failed f) {
            return f;
        }
        throw new AssertionError("expected " + member + " to fail");
    }

    /** @return the ledger file's lines as JSON, in file order */
    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(MAPPER.readTree(l));
        }
        return out;
    }
}
