package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kill at every step of the port agent's add-port and del-port (bundles/portagent/README.md, "Crash guarantees"):
 * the packaged appliance ({@code bin/patchbay run}) with {@code PATCHBAY_JAVA_OPTS=-Dpatchbay.test.halt.portagent=STEP}
 * halts ({@code Runtime.halt}) at that step of a {@code port:add} or {@code port:del} given through its shell; it
 * is started again (armed for the next case's step, which its reconcile does not pass: one start per case), its
 * reconcile runs (Docker API absent here: the reconcile without it, once at start), and then, seen from outside with {@code ip -n} and {@code ovs-vsctl}: no Patchbay veth ({@code _l}/
 * {@code _p}) without an OVSDB Interface row, no such row without its veth, no row left marked in progress, no
 * interface in the container but its surviving port, no bridge the add-port created left without ports, every
 * surviving port up on both ends with its settings, and the port survives exactly when the kill came after the
 * add-port completed or before del-port changed anything. Prints a table step × outcome.
 *
 * <p>OVS (ovsdb-server + ovs-vswitchd, userspace datapath) runs in a namespace of its own that the port agent uses
 * as its bridges' namespace ({@code host.netns}); each step's container is a fresh named namespace
 * ({@code netns:NAME}). The system property {@code patchbay.test.kill.steps} (comma-separated) restricts the steps.
 */
class PortAgentKillEndToEndTest {
    private static final Duration START = Duration.ofSeconds(90);
    /** Steps of add-port (FaultPoints.ADD_STEPS of bundle dev.ovs.portagent), in order. */
    private static final List<String> ADD_STEPS = List.of("bridge", "veth", "rename", "ovsdb", "container-up",
            "address", "route", "host-up", "complete", "added");
    /** Steps of del-port (FaultPoints.REMOVE_STEPS). */
    private static final List<String> REMOVE_STEPS = List.of("remove-ovsdb", "remove-link", "removed");
    /** Exit status of a halted appliance (FaultPoints.STATUS). */
    private static final int HALTED = 86;
    private static final Pattern PORT = Pattern.compile("[0-9a-f]{13}_[lp]");
    private static final String BRIDGE = "brk";
    private static final String IFACE = "eth1";

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Netns hostNs;
    private Ovs ovs;
    private Netns container;
    private Process appliance;
    private Path etc;
    private Path state;
    private int launches;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        for (String t : List.of("ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ip")) {
            Tools.require(t);
        }
        before = Leftovers.snapshot();
        dir = ShortTempDir.create();
        hostNs = Netns.create();
        ovs = Ovs.start(hostNs, Files.createDirectories(dir.resolve("ovs")));
        state = dir.resolve("state");
        etc = Launcher.privateEtc(dist.resolve("etc"), dir.path(), state);
        Files.writeString(etc.resolve("dev.ovs.ovsdb.cfg"), "remote=" + ovs.db().remote() + "\nbridge.datapath_type=netdev\n");
        Files.writeString(etc.resolve("dev.ovs.portagent.cfg"), "docker.socket=" + dir.resolve("no-docker.sock")
                + "\nauto.enabled=true\nhost.netns=" + hostNs.path() + "\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (appliance != null && appliance.isAlive()) {
                Launcher.stop(appliance, logFile());
            }
        } finally {
            if (container != null) {
                container.close();
            }
            if (ovs != null) {
                ovs.close();
            }
            if (hostNs != null) {
                hostNs.close();
            }
            dir.close();
        }
        before.assertNoneSince();
    }

    /** What one kill left behind after the restart's reconcile. */
    private record Outcome(String op, String step, String halt, String reconciled, boolean survived, List<String> problems,
            double seconds) {
    }

    @Test
    void killAtEveryStepOfAddAndRemoveLeavesNoHalfPort() throws Exception {
        Set<String> only = new LinkedHashSet<>(Arrays.stream(System.getProperty("patchbay.test.kill.steps", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        List<String[]> cases = new ArrayList<>();
        for (String step : ADD_STEPS) {
            if (only.isEmpty() || only.contains(step)) {
                cases.add(new String[] {"add", step});
            }
        }
        for (String step : REMOVE_STEPS) {
            if (only.isEmpty() || only.contains(step)) {
                cases.add(new String[] {"del", step});
            }
        }
        assertThat(cases).as("steps selected by patchbay.test.kill.steps=" + only).isNotEmpty();
        List<Outcome> outcomes = new ArrayList<>();
        launch(cases.get(0)[1]);
        for (int i = 0; i < cases.size(); i++) {
            String next = i + 1 < cases.size() ? cases.get(i + 1)[1] : null;
            String op = cases.get(i)[0];
            String step = cases.get(i)[1];
            outcomes.add(killAt(op, step, step.equals("added") || step.equals("remove-ovsdb"), next));
        }
        Launcher.stop(appliance, logFile());
        StringBuilder table = new StringBuilder(String.format("%n%-4s %-13s %-7s %-5s %-62s %5s  %s%n", "op", "step",
                "halted", "port", "reconcile after the restart", "s", "check"));
        for (Outcome o : outcomes) {
            table.append(String.format("%-4s %-13s %-7s %-5s %-62s %5.1f  %s%n", o.op(), o.step(), o.halt(),
                    o.survived() ? "kept" : "gone", o.reconciled(), o.seconds(), o.problems().isEmpty() ? "ok"
                            : String.join("; ", o.problems())));
        }
        System.out.println(table);
        assertThat(outcomes).as(table.toString()).allSatisfy(o -> assertThat(o.problems()).as(o.op() + " " + o.step())
                .isEmpty());
    }

    /**
     * One case, on an appliance started with the hook at {@code step}: a fresh container namespace and no bridge
     * {@value #BRIDGE}; for {@code del} a port added first; the call halted at {@code step}; a restart (with the hook
     * at the next case's step {@code next}, null for none: reconcile does not pass the add-port and del-port steps
     * for containers that still exist); its reconcile; the checks; the clean-up.
     */
    private Outcome killAt(String op, String step, boolean portExpected, String next) throws Exception {
        long t0 = System.nanoTime();
        container = Netns.create();
        String ref = "netns:" + container.name();
        String add = "port:add " + BRIDGE + " " + IFACE + " " + ref
                + " --ipaddress=10.9.0.2/24 --macaddress=02:00:00:00:09:02 --gateway=10.9.0.1 --mtu=1400";
        if (op.equals("del")) {
            shell(add);
        }
        String call = op.equals("add") ? add : "port:del " + BRIDGE + " " + IFACE + " " + ref;
        String answer;
        try {
            answer = "answered: " + shell(call).trim();
        } catch (Cmd.Failed f) {
            answer = "failed: " + f.stderr().trim();
        }
        List<String> problems = new ArrayList<>();
        String halt;
        String message = "patchbay.test.halt.portagent: halting at " + step;
        if (appliance.waitFor(60, TimeUnit.SECONDS)) {
            // the message goes to the shell's caller when the command's thread halts (Gogo redirects System.err)
            halt = appliance.exitValue() == HALTED && (answer.contains(message) || log().contains(message))
                    ? "yes" : "exit " + appliance.exitValue();
        } else {
            halt = "no";
            Launcher.stop(appliance, logFile());
        }
        if (!halt.equals("yes")) {
            problems.add("did not halt at " + step + " (" + answer + ")");
        }
        // restart; the reconcile at start (without a Docker API) runs once
        launch(next);
        String marker = "reconcile (Docker API unavailable): Reconciled[";
        Frameworks.eventually(() -> "reconcile after restart in:\n" + log(), START, () -> log().contains(marker));
        String line = log().lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        String reconciled = summary(line.substring(line.indexOf("Reconciled[")));
        if (!line.contains("failures=[]")) {
            problems.add("reconcile failures: " + line);
        }
        boolean survived = check(op, problems);
        if (survived != portExpected) {
            problems.add("port " + (survived ? "survived" : "gone") + ", expected " + (portExpected ? "to survive" : "gone"));
        }
        // clean for the next case, whatever this one left
        ovs.vsctl("--if-exists", "del-br", BRIDGE);
        for (String v : hostVeths()) {
            hostNs.exec("ip", "link", "del", v);
        }
        container.close();
        container = null;
        return new Outcome(op, step, halt, reconciled, survived, problems, (System.nanoTime() - t0) / 1e9);
    }

    /** The checks from outside; @return whether a port survived */
    private boolean check(String op, List<String> problems) {
        Set<String> veths = hostVeths();
        Set<String> rows = new TreeSet<>();
        for (String n : ovs.vsctl("--bare", "--columns=name", "list", "Interface").split("\\s+")) {
            if (PORT.matcher(n).matches()) {
                rows.add(n);
            }
        }
        Set<String> vethsWithoutRow = new TreeSet<>(veths);
        vethsWithoutRow.removeAll(rows);
        Set<String> rowsWithoutVeth = new TreeSet<>(rows);
        rowsWithoutVeth.removeAll(veths);
        if (!vethsWithoutRow.isEmpty()) {
            problems.add("veths without a row: " + vethsWithoutRow);
        }
        if (!rowsWithoutVeth.isEmpty()) {
            problems.add("rows without a veth: " + rowsWithoutVeth);
        }
        String marked = ovs.vsctl("--bare", "--columns=name", "find", "Interface", "external_ids:patchbay_state=adding").trim();
        if (!marked.isEmpty()) {
            problems.add("rows marked in progress: " + marked);
        }
        Set<String> inContainer = new TreeSet<>(linkNames(container.exec("ip", "-o", "link", "show")));
        inContainer.remove("lo");
        boolean survived = !rows.isEmpty();
        Set<String> expected = survived ? Set.of(IFACE) : Set.of();
        if (!inContainer.equals(expected)) {
            problems.add("container interfaces " + inContainer + ", expected " + expected);
        }
        // the add-port cases start without the bridge: the add-port creates it, so empty it must be gone; a del-port
        // leaves the bridge of a completed add-port as ovs-docker does; no bridge may stay marked and empty
        for (String br : ovs.vsctl("list-br").lines().map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            boolean auto = ovs.vsctl("get", "Bridge", br, "external_ids").contains("patchbay_auto");
            if (ovs.vsctl("list-ports", br).isBlank() && (op.equals("add") || auto)) {
                problems.add("bridge " + br + " left without ports" + (auto ? " (marked patchbay_auto)" : ""));
            }
        }
        if (rows.size() > 1) {
            problems.add("more than one port: " + rows);
        }
        for (String p : rows) {
            String host = hostNs.exec("ip", "-o", "link", "show", "dev", p);
            if (!host.contains("state UP")) {
                problems.add("host end not UP: " + host.trim());
            }
            if (!ovs.vsctl("port-to-br", p).trim().equals(BRIDGE)) {
                problems.add(p + " not on " + BRIDGE);
            }
        }
        if (survived && inContainer.contains(IFACE)) {
            String in = container.exec("ip", "-o", "link", "show", "dev", IFACE);
            if (!in.contains("state UP") || !in.contains("mtu 1400") || !in.contains("02:00:00:00:09:02")) {
                problems.add("container end not UP with mtu 1400 and its MAC: " + in.trim());
            }
            if (!container.exec("ip", "-o", "-4", "addr", "show", "dev", IFACE).contains("10.9.0.2/24")) {
                problems.add("container end without 10.9.0.2/24");
            }
            if (!container.exec("ip", "route", "show", "default").contains("via 10.9.0.1")) {
                problems.add("container without its default route via 10.9.0.1");
            }
        }
        return survived;
    }

    private Set<String> hostVeths() {
        return linkNames(hostNs.exec("ip", "-o", "link", "show", "type", "veth")).stream()
                .filter(n -> PORT.matcher(n).matches()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** @return the names of {@code ip -o link show} lines ({@code "7: name@peer: <...>"}) */
    private static Set<String> linkNames(String ipOutput) {
        Set<String> names = new TreeSet<>();
        for (String l : ipOutput.lines().toList()) {
            String[] f = l.split(":\\s+", 3);
            if (f.length >= 2) {
                String n = f[1];
                int at = n.indexOf('@');
                names.add(at >= 0 ? n.substring(0, at) : n);
            }
        }
        return names;
    }

    /** {@code Reconciled[orphansDeleted=[a], unfinishedRemoved=[], ...]} without its empty lists */
    private static String summary(String reconciled) {
        String inner = reconciled.substring("Reconciled[".length(), reconciled.lastIndexOf(']'));
        List<String> parts = new ArrayList<>();
        for (String p : inner.split(", (?=[a-zA-Z]+=\\[)")) {
            if (!p.endsWith("=[]")) {
                parts.add(p);
            }
        }
        return parts.isEmpty() ? "nothing to do" : String.join(" ", parts);
    }

    /** Starts {@code bin/patchbay run}, halting at {@code haltStep} (null: no hook), and waits for its shell. */
    private void launch(String haltStep) throws Exception {
        launches++;
        ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--etc", etc.toString(),
                "--state", state.toString()).redirectErrorStream(true).redirectOutput(logFile().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (haltStep != null) {
            pb.environment().put("PATCHBAY_JAVA_OPTS", "-Dpatchbay.test.halt.portagent=" + haltStep);
        } else {
            pb.environment().remove("PATCHBAY_JAVA_OPTS");
        }
        appliance = pb.start();
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, this::log);
        Frameworks.eventually(() -> "port agent with OVSDB in:\n" + log(), START, () -> {
            try {
                return shell("port:list") != null;
            } catch (Cmd.Failed notYet) {
                return false;
            }
        });
    }

    private Path logFile() {
        return dir.resolve("appliance" + launches + ".log");
    }

    private String shell(String command) {
        return Launcher.shell(dist.resolve("bin/patchbay"), state, command);
    }

    private String log() {
        return Launcher.readLog(logFile());
    }
}
