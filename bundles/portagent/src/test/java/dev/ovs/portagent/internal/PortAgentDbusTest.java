package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.Event;
import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.dbus.PortAgent1;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.messages.DBusSignal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev.ovs.PortAgent1 object exported with dbus-java on a private dbus-daemon, called with busctl
 * and gdbus (wire signatures, error names, caller identity, signals).
 */
class PortAgentDbusTest {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DBusConnection conn;
    private final List<String> calls = new ArrayList<>();
    private volatile RuntimeException toThrow;

    private final PortAgent stub = new PortAgent() {
        private void maybeThrow() {
            RuntimeException e = toThrow;
            if (e != null) {
                throw e;
            }
        }

        @Override
        public String addPort(String bridge, String iface, String container, PortSettings s, String caller) {
            calls.add("add " + bridge + " " + iface + " " + container + " " + s + " by " + caller);
            maybeThrow();
            return "0123456789abc_l";
        }

        @Override
        public void deletePort(String bridge, String iface, String container, String caller) {
            calls.add("del " + bridge + " " + iface + " " + container);
            maybeThrow();
        }

        @Override
        public List<String> deletePorts(String bridge, String container, String caller) {
            calls.add("delall " + bridge + " " + container);
            return List.of();
        }

        @Override
        public void setVlan(String bridge, String iface, String container, int vlan, String caller) {
            calls.add("vlan " + iface + " " + vlan);
        }

        @Override
        public List<ContainerPort> listPorts() {
            maybeThrow();
            return List.of(new ContainerPort("0123456789abc_l", "br0", "c1", "eth1", null));
        }

        @Override
        public LedgerStats ledgerStats() {
            return new LedgerStats(7, "ab".repeat(32), true, "t1", "t2", null, "/l");
        }

        @Override
        public LedgerStats verifyLedger() {
            return ledgerStats();
        }

        @Override
        public List<LedgerEntry> ledgerTail(int n) {
            return List.of();
        }
    };

    private final DbusConnectionService service = new DbusConnectionService() {
        @Override
        public String address() {
            return bus.address();
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public Optional<DBusConnection> connection() {
            return Optional.of(conn);
        }

        @Override
        public Optional<String> uniqueName() {
            return Optional.of(conn.getUniqueName());
        }

        @Override
        public boolean emit(DBusSignal signal) {
            conn.sendMessage(signal);
            return true;
        }

        @Override
        public long connectCount() {
            return 1;
        }

        @Override
        public long droppedSignals() {
            return 0;
        }

        @Override
        public void addListener(DbusConnectionListener listener) {
        }

        @Override
        public void removeListener(DbusConnectionListener listener) {
        }
    };

    private PortAgentDbusComponent object;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        conn = DBusConnectionBuilder.forAddress(bus.address()).build();
        object = new PortAgentDbusComponent(stub, service);
        conn.requestBusName(PortAgent1.BUS_NAME);
        conn.exportObject(PortAgent1.OBJECT_PATH, object);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (conn != null) {
                conn.close();
            }
        } finally {
            if (bus != null) {
                bus.close();
            }
            dir.close();
        }
    }

    private String busctl(String member, String... sig) {
        List<String> a = new ArrayList<>(List.of("call", PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH, "dev.ovs.PortAgent1", member));
        a.addAll(List.of(sig));
        return bus.busctl(a.toArray(String[]::new)).trim();
    }

    private String gdbusError(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest", PortAgent1.BUS_NAME,
                "--object-path", PortAgent1.OBJECT_PATH, "--method", "dev.ovs.PortAgent1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    @Test
    void introspectionShowsThePinnedSignatures() {
        String out = bus.busctl("introspect", PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH, "dev.ovs.PortAgent1");
        assertThat(out).containsPattern("\\.CreateContainerInterface\\s+method\\s+sssa\\{sv\\}\\s+s")
                .containsPattern("\\.RemoveContainerInterface\\s+method\\s+sss\\s+-")
                .containsPattern("\\.RemoveContainerInterfaces\\s+method\\s+ss\\s+-")
                .containsPattern("\\.SetContainerVlan\\s+method\\s+sssq\\s+-")
                .containsPattern("\\.ListPorts\\s+method\\s+-\\s+as")
                .containsPattern("\\.GetBlockchainStats\\s+method\\s+-\\s+s")
                .containsPattern("\\.PortCreated\\s+signal\\s+sss")
                .containsPattern("\\.PortRemoved\\s+signal\\s+sss");
    }

    @Test
    void callsReachTheAgentWithOptionsAndCaller() throws Exception {
        assertThat(busctl("CreateContainerInterface", "sssa{sv}", "br0", "eth1", "c1", "3", "ipaddress", "s", "10.0.0.2/24",
                "mtu", "u", "1400", "vlan", "q", "7")).isEqualTo("s \"0123456789abc_l\"");
        assertThat(calls.get(0)).startsWith("add br0 eth1 c1 PortSettings[ipaddress=10.0.0.2/24, macaddress=null, gateway=null, "
                + "mtu=1400, vlan=7] by dbus::1.").endsWith(" uid=0");
        busctl("SetContainerVlan", "sssq", "br0", "eth1", "c1", "12");
        busctl("RemoveContainerInterface", "sss", "br0", "eth1", "c1");
        busctl("RemoveContainerInterfaces", "ss", "br0", "c1");
        assertThat(calls.subList(1, 4)).containsExactly("vlan eth1 12", "del br0 eth1 c1", "delall br0 c1");
        assertThat(busctl("ListPorts")).isEqualTo("as 1 \"0123456789abc_l\"");
        String stats = busctl("GetBlockchainStats");
        String json = new ObjectMapper().readTree(stats.substring(2)).asText();
        assertThat(new ObjectMapper().readTree(json).get("height").asLong()).isEqualTo(7);
    }

    @Test
    void errorsHaveStableNames() {
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "c1", "{'color': <'red'>}"))
                .contains("org.freedesktop.DBus.Error.InvalidArgs").contains("options: unknown key 'color'");
        toThrow = new IllegalArgumentException("container: no such container 'x'");
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "x", "{}"))
                .contains("org.freedesktop.DBus.Error.InvalidArgs").contains("container: no such container 'x'");
        toThrow = new PortAgentException(dev.ovs.base.ErrorKind.NotFound, "Failed to find any attached port", null);
        assertThat(gdbusError("RemoveContainerInterface", "br0", "eth1", "c1"))
                .contains("dev.ovs.PortAgent1.Error.NotFound").contains("Failed to find any attached port");
        toThrow = new PortAgentException(dev.ovs.base.ErrorKind.AlreadyExists, "Port already attached", null);
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "c1", "{}")).contains("dev.ovs.PortAgent1.Error.AlreadyExists");
        // a read from OVSDB while ovsdb-server (or the ovsdb bundle) is away: this interface's Unavailable
        toThrow = new dev.ovs.ovsdb.OvsdbException(dev.ovs.base.ErrorKind.Unavailable, "not connected",
                "no connection to ovsdb-server");
        assertThat(gdbusError("ListPorts")).contains("dev.ovs.PortAgent1.Error.Unavailable").contains("not connected");
        toThrow = null;
        PortAgentDbusComponent noAgent = new PortAgentDbusComponent(null, service);
        org.junit.jupiter.api.Assertions.assertThrows(dev.ovs.dbus.DbusError.class, noAgent::ListPorts);
    }

    @Test
    void busEventsBecomeSignals() throws Exception {
        BlockingQueue<PortAgent1.PortCreated> created = new LinkedBlockingQueue<>();
        BlockingQueue<PortAgent1.PortRemoved> removed = new LinkedBlockingQueue<>();
        try (DBusConnection listener = DBusConnectionBuilder.forAddress(bus.address()).build()) {
            listener.addSigHandler(PortAgent1.PortCreated.class, created::add);
            listener.addSigHandler(PortAgent1.PortRemoved.class, removed::add);
            ObjectMapper m = new ObjectMapper();
            object.onEvent(new Event("portagent.container.c1.port.created",
                    m.valueToTree(Map.of("container", "c1", "interface", "eth1", "port", "0123456789abc_l")), "x", 0, "test"));
            object.onEvent(new Event("portagent.container.c1.port.removed",
                    m.valueToTree(Map.of("container", "c1", "interface", "eth1", "port", "0123456789abc_l")), "x", 0, "test"));
            PortAgent1.PortCreated c = created.poll(10, TimeUnit.SECONDS);
            assertThat(c).isNotNull();
            assertThat(c.getContainer()).isEqualTo("c1");
            assertThat(c.getIface()).isEqualTo("eth1");
            assertThat(c.getPort()).isEqualTo("0123456789abc_l");
            assertThat(removed.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
