package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ovs.bus.Event;
import dev.ovs.bus.Topics;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bus events become org.openvswitch.ovsdb signals that an independent client (gdbus monitor) sees. */
class SignalsTest {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        component = new DbusConnectionComponent(bus.address());
        component.exporter().add(1, "dev.ovs.dbus", new OvsdbObject(() -> null), OvsdbBus.OBJECT_PATH,
                OvsdbBus.BUS_NAME);
    }

    @AfterEach
    void tearDown() {
        component.close();
        bus.close();
        dir.close();
    }

    private static Event ev(String topic, String bridge) {
        var p = JsonNodeFactory.instance.objectNode();
        if (bridge != null) {
            p.put("bridge", bridge);
        }
        return new Event(topic, p, "x", System.currentTimeMillis(), "dev.ovs.ovsdb");
    }

    @Test
    void eventsBecomeSignals() throws Exception {
        OvsdbSignals signals = new OvsdbSignals(component);
        try (Monitor mon = new Monitor(bus, dir.path(), OvsdbBus.BUS_NAME)) {
            signals.onEvent(ev(Topics.of("ovsdb", "bridge", "br-sig", "added"), null));
            signals.onEvent(ev(Topics.of("ovsdb", "port", "eth0.100", "added"), "br-sig"));
            signals.onEvent(ev(Topics.of("ovsdb", "port", "eth0.100", "removed"), "br-sig"));
            signals.onEvent(ev(Topics.of("ovsdb", "bridge", "br-sig", "removed"), null));
            // unmappable: no bridge in a port event, other verbs
            signals.onEvent(ev(Topics.of("ovsdb", "port", "nobr", "added"), null));
            signals.onEvent(ev(Topics.of("ovsdb", "bridge", "br-sig", "updated"), null));
            signals.onEvent(ev(Topics.of("ovsdb", "port", "br-sig", "added"), "br-sig")); // local port
            signals.onEvent(ev(Topics.of("ovsdb", "bridge", "br-end", "added"), null)); // sentinel, last

            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeAdded"))
                    .contains("/org/openvswitch/ovsdb").contains("('br-sig',)");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.PortAdded")).contains("('br-sig', 'eth0.100')");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.PortRemoved")).contains("('br-sig', 'eth0.100')");
            assertThat(mon.awaitLine("org.openvswitch.ovsdb.BridgeRemoved")).contains("('br-sig',)");
            mon.awaitLine("('br-end',)");
            List<String> sigLines = mon.output().lines().filter(l -> l.contains("org.openvswitch.ovsdb.")).toList();
            assertThat(sigLines).hasSize(5);
            assertThat(mon.output()).doesNotContain("nobr");
        }
    }

    @Test
    void signalsWhileDisconnectedAreDroppedAndCounted() throws Exception {
        bus.stop();
        ConnectionAndWhiteboardTest.await("disconnect noticed", () -> !component.isConnected());
        OvsdbSignals signals = new OvsdbSignals(component);
        long before = component.droppedSignals();
        signals.onEvent(ev(Topics.of("ovsdb", "bridge", "b", "added"), null));
        assertThat(component.droppedSignals()).isEqualTo(before + 1);
    }
}
