package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ovs.bus.Event;
import dev.ovs.bus.Topics;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.dbusjava.InlineDispatch;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * org.openvswitch.ovsdb backed by the OVSDB bundle's VSwitch against a real ovsdb-server and a real
 * dbus-daemon, driven and checked with independent tools (busctl, gdbus, ovs-vsctl).
 */
class RealOvsTest {
    private ShortTempDir dir;
    private OvsdbServer ovsdb;
    private DbusDaemon bus;
    private OvsdbClient client;
    private Replica replica;
    private DbusConnectionComponent component;
    private final AtomicReference<SwitchOps> backend = new AtomicReference<>();

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        ovsdb = OvsdbServer.start(null, dir.path());
        bus = DbusDaemon.start(dir.path());
        client = OvsdbClients.connect(ClientOptions.of(ovsdb.remote()));
        VSwitch vs = VSwitches.create(client, false, 1000);
        replica = vs.replica();
        assertThat(replica.awaitSynced(Duration.ofSeconds(20))).isTrue();
        backend.set(new VSwitchOps(vs));
        component = new DbusConnectionComponent(bus.address());
        assertThat(component.exporter().add(1, "dev.ovs.dbus", new OvsdbObject(backend::get), OvsdbBus.OBJECT_PATH,
                OvsdbBus.BUS_NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        if (component != null) {
            component.close();
        }
        if (replica != null) {
            replica.close();
        }
        if (client != null) {
            client.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (ovsdb != null) {
            ovsdb.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private String busctl(String member, String... sigArgs) {
        List<String> a = new ArrayList<>(List.of("call", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE,
                member));
        a.addAll(List.of(sigArgs));
        return bus.busctl(a.toArray(String[]::new)).trim();
    }

    private String gdbusError(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest",
                OvsdbBus.BUS_NAME, "--object-path", OvsdbBus.OBJECT_PATH, "--method", OvsdbBus.INTERFACE + "." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    private void awaitReplica(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        ConnectionAndWhiteboardTest.await(what, c);
    }

    @Test
    void membersDoWhatOvsVsctlSees() throws Exception {
        assertThat(busctl("CreateBridge", "s", "br-x")).isEmpty();
        assertThat(ovsdb.vsctl("list-br").lines().toList()).contains("br-x");
        assertThat(gdbusError("CreateBridge", "br-x")).contains("org.openvswitch.ovsdb.Error.AlreadyExists");

        assertThat(busctl("BridgeExists", "s", "br-x")).isEqualTo("b true");
        assertThat(busctl("BridgeExists", "s", "br-nope")).isEqualTo("b false");

        ovsdb.vsctl("add-br", "br-y");
        awaitReplica("br-y in replica", () -> busctl("BridgeExists", "s", "br-y").equals("b true"));
        assertThat(busctl("ListBridges")).isEqualTo("as 2 \"br-x\" \"br-y\"");

        assertThat(busctl("AddPort", "ss", "br-x", "p1")).isEmpty();
        assertThat(ovsdb.vsctl("list-ports", "br-x").lines().toList()).containsExactly("p1");
        ovsdb.vsctl("add-port", "br-x", "p0");
        awaitReplica("p0", () -> busctl("ListBridgePorts", "s", "br-x").equals("as 2 \"p0\" \"p1\""));
        assertThat(gdbusError("AddPort", "br-nope", "p9")).contains("org.openvswitch.ovsdb.Error.NotFound");
        assertThat(gdbusError("AddPort", "br-y", "p1")).contains("org.openvswitch.ovsdb.Error.AlreadyExists");
        assertThat(gdbusError("ListBridgePorts", "br-nope")).contains("org.openvswitch.ovsdb.Error.NotFound");

        assertThat(busctl("DeletePort", "ss", "br-x", "p1")).isEmpty();
        assertThat(ovsdb.vsctl("list-ports", "br-x").lines().toList()).containsExactly("p0");
        assertThat(gdbusError("DeletePort", "br-x", "p1")).contains("org.openvswitch.ovsdb.Error.NotFound");

        String result = busctl("Transact", "s",
                "[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\",\"br-y\"]],"
                        + "\"columns\":[\"name\"]}]");
        assertThat(result).startsWith("s ").contains("br-y");

        assertThat(busctl("DeleteBridge", "s", "br-x")).isEmpty();
        assertThat(ovsdb.vsctl("list-br").lines().toList()).containsExactly("br-y");
        assertThat(gdbusError("DeleteBridge", "br-x")).contains("org.openvswitch.ovsdb.Error.NotFound");
    }

    @Test
    void readOnlyMembersAreAnsweredOnTheReaderThreadAndWritersOnThePool() throws Exception {
        assertThat(busctl("CreateBridge", "s", "br-i")).isEmpty();
        InlineDispatch d = BusConnector.inlineDispatch(component.connection().orElseThrow());
        assertThat(d).isNotNull();
        assertThat(d.installed()).as("refusal: %s", d.refusal()).isTrue();
        long before = d.inlineCalls();
        assertThat(busctl("BridgeExists", "s", "br-i")).isEqualTo("b true");
        assertThat(busctl("ListBridges")).isEqualTo("as 1 \"br-i\"");
        assertThat(busctl("ListBridgePorts", "s", "br-i")).isEqualTo("as 0");
        assertThat(gdbusError("ListBridgePorts", "br-nope")).contains("org.openvswitch.ovsdb.Error.NotFound");
        bus.busctl("call", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping");
        assertThat(d.inlineCalls()).as("BridgeExists, ListBridges, ListBridgePorts x2, Peer.Ping").isEqualTo(before + 5);
        // members that wait for ovsdb-server (and bad input, which never gets that far) stay on the pool
        assertThat(busctl("AddPort", "ss", "br-i", "p-i")).isEmpty();
        assertThat(gdbusError("CreateBridge", "bad/name")).contains("org.freedesktop.DBus.Error.InvalidArgs");
        assertThat(d.inlineCalls()).isEqualTo(before + 5);
        assertThat(busctl("ListBridgePorts", "s", "br-i")).isEqualTo("as 1 \"p-i\"");
        assertThat(d.demoted()).isEmpty();
    }

    @Test
    void ovsdbServerGoneIsAnOvsdbErrorNotACrash() throws Exception {
        assertThat(busctl("CreateBridge", "s", "br-x")).isEmpty();
        ovsdb.stop();
        String err = gdbusError("CreateBridge", "br-z");
        assertThat(err).containsPattern("org\\.openvswitch\\.ovsdb\\.Error\\.(Unavailable|Timeout)");
        // The read-only members answer from the replica without a round trip to ovsdb-server, but never from a
        // replica that has lost its server: Unavailable, not a stale "b true".
        awaitReplica("BridgeExists Unavailable", () -> gdbusError("BridgeExists", "br-x")
                .contains("org.openvswitch.ovsdb.Error.Unavailable"));
        assertThat(gdbusError("ListBridges")).contains("org.openvswitch.ovsdb.Error.Unavailable");
        assertThat(gdbusError("ListBridgePorts", "br-x")).contains("org.openvswitch.ovsdb.Error.Unavailable");
    }

    @Test
    void ownChangesAreVisibleToTheReadOnlyMembersAsSoonAsTheCallReturned() {
        // No echo barrier before the replica read: what makes this hold is that the replica applies the monitor
        // update of our own transaction before the transaction's reply completes. Back-to-back, no waiting.
        SwitchOps ops = backend.get();
        for (int i = 0; i < 30; i++) {
            String br = "br-own" + i;
            ops.createBridge(br);
            assertThat(ops.bridgeExists(br)).as(br + " after createBridge").isTrue();
            assertThat(ops.listBridges()).as("listBridges after createBridge").contains(br);
            ops.addPort(br, "p-own" + i);
            assertThat(ops.listBridgePorts(br)).as("ports of " + br + " after addPort").containsExactly("p-own" + i);
            ops.deletePort(br, "p-own" + i);
            assertThat(ops.listBridgePorts(br)).as("ports of " + br + " after deletePort").isEmpty();
            ops.deleteBridge(br);
            assertThat(ops.bridgeExists(br)).as(br + " after deleteBridge").isFalse();
        }
    }

    @Test
    void ovsVsctlChangesAreSignalled() throws Exception {
        // Glue standing in for the OVSDB bundle's replica -> event bus publisher: Bridge rows -> bus topics.
        OvsdbSignals signals = new OvsdbSignals(component);
        java.util.Map<String, Boolean> seenAtSignal = new java.util.concurrent.ConcurrentHashMap<>();
        replica.addListener(events -> {
            for (RowEvent e : events) {
                if (!"Bridge".equals(e.table()) || e.type() == RowEvent.Type.UPDATE) {
                    continue;
                }
                String name = e.row().getString("name");
                String verb = e.type() == RowEvent.Type.INSERT ? "added" : "removed";
                // what a D-Bus client that has just received this signal reads (no barrier): the change
                seenAtSignal.put(name + " " + verb, backend.get().bridgeExists(name));
                signals.onEvent(new Event(Topics.of("ovsdb", "bridge", name, verb), JsonNodeFactory.instance.objectNode(),
                        verb, System.currentTimeMillis(), "test"));
            }
        });
        try (Monitor mon = new Monitor(bus, dir.path(), OvsdbBus.BUS_NAME)) {
            ovsdb.vsctl("add-br", "br-sig");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeAdded")).contains("('br-sig',)");
            ovsdb.vsctl("del-br", "br-sig");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeRemoved")).contains("('br-sig',)");
        }
        assertThat(seenAtSignal).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("br-sig added", true,
                "br-sig removed", false));
    }
}
