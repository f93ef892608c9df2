package dev.ovs.itests.dbus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusExport;
import dev.ovs.itests.framework.EchoService;
import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.framework.HostIsolation;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * Uninstall and update of a bundle whose service is exported by the whiteboard of {@code dev.ovs.dbus}, in a
 * running Felix against a real dbus-daemon, with a replacement grace of 30 s: when the bundle is uninstalled no
 * successor is coming, so its bus name goes at once (the measured time is printed; it must be far below the grace);
 * when it is updated, the name stays owned by the same connection throughout, the placeholder answers
 * {@code Unavailable} until the new revision registers, and then the new revision answers.
 *
 * <p>The bundle is an empty one made by the test; its service (an {@link EchoService}) is registered through the
 * bundle's own context, so the service belongs to it and goes when it stops.
 */
@ExtendWith(HostIsolation.Check.class)
class HotUndeployTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NAME = "dev.ovs.itests.Undeploy1";
    private static final String PATH = "/dev/ovs/itests/Undeploy1";

    @InjectBundleContext
    BundleContext context;

    private ShortTempDir dir;
    private DbusDaemon dbus;
    private Path jar;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        Files.createDirectories(dir.resolve("dbus"));
        dbus = DbusDaemon.start(dir.resolve("dbus"));
        Frameworks.configure(context, "dev.ovs.bus", new Hashtable<>(Map.of("socket", "", "heartbeat.seconds", 0)));
        Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", dbus.address(),
                "unexport.grace.ms", 30_000L)));
        jar = dir.resolve("undeploy.jar");
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "dev.ovs.itests.undeploy");
        a.putValue("Bundle-Version", "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
    }

    @AfterEach
    void tearDown() {
        try {
            String away = "unix:path=/nonexistent";
            Frameworks.configure(context, "dev.ovs.dbus", new Hashtable<>(Map.of("address", away)));
            // the daemon goes only after the component has left it: a connection whose daemon died under it
            // blocks its close (dbus-java releases each name and waits for a reply that never comes)
            Frameworks.eventually("dev.ovs.dbus reconfigured away from the test bus", WAIT,
                    () -> away.equals(Frameworks.await(context, DbusConnectionService.class, WAIT).address()));
        } catch (Exception ignored) {
            // best effort
        }
        if (dbus != null) {
            dbus.close();
        }
        dir.close();
    }

    private static void register(Bundle b, String version) {
        EchoService echo = new EchoService() {
            @Override
            public String Echo(String text) {
                return version + ":" + text;
            }

            @Override
            public String getObjectPath() {
                return PATH;
            }
        };
        b.getBundleContext().registerService(EchoService.class, echo,
                new Hashtable<>(Map.of(DbusExport.OBJECT_PATH, PATH, DbusExport.BUS_NAME, NAME)));
    }

    private String echo() {
        try {
            return Cmd.run("gdbus", "call", "--address", dbus.address(), "--dest", NAME, "--object-path", PATH,
                    "--method", "dev.ovs.itests.Echo.Echo", "x").trim();
        } catch (Cmd.Failed f) {
            return f.stderr().trim();
        }
    }

    private String owner() {
        try {
            return dbus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "GetNameOwner", "s", NAME).trim();
        } catch (Cmd.Failed f) {
            return "";
        }
    }

    @Test
    void anUninstalledBundlesNameGoesAtOnceWithoutWaitingForTheGrace() throws Exception {
        Bundle b = context.installBundle(jar.toUri().toString());
        b.start();
        register(b, "v1");
        Frameworks.eventually(() -> "v1 answers (last: " + echo() + ")", WAIT, () -> echo().equals("('v1:x',)"));

        long t0 = System.nanoTime();
        b.uninstall();
        Frameworks.eventually("the name is gone after uninstall", WAIT, () -> owner().isEmpty());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("undeploy: " + NAME + " gone from the bus " + ms + " ms after uninstall (grace 30000 ms)");
        assertThat(echo()).contains("ServiceUnknown");
    }

    @Test
    void anUpdatedBundleKeepsItsNameAndTheNewRevisionTakesOver() throws Exception {
        Bundle b = context.installBundle(jar.toUri().toString());
        b.start();
        register(b, "v1");
        Frameworks.eventually(() -> "v1 answers (last: " + echo() + ")", WAIT, () -> echo().equals("('v1:x',)"));
        String before = owner();

        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in); // stop (service gone), new revision, start: nothing registered yet
        }
        assertThat(owner()).as("the name stays with the same connection").isEqualTo(before);
        assertThat(echo()).contains("dev.ovs.itests.Echo.Error.Unavailable");
        register(b, "v2");
        Frameworks.eventually(() -> "v2 answers (last: " + echo() + ")", WAIT, () -> echo().equals("('v2:x',)"));
        assertThat(owner()).isEqualTo(before);
        b.uninstall();
        Frameworks.eventually("the name is gone after uninstall", WAIT, () -> owner().isEmpty());
    }
}
