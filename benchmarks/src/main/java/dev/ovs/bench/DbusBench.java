package dev.ovs.bench;

import dev.ovs.itests.harness.ShortTempDir;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * D-Bus export: {@code org.openvswitch.ovsdb.BridgeExists} of the packaged appliance (sandbox mode: private
 * dbus-daemon, ovsdb-server, ovs-vswitchd) called from a separate client process (a second JVM,
 * {@link DbusClient}), against the bus daemon's own round trip ({@code org.freedesktop.DBus.GetId} from the
 * same client and connection, the floor), and against one {@code ovs-vsctl br-exists} process per call (what
 * the existing OVS D-Bus wrapper runs for each call) and one {@code busctl call} process per call.
 *
 * <p>The client runs on the appliance's dbus-java wrapper jar, so its wire I/O is the same as the appliance's
 * ({@code dev.ovs.dbusjava.internal.CoalescingSocketProvider}: one {@code write(2)} per message, buffered
 * reads). A change there moves the floor and the appliance rows together; compare absolute µs as well as
 * the ratio.
 */
final class DbusBench {
    private static final String BRIDGE = "br-bench";
    private static final int WARMUP = 5000;
    private static final int N = 10_000;
    private static final int PROCS = 100;
    private final Path dist;

    DbusBench(Path dist) {
        this.dist = dist;
    }

    String run() throws Exception {
        double[][] shipped = new double[3][];
        double[][] c2 = new double[3][];
        double[][] procs = new double[2][];
        try (ShortTempDir tmp = ShortTempDir.create()) {
            measure(tmp.resolve("sbx"), null, shipped, procs);
            measure(tmp.resolve("sbx2"), Sandbox.C2_OPTS, c2, null);
        }
        double floor = shipped[0][0];
        StringBuilder t = new StringBuilder();
        t.append("### D-Bus: BridgeExists from a separate client process\n\n");
        t.append(String.format("Packaged appliance in sandbox mode (private dbus-daemon, ovsdb-server, ovs-vswitchd). Client: a second "
                + "JVM (dbus-java 5.2.0, native-unixsocket, the appliance's own dbus-java bundle jar: client and appliance both send each "
                + "message with one write(2) through the wrapper's socket provider, so that saving shrinks the floor too), one connection, blocking "
                + "calls, %,d rounds of GetId, BridgeExists and Peer.Ping (order rotated every round) after %,d warm-up rounds. Process-per-call peers: %d calls each, timed from fork to exit. "
                + "calls/s = calls / summed call time (one caller). Ratios against the floor of the same run.%n%n", N, WARMUP, PROCS));
        t.append("| call | calls/s | p50 µs | p99 µs | p50 / floor |\n|---|---:|---:|---:|---:|\n");
        t.append(row("`org.freedesktop.DBus.GetId` — the bus daemon's own round trip (the floor)", shipped[0], floor));
        t.append(row("**Patchbay `org.openvswitch.ovsdb.BridgeExists`**, appliance as shipped (JVM: C1 only, Serial GC; "
                + "answered from the OVSDB replica, no round trip to ovsdb-server: docs/dbus.md, consistency; on the connection's reader "
                + "thread, `@NonBlocking`: docs/dbus.md, inline dispatch)", shipped[1], floor));
        t.append(row("`org.freedesktop.DBus.Peer.Ping` to the appliance (answered inside dbus-java, also on the reader thread: "
                + "the D-Bus path to the appliance with no OVSDB work; client → daemon → appliance and back is twice the floor's hops)",
                shipped[2], floor));
        t.append(row("`GetId` floor, second run", c2[0], c2[0][0]));
        t.append(row("Patchbay `BridgeExists`, appliance with the C2 JIT (`JAVA_OPTS=\"" + Sandbox.C2_OPTS + "\"`)", c2[1],
                c2[0][0]));
        t.append(row("`Peer.Ping` to the appliance with the C2 JIT", c2[2], c2[0][0]));
        t.append(row("`busctl call … BridgeExists`, one process per call", procs[1], floor));
        t.append(row("`ovs-vsctl br-exists`, one process per call (what the existing OVS D-Bus wrapper forks per call; "
                + "its D-Bus hop comes on top)", procs[0], floor));
        t.append(String.format("%nTarget (issue 5): BridgeExists p50 within 2× the floor — as shipped %.2f× (%s); with C2 %.2f× (%s). "
                + "BridgeExists / Peer.Ping (what Patchbay adds to dbus-java's own answer): %.2f× as shipped, %.2f× with C2.%n",
                shipped[1][0] / floor, shipped[1][0] <= 2 * floor ? "met" : "NOT met", c2[1][0] / c2[0][0],
                c2[1][0] <= 2 * c2[0][0] ? "met" : "NOT met", shipped[1][0] / shipped[2][0], c2[1][0] / c2[2][0]));
        return t.toString();
    }

    /** Runs the client JVM against a fresh sandbox: out[0] = floor, out[1] = BridgeExists; procs: ovs-vsctl, busctl. */
    private void measure(Path dir, String javaOpts, double[][] out, double[][] procs) throws Exception {
        try (Sandbox sbx = new Sandbox(dist, dir, javaOpts)) {
            String addr = sbx.dbusAddress();
            String db = sbx.ovsDb();
            Stats.run(List.of("ovs-vsctl", "--db=" + db, "--no-wait", "add-br", BRIDGE), 30);
            List<String> busctlCall = List.of("busctl", "--address=" + addr, "call", "org.openvswitch.ovsdb",
                    "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "BridgeExists", "s", BRIDGE);
            sbx.await("org.openvswitch.ovsdb answering BridgeExists", 120, () -> {
                try {
                    Stats.Exec e = Stats.exec(busctlCall, 10);
                    return e.code() == 0 && e.out().trim().equals("b true");
                } catch (Exception e) {
                    return false;
                }
            });
            List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                    clientClassPath(), DbusClient.class.getName(), addr, BRIDGE, Integer.toString(WARMUP), Integer.toString(N)));
            String last = Stats.run(cmd, 300).strip().lines().reduce((a, b) -> b).orElse("");
            String[] parts = last.split("\\|");
            out[0] = parse(parts[0]);
            out[1] = parse(parts[1]);
            out[2] = parse(parts[2]);
            if (procs != null) {
                procs[0] = perProcess(List.of("ovs-vsctl", "--db=" + db, "br-exists", BRIDGE));
                procs[1] = perProcess(busctlCall);
            }
        }
    }

    private static String row(String name, double[] v, double floorP50) {
        return String.format("| %s | %s | %s | %s | %.1f× |%n", name, Stats.rate(v[2]), Stats.us(v[0]), Stats.us(v[1]), v[0] / floorP50);
    }

    /** @return {p50 µs, p99 µs, calls/s} */
    private static double[] parse(String s) {
        return Arrays.stream(s.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    private static double[] perProcess(List<String> cmd) throws Exception {
        long[] ns = new long[PROCS];
        long sum = 0;
        for (int i = 0; i < PROCS; i++) {
            long t0 = System.nanoTime();
            Stats.run(cmd, 30);
            ns[i] = System.nanoTime() - t0;
            sum += ns[i];
        }
        return new double[] {Stats.percentileMicros(ns, 50), Stats.percentileMicros(ns, 99), PROCS / (sum / 1e9)};
    }

    static String javaBin() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The bench classes plus the appliance's dbus-java wrapper jar (core + transport + slf4j), nothing else. */
    static String clientClassPath() {
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith("classes") || e.endsWith("classes/") || e.contains("patchbay-dbus-java") || e.contains("dev.ovs.dbus.api")
                    || e.contains("patchbay-benchmarks")) {
                cp.add(e);
            }
        }
        return String.join(File.pathSeparator, cp);
    }
}
