package dev.ovs.examples.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.examples.qos.dbus.QoS1;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.OvsdbServer;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** QosManager against a real ovsdb-server, checked with ovs-vsctl list qos/queue/port/interface. */
class QosManagerIT {
    static ShortTempDir dir;
    static OvsdbServer server;
    static OvsdbClient client;
    static VSwitch vs;
    static QosManager qos;

    @BeforeAll
    static void up() {
        dir = ShortTempDir.create();
        server = OvsdbServer.start(null, dir.path());
        client = OvsdbClients.connect(ClientOptions.of(server.remote()));
        vs = VSwitches.create(client, true, 5000);
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
        vs.addBridge("qbr0", null, true);
        vs.addPort("qbr0", "qp1", PortOptions.NONE, true);
        qos = new QosManager(vs, null);
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private static String v(String... a) {
        return server.vsctl(a).trim();
    }

    @Test
    void egressIngressAndClearLeaveNoOrphans() {
        qos.setIngressPolicing("qp1", 1000, 100);
        assertThat(v("get", "Interface", "qp1", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("1000\n100");

        qos.setEgressLimit("qp1", 10_000_000L);
        assertThat(v("--columns=type,other_config", "list", "qos")).contains("linux-htb").contains("max-rate=\"10000000\"");
        assertThat(v("--columns=other_config", "list", "queue")).contains("max-rate=\"10000000\"");
        assertThat(v("get", "Port", "qp1", "qos")).isEqualTo(v("--bare", "--columns=_uuid", "list", "qos"));
        assertThat(qos.get("qp1")).contains("\"type\":\"linux-htb\"").contains("\"max-rate\":\"10000000\"").contains("\"rate_kbps\":1000");

        // replacing deletes the old rows in the same transaction
        qos.setEgressLimit("qp1", 5_000_000L);
        assertThat(v("--bare", "--columns=_uuid", "list", "qos").lines().count()).isEqualTo(1);
        assertThat(v("--bare", "--columns=_uuid", "list", "queue").lines().count()).isEqualTo(1);
        assertThat(v("--columns=other_config", "list", "queue")).contains("max-rate=\"5000000\"");

        qos.clear("qp1");
        assertThat(v("list", "qos")).isEmpty();
        assertThat(v("list", "queue")).isEmpty();
        assertThat(v("get", "Port", "qp1", "qos")).isEqualTo("[]");
        assertThat(v("get", "Interface", "qp1", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("0\n0");
        assertThat(qos.get("qp1")).contains("\"qos\":null");
        qos.clear("qp1"); // idempotent
    }

    @Test
    void badInputChangesNothing() {
        vs.addPort("qbr0", "qp2", PortOptions.NONE, true);
        qos.setEgressLimit("qp2", 1000);
        String before = v("list", "port", "qp2") + v("list", "qos") + v("list", "queue") + v("list", "interface", "qp2");
        assertThatThrownBy(() -> qos.setEgressLimit("qp2", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("max_rate_bps:");
        assertThatThrownBy(() -> qos.setEgressLimit("qp2", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> qos.setIngressPolicing("qp2", -1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rate_kbps:");
        assertThatThrownBy(() -> qos.setIngressPolicing("qp2", 1, 1L << 33)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("burst_kb:");
        assertThatThrownBy(() -> qos.clear("a-very-long-port-name")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> qos.setEgressLimit("nosuch", 1)).isInstanceOf(OvsdbException.class);
        assertThat(v("list", "port", "qp2") + v("list", "qos") + v("list", "queue") + v("list", "interface", "qp2")).isEqualTo(before);
        qos.clear("qp2");
        assertThat(v("list", "qos")).isEmpty();
    }

    @Test
    void dbusErrorsHaveThePinnedNames() {
        try (ShortTempDir d = ShortTempDir.create(); DbusDaemon bus = DbusDaemon.start(d.path())) {
            DbusConnectionComponent dbus = new DbusConnectionComponent(bus.address());
            try {
                assertThat(dbus.export(new QosDbusComponent(vs, null), QoS1.OBJECT_PATH, QoS1.BUS_NAME).state())
                        .isEqualTo(State.EXPORTED);
                assertThat(gdbus(bus, "SetEgressLimit", "qp1", "0"))
                        .contains("GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: max_rate_bps: must be 1..");
                assertThat(gdbus(bus, "Clear", "nosuch"))
                        .contains("GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: Clear: ");
                assertThat(gdbus(bus, "Get", "qp1")).startsWith("OK ").contains("qp1");
            } finally {
                dbus.close();
            }
        }
    }

    private static String gdbus(DbusDaemon bus, String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest", QoS1.BUS_NAME,
                "--object-path", QoS1.OBJECT_PATH, "--method", "dev.ovs.QoS1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }
}
