package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code dbus:status} against a real dbus-daemon (test harness). */
class DbusCommandsTest {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent component;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
    }

    @AfterEach
    void tearDown() {
        if (component != null) {
            component.close();
        }
        bus.close();
        dir.close();
    }

    @Test
    void statusShowsConnectionInlineDispatchAndEveryExport() throws Exception {
        component = new DbusConnectionComponent(bus.address());
        ConnectionAndWhiteboardTest.await("connected", component::isConnected);
        component.exporter().add(7, "b.one", new EchoImpl("/dev/ovs/test/Echo1", "a"), "/dev/ovs/test/Echo1",
                "dev.ovs.test.Echo1");
        component.exporter().add(8, "b.two", new EchoImpl("/dev/ovs/test/Echo1", "b"), "/dev/ovs/test/Echo1", null);
        bus.busctl("call", "dev.ovs.test.Echo1", "/dev/ovs/test/Echo1", "org.freedesktop.DBus.Peer", "Ping");

        String status = new DbusCommands(component, component).status();
        String unique = component.uniqueName().orElseThrow();
        assertThat(status).contains("connection: " + bus.address() + " — connected as " + unique
                + " (connections made: 1, signals dropped while disconnected: 0)");
        assertThat(status).contains("inline dispatch: on — 1 calls answered on the reader thread; taken off it: none");
        assertThat(status).contains("exports: 2");
        assertThat(status).contains("  /dev/ovs/test/Echo1  dev.ovs.test.Echo1  EXPORTED  service 7 of b.one\n");
        assertThat(status).containsPattern("  /dev/ovs/test/Echo1  -  PATH_CONFLICT  service 8 of b.two  \\(.+\\)\n");

        bus.stop();
        ConnectionAndWhiteboardTest.await("disconnected", () -> !component.isConnected());
        assertThat(new DbusCommands(component, component).status()).contains("— not connected")
                .contains("inline dispatch: — (no connection)");
    }
}
