package dev.ovs.itests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The packaged appliance ({@code distribution/target/patchbay-VERSION/}) as the harness starts it for end-to-end
 * tests and benchmarks: a private copy of its {@code etc/} and its admin shell ({@code bin/patchbay shell}).
 */
public final class Appliance {
    private Appliance() {
    }

    /**
     * Copies {@code sourceEtc} to {@code dir/etc} with the bus socket at {@code state/bus.sock}, the OVSDB remote
     * {@code ovsdbRemote} and the D-Bus address {@code dbusAddress}, so the appliance never touches the host's
     * /run/patchbay, Open vSwitch or system bus. The directory is made 0755 and its files 0644 whatever the umask:
     * {@code bin/patchbay run} refuses an etc/ writable by group or others (docs/security.md).
     *
     * @param sourceEtc   the distribution's {@code etc/}
     * @param dir         existing directory that receives {@code etc/}
     * @param state       the appliance's state directory (need not exist yet)
     * @param ovsdbRemote value of {@code remote} in {@code dev.ovs.ovsdb.cfg}, e.g. {@code unix:/tmp/x/db.sock}
     * @param dbusAddress value of {@code address} in {@code dev.ovs.dbus.cfg}, e.g. {@code unix:path=/tmp/x/bus.sock}
     * @return {@code dir/etc}
     * @throws IOException if copying or writing fails (e.g. {@code dir/etc} holds files already)
     */
    public static Path privateEtc(Path sourceEtc, Path dir, Path state, String ovsdbRemote, String dbusAddress)
            throws IOException {
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc);
        try (Stream<Path> s = Files.list(sourceEtc)) {
            for (Path f : s.toList()) {
                Files.copy(f, etc.resolve(f.getFileName()));
            }
        }
        Files.writeString(etc.resolve("dev.ovs.bus.cfg"), "socket=" + state.resolve("bus.sock") + "\n");
        Files.writeString(etc.resolve("dev.ovs.ovsdb.cfg"), "remote=" + ovsdbRemote + "\n");
        Files.writeString(etc.resolve("dev.ovs.dbus.cfg"), "address=" + dbusAddress + "\n");
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> s = Files.list(etc)) {
            for (Path f : s.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return etc;
    }

    /**
     * Runs {@code launcher shell --state STATE -c COMMAND} (30 s at most).
     *
     * @param launcher {@code bin/patchbay} of the distribution
     * @param state    the appliance's state directory (its {@code admin.sock})
     * @param command  a shell command line, e.g. {@code ovs:show}
     * @return stdout
     * @throws Cmd.Failed on a non-zero exit or after 30 s
     */
    public static String shell(Path launcher, Path state, String command) {
        return Cmd.run(List.of(launcher.toString(), "shell", "--state", state.toString(), "-c", command),
                Duration.ofSeconds(30));
    }
}
