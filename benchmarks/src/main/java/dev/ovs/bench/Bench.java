package dev.ovs.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the benchmark harness: {@code Bench DIST [suite...]}, where DIST is the unpacked
 * {@code distribution/target/patchbay-VERSION} and the suites are {@code startup}, {@code ovsdb}, {@code dbus}, {@code bus} (default: all of those), {@code soak} (only when named; N: {@code -Dsoak.n} or env SOAK_N), {@code portagent}
 * (only when named: needs podman; Patchbay's add-port + del-port against the real ovs-docker), {@code hotdeploy} (only when named: a jar into deploy/ until it answers on D-Bus, and its removal, {@link HotDeployBench}; rounds: {@code -Dhotdeploy.n} / env HOTDEPLOY_N), {@code netstate}
 * (only when named: one Apply against ovs-vsctl and ovs-docker, {@link NetStateBench}), {@code fuzz} (only when
 * named: the jqwik fuzz properties at {@code -Dfuzz.tries} / env FUZZ_TRIES tries each, default 10000, {@link FuzzBench}),
 * {@code fleet} (only when named: N packaged appliances behind a hub of three nats-servers, {@code -Dfleet.n} / env
 * FLEET_N, default 10, {@link FleetBench}), {@code torture} (only when named: the restart torture at
 * {@code -Dtorture.restarts} / env TORTURE_RESTARTS restarts each, default 20, {@link TortureBench}).
 * Each suite measures Patchbay and its named peers in the same run and prints a markdown table.
 */
public final class Bench {
    /** Every suite name, in the order of the usage line. */
    static final List<String> SUITES = List.of("startup", "ovsdb", "dbus", "bus", "soak", "portagent", "netstate",
            "fuzz", "fleet", "torture", "hotdeploy");

    private Bench() {
    }

    /**
     * @param args DIST, then suite names
     * @throws Exception when a measurement cannot be taken (the message says which)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Bench DIST [" + String.join("|", SUITES) + "]...");
            System.exit(64);
        }
        Path dist = Path.of(args[0]).toAbsolutePath();
        List<String> suites = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of("startup", "ovsdb", "dbus", "bus");
        for (String s : suites) {
            if (!SUITES.contains(s)) {
                System.err.println("unknown suite '" + s + "' (" + String.join(", ", SUITES) + ")");
                System.exit(64);
            }
        }
        System.out.println(Machine.describe());
        boolean failed = false;
        for (String s : suites) {
            long t0 = System.nanoTime();
            String table;
            try {
                table = switch (s) {
                    case "startup" -> new StartupBench(dist).run();
                    case "ovsdb" -> new OvsdbBench().run();
                    case "dbus" -> new DbusBench(dist).run();
                    case "bus" -> new BusBench(dist).run();
                    case "soak" -> new SoakBench(dist).run();
                    case "portagent" -> new PortAgentBench(dist).run();
                    case "netstate" -> new NetStateBench(dist).run();
                    case "fuzz" -> new FuzzBench().run();
                    case "fleet" -> new FleetBench(dist).run();
                    case "torture" -> new TortureBench(dist).run();
                    case "hotdeploy" -> new HotDeployBench(dist).run();
                    default -> throw new IllegalArgumentException("unknown suite '" + s + "' (" + String.join(", ", SUITES) + ")");
                };
            } catch (Exception e) {
                // one failed suite does not cost the others' figures; the exit code says it failed
                e.printStackTrace();
                table = "### " + s + ": NOT measured\n\nThe suite failed: " + e.toString().lines().findFirst().orElse("") + "\n";
                failed = true;
            }
            System.out.println();
            System.out.println(table);
            System.out.flush();
            System.err.printf("bench: suite %s took %.0f s%n", s, (System.nanoTime() - t0) / 1e9);
        }
        if (failed) {
            System.exit(1);
        }
    }
}
