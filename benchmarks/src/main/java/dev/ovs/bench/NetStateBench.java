package dev.ovs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.types.UInt32;

/**
 * Network state (issue 14): one {@code dev.ovs.NetState1.Apply} of a document against the command-line ways of
 * doing the same, on the packaged appliance in sandbox mode ({@link Sandbox}: private ovsdb-server, ovs-vswitchd
 * with the userspace datapath, dbus-daemon, its own network namespace), in one run.
 *
 * <ul>
 * <li>VLAN access ports: a bridge with 100, 300 and 1,000 internal interfaces (other counts: {@code -Dnetstate.sizes} or
 * env NETSTATE_SIZES, e.g. {@code 1000}), each an access port of its own VLAN:
 * one Apply (returns once ovs-vswitchd applied it and the state was re-read and verified) against one
 * {@code ovs-vsctl} process per port (plus one for the bridge) and one {@code ovs-vsctl} with every command
 * {@code --}-chained; every tool waits for ovs-vswitchd (no {@code --no-wait}); each starts without the bridge.</li>
 * <li>Re-applying the unchanged 1,000-port document (the largest size): time, and the OVSDB writes seen by an
 * independent monitor (configuration columns of Open_vSwitch, Bridge, Port, Interface: must be 0); as the same text
 * (the engine reuses the parse of a text equal to the last one), as JSON, and as YAML whose text differs each time
 * by a comment (parsed each time).</li>
 * <li>50 containers attached with an address and a VLAN: the real {@code /usr/bin/ovs-docker add-port ...
 * --ipaddress=...} + {@code set-vlan} per container, one process each as a script runs them, against one Apply of
 * a {@code container-ports} document on the same bridge and the same containers; then the Rollback of that
 * Apply (a pending checkpoint) and its time. Containers are network namespaces with a {@code sleep} process
 * (stand-ins: 50 podman containers would cost minutes of setup on this machine); ovs-docker finds them through a
 * {@code docker} shim that answers {@code inspect -f '{{.State.Pid}}'}, the port agent by {@code pid:N}. The
 * appliance's container-port code is warmed up first (three Apply + Rollback of 5 of the containers, not timed), as
 * its VLAN-port code is before the sizes.</li>
 * <li>The single add + del cycle of one container port: Apply of a one-port document, then Apply of it with
 * {@code state: absent}, against ovs-docker add-port + del-port.</li>
 * </ul>
 */
final class NetStateBench {
    /** Port counts: {@code -Dnetstate.sizes} or env NETSTATE_SIZES (comma-separated), default 100,300,1000. */
    private static final List<Integer> SIZES = sizes();
    private static final int CONTAINERS = 50;
    private static final int REAPPLY = 10;
    private static final int CYCLES = 20;
    private static final int OVS_DOCKER_CYCLES = 5;
    private static final String CBR = "br-nsc";
    private final Path dist;
    private final ObjectMapper json = new ObjectMapper();

    private static List<Integer> sizes() {
        String v = System.getProperty("netstate.sizes", System.getenv().getOrDefault("NETSTATE_SIZES", "100,300,1000"));
        List<Integer> out = new ArrayList<>();
        for (String x : v.split(",")) {
            out.add(Integer.parseInt(x.trim()));
        }
        return List.copyOf(out);
    }

    NetStateBench(Path dist) {
        this.dist = dist;
    }

    /** Wall times in ms of one size; applyCpu: CPU time of the appliance JVM during the Apply, ms. */
    private record Ports(int n, double apply, double applyCpu, double perPort, double chained) {
    }

    /** Re-applies of one document: wall ms each, OVSDB writes seen, appliance CPU ms per re-apply. */
    private record Reapply(double[] wall, int writes, double cpu) {
    }

    String run() throws Exception {
        List<Ports> ports = new ArrayList<>();
        double ovsDocker;
        double apply50;
        double rollback50;
        long[] cycle = new long[CYCLES];
        long[] dockerCycle = new long[OVS_DOCKER_CYCLES];
        MethodCall.setDefaultTimeout(TimeUnit.MINUTES.toMillis(5));
        try (ShortTempDir tmp = ShortTempDir.create(); Sandbox sbx = new Sandbox(dist, tmp.resolve("sbx"), null);
                DBusConnection c = sbx.connectBus()) {
            NetStateDbus ns = c.getRemoteObject("dev.ovs.NetState1", "/dev/ovs/NetState1", NetStateDbus.class);
            sbx.await("dev.ovs.NetState1 answering Show", 120, () -> {
                try {
                    return ns.Show().startsWith("interfaces:");
                } catch (RuntimeException e) {
                    return false;
                }
            });
            String db = sbx.ovsDb();
            long pid = sbx.appliancePid();
            // warm-up of the appliance's code paths (JIT), not timed
            for (int i = 0; i < 3; i++) {
                ns.Apply(portsDoc("w", 50), new UInt32(0));
                vsctl(db, "del-br", "br-w50");
            }
            for (int n : SIZES) {
                String doc = portsDoc("n", n);
                long cpu0 = cpuMillis(pid);
                long t0 = System.nanoTime();
                ns.Apply(doc, new UInt32(0));
                double apply = ms(System.nanoTime() - t0);
                double applyCpu = cpuMillis(pid) - cpu0;
                checkPorts(db, "br-n" + n, "n" + n + "-", n);
                if (n == SIZES.get(SIZES.size() - 1)) {
                    reapplyYaml = reapply(ns, db, pid, i -> doc);
                    reapplyJson = reapply(ns, db, pid, i -> portsJson("n", n));
                    // the same content in a text that differs each time (a comment): parsed each time
                    reapplyFresh = reapply(ns, db, pid, i -> doc + "# re-apply " + i + "\n");
                }
                vsctl(db, "del-br", "br-n" + n);

                List<String> br = List.of("add-br", "br-v" + n, "--", "set", "Bridge", "br-v" + n, "datapath_type=netdev");
                t0 = System.nanoTime();
                vsctl(db, br.toArray(String[]::new));
                for (int i = 0; i < n; i++) {
                    String p = "v" + n + "-" + i;
                    vsctl(db, "add-port", "br-v" + n, p, "tag=" + tag(i), "--", "set", "Interface", p, "type=internal");
                }
                double perPort = ms(System.nanoTime() - t0);
                checkPorts(db, "br-v" + n, "v" + n + "-", n);
                vsctl(db, "del-br", "br-v" + n);

                List<String> chained = new ArrayList<>(List.of("add-br", "br-c" + n, "--", "set", "Bridge", "br-c" + n,
                        "datapath_type=netdev"));
                for (int i = 0; i < n; i++) {
                    String p = "c" + n + "-" + i;
                    chained.addAll(List.of("--", "add-port", "br-c" + n, p, "tag=" + tag(i), "--", "set", "Interface", p, "type=internal"));
                }
                t0 = System.nanoTime();
                vsctl(db, chained.toArray(String[]::new));
                double oneProcess = ms(System.nanoTime() - t0);
                checkPorts(db, "br-c" + n, "c" + n + "-", n);
                vsctl(db, "del-br", "br-c" + n);
                ports.add(new Ports(n, apply, applyCpu, perPort, oneProcess));
                System.err.printf("bench: netstate %d ports: apply %.0f ms, ovs-vsctl per port %.0f ms, chained %.0f ms%n", n, apply,
                        perPort, oneProcess);
            }

            // containers: network namespaces with a sleep process each
            List<Stand> stands = new ArrayList<>();
            try {
                for (int i = 0; i < CONTAINERS; i++) {
                    stands.add(Stand.start(i));
                }
                Path bin = tmp.resolve("bin");
                writeDockerShim(bin, tmp.resolve("pids"), stands);
                String netns = sbx.env.get("PATCHBAY_NETNS");
                Path rundir = Path.of(db.substring("unix:".length())).getParent();
                List<String> ovsDockerCmd = List.of("ip", "netns", "exec", netns, "env", "PATH=" + bin + ":" + System.getenv("PATH"),
                        "OVS_RUNDIR=" + rundir, "ovs-docker");
                vsctl(db, "add-br", CBR, "--", "set", "Bridge", CBR, "datapath_type=netdev");

                long t0 = System.nanoTime();
                for (int i = 0; i < CONTAINERS; i++) {
                    Stand s = stands.get(i);
                    Stats.run(cmd(ovsDockerCmd, "add-port", CBR, "eth1", s.name, "--ipaddress=" + address(i)), 60);
                    Stats.run(cmd(ovsDockerCmd, "set-vlan", CBR, "eth1", s.name, Integer.toString(vlan(i))), 60);
                }
                ovsDocker = ms(System.nanoTime() - t0);
                checkContainers(db, stands, "ovs-docker");
                for (Stand s : stands) {
                    Stats.run(cmd(ovsDockerCmd, "del-ports", CBR, s.name), 60);
                }
                checkNoContainerPorts(db, stands, "ovs-docker del-ports");

                // warm-up of the appliance's container-port code paths (JIT), not timed: as for the VLAN ports above
                StringBuilder warm = new StringBuilder("container-ports:\n");
                for (int i = 0; i < 5; i++) {
                    warm.append("- {container: \"pid:").append(stands.get(i).pid).append("\", interface: eth1, bridge: ").append(CBR)
                            .append(", ipv4: ").append(address(i)).append(", vlan: ").append(vlan(i)).append("}\n");
                }
                for (int i = 0; i < 3; i++) {
                    ns.Rollback(ns.Apply(warm.toString(), new UInt32(600)));
                }
                checkNoContainerPorts(db, stands, "the warm-up");

                StringBuilder doc = new StringBuilder("container-ports:\n");
                for (int i = 0; i < CONTAINERS; i++) {
                    doc.append("- {container: \"pid:").append(stands.get(i).pid).append("\", interface: eth1, bridge: ").append(CBR)
                            .append(", ipv4: ").append(address(i)).append(", vlan: ").append(vlan(i)).append("}\n");
                }
                t0 = System.nanoTime();
                String id = ns.Apply(doc.toString(), new UInt32(600));
                apply50 = ms(System.nanoTime() - t0);
                checkContainers(db, stands, "Patchbay Apply");
                t0 = System.nanoTime();
                ns.Rollback(id);
                rollback50 = ms(System.nanoTime() - t0);
                checkNoContainerPorts(db, stands, "Patchbay Rollback");
                System.err.printf("bench: netstate 50 containers: ovs-docker %.0f ms, apply %.0f ms, rollback %.0f ms%n", ovsDocker,
                        apply50, rollback50);

                Stand one = stands.get(0);
                String add = "container-ports:\n- {container: \"pid:" + one.pid + "\", interface: eth1, bridge: " + CBR + ", ipv4: "
                        + address(0) + ", vlan: " + vlan(0) + "}\n";
                String del = "container-ports:\n- {container: \"pid:" + one.pid + "\", interface: eth1, state: absent}\n";
                for (int i = 0; i < 3; i++) {
                    ns.Apply(add, new UInt32(0));
                    ns.Apply(del, new UInt32(0));
                }
                for (int i = 0; i < CYCLES; i++) {
                    long c0 = System.nanoTime();
                    ns.Apply(add, new UInt32(0));
                    ns.Apply(del, new UInt32(0));
                    cycle[i] = System.nanoTime() - c0;
                }
                for (int i = 0; i < OVS_DOCKER_CYCLES; i++) {
                    long c0 = System.nanoTime();
                    Stats.run(cmd(ovsDockerCmd, "add-port", CBR, "eth1", one.name, "--ipaddress=" + address(0)), 60);
                    Stats.run(cmd(ovsDockerCmd, "del-port", CBR, "eth1", one.name), 60);
                    dockerCycle[i] = System.nanoTime() - c0;
                }
                checkNoContainerPorts(db, stands, "the cycles");
            } finally {
                for (Stand s : stands) {
                    s.close();
                }
            }
        }
        return table(ports, ovsDocker, apply50, rollback50, cycle, dockerCycle);
    }

    /** Re-applies of the largest document as YAML. */
    private Reapply reapplyYaml;
    /** Re-applies of the largest document as JSON. */
    private Reapply reapplyJson;

    /** Re-applies of the largest document as YAML whose text differs each time. */
    private Reapply reapplyFresh;

    private Reapply reapply(NetStateDbus ns, String db, long pid, java.util.function.IntFunction<String> docs) throws Exception {
        try (Monitor m = new Monitor(db)) {
            int before = m.count();
            double[] wall = new double[REAPPLY];
            long cpu0 = cpuMillis(pid);
            for (int i = 0; i < REAPPLY; i++) {
                long r0 = System.nanoTime();
                String id = ns.Apply(docs.apply(i), new UInt32(0));
                wall[i] = ms(System.nanoTime() - r0);
                if (changes(ns, id) != 0) {
                    throw new IllegalStateException("re-apply " + id + " made changes");
                }
            }
            double cpu = (cpuMillis(pid) - cpu0) / (double) REAPPLY;
            return new Reapply(wall, m.count() - before, cpu);
        }
    }

    /** CPU time (user + system) of a process so far, ms ({@code /proc/PID/stat} fields 14 and 15, in clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    private String table(List<Ports> ports, double ovsDocker, double apply50, double rollback50, long[] cycle, long[] dockerCycle) {
        StringBuilder t = new StringBuilder("### Network state: one Apply against ovs-vsctl and ovs-docker\n\n");
        t.append("Packaged appliance in sandbox mode (userspace datapath), appliance configuration as shipped; Apply over D-Bus "
                + "(`dev.ovs.NetState1`, one connection from a separate process) returns once ovs-vswitchd applied the change "
                + "and the state was re-read and verified; every `ovs-vsctl`/`ovs-docker` waits for ovs-vswitchd too (no "
                + "`--no-wait`), timed from fork to exit. One run; each size starts without its bridge.\n\n");
        t.append("| VLAN access ports (internal interfaces) on a new bridge | Patchbay Apply ms | its appliance CPU ms | one "
                + "`ovs-vsctl` per port ms | one `--`-chained `ovs-vsctl` ms | Patchbay vs per-port | Patchbay vs chained | target |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Ports p : ports) {
            String target = p.n == 1000 ? (p.apply <= 2000 ? "≤ 2 s: met" : "≤ 2 s: NOT met") : "";
            t.append(String.format("| %,d | %.0f | %.0f | %.0f | %.0f | %.1f× | %.2f× | %s |%n", p.n, p.apply, p.applyCpu, p.perPort,
                    p.chained, p.perPort / p.apply, p.chained / p.apply, target));
        }
        t.append(String.format("%n| re-apply of the unchanged 1,000-port document (%d times each) | p50 ms | max ms | appliance CPU ms "
                + "per re-apply | OVSDB writes seen | target |%n|---|---:|---:|---:|---:|---|%n", REAPPLY));
        for (var r : List.of(Map.entry("YAML (as written by Show; the text equals the last one parsed: its parse is reused)", reapplyYaml),
                Map.entry("the same document as JSON", reapplyJson),
                Map.entry("the same YAML with a different comment each time (parsed each time)", reapplyFresh))) {
            Reapply v = r.getValue();
            double med = median(v.wall());
            double max = 0;
            for (double w : v.wall()) {
                max = Math.max(max, w);
            }
            t.append(String.format("| Patchbay Apply, %s (empty diff: no transaction, no journal file) | %.1f | %.1f | %.0f | %d "
                    + "| ≤ 50 ms and 0 writes: %s |%n", r.getKey(), med, max, v.cpu(), v.writes(), med <= 50 && v.writes() == 0 ? "met"
                    : "NOT met"));
        }
        double speedUp = ovsDocker / apply50;
        t.append(String.format("%n| 50 containers (netns stand-ins) attached with an address and a VLAN | ms | vs ovs-docker "
                + "| target |%n|---|---:|---:|---|%n"));
        t.append(String.format("| `ovs-docker add-port … --ipaddress=…` + `ovs-docker set-vlan …` per container (100 processes) "
                + "| %.0f | 1.0× | |%n", ovsDocker));
        t.append(String.format("| **Patchbay** one Apply of 50 `container-ports` (one attach batch: one OVSDB transaction, one wait "
                + "for ovs-vswitchd; then the settings record and the verification) | %.0f | %.1f× | ≥ 25×: %s |%n", apply50, speedUp,
                speedUp >= 25 ? "met" : "NOT met"));
        t.append(String.format("| Patchbay Rollback of that checkpoint (one detach batch) | %.0f | | ≤ 1 s: %s |%n", rollback50,
                rollback50 <= 1000 ? "met" : "NOT met"));
        double c = Stats.percentileMicros(cycle, 50) / 1000;
        double d = Stats.percentileMicros(dockerCycle, 50) / 1000;
        t.append(String.format("%n| single container port add + del cycle | p50 ms | vs ovs-docker |%n|---|---:|---:|%n"
                + "| `ovs-docker add-port` + `del-port` (%d cycles) | %.0f | 1.0× |%n"
                + "| Patchbay Apply of one port + Apply of it `state: absent` (%d cycles; each Apply waits for ovs-vswitchd "
                + "once per batch, and re-reads and verifies) | %.0f | %.1f× |%n", OVS_DOCKER_CYCLES, d, CYCLES, c, d / c));
        return t.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static int tag(int i) {
        return 1 + i % 4000;
    }

    private static int vlan(int i) {
        return 100 + i % 10;
    }

    private static String address(int i) {
        return "10.61." + (i / 200) + "." + (1 + i % 200) + "/16";
    }

    /** A bridge with n VLAN access ports, each an internal interface. */
    static String portsDoc(String prefix, int n) {
        StringBuilder b = new StringBuilder("interfaces:\n- name: br-" + prefix + n + "\n  type: ovs-bridge\n  bridge:\n"
                + "    options: {datapath: netdev}\n    port:\n");
        for (int i = 0; i < n; i++) {
            b.append("    - {name: ").append(prefix).append(n).append('-').append(i).append(", vlan: {mode: access, tag: ")
                    .append(tag(i)).append("}}\n");
        }
        for (int i = 0; i < n; i++) {
            b.append("- {name: ").append(prefix).append(n).append('-').append(i).append(", type: ovs-interface}\n");
        }
        return b.toString();
    }

    /** {@link #portsDoc} as JSON (a JSON document is a YAML document too). */
    static String portsJson(String prefix, int n) {
        StringBuilder b = new StringBuilder("{\"interfaces\": [{\"name\": \"br-" + prefix + n + "\", \"type\": \"ovs-bridge\", "
                + "\"bridge\": {\"options\": {\"datapath\": \"netdev\"}, \"port\": [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(prefix).append(n).append('-').append(i)
                    .append("\", \"vlan\": {\"mode\": \"access\", \"tag\": ").append(tag(i)).append("}}");
        }
        b.append("]}}");
        for (int i = 0; i < n; i++) {
            b.append(", {\"name\": \"").append(prefix).append(n).append('-').append(i).append("\", \"type\": \"ovs-interface\"}");
        }
        return b.append("]}").toString();
    }

    private int changes(NetStateDbus ns, String id) throws Exception {
        for (JsonNode cp : json.readTree(ns.ListCheckpoints())) {
            if (cp.get("id").asText().equals(id)) {
                return cp.get("changes").asInt();
            }
        }
        throw new IllegalStateException("no checkpoint " + id);
    }


    private static void vsctl(String db, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db, "--timeout=300"));
        argv.addAll(List.of(args));
        Stats.run(argv, 600);
    }

    private static void checkPorts(String db, String bridge, String prefix, int n) throws Exception {
        List<String> names = Stats.run(List.of("ovs-vsctl", "--db=" + db, "list-ports", bridge), 60).lines()
                .filter(l -> l.startsWith(prefix)).toList();
        if (names.size() != n) {
            throw new IllegalStateException(bridge + ": " + names.size() + " ports " + prefix + "*, expected " + n);
        }
        String last = prefix + (n - 1);
        String got = Stats.run(List.of("ovs-vsctl", "--db=" + db, "get", "Port", last, "tag", "--", "get", "Interface", last, "type",
                "ofport"), 60).replace("\n", " ").trim();
        if (!got.startsWith(tag(n - 1) + " internal ") || got.endsWith(" -1") || got.endsWith(" []")) {
            throw new IllegalStateException(last + ": tag, type, ofport = " + got + " (expected " + tag(n - 1) + " internal N)");
        }
    }

    private static void checkContainers(String db, List<Stand> stands, String tool) throws Exception {
        String rows = Stats.run(List.of("ovs-vsctl", "--db=" + db, "--bare", "--columns=name", "find", "Interface",
                "external_ids:container_iface=eth1"), 60);
        long n = rows.lines().filter(l -> l.endsWith("_l")).count();
        if (n != stands.size()) {
            throw new IllegalStateException(tool + ": " + n + " container ports, expected " + stands.size());
        }
        int last = stands.size() - 1;
        String addr = Stats.run(List.of("ip", "-n", stands.get(last).name, "-o", "addr", "show", "eth1"), 30);
        if (!addr.contains("inet " + address(last))) {
            throw new IllegalStateException(tool + ": eth1 of " + stands.get(last).name + " lacks " + address(last) + ": " + addr);
        }
        String tags = Stats.run(List.of("ovs-vsctl", "--db=" + db, "--bare", "--columns=tag", "find", "Port", "tag=" + vlan(last)), 60);
        if (tags.isBlank()) {
            throw new IllegalStateException(tool + ": no port with VLAN " + vlan(last));
        }
    }

    private static void checkNoContainerPorts(String db, List<Stand> stands, String after) throws Exception {
        String rows = Stats.run(List.of("ovs-vsctl", "--db=" + db, "--bare", "--columns=name", "find", "Interface",
                "external_ids:container_iface=eth1"), 60).trim();
        if (!rows.isEmpty()) {
            throw new IllegalStateException("container ports left after " + after + ": " + rows);
        }
        for (Stand s : stands) {
            if (Stats.run(List.of("ip", "-n", s.name, "-o", "link"), 30).contains("eth1")) {
                throw new IllegalStateException(s.name + " still has eth1 after " + after);
            }
        }
    }

    private static List<String> cmd(List<String> prefix, String... args) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of(args));
        return c;
    }

    /** {@code BIN/docker}: {@code docker inspect -f '{{.State.Pid}}' NAME} answers the stand-in's PID from a file. */
    private static void writeDockerShim(Path bin, Path pids, List<Stand> stands) throws Exception {
        Files.createDirectories(bin);
        StringBuilder b = new StringBuilder();
        for (Stand s : stands) {
            b.append(s.name).append(' ').append(s.pid).append('\n');
        }
        Files.writeString(pids, b.toString());
        Path docker = bin.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\n# ovs-docker's only docker call: docker inspect -f '{{.State.Pid}}' NAME\n"
                + "[ \"$1\" = inspect ] || { echo \"docker shim: only inspect\" >&2; exit 1; }\n"
                + "for last; do :; done\n"
                + "pid=$(awk -v n=\"$last\" '$1 == n { print $2 }' '" + pids + "')\n"
                + "[ -n \"$pid\" ] || { echo \"Error: no such container $last\" >&2; exit 1; }\n"
                + "echo \"$pid\"\n");
        if (!docker.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + docker + " executable");
        }
    }

    /** A container stand-in: a network namespace ({@code ip netns add}) with a {@code sleep} process in it. */
    private static final class Stand implements AutoCloseable {
        final String name;
        final long pid;
        private final Process sleeper;

        private Stand(String name, Process sleeper) {
            this.name = name;
            this.sleeper = sleeper;
            this.pid = sleeper.pid();
        }

        static Stand start(int i) throws Exception {
            String name = "pbns-" + Long.toHexString(ProcessHandle.current().pid()) + "-" + i;
            Stats.run(List.of("ip", "netns", "add", name), 30);
            Stats.run(List.of("ip", "-n", name, "link", "set", "lo", "up"), 30);
            // ip netns exec enters the namespace and execs sleep: the process keeps its PID
            Process p = new ProcessBuilder("ip", "netns", "exec", name, "sleep", "86400").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Path mine = Path.of("/proc", Long.toString(p.pid()), "ns/net");
            while (System.nanoTime() < deadline) {
                if (p.isAlive() && Files.exists(mine) && Files.isSameFile(mine, Path.of("/run/netns", name))) {
                    return new Stand(name, p);
                }
                Thread.sleep(10);
            }
            p.destroyForcibly();
            throw new IllegalStateException("the sleep process did not enter " + name);
        }

        @Override
        public void close() throws Exception {
            sleeper.destroy();
            sleeper.waitFor(10, TimeUnit.SECONDS);
            Stats.exec(List.of("ip", "netns", "delete", name), 30);
        }
    }

    /** Counts updates of the configuration columns (not ovs-vswitchd's status columns) seen by an OVSDB monitor. */
    private static final class Monitor implements AutoCloseable {
        private static final Set<String> STATUS = Set.of("statistics", "status", "ofport", "ifindex", "mac_in_use", "link_state",
                "link_resets", "link_speed", "admin_state", "duplex", "mtu", "error", "datapath_id", "datapath_version",
                "rstp_status", "rstp_statistics", "bfd_status", "cfm_fault", "cfm_fault_status", "cfm_health", "cfm_remote_mpids",
                "cfm_remote_opstate", "lacp_current", "cur_cfg");
        private final OvsdbClient client;
        private final Replica replica;
        private final AtomicInteger updates = new AtomicInteger();

        Monitor(String remote) {
            client = OvsdbClients.connect(ClientOptions.of(remote));
            Set<String> config = new HashSet<>();
            STATUS.forEach(s -> config.add("!" + s));
            Map<String, Set<String>> tables = new LinkedHashMap<>();
            for (String t : List.of("Open_vSwitch", "Bridge", "Port", "Interface")) {
                tables.put(t, config);
            }
            replica = client.replica("Open_vSwitch", tables);
            if (!replica.awaitSynced(Duration.ofSeconds(30))) {
                client.close();
                throw new IllegalStateException("monitor replica did not sync");
            }
            replica.addListener(ev -> updates.incrementAndGet());
        }

        int count() {
            replica.sync();
            return updates.get();
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
