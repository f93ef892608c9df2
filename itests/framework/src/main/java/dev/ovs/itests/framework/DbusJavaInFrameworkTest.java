package dev.ovs.itests.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.Introspectable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * dbus-java 5.2.0 (core + native-unixsocket transport, wrapped as bundle
 * {@code dev.ovs.thirdparty.dbus-java}) works inside Felix: against a private, real
 * {@code dbus-daemon} it exports an object, calls it from a second connection, and introspects it —
 * through dbus-java and through {@code busctl}, an independent client.
 */
@ExtendWith(HostIsolation.Check.class)
class DbusJavaInFrameworkTest {
    private static final String BUS_NAME = "dev.ovs.itests.Echo";
    private static final String PATH = "/dev/ovs/itests/Echo";

    @InjectBundleContext
    BundleContext context;

    private ShortTempDir dir;
    private DbusDaemon daemon;

    @BeforeEach
    void startDaemon() {
        dir = ShortTempDir.create();
        daemon = DbusDaemon.start(dir.path());
    }

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    @Test
    void dbusJavaComesFromTheWrapperBundleAndItIsActive() {
        Bundle wrapper = FrameworkUtil.getBundle(DBusConnection.class);
        assertThat(wrapper).isNotNull();
        assertThat(wrapper.getSymbolicName()).isEqualTo("dev.ovs.thirdparty.dbus-java");
        assertThat(wrapper.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(context.getBundle().getSymbolicName()).isEqualTo("dev.ovs.itests");
    }

    @Test
    void exportCallAndIntrospectOnARealBus() throws Exception {
        try (DBusConnection server = DBusConnectionBuilder.forAddress(daemon.address()).build();
             DBusConnection client = DBusConnectionBuilder.forAddress(daemon.address()).build()) {
            EchoService impl = new EchoService() {
                @Override
                public String Echo(String text) {
                    return "echo:" + text;
                }

                @Override
                public String getObjectPath() {
                    return PATH;
                }
            };
            server.requestBusName(BUS_NAME);
            server.exportObject(PATH, impl);

            EchoService proxy = client.getRemoteObject(BUS_NAME, PATH, EchoService.class);
            assertThat(proxy.Echo("héllo")).isEqualTo("echo:héllo");

            Introspectable intro = client.getRemoteObject(BUS_NAME, PATH, Introspectable.class);
            String xml = intro.Introspect();
            assertThat(xml).contains("<interface name=\"dev.ovs.itests.Echo\">")
                    .contains("<method name=\"Echo\"");

            // an independent client sees the same object, member and signature
            String busctl = daemon.busctl("introspect", BUS_NAME, PATH, "dev.ovs.itests.Echo");
            assertThat(busctl).containsPattern("\\.Echo\\s+method\\s+s\\s+s");
            String reply = daemon.busctl("call", BUS_NAME, PATH, "dev.ovs.itests.Echo", "Echo", "s", "busctl");
            assertThat(reply.trim()).isEqualTo("s \"echo:busctl\"");

            server.unExportObject(PATH);
            server.releaseBusName(BUS_NAME);
        }
    }
}
