package dev.ovs.ovsdb.dbus.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.dbusjava.InlineDispatch;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.DbusMonitor;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.dbus.OvsdbBus;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code org.openvswitch.ovsdb} face on a real ovsdb-server and a real dbus-daemon, exported by the real
 * whiteboard exporter of {@code dev.ovs.dbus} (its error mapping on the wire), and checked with independent
 * tools: busctl and gdbus (calls, error names, introspection, {@code gdbus monitor} for signals) and ovs-vsctl
 * (what the calls did, and changes made behind Patchbay's back). No event bus exists in this test: signals come
 * from the replica alone.
 */
class OvsdbDbusIT {
    private ShortTempDir dir;
    private OvsdbServer ovsdb;
    private DbusDaemon bus;
    private OvsdbClient client;
    private VSwitch vswitch;
    private DbusConnectionComponent dbus;
    private OvsdbDbusComponent face;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        ovsdb = OvsdbServer.start(null, dir.path());
        bus = DbusDaemon.start(dir.path());
        client = OvsdbClients.connect(ClientOptions.of(ovsdb.remote()));
        vswitch = VSwitches.create(client, false, 1000);
        assertThat(vswitch.replica().awaitSynced(Duration.ofSeconds(20))).isTrue();
        dbus = new DbusConnectionComponent(bus.address());
        face = new OvsdbDbusComponent(vswitch, dbus);
        assertThat(dbus.export(face, OvsdbBus.OBJECT_PATH, OvsdbBus.BUS_NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        if (face != null) {
            face.close();
        }
        if (dbus != null) {
            dbus.close();
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

    /** gdbus call: its output, or its stderr (which carries the D-Bus error name and message). */
    private String gdbus(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest",
                OvsdbBus.BUS_NAME, "--object-path", OvsdbBus.OBJECT_PATH, "--method", OvsdbBus.INTERFACE + "." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void introspectionShowsEveryPinnedMemberAndSignature() {
        String out = bus.busctl("introspect", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE);
        assertThat(out).containsPattern("\\.AddPort\\s+method\\s+ss\\s+-")
                .containsPattern("\\.BridgeExists\\s+method\\s+s\\s+b")
                .containsPattern("\\.CreateBridge\\s+method\\s+s\\s+-")
                .containsPattern("\\.DeleteBridge\\s+method\\s+s\\s+-")
                .containsPattern("\\.DeletePort\\s+method\\s+ss\\s+-")
                .containsPattern("\\.ListBridgePorts\\s+method\\s+s\\s+as")
                .containsPattern("\\.ListBridges\\s+method\\s+-\\s+as")
                .containsPattern("\\.Transact\\s+method\\s+s\\s+s")
                .containsPattern("\\.BridgeAdded\\s+signal\\s+s\\s+-")
                .containsPattern("\\.BridgeRemoved\\s+signal\\s+s\\s+-")
                .containsPattern("\\.PortAdded\\s+signal\\s+ss\\s+-")
                .containsPattern("\\.PortRemoved\\s+signal\\s+ss\\s+-");
        assertThat(out.lines().filter(l -> l.startsWith(".")).count()).as("exactly the 12 pinned members").isEqualTo(12);
    }

    @Test
    void membersDoWhatOvsVsctlSees() throws Exception {
        assertThat(busctl("CreateBridge", "s", "br-x")).isEmpty();
        assertThat(ovsdb.vsctl("list-br").lines().toList()).contains("br-x");
        assertThat(gdbus("CreateBridge", "br-x"))
                .contains("GDBus.Error:org.openvswitch.ovsdb.Error.AlreadyExists: CreateBridge: ");

        assertThat(busctl("BridgeExists", "s", "br-x")).isEqualTo("b true");
        assertThat(busctl("BridgeExists", "s", "br-nope")).isEqualTo("b false");

        ovsdb.vsctl("add-br", "br-y");
        await("br-y in replica", () -> busctl("BridgeExists", "s", "br-y").equals("b true"));
        assertThat(busctl("ListBridges")).isEqualTo("as 2 \"br-x\" \"br-y\"");

        assertThat(busctl("AddPort", "ss", "br-x", "p1")).isEmpty();
        assertThat(ovsdb.vsctl("list-ports", "br-x").lines().toList()).containsExactly("p1");
        ovsdb.vsctl("add-port", "br-x", "p0");
        await("p0", () -> busctl("ListBridgePorts", "s", "br-x").equals("as 2 \"p0\" \"p1\""));
        assertThat(gdbus("AddPort", "br-nope", "p9")).contains("org.openvswitch.ovsdb.Error.NotFound");
        assertThat(gdbus("AddPort", "br-y", "p1")).contains("org.openvswitch.ovsdb.Error.AlreadyExists");
        assertThat(gdbus("ListBridgePorts", "br-nope"))
                .contains("GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: ListBridgePorts: not found: no bridge named 'br-nope'");

        assertThat(busctl("DeletePort", "ss", "br-x", "p1")).isEmpty();
        assertThat(ovsdb.vsctl("list-ports", "br-x").lines().toList()).containsExactly("p0");
        assertThat(gdbus("DeletePort", "br-x", "p1")).contains("org.openvswitch.ovsdb.Error.NotFound");

        String result = busctl("Transact", "s",
                "[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\",\"br-y\"]],"
                        + "\"columns\":[\"name\"]}]");
        assertThat(result).startsWith("s ").contains("br-y");

        assertThat(busctl("DeleteBridge", "s", "br-x")).isEmpty();
        assertThat(ovsdb.vsctl("list-br").lines().toList()).containsExactly("br-y");
        assertThat(gdbus("DeleteBridge", "br-x")).contains("org.openvswitch.ovsdb.Error.NotFound");
    }

    /** gdbus call as uid 65534 with one supplementary group (setpriv): its output, or its stderr. */
    private String gdbusAsNobody(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--groups=4242",
                "gdbus", "call", "--address", bus.address(), "--dest", OvsdbBus.BUS_NAME, "--object-path",
                OvsdbBus.OBJECT_PATH, "--method", OvsdbBus.INTERFACE + "." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    @Test
    void transactWritesThatMakeTheSwitchRemoteControlledAreForRootOnly() {
        ovsdb.vsctl("add-br", "br0");
        String manager = "[\"Open_vSwitch\",{\"op\":\"insert\",\"table\":\"Manager\",\"row\":{\"target\":"
                + "\"ptcp:6640\"},\"uuid-name\":\"m\"},{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],"
                + "\"mutations\":[[\"manager_options\",\"insert\",[\"set\",[[\"named-uuid\",\"m\"]]]]]}]";
        String controller = "[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\","
                + "\"br0\"]],\"row\":{\"controller\":[\"set\",[]],\"external_ids\":[\"map\",[[\"a\",\"b\"]]]}}]";
        String harmless = "[\"Open_vSwitch\",{\"op\":\"update\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\","
                + "\"br0\"]],\"row\":{\"external_ids\":[\"map\",[[\"owner\",\"nobody\"]]]}}]";
        String before = ovsdb.vsctl("show");

        // no authorizer and an allow-all bus: the face's own rule is the only thing in the way
        assertThat(gdbusAsNobody("Transact", manager)).contains("GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: "
                + "Transact: op 1 (insert) writes table Manager, op 2 (mutate) writes Open_vSwitch.manager_options: "
                + "root only (dev.ovs.ovsdb.dbus transact.root.only), not uid 65534");
        assertThat(gdbusAsNobody("Transact", controller)).contains("AccessDenied")
                .contains("op 1 (update) writes Bridge.controller");
        assertThat(ovsdb.vsctl("show")).as("nothing was sent").isEqualTo(before);
        assertThat(gdbusAsNobody("Transact", harmless)).startsWith("OK ");
        assertThat(ovsdb.vsctl("get", "Bridge", "br0", "external_ids:owner").trim()).isEqualTo("nobody");

        assertThat(gdbus("Transact", manager)).as("root").startsWith("OK ");
        assertThat(ovsdb.vsctl("get-manager").trim()).isEqualTo("ptcp:6640");

        // configurable: with nothing root-only, the same call of uid 65534 goes through
        face.activate(java.util.Map.of(), new OvsdbDbusComponent.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return OvsdbDbusComponent.Config.class;
            }

            @Override
            public String transact_root_only() {
                return "";
            }
        });
        assertThat(gdbusAsNobody("Transact", controller)).startsWith("OK ");
    }

    @Test
    void badInputIsInvalidArgsOnEveryMemberBeforeAnySideEffect() {
        String before = ovsdb.vsctl("show");
        for (String bad : List.of("", "a-name-that-is-too-long", "br/0", "br:0", "br 0", ".", "..", "tab\tx",
                "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9")) {
            for (String[] call : List.of(
                    new String[] {"CreateBridge", bad}, new String[] {"DeleteBridge", bad},
                    new String[] {"AddPort", bad, "p1"}, new String[] {"AddPort", "br0", bad},
                    new String[] {"DeletePort", bad, "p1"}, new String[] {"DeletePort", "br0", bad},
                    new String[] {"BridgeExists", bad}, new String[] {"ListBridgePorts", bad})) {
                String argument = call.length == 3 && call[2].equals(bad) ? "port: " : "bridge: ";
                assertThat(gdbus(call[0], Arrays.copyOfRange(call, 1, call.length))).as(String.join(" ", call))
                        .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: " + argument);
            }
        }
        for (String bad : List.of("", "   ", "{", "{}", "[]", "[1]", "[\"Open_vSwitch\", 3]",
                "[\"Open_vSwitch\", {\"no\":1}]")) {
            assertThat(gdbus("Transact", bad)).as(bad).contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: json: ");
        }
        assertThat(ovsdb.vsctl("show")).as("nothing changed").isEqualTo(before);
        // a call with the wrong signature never reaches the face: dbus-java answers it
        Cmd.Failed f = org.junit.jupiter.api.Assertions.assertThrows(Cmd.Failed.class, () -> bus.busctl("call",
                OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.INTERFACE, "CreateBridge", "i", "5"));
        assertThat(f.stderr()).isNotBlank();
    }

    @Test
    void withoutVSwitchEveryMemberIsUnavailableButBadInputStillInvalidArgs() {
        face.close(); // the VSwitch service went away (OVSDB component reconfigured)
        for (String[] call : List.of(new String[] {"BridgeExists", "br0"}, new String[] {"ListBridges"},
                new String[] {"ListBridgePorts", "br0"}, new String[] {"CreateBridge", "br0"},
                new String[] {"AddPort", "br0", "p0"}, new String[] {"Transact", "[\"Open_vSwitch\"]"})) {
            assertThat(gdbus(call[0], Arrays.copyOfRange(call, 1, call.length))).as(call[0])
                    .contains("GDBus.Error:org.openvswitch.ovsdb.Error.Unavailable: " + call[0]
                            + ": the OVSDB service (bundle dev.ovs.ovsdb, VSwitch) is not available right now; retry");
        }
        assertThat(gdbus("CreateBridge", "bad/name")).as("input is checked before the service is looked up")
                .contains("org.freedesktop.DBus.Error.InvalidArgs: bridge: ");
    }

    @Test
    void ovsdbServerGoneIsUnavailableNotAStaleAnswer() throws Exception {
        assertThat(busctl("CreateBridge", "s", "br-x")).isEmpty();
        ovsdb.stop();
        assertThat(gdbus("CreateBridge", "br-z")).containsPattern("org\\.openvswitch\\.ovsdb\\.Error\\.(Unavailable|Timeout)");
        // the read-only members answer from the replica, but never from one that has lost its server
        await("BridgeExists Unavailable", () -> gdbus("BridgeExists", "br-x")
                .contains("org.openvswitch.ovsdb.Error.Unavailable: BridgeExists: not connected: "));
        assertThat(gdbus("ListBridges")).contains("org.openvswitch.ovsdb.Error.Unavailable");
        assertThat(gdbus("ListBridgePorts", "br-x")).contains("org.openvswitch.ovsdb.Error.Unavailable");
    }

    @Test
    void ownChangesAreVisibleToTheReadOnlyMembersAsSoonAsTheCallReturned() {
        // no echo barrier before the replica read: the replica applies the monitor update of our own transaction
        // before the transaction's reply completes. Back to back, no waiting.
        for (int i = 0; i < 20; i++) {
            String br = "br-own" + i;
            face.CreateBridge(br);
            assertThat(face.BridgeExists(br)).as(br + " after CreateBridge").isTrue();
            assertThat(face.ListBridges()).as("ListBridges after CreateBridge").contains(br);
            face.AddPort(br, "p-own" + i);
            assertThat(face.ListBridgePorts(br)).as("ports of " + br + " after AddPort").containsExactly("p-own" + i);
            face.DeletePort(br, "p-own" + i);
            assertThat(face.ListBridgePorts(br)).as("ports of " + br + " after DeletePort").isEmpty();
            face.DeleteBridge(br);
            assertThat(face.BridgeExists(br)).as(br + " after DeleteBridge").isFalse();
        }
    }

    @Test
    void readOnlyMembersAreAnsweredOnTheReaderThreadAndWritersOnThePool() {
        assertThat(busctl("CreateBridge", "s", "br-i")).isEmpty();
        InlineDispatch d = dbus.inlineDispatch().orElseThrow();
        assertThat(d.installed()).as("refusal: %s", d.refusal()).isTrue();
        long before = d.inlineCalls();
        assertThat(busctl("BridgeExists", "s", "br-i")).isEqualTo("b true");
        assertThat(busctl("ListBridges")).isEqualTo("as 1 \"br-i\"");
        assertThat(busctl("ListBridgePorts", "s", "br-i")).isEqualTo("as 0");
        assertThat(gdbus("ListBridgePorts", "br-nope")).contains("org.openvswitch.ovsdb.Error.NotFound");
        bus.busctl("call", OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping");
        assertThat(d.inlineCalls()).as("BridgeExists, ListBridges, ListBridgePorts x2, Peer.Ping").isEqualTo(before + 5);
        // members that wait for ovsdb-server (and bad input, which never gets that far) stay on the pool
        assertThat(busctl("AddPort", "ss", "br-i", "p-i")).isEmpty();
        assertThat(gdbus("CreateBridge", "bad/name")).contains("org.freedesktop.DBus.Error.InvalidArgs");
        assertThat(d.inlineCalls()).isEqualTo(before + 5);
        assertThat(busctl("ListBridgePorts", "s", "br-i")).isEqualTo("as 1 \"p-i\"");
        assertThat(d.demoted()).isEmpty();
    }

    /**
     * The real chain, with no event bus anywhere: ovs-vsctl changes OVSDB behind Patchbay's back, ovsdb-server's
     * monitor update reaches the replica, the face signals it, and an independent {@code gdbus monitor} on the bus
     * sees the signal; a client that reads after the signal sees the change.
     */
    @Test
    void ovsVsctlChangesAreSignalled() throws Exception {
        try (DbusMonitor mon = DbusMonitor.start(bus, dir.path(), OvsdbBus.BUS_NAME)) {
            ovsdb.vsctl("add-br", "br-sig");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeAdded")).contains("/org/openvswitch/ovsdb")
                    .contains("('br-sig',)");
            assertThat(busctl("BridgeExists", "s", "br-sig")).as("read after the signal").isEqualTo("b true");
            ovsdb.vsctl("add-port", "br-sig", "eth0.100");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.PortAdded")).contains("('br-sig', 'eth0.100')");
            assertThat(busctl("ListBridgePorts", "s", "br-sig")).isEqualTo("as 1 \"eth0.100\"");
            ovsdb.vsctl("del-port", "br-sig", "eth0.100");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.PortRemoved")).contains("('br-sig', 'eth0.100')");
            ovsdb.vsctl("add-port", "br-sig", "p-last");
            ovsdb.vsctl("del-br", "br-sig");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeRemoved")).contains("('br-sig',)");
            assertThat(busctl("BridgeExists", "s", "br-sig")).as("read after the signal").isEqualTo("b false");
            // a bridge deleted with its ports: their removal is signalled too; the bridge's own local port never
            List<String> lines = mon.output().lines().filter(l -> l.contains("org.openvswitch.ovsdb.")).toList();
            assertThat(lines).filteredOn(l -> l.contains("PortRemoved")).hasSize(2)
                    .anySatisfy(l -> assertThat(l).contains("('br-sig', 'p-last')"));
            assertThat(lines).noneMatch(l -> l.contains("('br-sig', 'br-sig')"));
            // and changes made through the face itself are signalled the same way
            assertThat(busctl("CreateBridge", "s", "br-own")).isEmpty();
            assertThat(mon.awaitLine("('br-own',)")).contains("org.openvswitch.ovsdb.BridgeAdded");
        }
    }
}
