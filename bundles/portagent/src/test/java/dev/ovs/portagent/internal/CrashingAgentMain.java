package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Child JVM for the kill -9 test: add-port/del-port cycles forever until killed.
 * Arguments: OVSDB remote, host netns path, container reference, ledger path, docker socket.
 */
public final class CrashingAgentMain {
    private CrashingAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        OvsdbClient client = OvsdbClients.connect(ClientOptions.of(args[0]));
        client.awaitConnected(Duration.ofSeconds(10));
        VSwitch vs = NetdevVSwitch.create(client);
        vs.replica().awaitSynced(Duration.ofSeconds(10));
        FileLedger ledger = FileLedger.open(Path.of(args[3]), true, Clock.systemUTC());
        PortAgentImpl agent = new PortAgentImpl(() -> vs, new ContainerResolver(new DockerClient(Path.of(args[4]), Duration.ofSeconds(2))),
                ledger, NetNamespace.ofPath(Path.of(args[1])), PortAgentImpl.Faults.NONE);
        System.out.println("READY");
        System.out.flush();
        while (true) {
            agent.addPort("br0", "eth1", args[2], new PortSettings("10.9.9.2/24", null, "10.9.9.1", 1400, dev.ovs.ovsdb.vswitch.VlanTag.of(4)), "crash-test");
            agent.deletePort("br0", "eth1", args[2], "crash-test");
        }
    }
}
