package dev.ovs.bench;

import dev.ovs.itests.harness.ShortTempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.Introspectable;

/**
 * Hot deploy and undeploy of {@code share/examples/dev.ovs.examples.vlan.jar} in a sandboxed appliance
 * ({@link Sandbox}), {@link #ROUNDS} rounds (system property {@code hotdeploy.n} or env HOTDEPLOY_N, default 10):
 * <ul>
 *   <li>deploy: ms from the end of the copy into {@code deploy/} (the file written, closed, mode 0644) until
 *   {@code Introspect} of {@code /dev/ovs/Vlan1} at bus name {@code dev.ovs.Vlan1} lists interface
 *   {@code dev.ovs.Vlan1} (polled every 5 ms over one D-Bus connection);</li>
 *   <li>undeploy: ms from the file's deletion until {@code NameHasOwner(dev.ovs.Vlan1)} is false;</li>
 *   <li>idle CPU: the appliance JVM's user + system CPU time (/proc/PID/stat) over 10 s without calls, in ms
 *   per s, which the {@code deploy/} poll adds to.</li>
 * </ul>
 * Each run once with the shipped {@code felix.fileinstall.poll} of {@code etc/org.apache.felix.fileinstall-deploy.cfg}
 * and once with 1000 ms as the peer.
 */
final class HotDeployBench {
    static final int ROUNDS = Integer.getInteger("hotdeploy.n",
            Integer.parseInt(System.getenv().getOrDefault("HOTDEPLOY_N", "10")));
    private static final String JAR = "dev.ovs.examples.vlan.jar";
    private static final String NAME = "dev.ovs.Vlan1";
    private static final String PATH = "/dev/ovs/Vlan1";

    private final Path dist;

    HotDeployBench(Path dist) {
        this.dist = dist;
    }

    private record Result(String poll, long[] deployMs, long[] undeployMs, double idleCpuMsPerS) {
        String row() {
            return String.format("| %s | %d | %d | %d | %d | %d | %.1f |%n", poll, deployMs.length, pct(deployMs, 50),
                    max(deployMs), pct(undeployMs, 50), max(undeployMs), idleCpuMsPerS);
        }
    }

    String run() throws Exception {
        String shipped = Files.readAllLines(dist.resolve("etc/org.apache.felix.fileinstall-deploy.cfg")).stream()
                .filter(l -> l.startsWith("felix.fileinstall.poll=")).map(l -> l.substring(l.indexOf('=') + 1).strip())
                .findFirst().orElseThrow(() -> new IllegalStateException("no felix.fileinstall.poll in the shipped cfg"));
        Result asShipped;
        Result peer;
        try (ShortTempDir tmp = ShortTempDir.create()) {
            asShipped = measure(tmp.resolve("a"), null, "shipped (" + shipped + " ms)");
            peer = measure(tmp.resolve("b"), "1000", "1000 ms");
        }
        StringBuilder t = new StringBuilder();
        t.append("### Hot deploy: a jar copied into deploy/ until its D-Bus object answers, and back\n\n");
        t.append(ROUNDS).append(" rounds of `").append(JAR).append("`; deploy: ms from the end of the copy until ")
                .append("`Introspect` of `").append(PATH).append("` lists `").append(NAME).append("`; undeploy: ms from ")
                .append("the deletion until `").append(NAME).append("` has no owner; idle CPU: the appliance JVM's CPU ")
                .append("time over 10 s without calls.\n\n");
        t.append("| `felix.fileinstall.poll` | rounds | deploy p50 ms | deploy max ms | undeploy p50 ms | undeploy max ms "
                + "| idle CPU ms/s |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|\n");
        t.append(asShipped.row());
        t.append(peer.row());
        t.append(String.format("%nTarget (issue 17): deploy and undeploy ≤ 1000 ms after the copy / the deletion — as "
                + "shipped: deploy max %d ms (%s), undeploy max %d ms (%s).%n", max(asShipped.deployMs),
                max(asShipped.deployMs) <= 1000 ? "met" : "NOT met", max(asShipped.undeployMs),
                max(asShipped.undeployMs) <= 1000 ? "met" : "NOT met"));
        return t.toString();
    }

    private Result measure(Path base, String poll, String label) throws Exception {
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = base.resolve("etc");
        Path deploy = base.resolve("deploy");
        copyTree(dist.resolve("etc"), etc);
        Files.createDirectories(deploy);
        Files.setPosixFilePermissions(deploy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cfg = etc.resolve("org.apache.felix.fileinstall-deploy.cfg");
        List<String> lines = Files.readAllLines(cfg).stream().map(l -> l.startsWith("felix.fileinstall.dir=")
                ? "felix.fileinstall.dir=" + deploy : poll != null && l.startsWith("felix.fileinstall.poll=")
                ? "felix.fileinstall.poll=" + poll : l).toList();
        Files.write(cfg, lines);
        Path jar = dist.resolve("share/examples").resolve(JAR);
        Path target = deploy.resolve(JAR);
        long[] dep = new long[ROUNDS];
        long[] undep = new long[ROUNDS];
        double idle;
        try (Sandbox sbx = new Sandbox(dist, base.resolve("s"), null, etc)) {
            DBusConnection c = sbx.connectBus();
            try {
                DBus bus = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
                sbx.await("org.openvswitch.ovsdb on the bus", 120, () -> bus.NameHasOwner("org.openvswitch.ovsdb"));
                Thread.sleep(2000);
                long pid = sbx.appliancePid();
                long cpu0 = cpuMs(pid);
                long w0 = System.nanoTime();
                Thread.sleep(10_000);
                idle = (cpuMs(pid) - cpu0) / ((System.nanoTime() - w0) / 1e9);
                Introspectable obj = c.getRemoteObject(NAME, PATH, Introspectable.class);
                for (int i = 0; i < ROUNDS; i++) {
                    Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                    long t0 = System.nanoTime();
                    await(t0, "deploy round " + i, () -> answers(bus, obj));
                    dep[i] = (System.nanoTime() - t0) / 1_000_000;
                    Thread.sleep(500);
                    Files.delete(target);
                    long t1 = System.nanoTime();
                    await(t1, "undeploy round " + i, () -> !bus.NameHasOwner(NAME));
                    undep[i] = (System.nanoTime() - t1) / 1_000_000;
                    Thread.sleep(500);
                }
            } finally {
                c.disconnect();
            }
        }
        return new Result(label, dep, undep, idle);
    }

    private static boolean answers(DBus bus, Introspectable obj) {
        try {
            return bus.NameHasOwner(NAME) && obj.Introspect().contains("interface name=\"" + NAME + "\"");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(long t0, String what, Check c) throws Exception {
        while (!c.ok()) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException(what + ": not done within 30 s");
            }
            Thread.sleep(5);
        }
    }


    /** @return user + system CPU time of a process, ms (clock ticks of /proc/PID/stat at 100 Hz) */
    private static long cpuMs(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[Math.max(0, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static long max(long[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }
}
