package dev.ovs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The fuzz suite: the jqwik properties of the {@code *FuzzTest} classes (rtnetlink decoder, .network/.netdev round
 * trip, Docker API responses, the port agent's {@code a{sv}} options, the D-Bus message reader, the bus line
 * protocol) run longer than in CI: {@code jqwik.tries.default} = N tries per property instead of 1000. N: system
 * property {@code fuzz.tries} or env FUZZ_TRIES, default 10000. The properties run where CI runs them, in their
 * modules' test class paths: {@code mvn -o surefire:test -Dtest=*FuzzTest} in the source tree (the working
 * directory, as {@code scripts/bench.sh} sets it; after its {@code install}, which compiles the tests). Prints per
 * property the cases run (jqwik's tries and checks), the outcome statistics the property collects, the time and
 * the result; a failing property fails the suite, its shrunk sample is in the module's
 * {@code target/surefire-reports}.
 */
final class FuzzBench {
    /** Modules with {@code *FuzzTest} classes. */
    static final List<String> MODULES = List.of("bundles/portagent", "bundles/systemd-networkd/api", "wrappers/dbus-java",
            "bundles/bus");
    private static final Pattern REPORT = Pattern.compile("^timestamp = \\S+, (\\w+):(\\w+) = $");
    private static final Pattern STATS = Pattern.compile("^timestamp = \\S+, \\[(\\w+):(\\w+)\\] \\(\\d+\\) statistics = $");
    private static final Pattern STAT_LINE = Pattern.compile("^\\s+(.+?)\\s+\\(\\s*\\d+\\)\\s*:\\s*([0-9.]+) %$");
    private static final Pattern COUNT = Pattern.compile("^(tries|checks) = (\\d+)\\s.*");
    private final Path source;
    private final int tries;

    FuzzBench() {
        this.source = Path.of("").toAbsolutePath();
        this.tries = Integer.parseInt(System.getProperty("fuzz.tries", System.getenv().getOrDefault("FUZZ_TRIES", "10000")));
        if (tries < 1) {
            throw new IllegalArgumentException("fuzz.tries: must be >= 1, got " + tries);
        }
        if (!Files.isRegularFile(source.resolve("bundles/bus/pom.xml"))) {
            throw new IllegalStateException("fuzz: the working directory must be the source tree (scripts/bench.sh), got "
                    + source);
        }
    }

    /** One property's figures. */
    private static final class Row {
        long tries;
        long checks;
        String stats = "";
        double seconds;
        String result = "not run";
    }

    /**
     * @return the markdown table
     * @throws IOException          if Maven cannot be started or its output read
     * @throws InterruptedException if interrupted while Maven runs
     * @throws IllegalStateException if a property failed or Maven failed otherwise (after printing the table)
     */
    String run() throws IOException, InterruptedException {
        Path log = source.resolve("benchmarks/target/fuzz-bench.log");
        Files.createDirectories(log.getParent());
        for (String m : MODULES) { // reports of an earlier run are not this run's results
            Path reports = source.resolve(m).resolve("target/surefire-reports");
            if (Files.isDirectory(reports)) {
                try (var files = Files.list(reports)) {
                    for (Path f : files.filter(x -> x.getFileName().toString().contains("FuzzTest")).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        // --fail-never: a failing module does not keep the others (or its dependents) from running; the reports say
        List<String> cmd = List.of("mvn", "-B", "-ntp", "-o", "--fail-never", "-pl", String.join(",", MODULES), "surefire:test",
                "-Dtest=*FuzzTest", "-Dsurefire.failIfNoSpecifiedTests=false", "-DtrimStackTrace=true",
                "-Djqwik.tries.default=" + tries);
        System.err.println("bench: fuzz: " + String.join(" ", cmd) + " (output in " + log + ")");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(source.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;

        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Matcher r = REPORT.matcher(lines.get(i));
            Matcher s = STATS.matcher(lines.get(i));
            if (r.matches()) {
                Row row = rows.computeIfAbsent(r.group(1) + "." + r.group(2), k -> new Row());
                for (int j = i + 1; j < Math.min(lines.size(), i + 14); j++) {
                    Matcher c = COUNT.matcher(lines.get(j));
                    if (c.matches()) {
                        if (c.group(1).equals("tries")) {
                            row.tries = Long.parseLong(c.group(2));
                        } else {
                            row.checks = Long.parseLong(c.group(2));
                        }
                    }
                }
            } else if (s.matches()) {
                Row row = rows.computeIfAbsent(s.group(1) + "." + s.group(2), k -> new Row());
                List<String> parts = new ArrayList<>();
                for (int j = i + 1; j < lines.size(); j++) {
                    Matcher l = STAT_LINE.matcher(lines.get(j));
                    if (!l.matches()) {
                        break;
                    }
                    parts.add(l.group(1) + " " + l.group(2) + " %");
                }
                row.stats = String.join(", ", parts.subList(0, Math.min(parts.size(), 6))) + (parts.size() > 6 ? ", ..." : "");
            }
        }
        int failed = readReports(rows);

        StringBuilder sb = new StringBuilder();
        sb.append("### fuzz: jqwik properties at ").append(tries).append(" tries each (CI: 1000)\n\n");
        sb.append("| property | cases run (tries / checks) | outcomes | time s | result |\n|---|---:|---|---:|---|\n");
        long total = 0;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row row = e.getValue();
            total += row.tries;
            String cases = row.tries == 0 ? "example" : row.tries + " / " + row.checks;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %s |%n", e.getKey(), cases, row.stats, row.seconds,
                    row.result));
        }
        sb.append(String.format(Locale.ROOT, "%n%d properties, %d cases in %.0f s wall (Maven exit %d); corpus replays are the "
                + "examples.%n", rows.size(), total, wall, exit));
        if (failed > 0 || exit != 0 || rows.isEmpty()) {
            System.out.println(sb);
            throw new IllegalStateException("fuzz: " + failed + " properties failed, Maven exit " + exit + " (table above; "
                    + "shrunk samples in the modules' target/surefire-reports, output in " + log + ")");
        }
        return sb.toString();
    }

    /** Fills time and result from the surefire XML reports; returns the number of failed properties. */
    private int readReports(Map<String, Row> rows) throws IOException {
        int failed = 0;
        for (String m : MODULES) {
            Path dir = source.resolve(m).resolve("target/surefire-reports");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(x -> x.getFileName().toString().matches("TEST-.*FuzzTest\\.xml")).toList()) {
                    Document d;
                    try {
                        d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile());
                    } catch (Exception e) {
                        throw new IOException("cannot read " + f + ": " + e, e);
                    }
                    NodeList cases = d.getElementsByTagName("testcase");
                    for (int i = 0; i < cases.getLength(); i++) {
                        Element c = (Element) cases.item(i);
                        String cls = c.getAttribute("classname");
                        Row row = rows.computeIfAbsent(cls.substring(cls.lastIndexOf('.') + 1) + "." + c.getAttribute("name"),
                                k -> new Row());
                        row.seconds = Double.parseDouble(c.getAttribute("time").replace(",", ""));
                        boolean bad = c.getElementsByTagName("failure").getLength() > 0
                                || c.getElementsByTagName("error").getLength() > 0;
                        row.result = bad ? "FAILED (" + m + ")" : "passed";
                        failed += bad ? 1 : 0;
                    }
                }
            }
        }
        return failed;
    }
}
