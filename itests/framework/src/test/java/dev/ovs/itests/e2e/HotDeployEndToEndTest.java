package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hot deploy into a running appliance (issue 8): the third-party-style example bundle
 * {@code examples/vlan} copied into {@code deploy/} appears on D-Bus as {@code dev.ovs.Vlan1} within
 * seconds and works against the sandbox's Open vSwitch; removed, it is gone from the bus without the replacement
 * grace meant for updates (the times of both are printed); the core's
 * D-Bus connection (the unique name owning {@code org.openvswitch.ovsdb}) is not restarted meanwhile; a new
 * version copied over the jar updates the bundle in place and answers; the appliance's own event bus shows
 * bundle events of the examples only ({@code system.bundle.>}) and {@code lb} lists the other bundles exactly
 * as before: nothing else was stopped or started.
 */
class HotDeployEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void exampleBundleDroppedIntoDeployAppearsOnDbusAndGoesAway() throws Exception {
        Tools.require("ovsdb-server");
        Tools.require("dbus-daemon");
        Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
                "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
        Path vlanJar = Path.of(System.getenv().getOrDefault("PATCHBAY_EXAMPLE_VLAN",
                "../../examples/vlan/target/dev.ovs.examples.vlan-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();
        assertThat(vlanJar).as("built example bundle").isRegularFile();
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir dir = ShortTempDir.create()) {
            // a private copy of the appliance, so that its deploy/ is ours
            Path home = dir.resolve("home");
            Cmd.run("cp", "-a", dist.toString(), home.toString());
            Path sbx = dir.resolve("sbx");
            Process appliance = new ProcessBuilder(home.resolve("bin/patchbay").toString(), "run", "--sandbox",
                    sbx.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                    .redirectInput(new File("/dev/null")).start();
            try {
                String bus = "--address=unix:path=" + sbx.resolve("run/dbus/bus.sock");
                String db = "--db=unix:" + sbx.resolve("run/ovs/db.sock");
                Frameworks.eventually("org.openvswitch.ovsdb on the sandbox bus", WAIT, () -> ok("busctl", bus,
                        "call", "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb",
                        "ListBridges"));
                String coreOwner = owner(bus, "org.openvswitch.ovsdb");
                assertThat(ok("busctl", bus, "introspect", "dev.ovs.Vlan1", "/dev/ovs/Vlan1")).isFalse();
                Cmd.run(List.of("ovs-vsctl", db, "--timeout=20", "add-br", "br-hd", "--", "set", "Bridge", "br-hd",
                        "datapath_type=netdev", "--", "add-port", "br-hd", "p1", "--", "set", "Interface", "p1",
                        "type=internal"), Duration.ofSeconds(30));

                // every framework bundle event from now on, through the appliance's own event bus
                Path state = sbx.resolve("state");
                Path launcher = home.resolve("bin/patchbay");
                Path events = dir.resolve("bundle-events");
                Process sub = new ProcessBuilder(launcher.toString(), "bus", "--etc", sbx.resolve("run/etc").toString(),
                        "sub", "system.bundle.>").redirectOutput(events.toFile())
                        .redirectError(dir.resolve("bundle-events.err").toFile()).redirectInput(new File("/dev/null")).start();
                try {
                Frameworks.eventually("bus subscription to system.bundle.>", WAIT,
                        () -> read(dir.resolve("bundle-events.err")).contains("subscribed"));
                String lbBefore = Launcher.shell(launcher, state, "lb -s");

                long t0 = System.nanoTime();
                Launcher.install(vlanJar, home.resolve("deploy/vlan.jar"));
                Frameworks.eventually("dev.ovs.Vlan1 introspectable after deploy", WAIT,
                        () -> ok("busctl", bus, "introspect", "dev.ovs.Vlan1", "/dev/ovs/Vlan1", "dev.ovs.Vlan1"));
                long deployMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("hot deploy: dev.ovs.Vlan1 callable " + deployMs + " ms after the copy");
                Cmd.run("busctl", bus, "call", "dev.ovs.Vlan1", "/dev/ovs/Vlan1", "dev.ovs.Vlan1", "SetAccess", "sq",
                        "p1", "42");
                assertThat(Cmd.run("ovs-vsctl", db, "get", "Port", "p1", "tag").trim()).isEqualTo("42");

                // the QoS example too: an egress limit as linux-htb QoS + Queue rows, and Clear leaves none
                Path qosJar = Path.of(System.getenv().getOrDefault("PATCHBAY_EXAMPLE_QOS",
                        "../../examples/qos/target/dev.ovs.examples.qos-0.1.0-SNAPSHOT.jar")).toAbsolutePath();
                Launcher.install(qosJar, home.resolve("deploy/qos.jar"));
                Frameworks.eventually("dev.ovs.QoS1 introspectable after deploy", WAIT,
                        () -> ok("busctl", bus, "introspect", "dev.ovs.QoS1", "/dev/ovs/QoS1", "dev.ovs.QoS1"));
                Cmd.run("busctl", bus, "call", "dev.ovs.QoS1", "/dev/ovs/QoS1", "dev.ovs.QoS1", "SetEgressLimit", "st",
                        "p1", "10000000");
                assertThat(Cmd.run("ovs-vsctl", db, "list", "qos")).contains("linux-htb").contains("10000000");
                Cmd.run("busctl", bus, "call", "dev.ovs.QoS1", "/dev/ovs/QoS1", "dev.ovs.QoS1", "Clear", "s", "p1");
                assertThat(Cmd.run("ovs-vsctl", db, "list", "qos").trim()).isEmpty();
                assertThat(Cmd.run("ovs-vsctl", db, "list", "queue").trim()).isEmpty();
                Files.delete(home.resolve("deploy/qos.jar"));

                // a new version copied over the old one: updated in place (same bundle id), new version answering
                String vlanId = bundleId(Launcher.shell(launcher, state, "lb -s"), "dev.ovs.examples.vlan");
                Path v2 = dir.resolve("vlan-0.2.0.jar");
                withVersion(vlanJar, v2, "0.2.0");
                Launcher.install(v2, home.resolve("deploy/vlan.jar"));
                Frameworks.eventually("dev.ovs.examples.vlan updated to 0.2.0", WAIT,
                        () -> Launcher.shell(launcher, state, "lb -s").contains("dev.ovs.examples.vlan (0.2.0)"));
                assertThat(bundleId(Launcher.shell(launcher, state, "lb -s"), "dev.ovs.examples.vlan"))
                        .as("updated, not reinstalled").isEqualTo(vlanId);
                Frameworks.eventually("the new version answers", WAIT, () -> ok("busctl", bus, "call", "dev.ovs.Vlan1",
                        "/dev/ovs/Vlan1", "dev.ovs.Vlan1", "SetAccess", "sq", "p1", "43"));
                assertThat(Cmd.run("ovs-vsctl", db, "get", "Port", "p1", "tag").trim()).isEqualTo("43");

                long t1 = System.nanoTime();
                Files.delete(home.resolve("deploy/vlan.jar"));
                Frameworks.eventually("dev.ovs.Vlan1 gone after removal", WAIT,
                        () -> !ok("busctl", bus, "introspect", "dev.ovs.Vlan1", "/dev/ovs/Vlan1"));
                long undeployMs = (System.nanoTime() - t1) / 1_000_000;
                System.out.println("hot undeploy: dev.ovs.Vlan1 gone from D-Bus " + undeployMs + " ms after the jar was"
                        + " removed (fileinstall poll 1000 ms)");
                // removed, not updated: no successor is coming, so the replacement grace (5000 ms) does not apply
                assertThat(undeployMs).as("gone before the replacement grace would have ended").isLessThan(5000);
                assertThat(owner(bus, "org.openvswitch.ovsdb")).as("core D-Bus connection not restarted")
                        .isEqualTo(coreOwner);

                // no other bundle was stopped or started meanwhile: every bundle event is an example's, and
                // the other bundles are listed exactly as before
                Thread.sleep(1000);
                List<String> topics = read(events).lines().filter(l -> !l.isBlank())
                        .map(l -> l.replaceAll("^.*\"topic\":\"([^\"]+)\".*$", "$1")).toList();
                assertThat(topics).as("bundle events during hot deploy").isNotEmpty()
                        .allSatisfy(t -> assertThat(t).contains("examples"));
                assertThat(topics).anySatisfy(t -> assertThat(t).contains("vlan").endsWith(".started"))
                        .anySatisfy(t -> assertThat(t).contains("vlan").endsWith(".updated"))
                        .anySatisfy(t -> assertThat(t).contains("vlan").endsWith(".uninstalled"));
                assertThat(Launcher.shell(launcher, state, "lb -s")).as("the core bundles, unchanged")
                        .isEqualTo(lbBefore);
                } finally {
                    sub.destroy();
                    sub.waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                Launcher.terminate(appliance);
            }
        }
        before.assertNoneSince();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The id column of {@code lb -s} for a symbolic name. */
    private static String bundleId(String lb, String bsn) {
        return lb.lines().filter(l -> l.contains("|" + bsn + " (")).map(l -> l.split("\\|")[0].trim()).findFirst()
                .orElseThrow(() -> new AssertionError(bsn + " not in lb:\n" + lb));
    }

    /** Copies a bundle jar with another Bundle-Version (a "new version" for fileinstall to update to). */
    private static void withVersion(Path jar, Path out, String version) throws java.io.IOException {
        try (java.util.jar.JarFile in = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Manifest m = new java.util.jar.Manifest(in.getManifest());
            m.getMainAttributes().putValue("Bundle-Version", version);
            try (java.util.jar.JarOutputStream o = new java.util.jar.JarOutputStream(Files.newOutputStream(out), m)) {
                for (java.util.jar.JarEntry e : java.util.Collections.list(in.entries())) {
                    if (e.getName().equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    o.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                    try (java.io.InputStream is = in.getInputStream(e)) {
                        is.transferTo(o);
                    }
                    o.closeEntry();
                }
            }
        }
    }

    private static boolean ok(String... argv) {
        try {
            Cmd.run(argv);
            return true;
        } catch (Cmd.Failed e) {
            return false;
        }
    }

    private static String owner(String bus, String name) {
        return Cmd.run("busctl", bus, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetNameOwner", "s", name).trim();
    }
}
