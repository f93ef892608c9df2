package dev.ovs.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;

/**
 * The packaged appliance in sandbox mode ({@code DIST/bin/patchbay run --sandbox DIR}: its own network
 * namespace, ovsdb-server + ovs-vswitchd, dbus-daemon; the appliance JVM with bin/patchbay's default options).
 * Started with {@code setsid} so that {@link #close()} can SIGTERM the whole process group; the launcher then
 * stops its daemons and deletes its namespace.
 */
final class Sandbox implements AutoCloseable {
    final Path dir;
    final Map<String, String> env = new HashMap<>();
    private final Process launcher;
    private final Path log;

    /** JVM options like bin/patchbay's defaults but with the C2 compiler (no {@code -XX:TieredStopAtLevel=1}). */
    static final String C2_OPTS = "-Xms16m -Xmx256m -XX:+UseSerialGC -Xss512k -Xshare:auto";

    /**
     * @param dist     unpacked distribution
     * @param dir      sandbox directory (short: socket paths live below it)
     * @param javaOpts JAVA_OPTS for the appliance, or null for bin/patchbay's defaults
     */
    Sandbox(Path dist, Path dir, String javaOpts) throws Exception {
        this(dist, dir, javaOpts, null);
    }

    /**
     * @param dist     unpacked distribution
     * @param dir      sandbox directory (short: socket paths live below it)
     * @param javaOpts JAVA_OPTS for the appliance, or null for bin/patchbay's defaults
     * @param etc      configuration directory ({@code --etc}), or null for the distribution's etc/
     */
    Sandbox(Path dist, Path dir, String javaOpts, Path etc) throws Exception {
        this.dir = dir;
        this.log = dir.resolveSibling(dir.getFileName() + ".log");
        Files.createDirectories(dir);
        List<String> cmd = new java.util.ArrayList<>(List.of("setsid", dist.resolve("bin/patchbay").toString(), "run",
                "--sandbox", dir.toString()));
        if (etc != null) {
            cmd.addAll(List.of("--etc", etc.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        launcher = pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(new File("/dev/null")).start();
        try {
            await("sandbox env file", 60, () -> Files.exists(dir.resolve("env")));
            for (String l : Files.readAllLines(dir.resolve("env"))) {
                if (l.startsWith("export ")) {
                    String kv = l.substring(7);
                    int eq = kv.indexOf('=');
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** @return the D-Bus address of the sandbox's bus daemon (unix:path=...) */
    String dbusAddress() {
        return env.get("DBUS_SYSTEM_BUS_ADDRESS");
    }

    /**
     * Connects to the sandbox's bus daemon, retrying until it accepts (60 s at most).
     *
     * @return a private (not shared) connection; the caller closes it
     * @throws Exception if the daemon does not accept a connection in time
     */
    DBusConnection connectBus() throws Exception {
        DBusConnection[] c = new DBusConnection[1];
        await("the sandbox's D-Bus", 60, () -> {
            try {
                c[0] = DBusConnectionBuilder.forAddress(dbusAddress()).withShared(false).build();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return c[0];
    }

    /** @return the OVSDB remote (unix:...) */
    String ovsDb() {
        return env.get("OVS_DB");
    }

    /** @return the appliance's bus socket */
    Path busSocket() {
        return dir.resolve("state/bus.sock");
    }

    /** @return PID of the appliance JVM (the launcher's child running felix.jar) */
    long appliancePid() {
        return launcher.descendants().filter(p -> p.info().commandLine().orElse("").contains("felix.jar"))
                .mapToLong(ProcessHandle::pid).findFirst().orElseThrow(() -> new IllegalStateException("no appliance JVM"));
    }

    void await(String what, int seconds, BooleanSupplier ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (!launcher.isAlive()) {
                throw new IllegalStateException("sandbox exited while waiting for " + what + ": " + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sandbox: no " + what + " within " + seconds + " s: " + tail());
            }
            Thread.sleep(100);
        }
    }

    private String tail() {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGTERM to the launcher's process group, SIGKILL after 30 s; then the directory and log are removed. */
    @Override
    public void close() throws Exception {
        long pgid = launcher.pid();
        if (launcher.isAlive()) {
            Stats.exec(List.of("kill", "-TERM", "--", "-" + pgid), 10);
            if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
                Stats.exec(List.of("kill", "-KILL", "--", "-" + pgid), 10);
                launcher.waitFor(10, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(log);
    }
}
