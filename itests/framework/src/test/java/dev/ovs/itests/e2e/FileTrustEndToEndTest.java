package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trust rule for {@code etc/} and {@code deploy/} (docs/security.md, after sshd's {@code StrictModes}) on
 * the packaged appliance: {@code bin/patchbay run} refuses to start, naming every path and its mode, while a
 * watched directory or a file in it is writable by group or others or owned by another user; in the running
 * appliance fileinstall applies a new or changed file only when it passes the same rule (bundle
 * {@code dev.ovs.fileguard}), and a warning in the appliance's log names path and mode otherwise.
 */
class FileTrustEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GUARD = "WARN [dev.ovs.fileguard] ";

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private final Path vlanJar = Path.of(System.getenv().getOrDefault("PATCHBAY_EXAMPLE_VLAN",
            "../../examples/vlan/target/dev.ovs.examples.vlan-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();
    private final Path qosJar = Path.of(System.getenv().getOrDefault("PATCHBAY_EXAMPLE_QOS",
            "../../examples/qos/target/dev.ovs.examples.qos-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Path home;
    private Path launcher;
    private Path state;
    private Path etc;
    private Process appliance;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        // a private copy of the appliance: its deploy/ and etc/ are ours to break
        home = dir.resolve("home");
        Cmd.run("cp", "-a", dist.toString(), home.toString());
        launcher = home.resolve("bin/patchbay");
        state = dir.resolve("state");
        etc = Launcher.privateEtc(home.resolve("etc"), dir.path(), state);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (appliance != null && appliance.isAlive()) {
            Launcher.terminate(appliance);
        }
        dir.close();
        before.assertNoneSince();
    }

    @Test
    void runRefusesToStartNamingEveryUntrustedPathAndMode() throws Exception {
        Path deploy = home.resolve("deploy");
        Path logCfg = etc.resolve("dev.ovs.log.cfg");
        Path jar = deploy.resolve("vlan.jar");
        Launcher.install(vlanJar, jar);

        chmod(etc, "rwxrwxr-x");
        assertRefused(etc + " is writable by group or others (mode 0775)");
        chmod(etc, "rwxr-xr-x");

        chmod(logCfg, "rw-r--rw-");
        chmod(jar, "rw-rw-r--");
        String both = assertRefused(logCfg + " is writable by group or others (mode 0646)");
        assertThat(both).as("every problem at once").contains(jar + " is writable by group or others (mode 0664)");
        chmod(logCfg, "rw-r--r--");
        chmod(jar, "rw-r--r--");

        chmod(deploy, "rwxrwxrwx");
        assertRefused(deploy + " is writable by group or others (mode 0777)");
        chmod(deploy, "rwxr-xr-x");

        // the watched directories are the ones etc/ configures: here a deploy directory elsewhere
        Path other = Files.createDirectory(dir.resolve("other"));
        chmod(other, "rwxrwx---");
        Path deployCfg = etc.resolve("org.apache.felix.fileinstall-deploy.cfg");
        String original = Files.readString(deployCfg);
        Files.writeString(deployCfg, original.replaceAll("(?m)^felix\\.fileinstall\\.dir=.*$",
                "felix.fileinstall.dir=" + other));
        assertRefused(other + " is writable by group or others (mode 0770)");
        Files.writeString(deployCfg, original);

        if (runningAsRoot()) { // only root can give a file away
            Files.setAttribute(logCfg, "unix:uid", 65534);
            assertThat(assertRefused(logCfg + " is owned by uid 65534 ("))
                    .contains("), neither root nor the appliance's user (uid 0) (mode 0644)");
            Files.setAttribute(logCfg, "unix:uid", 0);
        }
    }

    @Test
    void runRefusesFileinstallWithoutTheGuard() throws Exception {
        try (var s = Files.list(home.resolve("bundle"))) {
            for (Path jar : s.filter(p -> p.getFileName().toString().startsWith("dev.ovs.fileguard-")).toList()) {
                Files.delete(jar);
            }
        }
        Cmd.Failed refused = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run(List.of(launcher.toString(), "run",
                "--etc", etc.toString(), "--state", state.toString()), Duration.ofSeconds(30)));
        assertThat(refused).as("bin/patchbay run refused to start").isNotNull();
        assertThat(refused.exitCode()).as("exit status; stderr: " + refused.stderr()).isEqualTo(64);
        assertThat(refused.stderr()).contains("has fileinstall but not dev.ovs.fileguard");
    }

    @Test
    void theRunningApplianceAppliesOnlyTrustedNewOrChangedFiles() throws Exception {
        assertThat(vlanJar).as("built example bundle").isRegularFile();
        Path log = dir.resolve("appliance.log");
        appliance = new ProcessBuilder(launcher.toString(), "run", "--etc", etc.toString(), "--state", state.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).start();
        Launcher.awaitShell(appliance, launcher, state, WAIT, () -> read(log));
        Path deploy = home.resolve("deploy");

        // a bundle writable by others is not installed; a trusted one next to it is
        Path vlan = deploy.resolve("vlan.jar");
        installWithMode(vlanJar, vlan, "rw-rw-rw-");
        awaitWarning(log, vlan + " is writable by group or others (mode 0666): ignored, treated as absent");
        Launcher.install(qosJar, deploy.resolve("qos.jar"));
        awaitBundle("dev.ovs.examples.qos", true);
        assertThat(lb()).doesNotContain("dev.ovs.examples.vlan");

        // fixed and touched: installed
        chmod(vlan, "rw-r--r--");
        touch(vlan);
        awaitBundle("dev.ovs.examples.vlan", true);

        // changed while deploy/ is writable by others: treated as absent, so uninstalled
        chmod(deploy, "rwxrwxrwx");
        touch(vlan);
        awaitWarning(log, vlan + " is in " + deploy + ", which is writable by group or others (mode 0777)");
        awaitBundle("dev.ovs.examples.vlan", false);
        chmod(deploy, "rwxr-xr-x");

        // a configuration file loaded at start, changed while writable by others: the change is not applied
        Path busCfg = etc.resolve("dev.ovs.bus.cfg");
        assertThat(state.resolve("bus.sock")).exists();
        chmod(busCfg, "rw-rw-rw-");
        Files.writeString(busCfg, "socket=" + state.resolve("bus2.sock") + "\n");
        awaitWarning(log, busCfg + " is writable by group or others (mode 0666): ignored, change not applied");
        assertThat(state.resolve("bus2.sock")).as("the bus did not move").doesNotExist();
        assertThat(state.resolve("bus.sock")).exists();
        chmod(busCfg, "rw-r--r--");
        touch(busCfg);
        Frameworks.eventually("the bus socket moves once the file is trusted", WAIT,
                () -> Files.exists(state.resolve("bus2.sock")));

        // a new configuration file writable by others, here one that would add a watched directory: not applied
        Path extra = Files.createDirectory(dir.resolve("extra"));
        chmod(extra, "rwxr-xr-x");
        Launcher.install(vlanJar, extra.resolve("vlan.jar"));
        Path extraCfg = etc.resolve("org.apache.felix.fileinstall-extra.cfg");
        Path part = dir.resolve("extra.cfg");
        Files.writeString(part, "felix.fileinstall.dir=" + extra + "\nfelix.fileinstall.filter=.*\\\\.jar\n"
                + "felix.fileinstall.start.level=80\n");
        chmod(part, "rw-rw-r--");
        Files.move(part, extraCfg, StandardCopyOption.ATOMIC_MOVE);
        awaitWarning(log, extraCfg + " is writable by group or others (mode 0664): ignored, not applied");
        assertThat(lb()).doesNotContain("dev.ovs.examples.vlan");
        chmod(extraCfg, "rw-r--r--");
        touch(extraCfg);
        awaitBundle("dev.ovs.examples.vlan", true);
        assertThat(Launcher.shell(launcher, state, "lb -l")).contains(extra.resolve("vlan.jar").toString());

        if (runningAsRoot()) {
            Path foreign = etc.resolve("dev.ovs.foreign.cfg");
            Path tmp = dir.resolve("foreign.cfg");
            Files.writeString(tmp, "k=v\n");
            chmod(tmp, "rw-r--r--");
            Files.setAttribute(tmp, "unix:uid", 65534);
            Files.move(tmp, foreign, StandardCopyOption.ATOMIC_MOVE);
            awaitWarning(log, foreign + " is owned by uid 65534 (");
        }
    }

    /** Runs {@code bin/patchbay run}, which must exit 78 at once; returns its stderr, which contains {@code line}. */
    private String assertRefused(String line) {
        Cmd.Failed refused = catchThrowableOfType(Cmd.Failed.class, () -> Cmd.run(List.of(launcher.toString(), "run",
                "--etc", etc.toString(), "--state", state.toString()), Duration.ofSeconds(30)));
        assertThat(refused).as("bin/patchbay run refused to start").isNotNull();
        assertThat(refused.exitCode()).as("exit status; stderr: " + refused.stderr()).isEqualTo(78);
        assertThat(refused.stderr()).contains("patchbay: refusing to start").contains(line);
        assertThat(state.resolve("admin.sock")).as("nothing started").doesNotExist();
        return refused.stderr();
    }

    private void awaitWarning(Path log, String text) {
        Frameworks.eventually(() -> "log line '" + GUARD + text + "' in:\n" + read(log), WAIT,
                () -> read(log).contains(GUARD + text));
    }

    private void awaitBundle(String bsn, boolean present) {
        Frameworks.eventually(() -> bsn + (present ? " installed" : " gone") + ":\n" + lb(), WAIT,
                () -> lb().contains("|" + bsn + " (") == present);
    }

    private String lb() {
        return Launcher.shell(launcher, state, "lb -s");
    }

    private boolean runningAsRoot() throws IOException {
        return ((Integer) Files.getAttribute(etc, "unix:uid")) == 0;
    }

    private static void installWithMode(Path source, Path target, String perms) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        chmod(tmp, perms);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void touch(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().plusSeconds(1)));
    }

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
