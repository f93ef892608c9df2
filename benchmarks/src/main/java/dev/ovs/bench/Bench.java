package dev.ovs.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the benchmark harness: {@code Bench DIST [suite...]}, where DIST is the unpacked
 * {@code distribution/target/patchbay-VERSION} and the suites are {@code startup} (default: all).
 * Each suite measures Patchbay and its named peers in the same run and prints a markdown table.
 */
public final class Bench {
    private Bench() {
    }

    /**
     * @param args DIST, then suite names
     * @throws Exception when a measurement cannot be taken (the message says which)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Bench DIST [startup]");
            System.exit(64);
        }
        Path dist = Path.of(args[0]).toAbsolutePath();
        List<String> suites = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of("startup");
        List<String> out = new ArrayList<>();
        out.add(Machine.describe());
        for (String s : suites) {
            switch (s) {
                case "startup" -> out.add(new StartupBench(dist).run());
                default -> throw new IllegalArgumentException("unknown suite '" + s + "' (startup)");
            }
        }
        System.out.println(String.join("\n\n", out));
    }
}
