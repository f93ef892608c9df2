package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.DbusMonitor;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.dbus.PortAgent1;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PortCreated/PortRemoved on the real chain, with no event bus anywhere: a real port agent (rtnetlink in
 * private namespaces, real ovsdb-server + ovs-vswitchd) tells its listener, the {@code dev.ovs.PortAgent1} face,
 * which signals on a real dbus-daemon through the real exporter; an independent {@code gdbus monitor} sees the
 * signals, for a port made over D-Bus and for one made in-process (as the shell and auto-attach do).
 */
class PortAgentSignalsIT {
    @Test
    void portsMadeOverDbusAndInProcessAreSignalledWithoutAnEventBus() throws Exception {
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
            try (PortAgentImpl agent = new PortAgentImpl(() -> vs, resolver, ledger, NetNamespace.ofPath(host.path()),
                    PortAgentImpl.Faults.NONE)) {
                PortAgentDbusComponent face = new PortAgentDbusComponent(agent, dbus);
                agent.setListener(face); // in a framework, publish() calls every PortAgentImpl.Listener service
                assertThat(dbus.export(face, PortAgent1.OBJECT_PATH, PortAgent1.BUS_NAME).state())
                        .isEqualTo(State.EXPORTED);
                String container = "netns:" + c1.name();
                try (DbusMonitor mon = DbusMonitor.start(bus, dir.path(), PortAgent1.BUS_NAME)) {
                    String reply = bus.busctl("call", PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH, PortAgent1.BUS_NAME,
                            "CreateContainerInterface", "sssa{sv}", "br0", "eth1", container, "0").trim();
                    assertThat(reply).matches("s \"[0-9a-f]{13}_l\"");
                    String port = reply.substring(3, reply.length() - 1);
                    assertThat(mon.awaitLine("dev.ovs.PortAgent1.PortCreated"))
                            .contains("('" + container + "', 'eth1', '" + port + "')");

                    agent.deletePort("br0", "eth1", container, "test"); // in-process, like port:del in the shell
                    assertThat(mon.awaitLine("dev.ovs.PortAgent1.PortRemoved"))
                            .contains("('" + container + "', 'eth1', '" + port + "')");

                    String second = agent.addPort("br0", "eth2", container, PortSettings.NONE, "test");
                    assertThat(mon.awaitLine("'eth2', '" + second + "'")).contains("dev.ovs.PortAgent1.PortCreated");
                    agent.deletePorts("br0", container, "test");
                    assertThat(mon.awaitLine("PortRemoved (" + "'" + container + "', 'eth2'"))
                            .contains(second);
                }
            } finally {
                dbus.close();
            }
        }
        before.assertNoneSince();
    }
}
