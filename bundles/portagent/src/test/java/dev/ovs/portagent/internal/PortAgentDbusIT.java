package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Setpriv;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev.ovs.PortAgent1 face exported by the real whiteboard exporter of dev.ovs.dbus on a private
 * dbus-daemon (its error mapping on the wire), in front of a stub port agent, called with busctl and gdbus
 * (wire signatures, error names, caller identity) and watched by another connection (signals).
 */
class PortAgentDbusIT {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent dbus;
    private final StubPortAgent stub = new StubPortAgent();
    private final List<String> calls = stub.calls;

    private PortAgentDbusComponent object;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        dbus = new DbusConnectionComponent(bus.address());
        object = new PortAgentDbusComponent(stub, dbus);
        assertThat(dbus.export(object, PortAgent1.OBJECT_PATH, PortAgent1.BUS_NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (dbus != null) {
                dbus.close();
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

    private String gdbus(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest", PortAgent1.BUS_NAME,
                "--object-path", PortAgent1.OBJECT_PATH, "--method", "dev.ovs.PortAgent1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
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
                .containsPattern("\\.VerifyLedger\\s+method\\s+-\\s+s")
                .containsPattern("\\.PortCreated\\s+signal\\s+sss")
                .containsPattern("\\.PortRemoved\\s+signal\\s+sss");
    }

    @Test
    void callsReachTheAgentWithOptionsAndCaller() throws Exception {
        assertThat(busctl("CreateContainerInterface", "sssa{sv}", "br0", "eth1", "c1", "3", "ipaddress", "s", "10.0.0.2/24",
                "mtu", "u", "1400", "vlan", "q", "7")).isEqualTo("s \"0123456789abc_l\"");
        assertThat(calls.get(0)).startsWith("add br0 eth1 c1 PortSettings[ipaddress=10.0.0.2/24, macaddress=null, gateway=null, "
                + "mtu=1400, vlan=7] by dbus::1.").matches(".* by dbus::1\\.\\d+ uid=0 pid=\\d+");
        busctl("SetContainerVlan", "sssq", "br0", "eth1", "c1", "12");
        busctl("RemoveContainerInterface", "sss", "br0", "eth1", "c1");
        busctl("RemoveContainerInterfaces", "ss", "br0", "c1");
        assertThat(calls.subList(1, 4)).containsExactly("vlan eth1 12", "del br0 eth1 c1", "delall br0 c1");
        assertThat(busctl("ListPorts")).isEqualTo("as 1 \"0123456789abc_l\"");
        String stats = busctl("GetBlockchainStats");
        String json = new ObjectMapper().readTree(stats.substring(2)).asText();
        assertThat(new ObjectMapper().readTree(json).get("height").asLong()).isEqualTo(7);
        String verified = new ObjectMapper().readTree(busctl("VerifyLedger").substring(2)).asText();
        assertThat(new ObjectMapper().readTree(verified).get("problem").asText()).isEqualTo("line 3: hash mismatch");
        assertThat(calls).endsWith("verify");
    }

    /** gdbus call as uid 65534 (setpriv): its output, or its stderr. */
    private String gdbusAsNobody(String member, String... args) {
        List<String> argv = new ArrayList<>(Setpriv.nobody());
        argv.addAll(List.of("gdbus", "call", "--address", bus.address(), "--dest", PortAgent1.BUS_NAME, "--object-path",
                PortAgent1.OBJECT_PATH, "--method", "dev.ovs.PortAgent1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    @Test
    void pidAndNetnsReferencesAreForRootOnly() {
        // an allow-all bus and no authorizer: the face's own rule is the only thing in the way
        // member, container, then the arguments
        for (String[] c : List.of(new String[] {"CreateContainerInterface", "netns:blue", "br0", "eth1", "netns:blue", "{}"},
                new String[] {"CreateContainerInterface", "pid:1", "br0", "eth1", "pid:1", "{}"},
                new String[] {"RemoveContainerInterface", "pid:1", "br0", "eth1", "pid:1"},
                new String[] {"RemoveContainerInterfaces", "netns:blue", "br0", "netns:blue"},
                new String[] {"SetContainerVlan", "netns:blue", "br0", "eth1", "netns:blue", "uint16 5"})) {
            String member = c[0];
            assertThat(gdbusAsNobody(member, java.util.Arrays.copyOfRange(c, 2, c.length))).as(member)
                    .contains("GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: " + member + ": container " + c[1]
                            + ": a pid: or netns: reference is for root only, not uid 65534");
        }
        assertThat(calls).as("the agent was not asked").isEmpty();
        assertThat(gdbusAsNobody("CreateContainerInterface", "br0", "eth1", "c1", "{}")).startsWith("OK ");
        assertThat(calls).hasSize(1);
        assertThat(gdbus("CreateContainerInterface", "br0", "eth1", "netns:blue", "{}")).as("root").startsWith("OK ");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).startsWith("add br0 eth1 netns:blue ");
    }

    @Test
    void errorsHaveStableNames() {
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "c1", "{'color': <'red'>}"))
                .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: options: unknown key 'color'");
        stub.toThrow = new InvalidArgumentException("container", "no such container 'x'");
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "x", "{}"))
                .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: container: no such container 'x'");
        stub.toThrow = new PortAgentException(ErrorKind.NotFound, "Failed to find any attached port", null);
        assertThat(gdbusError("RemoveContainerInterface", "br0", "eth1", "c1"))
                .contains("GDBus.Error:dev.ovs.PortAgent1.Error.NotFound: RemoveContainerInterface: Failed to find any attached port");
        stub.toThrow = new PortAgentException(ErrorKind.AlreadyExists, "Port already attached", null);
        assertThat(gdbusError("CreateContainerInterface", "br0", "eth1", "c1", "{}")).contains("dev.ovs.PortAgent1.Error.AlreadyExists");
        // a read from OVSDB while ovsdb-server (or the ovsdb bundle) is away: this interface's Unavailable
        stub.toThrow = new dev.ovs.ovsdb.OvsdbException(ErrorKind.Unavailable, "not connected", "no connection to ovsdb-server");
        assertThat(gdbusError("ListPorts"))
                .contains("GDBus.Error:dev.ovs.PortAgent1.Error.Unavailable: ListPorts: not connected: no connection to ovsdb-server");
        stub.toThrow = new IllegalStateException("a bug");
        assertThat(gdbusError("ListPorts")).contains("GDBus.Error:dev.ovs.PortAgent1.Error.Failed: ListPorts: java.lang.IllegalStateException: a bug");
        stub.toThrow = null;
    }

    @Test
    void withoutTheAgentEveryMemberIsUnavailable() {
        assertThat(dbus.export(new PortAgentDbusComponent(null, dbus), "/dev/ovs/test/NoAgent", null).state())
                .isEqualTo(State.EXPORTED);
        List<String> argv = List.of("gdbus", "call", "--address", bus.address(), "--dest", dbus.uniqueName().orElseThrow(),
                "--object-path", "/dev/ovs/test/NoAgent", "--method", "dev.ovs.PortAgent1.ListPorts");
        Cmd.Failed f = org.junit.jupiter.api.Assertions.assertThrows(Cmd.Failed.class,
                () -> Cmd.run(argv, Duration.ofSeconds(30)));
        assertThat(f.stderr()).contains("GDBus.Error:dev.ovs.PortAgent1.Error.Unavailable: ListPorts: the port agent service is not available");
    }

    @Test
    void portEventsBecomeSignalsWithoutAnyEventBus() throws Exception {
        BlockingQueue<PortAgent1.PortCreated> created = new LinkedBlockingQueue<>();
        BlockingQueue<PortAgent1.PortRemoved> removed = new LinkedBlockingQueue<>();
        try (DBusConnection listener = DBusConnectionBuilder.forAddress(bus.address()).build()) {
            listener.addSigHandler(PortAgent1.PortCreated.class, created::add);
            listener.addSigHandler(PortAgent1.PortRemoved.class, removed::add);
            object.portEvent("failed", "c1", "eth1", null, "veth: EEXIST"); // not signalled
            object.portEvent("created", "c1", "eth1", "0123456789abc_l", null);
            object.portEvent("removed", "c1", "eth1", "0123456789abc_l", null);
            PortAgent1.PortCreated c = created.poll(10, TimeUnit.SECONDS);
            assertThat(c).isNotNull();
            assertThat(c.getContainer()).isEqualTo("c1");
            assertThat(c.getIface()).isEqualTo("eth1");
            assertThat(c.getPort()).isEqualTo("0123456789abc_l");
            assertThat(removed.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
