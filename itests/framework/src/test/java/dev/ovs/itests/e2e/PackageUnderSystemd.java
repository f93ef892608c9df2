package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.SystemdContainer;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debian package ({@code PATCHBAY_DEB}, default {@code distribution/target/patchbay_0.1.0~SNAPSHOT_all.deb})
 * installed with {@code dpkg -i} in a {@link SystemdContainer}: systemd is PID 1, its system bus is the D-Bus
 * system bus, Debian's {@code openvswitch-switch} units run the userspace datapath
 * ({@link SystemdContainer#useUserspaceOvs()}) and {@code /etc/patchbay/dev.ovs.ovsdb.cfg} sets
 * {@code bridge.datapath_type=netdev}. Nothing of this reaches the host: the package, its user and the
 * configuration live in the container's overlay. The unit is installed, not started.
 */
final class PackageUnderSystemd implements AutoCloseable {
    static final String UNIT = "patchbay.service";
    static final String OVSDB = "org.openvswitch.ovsdb";
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    final ShortTempDir dir;
    final SystemdContainer box;

    private PackageUnderSystemd(ShortTempDir dir, SystemdContainer box) {
        this.dir = dir;
        this.box = box;
    }

    /**
     * Boots the container and installs the package.
     *
     * @return the container with the package installed and {@code patchbay.service} loaded
     * @throws AssertionError if the package is missing or dpkg fails (dpkg's message)
     */
    static PackageUnderSystemd install() throws IOException {
        Tools.requireRoot();
        Path deb = Path.of(System.getenv().getOrDefault("PATCHBAY_DEB",
                "../../distribution/target/patchbay_0.1.0~SNAPSHOT_all.deb")).toAbsolutePath().normalize();
        assertThat(deb).as("built package (mvn install -pl distribution builds it)").isRegularFile();
        ShortTempDir dir = ShortTempDir.create();
        SystemdContainer box = null;
        try {
            box = SystemdContainer.boot(dir.path());
            box.useUserspaceOvs();
            Files.copy(deb, box.path("/root/patchbay.deb"));
            box.exec(Duration.ofSeconds(180), "dpkg", "-i", "/root/patchbay.deb");
            Path cfg = box.path("/etc/patchbay/dev.ovs.ovsdb.cfg");
            Files.writeString(cfg, Files.readString(cfg).replaceAll("(?m)^bridge\\.datapath_type=.*$",
                    "bridge.datapath_type=netdev"));
            assertThat(box.property(UNIT, "LoadState")).isEqualTo("loaded");
            return new PackageUnderSystemd(dir, box);
        } catch (RuntimeException | IOException | AssertionError e) {
            if (box != null) {
                box.close();
            }
            dir.close();
            throw e;
        }
    }

    /**
     * {@code busctl --system call DEST PATH IFACE MEMBER [SIG ARGS...]} inside the container (busctl(1)).
     *
     * @return busctl's reply line, e.g. {@code as 1 "br0"}
     * @throws Cmd.Failed if the call fails (the D-Bus error is in the exception's stderr)
     */
    String call(String dest, String path, String iface, String member, String... sigAndArgs) {
        List<String> argv = new ArrayList<>(List.of("busctl", "--system", "--timeout=60", "call", dest, path, iface,
                member));
        argv.addAll(List.of(sigAndArgs));
        return box.exec(argv.toArray(String[]::new)).trim();
    }

    /** A call to {@code org.openvswitch.ovsdb} at {@code /org/openvswitch/ovsdb}. */
    String ovsdb(String member, String... sigAndArgs) {
        return call(OVSDB, "/org/openvswitch/ovsdb", OVSDB, member, sigAndArgs);
    }

    /** A call to {@code dev.ovs.PortAgent1} at {@code /dev/ovs/PortAgent1}. */
    String portAgent(String member, String... sigAndArgs) {
        return call("dev.ovs.PortAgent1", "/dev/ovs/PortAgent1", "dev.ovs.PortAgent1", member, sigAndArgs);
    }

    /** @return whether a connection owns the bus name ({@code org.freedesktop.DBus.NameHasOwner}) */
    boolean nameHasOwner(String name) {
        return call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", "s", name)
                .equals("b true");
    }

    /** @return the strings of a busctl reply, e.g. {@code ["br0"]} for {@code as 1 "br0"} */
    static List<String> strings(String reply) {
        List<String> out = new ArrayList<>();
        Matcher m = STRING.matcher(reply);
        while (m.find()) {
            out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }

    /** {@code patchbay shell -c COMMAND} inside the container (admin socket {@code /var/lib/patchbay/admin.sock}). */
    String shell(String command) {
        return box.exec(Duration.ofSeconds(60), "/usr/bin/patchbay", "shell", "-c", command);
    }

    /** @return the unit's property ({@code systemctl show}) */
    String property(String property) {
        return box.property(UNIT, property);
    }

    /** @return MainPID of the unit inside the container, 0 when it has no main process */
    long mainPid() {
        return Long.parseLong(property("MainPID"));
    }

    /** Status and journal of the unit, for assertion messages. */
    String diagnostics() {
        String status;
        try {
            status = box.systemctl("status", "--lines=0", UNIT);
        } catch (Cmd.Failed e) {
            status = e.stdout();
        }
        return "\n--- systemctl status ---\n" + status + "\n--- journal ---\n" + box.journal(UNIT, 80);
    }

    /**
     * Polls {@code condition} every 200 ms.
     *
     * @throws AssertionError naming {@code what}, with {@link #diagnostics()}, if it does not hold within timeout
     */
    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " did not happen within " + timeout.toSeconds() + " s" + diagnostics());
    }

    @Override
    public void close() {
        try {
            box.close();
        } finally {
            dir.close();
        }
    }
}
