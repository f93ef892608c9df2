package dev.ovs.ovsdb.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.TestOvsdb;
import dev.ovs.ovsdb.TransactionObserver;
import dev.ovs.ovsdb.shell.OvsCommands;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DS components outside a framework (fields injected as SCR would), against a real ovsdb-server. */
class ComponentsIT {
    static TestOvsdb server;

    @BeforeAll
    static void up() throws Exception {
        server = TestOvsdb.start();
    }

    @AfterAll
    static void down() throws Exception {
        server.close();
    }

    /** An OvsdbConfig with defaults, remote and overrides. */
    static OvsdbConfig config(String remote, boolean waitForVswitchd) {
        return (OvsdbConfig) Proxy.newProxyInstance(OvsdbConfig.class.getClassLoader(), new Class<?>[] {OvsdbConfig.class},
                (p, m, a) -> switch (m.getName()) {
                    case "remote" -> remote;
                    case "wait_for_vswitchd" -> waitForVswitchd;
                    case "annotationType" -> OvsdbConfig.class;
                    default -> m.getDefaultValue();
                });
    }

    static void inject(Object target, String field, Object value) throws Exception {
        Class<?> c = target.getClass();
        while (c != null) {
            try {
                Field f = c.getDeclaredField(field);
                f.setAccessible(true);
                f.set(target, value);
                return;
            } catch (NoSuchFieldException e) {
                c = c.getSuperclass();
            }
        }
        throw new NoSuchFieldException(field);
    }

    record Published(String topic, Map<String, ?> payload, String type) {
    }

    static final class RecordingBus implements EventBus {
        final List<Published> events = new CopyOnWriteArrayList<>();

        @Override
        public void publish(String topic, JsonNode payload, String type) {
            throw new AssertionError("map payloads expected");
        }

        @Override
        public void publish(String topic, Map<String, ?> payload, String type) {
            events.add(new Published(topic, payload, type));
        }

        @Override
        public Subscription subscribe(String pattern, EventListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BusStats stats() {
            return null;
        }

        @Override
        public boolean isEnabled() {
            return true;
        }
    }

    static long ovsdbThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ovsdb-") && t.isAlive()).count();
    }

    @Test
    void componentEventsAndCommands() throws Exception {
        long threadsBefore = ovsdbThreads();
        OvsdbConfig cfg = config(server.remote(), true);
        OvsdbClientComponent client = new OvsdbClientComponent(Map.of(), cfg);
        VSwitchComponent comp = new VSwitchComponent(client, Map.of(), cfg, null);
        RecordingBus bus = new RecordingBus();
        OvsdbEvents events = new OvsdbEvents();
        inject(events, "vswitch", comp);
        inject(events, "bus", bus);
        OvsCommands cmds = new OvsCommands(comp);
        try {
            assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
            assertThat(comp.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            assertThat(comp.client()).isSameAs(client);
            events.activate();
            assertThatThrownBy(client::close).isInstanceOf(UnsupportedOperationException.class);
            // commands (cur_cfg is 0 without ovs-vswitchd: no waiting)
            cmds.dispatch("add-br", new String[] {"cb0", "datapath_type=netdev"});
            cmds.dispatch("add-port", new String[] {"cb0", "eth0.100", "tag=7", "trunks=[1,2]"});
            cmds.dispatch("add-port", new String[] {"--may-exist", "cb0", "eth0.100"});
            assertThat(cmds.dispatch("list-br", new String[0])).isEqualTo("cb0\n");
            assertThat(cmds.dispatch("list-ports", new String[] {"cb0"})).isEqualTo("eth0.100\n");
            cmds.set("Port", "eth0.100", "vlan_mode=native-untagged", "other_config:k=v", "trunks=[]");
            cmds.set("Interface", "eth0.100", "options={a=b,c=d}", "mtu_request=1500");
            assertThat(server.vsctl("get", "Port", "eth0.100", "vlan_mode", "other_config", "trunks", "tag").trim())
                    .isEqualTo("native-untagged\n{k=v}\n[]\n7");
            assertThat(server.vsctl("get", "Interface", "eth0.100", "options", "mtu_request").trim())
                    .isEqualTo("{a=b, c=d}\n1500");
            assertThatThrownBy(() -> cmds.set("Port", "eth0.100", "tag=abc")).hasMessageContaining("expected integer");
            assertThatThrownBy(() -> cmds.dispatch("add-br", new String[] {"--bogus", "x"})).hasMessageContaining("unknown option");
            String show = cmds.show();
            assertThat(show).contains("    Bridge cb0\n        datapath_type: netdev\n", "        Port \"eth0.100\"".replace("\"", ""),
                    "            tag: 7\n", "                options: {a=b, c=d}");
            // mirrors, QoS and queues from the shell
            cmds.dispatch("add-port", new String[] {"cb0", "mo1"});
            String mu = (String) cmds.dispatch("add-mirror", new String[] {"cb0", "mir", "select_src_port=eth0.100",
                "output_port=mo1", "select_vlan=7"});
            assertThat(server.vsctl("get", "Mirror", "mir", "_uuid").trim()).isEqualTo(mu.trim());
            assertThat(cmds.dispatch("list-mirrors", new String[] {"cb0"}))
                    .isEqualTo("mir select_all=false select_src_port=[eth0.100] select_dst_port=[] select_vlan=[7] output_port=mo1\n");
            String qu = ((String) cmds.dispatch("set-qos", new String[] {"mo1", "linux-htb", "max-rate=1000000",
                "q0:max-rate=500000", "q1:dscp=8"})).trim();
            assertThat(server.vsctl("get", "Port", "mo1", "qos").trim()).isEqualTo(qu);
            assertThat(server.vsctl("get", "QoS", qu, "other_config:max-rate").trim()).isEqualTo("\"1000000\"");
            assertThat((String) cmds.dispatch("qos", new String[] {"mo1"})).contains("type=linux-htb", "queue 0:", "queue 1:", "dscp=8");
            cmds.dispatch("set-queue", new String[] {"mo1", "2", "max-rate=100"});
            cmds.dispatch("del-queue", new String[] {"mo1", "1"});
            assertThat(server.vsctl("get", "QoS", qu, "queues").trim()).matches("\\{0=[0-9a-f-]+, 2=[0-9a-f-]+\\}");
            assertThatThrownBy(() -> cmds.dispatch("set-qos", new String[] {"mo1", "bogus"})).hasMessageContaining("qos: type");
            cmds.dispatch("clear-qos", new String[] {"mo1"});
            assertThat(server.vsctl("--columns=_uuid", "list", "QoS").trim()).isEmpty();
            assertThat(server.vsctl("--columns=_uuid", "list", "Queue").trim()).isEmpty();
            cmds.dispatch("del-mirror", new String[] {"cb0", "mir"});
            assertThat(server.vsctl("list", "Mirror").trim()).isEmpty();
            cmds.dispatch("del-port", new String[] {"cb0", "mo1"});
            assertThat(cmds.transact("[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[],\"columns\":[\"name\"]}]"))
                    .contains("\"name\":\"cb0\"");
            // changes by ovs-vsctl are published too
            server.vsctl("add-br", "vsbr", "--", "add-port", "vsbr", "vp1");
            server.vsctl("set", "Interface", "vp1", "external_ids:container_id=abc");
            // ovs:monitor prints them
            PrintStream old = System.out;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    server.vsctl("set", "Port", "vp1", "tag=9");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String summary;
            System.setOut(new PrintStream(buf, true));
            try {
                t.start();
                summary = cmds.monitor("2");
            } finally {
                System.setOut(old);
            }
            t.join();
            assertThat(buf.toString()).contains("UPDATE Port vp1").contains("tag=[9]");
            assertThat(summary).doesNotStartWith("0 ");
            cmds.dispatch("del-port", new String[] {"cb0", "eth0.100"});
            cmds.dispatch("del-br", new String[] {"cb0"});
            cmds.dispatch("del-br", new String[] {"--if-exists", "cb0"});
            assertThatThrownBy(() -> cmds.dispatch("del-br", new String[] {"cb0"}))
                    .isInstanceOfSatisfying(OvsdbException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NotFound));
            server.vsctl("del-br", "vsbr");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (bus.events.stream().noneMatch(e -> e.topic().equals("ovsdb.bridge.vsbr.removed")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> topics = bus.events.stream().map(Published::topic).toList();
            assertThat(topics).containsSubsequence("ovsdb.bridge.cb0.added", "ovsdb.bridge.cb0.removed");
            assertThat(topics).contains("ovsdb.port.eth0%2E100.added", "ovsdb.interface.eth0%2E100.added",
                    "ovsdb.port.eth0%2E100.updated", "ovsdb.port.eth0%2E100.removed",
                    "ovsdb.bridge.vsbr.added", "ovsdb.port.vp1.added", "ovsdb.interface.vp1.updated",
                    "ovsdb.port.vp1.removed", "ovsdb.bridge.vsbr.removed");
            Published portAdded = bus.events.stream().filter(e -> e.topic().equals("ovsdb.port.vp1.added")).findFirst().orElseThrow();
            assertThat(portAdded.payload().get("bridge")).isEqualTo("vsbr");
            assertThat(portAdded.payload().get("name")).isEqualTo("vp1");
            assertThat(portAdded.type()).isEqualTo("added");
            Published portRemoved = bus.events.stream().filter(e -> e.topic().equals("ovsdb.port.vp1.removed")).findFirst().orElseThrow();
            assertThat(portRemoved.payload().get("bridge")).isEqualTo("vsbr");
            Published ifUpd = bus.events.stream().filter(e -> e.topic().equals("ovsdb.interface.vp1.updated")).findFirst().orElseThrow();
            assertThat(ifUpd.payload().get("changed")).isEqualTo(List.of("external_ids"));
            assertThat(ifUpd.payload().get("external_ids")).isEqualTo(Map.of("container_id", "abc"));
            assertThat(ifUpd.payload().get("port")).isEqualTo("vp1");
            // each change once: no duplicate "added" for the same name
            assertThat(topics.stream().filter(x -> x.equals("ovsdb.bridge.vsbr.added")).count()).isEqualTo(1);
        } finally {
            events.deactivate();
            comp.deactivate();
            client.deactivate();
        }
        // every thread the component started is gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ovsdbThreads() > threadsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ovsdbThreads()).isEqualTo(threadsBefore);
    }

    @Test
    void unreachableServerGivesUnavailable() {
        OvsdbConfig cfg = config("unix:" + server.dir.resolve("nothing-here.sock"), true);
        OvsdbClientComponent client = new OvsdbClientComponent(Map.of(), cfg);
        VSwitchComponent comp = new VSwitchComponent(client, Map.of(), cfg, null);
        try {
            assertThatThrownBy(() -> comp.listBridges()).isInstanceOfSatisfying(OvsdbException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.Unavailable));
            assertThatThrownBy(() -> comp.addBridge("x", null, false)).isInstanceOfSatisfying(OvsdbException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.Unavailable));
            assertThatThrownBy(() -> comp.addBridge("bad/name", null, false)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            comp.deactivate();
            client.deactivate();
        }
        assertThat(VSwitch.DB).isEqualTo("Open_vSwitch");
    }

    @Test
    void transactionObserversHearEachTransactWithItsOutcome() throws Exception {
        OvsdbConfig cfg = config(server.remote(), true);
        OvsdbClientComponent client = new OvsdbClientComponent(Map.of(), cfg);
        List<String> seen = new CopyOnWriteArrayList<>();
        TransactionObserver o = (db, outcome, nanos) -> seen.add(db + " " + outcome + (nanos > 0 ? "" : " no time"));
        client.bindTransactionObserver(o);
        try {
            assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
            JsonNode ok = client.transact(client.mapper().createArrayNode().add("Open_vSwitch")
                    .add(client.mapper().createObjectNode().put("op", "select").put("table", "Bridge")
                            .set("where", client.mapper().createArrayNode()))).get(10, TimeUnit.SECONDS);
            assertThat(ok.get(0).has("rows")).isTrue();
            // RFC 7047 4.1.3: an operation that fails puts an error object into the result array
            JsonNode aborted = client.transact(client.mapper().createArrayNode().add("Open_vSwitch")
                    .add(client.mapper().createObjectNode().put("op", "wait").put("table", "Bridge").put("timeout", 0)
                            .put("until", "==").put("where", "x"))).get(10, TimeUnit.SECONDS);
            assertThat(aborted.toString()).contains("error");
            awaitSize(seen, 2);
            assertThat(seen).containsExactly("Open_vSwitch committed", "Open_vSwitch aborted");
            client.unbindTransactionObserver(o);
            client.transact(client.mapper().createArrayNode().add("Open_vSwitch")).get(10, TimeUnit.SECONDS);
            Thread.sleep(200);
            assertThat(seen).hasSize(2);
        } finally {
            client.deactivate();
        }
    }

    private static void awaitSize(List<String> l, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (l.size() < n && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }
}
