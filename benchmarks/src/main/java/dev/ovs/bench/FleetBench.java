package dev.ovs.bench;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.FleetSandbox;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fleet over NATS (issue 16): N packaged appliances on this machine ({@link FleetSandbox}: a hub of three
 * nats-servers with JetStream in a namespace of its own, each appliance {@code bin/patchbay run --sandbox} joined to
 * it by a veth), N from {@code -Dfleet.n} or env {@code FLEET_N} (default 10), rounds from {@code -Dfleet.rounds} or
 * env {@code FLEET_ROUNDS} (default 20: alternately the create and the remove document).
 *
 * <ul>
 * <li>Per host, desired write → report {@code applied} seen by the controller ({@code HostOutcome.elapsedMillis}),
 * every host at once ({@code --max-unavailable N}, {@code RolloutOptions.all()}), for the document of one bridge
 * with 10 ports, each an access port of its own VLAN, and for its removal; p50/p99/max over hosts × rounds.</li>
 * <li>Where a host's time goes, from its own {@code netstate.checkpoint.<id>.created/.committed} events on the hub
 * (their {@code ts}, the same clock) and the controller's watches of both buckets: write → checkpoint created (watch notification, network-state apply and
 * verification), created → committed (the connectivity check and the commit), committed → report seen.</li>
 * <li>The whole rollout of N hosts through the Java API, and once through {@code bin/patchbay fleet apply --all
 * --max-unavailable N} (wall time of the command including its JVM start, and the rollout time it prints).</li>
 * <li>The NATS floor on the same servers: KV put on one server → watch notification on a connection to another
 * (bucket R3, file storage, like the fleet's buckets).</li>
 * </ul>
 * The controller side runs in the hub's namespace ({@link FleetProbe}, a child JVM with this class path).
 */
final class FleetBench {
    private static final Pattern LINE = Pattern.compile("^(FLOOR|HOST|ROLLOUT|PHASE) (.*)$");
    private final Path dist;

    FleetBench(Path dist) {
        this.dist = dist;
    }

    private static int knob(String prop, String env, int def) {
        return Integer.parseInt(System.getProperty(prop, System.getenv().getOrDefault(env, Integer.toString(def))));
    }

    String run() throws Exception {
        int n = knob("fleet.n", "FLEET_N", 10);
        int rounds = knob("fleet.rounds", "FLEET_ROUNDS", 20);
        List<Long> floor = new ArrayList<>();
        Map<String, List<Long>> host = new HashMap<>();
        Map<String, List<Long>> rollout = new HashMap<>();
        Map<String, List<long[]>> phases = new HashMap<>();
        double cliWall;
        double cliRollout;
        long t0 = System.nanoTime();
        try (ShortTempDir tmp = ShortTempDir.create();
                FleetSandbox f = FleetSandbox.start(dist, tmp.path(), n, Map.of(), Duration.ofSeconds(120 + 20L * n))) {
            System.err.printf("bench: fleet of %d appliances up in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
            String a = FleetSandbox.hubAddress(1);
            String servers = "nats://" + a + ":4222,nats://" + a + ":4223,nats://" + a + ":4224";
            List<String> argv = f.hub().wrap(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), FleetProbe.class.getName(), servers, Integer.toString(n),
                    Integer.toString(rounds), tmp.path().toString());
            String out = Cmd.run(argv, Duration.ofMinutes(20));
            for (String l : out.split("\n")) {
                Matcher m = LINE.matcher(l.strip());
                if (!m.matches()) {
                    continue;
                }
                String[] v = m.group(2).split(" ");
                switch (m.group(1)) {
                    case "FLOOR" -> floor.add(Long.parseLong(v[0]));
                    case "HOST" -> host.computeIfAbsent(v[0], k -> new ArrayList<>()).add(Long.parseLong(v[2]) * 1_000_000);
                    case "ROLLOUT" -> rollout.computeIfAbsent(v[0], k -> new ArrayList<>()).add(Long.parseLong(v[1]) * 1_000_000);
                    case "PHASE" -> phases.computeIfAbsent(v[0], k -> new ArrayList<>()).add(new long[] {
                        Long.parseLong(v[2]) * 1_000_000, Long.parseLong(v[3]) * 1_000_000, Long.parseLong(v[4]) * 1_000_000});
                    default -> throw new IllegalStateException(l);
                }
            }
            // the command line: fleet apply --all, every host at once, the create document (the bridge is absent now)
            long c0 = System.nanoTime();
            String cli = f.fleet("apply", "--all", "--max-unavailable", Integer.toString(n), "--timeout", "60",
                    tmp.path().resolve("create.yaml").toString());
            cliWall = (System.nanoTime() - c0) / 1e9;
            Matcher m = Pattern.compile("rollout complete in ([0-9.]+) s").matcher(cli);
            if (!m.find()) {
                throw new IllegalStateException("fleet apply --all did not complete:\n" + cli);
            }
            cliRollout = Double.parseDouble(m.group(1));
            for (int i = 1; i <= n; i++) {
                String ports = Cmd.run(List.of("ovs-vsctl", "--db=" + f.db(i), "list-ports", "br-fb"), Duration.ofSeconds(30));
                if (ports.strip().split("\n").length != 10) {
                    throw new IllegalStateException("host" + i + ": br-fb has ports " + ports);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("### fleet: ").append(n).append(" packaged appliances, hub of 3 nats-servers (JetStream, R3 buckets), ")
                .append(rounds / 2).append(" rounds of each document, every host at once\n\n");
        sb.append("| measure | samples | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n");
        row(sb, "NATS floor: KV put → watch notification (other server)", floor);
        row(sb, "per host: desired write → `applied` seen, create (bridge, 10 ports, VLANs)", host.get("create"));
        row(sb, "per host: desired write → `applied` seen, remove (bridge absent)", host.get("remove"));
        String[] names = {"write → checkpoint created (watch, apply, verify)", "created → committed (check, commit)",
            "committed → report seen"};
        for (int p = 0; p < 3; p++) {
            List<Long> l = new ArrayList<>();
            for (long[] x : phases.getOrDefault("create", List.of())) {
                l.add(x[p]);
            }
            row(sb, "&nbsp;&nbsp;create, " + names[p], l);
        }
        row(sb, "whole rollout of " + n + " hosts (API, max-unavailable " + n + "), create", rollout.get("create"));
        row(sb, "whole rollout of " + n + " hosts (API, max-unavailable " + n + "), remove", rollout.get("remove"));
        sb.append(String.format("| `fleet apply --all --max-unavailable %d` (create): rollout printed / command wall "
                + "incl. JVM start | 1 | %.0f | %.0f | |%n", n, cliRollout * 1000, cliWall * 1000));
        double p99 = Stats.percentileMicros(toArray(host.get("create")), 99) / 1000;
        double whole = Stats.percentileMicros(toArray(rollout.get("create")), 50) / 1000;
        sb.append(String.format("%nTargets: per-host p99 ≤ 2000 ms: %.0f ms (%s); whole rollout of %d hosts ≤ 3000 ms: "
                + "%.0f ms p50 (%s), %.0f ms through the CLI.%n", p99, p99 <= 2000 ? "met" : "missed", n, whole,
                whole <= 3000 ? "met" : "missed", cliRollout * 1000));
        return sb.toString();
    }

    private static long[] toArray(List<Long> l) {
        return l == null ? new long[0] : l.stream().mapToLong(Long::longValue).toArray();
    }

    private static void row(StringBuilder sb, String what, List<Long> nanos) {
        long[] a = toArray(nanos);
        java.util.Arrays.sort(a);
        sb.append(String.format("| %s | %d | %.1f | %.1f | %.1f |%n", what, a.length,
                Stats.percentileMicros(a, 50) / 1000, Stats.percentileMicros(a, 99) / 1000,
                a.length == 0 ? Double.NaN : a[a.length - 1] / 1e6));
    }
}
