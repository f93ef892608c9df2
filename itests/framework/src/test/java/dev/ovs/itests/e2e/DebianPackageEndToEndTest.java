package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Debian package ({@code distribution/target/patchbay_VERSION_all.deb}, docs/packaging.md) on this
 * machine: {@code dpkg -i} installs it (files, conffiles, the {@code patchbay} system user and group),
 * {@code /usr/bin/patchbay run} starts the appliance from the installed layout (systemd is not PID 1
 * here, so the unit is checked as a file, not started), and {@code dpkg -r} / {@code dpkg -P} remove it
 * cleanly. Needs root and dpkg; refuses to run when a {@code patchbay} package, user, group or
 * directory already exists, so it never removes somebody's install.
 */
class DebianPackageEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration DPKG = Duration.ofSeconds(180);
    private static final String PKG = "patchbay";
    private static final Path OPT = Path.of("/opt/patchbay");
    private static final Path ETC = Path.of("/etc/patchbay");
    private static final Path VAR = Path.of("/var/lib/patchbay");
    private static final Path USR_BIN = Path.of("/usr/bin/patchbay");
    private static final Path UNIT = Path.of("/lib/systemd/system/patchbay.service");
    private static final Path POLICY = Path.of("/usr/share/dbus-1/system.d/org.openvswitch.ovsdb.conf");
    private static final Path ACTIVATION = Path.of("/usr/share/dbus-1/system-services/org.openvswitch.ovsdb.service");

    private final Path deb = Path.of(System.getenv().getOrDefault("PATCHBAY_DEB",
            "../../distribution/target/patchbay_0.1.0~SNAPSHOT_all.deb")).toAbsolutePath().normalize();
    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process appliance;
    private boolean installedByUs;

    @BeforeEach
    void setUp() {
        Tools.requireRoot();
        Tools.require("dpkg");
        Tools.require("dpkg-query");
        assertThat(deb).as("built package (mvn install -pl distribution builds it)").isRegularFile();
        // never touch an existing install: dpkg -P at the end would remove it and its configuration
        assertThat(packageStatus()).as("a '" + PKG + "' package is already known to dpkg; remove it (dpkg -P " + PKG
                + ") before running this test, it will not uninstall somebody's install").isEmpty();
        for (Path p : List.of(OPT, ETC, VAR, USR_BIN, UNIT)) {
            assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as(p + " exists without the package; this test"
                    + " would overwrite and then remove it, so it refuses to run").isFalse();
        }
        assertThat(Cmd.status(List.of("getent", "passwd", PKG), Duration.ofSeconds(10))).as("user '" + PKG
                + "' exists already; purging the package would delete it, so the test refuses to run").isNotZero();
        assertThat(Cmd.status(List.of("getent", "group", PKG), Duration.ofSeconds(10))).as("group '" + PKG
                + "' exists already; purging the package would delete it, so the test refuses to run").isNotZero();
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (appliance != null && appliance.isAlive()) {
                Launcher.stop(appliance, dir.resolve("appliance.log"));
            }
        } finally {
            try {
                if (installedByUs && !packageStatus().isEmpty()) {
                    Cmd.run(List.of("dpkg", "-P", PKG), DPKG);
                }
            } finally {
                if (dir != null) {
                    dir.close();
                }
            }
        }
        if (before != null) {
            before.assertNoneSince();
        }
    }

    @Test
    void installRunRemovePurge() throws Exception {
        // --- dpkg -i (a failure carries dpkg's own message, e.g. unmet Depends) ---
        installedByUs = true;
        Cmd.run(List.of("dpkg", "-i", deb.toString()), DPKG);
        assertThat(packageStatus()).isEqualTo("install ok installed");
        assertThat(Cmd.run("dpkg-query", "-W", "-f=${Version} ${Architecture}", PKG)).matches("0\\.1\\.0~SNAPSHOT all");
        assertThat(Cmd.run("dpkg-query", "-W", "-f=${Depends}", PKG)).contains("openvswitch-switch", "dbus",
                "java17-runtime-headless");

        // files: the whole appliance under /opt/patchbay, the same bundles as the tarball
        assertThat(OPT.resolve("bin/patchbay")).isExecutable();
        assertThat(OPT.resolve("lib/felix.jar")).isRegularFile();
        assertThat(OPT.resolve("lib/patchbay-shell-client.jar")).isRegularFile();
        assertThat(OPT.resolve("deploy")).isDirectory();
        assertThat(jarNames(OPT.resolve("bundle"))).isNotEmpty().isEqualTo(jarNames(dist.resolve("bundle")));
        assertThat(Files.readSymbolicLink(USR_BIN)).isEqualTo(OPT.resolve("bin/patchbay"));
        assertThat(Files.readSymbolicLink(OPT.resolve("etc"))).isEqualTo(ETC);
        assertThat(Files.readString(UNIT)).contains("ExecStart=/opt/patchbay/bin/patchbay run --etc /etc/patchbay"
                + " --state /var/lib/patchbay").contains("Type=notify", "WatchdogSec=")
                .contains("BusName=org.openvswitch.ovsdb");
        assertThat(Files.readString(POLICY)).contains("<policy group=\"patchbay\">");
        assertThat(Files.readString(ACTIVATION)).contains("SystemdService=patchbay.service");
        assertThat(VAR).isDirectory();

        // configuration: every etc/*.cfg of the distribution, registered as a conffile
        List<String> cfgs = fileNames(dist.resolve("etc"));
        assertThat(fileNames(ETC)).isEqualTo(cfgs);
        List<String> conffiles = Cmd.run("dpkg-query", "-W", "-f=${Conffiles}", PKG).lines().map(String::trim)
                .filter(l -> !l.isEmpty()).map(l -> l.split(" ")[0]).sorted().toList();
        assertThat(conffiles).isEqualTo(cfgs.stream().map(c -> ETC.resolve(c).toString()).toList());

        // system user and group, no login, no home created
        String passwd = Cmd.run("getent", "passwd", PKG).trim();
        String group = Cmd.run("getent", "group", PKG).trim();
        String[] pw = passwd.split(":");
        assertThat(Integer.parseInt(pw[2])).as("system uid: " + passwd).isLessThan(1000);
        assertThat(pw[3]).as("primary group is patchbay").isEqualTo(group.split(":")[2]);
        assertThat(pw[6]).endsWith("nologin");

        // --- run from the installed layout, with a private etc (never the host's bus, OVS or /run) ---
        Path state = dir.resolve("state");
        Path etc = Launcher.privateEtc(ETC, dir.path(), state);
        appliance = new ProcessBuilder(USR_BIN.toString(), "run", "--etc", etc.toString(), "--state", state.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("appliance.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Launcher.awaitShell(appliance, USR_BIN, state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
        // the launcher resolved its home through the /usr/bin symlink (bin/patchbay execs the JVM)
        List<String> args = List.of(appliance.toHandle().info().arguments().orElse(new String[0]));
        assertThat(args).contains("-Dpatchbay.home=" + OPT, "-Dpatchbay.etc=" + etc);
        assertEveryBundleActive(shell(state, "lb"));
        Launcher.stop(appliance, dir.resolve("appliance.log"));

        // --- a local change to a conffile survives dpkg -r ---
        Path logCfg = ETC.resolve("dev.ovs.log.cfg");
        Files.writeString(logCfg, Files.readString(logCfg) + "# changed by the admin\n");

        Cmd.run(List.of("dpkg", "-r", PKG), DPKG);
        assertThat(packageStatus()).isEqualTo("deinstall ok config-files");
        for (Path p : List.of(OPT, USR_BIN, UNIT, POLICY, ACTIVATION)) {
            assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as(p + " removed by dpkg -r").isFalse();
        }
        assertThat(Files.readString(logCfg)).as("conffiles kept by dpkg -r").contains("# changed by the admin");

        // --- dpkg -P: configuration, state, user and group gone ---
        Cmd.run(List.of("dpkg", "-P", PKG), DPKG);
        assertThat(packageStatus()).isEmpty();
        assertThat(ETC).as("purged").doesNotExist();
        assertThat(VAR).as("purged").doesNotExist();
        assertThat(Cmd.status(List.of("getent", "passwd", PKG), Duration.ofSeconds(10))).as("user removed").isNotZero();
        assertThat(Cmd.status(List.of("getent", "group", PKG), Duration.ofSeconds(10))).as("group removed").isNotZero();
    }

    /** dpkg's status of the package ("install ok installed", ...), or "" when dpkg does not know it. */
    private static String packageStatus() {
        try {
            String s = Cmd.run(List.of("dpkg-query", "-W", "-f=${Status}", PKG), Duration.ofSeconds(30)).trim();
            return s.endsWith("not-installed") ? "" : s;
        } catch (Cmd.Failed unknown) {
            return "";
        }
    }

    private static String shell(Path state, String command) {
        return Launcher.shell(USR_BIN, state, command);
    }

    private static void assertEveryBundleActive(String lb) throws IOException {
        List<String> rows = lb.lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
        assertThat(rows).as("lb lists the system bundle and every jar of /opt/patchbay/bundle")
                .hasSize(jarNames(OPT.resolve("bundle")).size() + 1);
        assertThat(rows).allSatisfy(r -> assertThat(r.split("\\|")[1].trim()).as(r).isEqualTo("Active"));
    }

    private static List<String> jarNames(Path d) throws IOException {
        return fileNames(d).stream().filter(n -> n.endsWith(".jar")).toList();
    }

    private static List<String> fileNames(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return new ArrayList<>(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
