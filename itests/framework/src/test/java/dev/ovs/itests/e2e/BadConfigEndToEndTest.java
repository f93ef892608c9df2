package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad configuration edited live (issue 15): every key of every {@code etc/*.cfg} of the packaged appliance, and the
 * other metatype keys of their components, set to a value of the wrong type or outside its rule, the way an
 * administrator does it ({@link Launcher#install}: a new file renamed over the old one). For each (PID, key, value)
 * the test waits until ConfigAdmin holds the value ({@code config:get}), then asserts from outside: the admin socket
 * still answers; the component either still works with its last good configuration (its function probed: OVSDB
 * through {@code ovs:status}/{@code ovs:show}, D-Bus with busctl, the bus and metrics sockets, the shell commands) or
 * has failed with the key and the rule named in {@code scr:info} and {@code system:health}. The good file is put back
 * and the component must work again. One case per PID per round; the rounds run one after the other on one
 * appliance ({@code bin/patchbay run --sandbox}: private ovsdb-server, ovs-vswitchd, dbus-daemon, networkd).
 * Prints PID / key / value / outcome.
 */
class BadConfigEndToEndTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /**
     * The bus socket of the host's appliance (the path the shipped {@code etc/dev.ovs.bus.cfg} names). The sandbox
     * shares the host's /run, so an appliance under test that bound it (its bus without a configured socket)
     * would put a socket into the host's /run: asserted never to appear if it was not there before.
     */
    private static final Path HOST_BUS_SOCKET = Path.of("/run/patchbay/bus.sock");

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private Leftovers before;
    private ShortTempDir dir;
    private Process appliance;
    private Path sbx;
    private Path state;
    private Path etc;
    private Admin admin;
    private boolean hostBusSocketBefore;

    /** What the component does with the bad value. */
    enum Expect {
        /** keeps running with its last good configuration (the reason shown where {@code refusal} says) */
        KEPT,
        /** the component configuration fails to activate, the key and the rule in scr:info and health */
        FAILED
    }

    /**
     * One row of the table.
     *
     * @param pid       the configuration PID (file {@code etc/<pid>.cfg})
     * @param key       the key set to {@code bad}
     * @param bad       the bad value
     * @param expect    what must happen
     * @param component the DS component that reads it (scr:info name)
     * @param refusal   for {@link Expect#KEPT}: a shell command whose output must name the key while the value is
     *                  refused, or null when the value is refused silently by design (logged only)
     * @param also      another {@code key=value} written with the bad one (e.g. {@code enabled=true}: a disabled
     *                  fleet checks only the types of its other keys), or null
     */
    record Case(String pid, String key, String bad, Expect expect, String component, String refusal, String also) {
        Case(String pid, String key, String bad, Expect expect, String component, String refusal) {
            this(pid, key, bad, expect, component, refusal, null);
        }
    }

    private static final String OVSDB_CLIENT = "dev.ovs.ovsdb.client";
    private static final String DBUS = "dev.ovs.dbus.internal.DbusConnectionComponent";
    private static final String PORTAGENT = "dev.ovs.portagent.internal.PortAgentImpl";
    private static final String NETWORKD = "dev.ovs.networkd.internal.NetworkdComponent";
    private static final String NETSTATE = "dev.ovs.netstate.internal.NetStateComponent";
    private static final String METRICS = "dev.ovs.metrics.internal.MetricsEndpoints";
    private static final String LEDGER = "dev.ovs.dbus.internal.ledger.LedgerComponent";
    private static final String HEALTH = "dev.ovs.shell.internal.HealthComponent";
    private static final String LOG = "dev.ovs.shell.internal.LogConsole";
    private static final String NOTIFY = "dev.ovs.shell.internal.SystemdNotifier";
    private static final String SHELL = "dev.ovs.shell.internal.AdminShellServer";
    private static final String FLEET = "dev.ovs.fleet";
    private static final String BUS = "dev.ovs.bus";
    private static final String OVSDB_DBUS = "dev.ovs.ovsdb.dbus.impl.OvsdbDbusComponent";

    static List<Case> table() {
        Expect f = Expect.FAILED;
        Expect k = Expect.KEPT;
        return List.of(
                new Case("dev.ovs.ovsdb", "remote", "nowhere", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "bridge.datapath_type", "bogus", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "leader.only", "maybe", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "wait.for.vswitchd", "maybe", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "reconnect.max.ms", "0", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "vswitchd.timeout.ms", "0", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "probe.interval.ms", "abc", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "request.timeout.ms", "-1", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb", "max.message.bytes", "12", f, OVSDB_CLIENT, null),
                new Case("dev.ovs.ovsdb.dbus", "transact.root.only", "Bridge..x", f, OVSDB_DBUS, null),
                new Case("dev.ovs.dbus", "address", "bogus", f, DBUS, null),
                new Case("dev.ovs.dbus", "unexport.grace.ms", "-1", f, DBUS, null),
                new Case("dev.ovs.dbus", "authz.enabled", "maybe", f, DBUS, null),
                new Case("dev.ovs.bus", "socket", "relative/bus.sock", k, BUS, "bus:stats"),
                new Case("dev.ovs.bus", "queue.size", "abc", k, BUS, "bus:stats"),
                new Case("dev.ovs.bus", "queue.bytes", "0", k, BUS, "bus:stats"),
                new Case("dev.ovs.bus", "heartbeat.seconds", "-1", k, BUS, "bus:stats"),
                new Case("dev.ovs.bus", "enabled", "maybe", k, BUS, "bus:stats"),
                new Case("dev.ovs.bus", "group", "no-such-group-x", k, BUS, "bus:stats"),
                new Case("dev.ovs.portagent", "docker.socket", "docker.sock", f, PORTAGENT, null),
                new Case("dev.ovs.portagent", "docker.timeout.ms", "abc", f, PORTAGENT, null),
                new Case("dev.ovs.portagent", "auto.enabled", "maybe", f, PORTAGENT, null),
                new Case("dev.ovs.portagent", "host.netns", "netns/x", f, PORTAGENT, null),
                new Case("dev.ovs.portagent", "vswitchd.timeout.ms", "0", f, PORTAGENT, null),
                new Case("dev.ovs.networkd", "network.dir", "network", f, NETWORKD, null),
                new Case("dev.ovs.networkd", "address", "bogus", f, NETWORKD, null),
                new Case("dev.ovs.networkd", "job.timeout.seconds", "-1", f, NETWORKD, null),
                new Case("dev.ovs.netstate", "journal.dir", "journal", f, NETSTATE, null),
                new Case("dev.ovs.netstate", "journal.keep", "0", f, NETSTATE, null),
                new Case("dev.ovs.netstate", "bridge.datapath_type", "bogus", f, NETSTATE, null),
                new Case("dev.ovs.netstate", "vswitchd.timeout.ms", "0", f, NETSTATE, null),
                new Case("dev.ovs.netstate", "networkd.timeout.ms", "abc", f, NETSTATE, null),
                new Case("dev.ovs.metrics", "socket.enabled", "maybe", f, METRICS, null),
                new Case("dev.ovs.metrics", "socket", "metrics.sock", f, METRICS, null),
                new Case("dev.ovs.metrics", "group", "no-such-group-x", f, METRICS, null),
                new Case("dev.ovs.metrics", "http.port", "70000", f, METRICS, null),
                new Case("dev.ovs.ledger", "path", "ledger.jsonl", f, LEDGER, null),
                new Case("dev.ovs.ledger", "sync", "maybe", f, LEDGER, null),
                new Case("dev.ovs.health", "probe.timeout.ms", "abc", f, HEALTH, null),
                new Case("dev.ovs.health", "ignore", "bogus", k, HEALTH, null),
                new Case("dev.ovs.log", "level", "LOUD", f, LOG, null),
                new Case("dev.ovs.notify", "watchdog.requires", "sometimes", f, NOTIFY, null),
                new Case("dev.ovs.notify", "status.seconds", "0", f, NOTIFY, null),
                new Case("dev.ovs.shell", "socket", "relative/admin.sock", k, SHELL, "shell:status"),
                new Case("dev.ovs.fleet", "enabled", "maybe", f, FLEET, null),
                new Case("dev.ovs.fleet", "insecure", "maybe", f, FLEET, null),
                new Case("dev.ovs.fleet", "confirm.seconds", "abc", f, FLEET, null),
                new Case("dev.ovs.fleet", "queue.size", "0", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "poll.seconds", "-1", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "host.id", "bad host", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "export", "a..b", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "probe.address", "nohostport", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "state.file", "fleet.json", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "credentials", "creds", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "tls.ca", "ca.pem", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "jetstream.domain", "a b", f, FLEET, null, "enabled=true"),
                new Case("dev.ovs.fleet", "servers", "http://x", f, FLEET, null, "enabled=true"));
    }

    @BeforeEach
    void setUp() {
        assertThat(dist.resolve("bin/patchbay")).as("built distribution (mvn install builds it)").isExecutable();
        before = Leftovers.snapshot();
        hostBusSocketBefore = Files.exists(HOST_BUS_SOCKET, LinkOption.NOFOLLOW_LINKS);
        dir = ShortTempDir.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (appliance != null && appliance.isAlive()) {
            Launcher.stop(appliance, dir.resolve("appliance.log"));
        }
        dir.close();
        AssertionError leftovers = null;
        try {
            before.assertNoneSince();
        } catch (AssertionError e) {
            leftovers = e;
        }
        try {
            assertNoHostBusSocket("after the appliance stopped");
        } catch (AssertionError e) {
            if (leftovers != null) {
                e.addSuppressed(leftovers);
            }
            throw e;
        }
        if (leftovers != null) {
            throw leftovers;
        }
    }

    /** @throws AssertionError if {@link #HOST_BUS_SOCKET} exists now but did not when the test began */
    private void assertNoHostBusSocket(String when) {
        assertThat(!hostBusSocketBefore && Files.exists(HOST_BUS_SOCKET, LinkOption.NOFOLLOW_LINKS))
                .as("%s: the host's %s appeared during the test (an appliance under test bound the host's /run)",
                        when, HOST_BUS_SOCKET).isFalse();
    }

    @Test
    void everyBadValueIsKeptOrRefusedWithTheKeyNamedAndTheAdminSocketStays() throws Exception {
        for (String tool : List.of("ovsdb-server", "ovs-vswitchd", "dbus-daemon", "busctl", "curl")) {
            Tools.require(tool);
        }
        sbx = dir.resolve("sbx");
        appliance = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--sandbox", sbx.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("appliance.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        state = sbx.resolve("state");
        etc = sbx.resolve("run/etc");
        Launcher.awaitShell(appliance, dist.resolve("bin/patchbay"), state, START, () -> Launcher.readLog(dir.resolve("appliance.log")));
        admin = new Admin(state.resolve("admin.sock"));

        // the good files, as the sandbox wrote them; every PID of the table works with them
        Map<String, String> good = new LinkedHashMap<>();
        for (Case c : table()) {
            Path f = etc.resolve(c.pid() + ".cfg");
            good.put(c.pid(), Files.exists(f) ? Files.readString(f) : "");
        }
        eventually("every PID works with the shipped configuration", START, () -> firstBroken(good.keySet()) == null,
                () -> firstBroken(good.keySet()));

        // rounds: the i-th case of every PID at once
        Map<String, List<Case>> byPid = table().stream()
                .collect(Collectors.groupingBy(Case::pid, LinkedHashMap::new, Collectors.toList()));
        int rounds = byPid.entrySet().stream().mapToInt(e -> offset(e.getKey()) + e.getValue().size()).max().orElse(0);
        List<String> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<Case> batch = new ArrayList<>();
            for (Map.Entry<String, List<Case>> e : byPid.entrySet()) {
                int i = round - offset(e.getKey());
                if (i >= 0 && i < e.getValue().size()) {
                    batch.add(e.getValue().get(i));
                }
            }
            for (Case c : batch) {
                String content = with(good.get(c.pid()), c.key(), c.bad());
                if (c.also() != null) {
                    content = with(content, c.also().substring(0, c.also().indexOf('=')),
                            c.also().substring(c.also().indexOf('=') + 1));
                }
                write(c.pid(), content);
            }
            for (Case c : batch) {
                eventually(c.pid() + " " + c.key() + "=" + c.bad() + " in ConfigAdmin", SETTLE,
                        () -> admin.run("config:get " + c.pid()).out().contains(c.key() + " = " + c.bad()), () -> "");
            }
            // the admin socket answers a new client (bin/patchbay shell) whatever the batch did
            assertThat(Launcher.shell(dist.resolve("bin/patchbay"), state, "echo alive")).contains("alive");
            for (Case c : batch) {
                String outcome = outcome(c);
                rows.add(String.format("%-20s %-22s %-20s %s", c.pid(), c.key(),
                        c.bad() + (c.also() == null ? "" : " (" + c.also() + ")"), outcome));
                if (!outcome.startsWith(c.expect().name().toLowerCase())) {
                    failures.add(c + " -> " + outcome);
                }
            }
            for (Case c : batch) {
                write(c.pid(), good.get(c.pid()));
            }
            Map<String, String> restored = new LinkedHashMap<>();
            for (Case c : batch) {
                restored.put(c.pid(), good.get(c.pid()));
            }
            eventually("round " + round + " restored: every PID works again", SETTLE,
                    () -> firstBroken(restored.keySet()) == null, () -> firstBroken(restored.keySet()));
            assertNoHostBusSocket("round " + round);
        }
        System.out.println(String.format("%-20s %-22s %-20s %s", "pid", "key", "value", "outcome"));
        rows.forEach(System.out::println);
        assertThat(failures).as("cases whose outcome is not the expected one").isEmpty();
        assertThat(Launcher.shell(dist.resolve("bin/patchbay"), state, "echo alive")).contains("alive");
    }

    /**
     * @return the first round of {@code pid}'s cases: the systemd notifier references the health component, so its
     *         cases run after the round in which dev.ovs.health fails (a notifier without health is unsatisfied, not
     *         failed); the OVSDB face's after the OVSDB client's (it needs the synced replica)
     */
    private static int offset(String pid) {
        if (pid.equals("dev.ovs.health")) {
            // alone at the end: without the health component no other failure can be read from system:health
            return table().stream().filter(c -> !c.pid().equals("dev.ovs.health"))
                    .collect(Collectors.groupingBy(Case::pid, Collectors.counting())).entrySet().stream()
                    .mapToInt(e -> offset(e.getKey()) + e.getValue().intValue()).max().orElse(0);
        }
        if (pid.equals("dev.ovs.ovsdb.dbus")) {
            // after every dev.ovs.ovsdb case: the OVSDB face waits for the synced replica (condition
            // dev.ovs.ovsdb.synced), so while the client is refused it is unsatisfied, not failed
            return (int) table().stream().filter(c -> c.pid().equals("dev.ovs.ovsdb")).count();
        }
        return pid.equals("dev.ovs.notify") ? 1 : 0;
    }

    /**
     * Waits for the component to settle with the bad value and says what it did: {@code kept: ...} (it works,
     * probed from outside) or {@code failed: <first line of the failure>} (scr:info and health name the key), or
     * {@code UNEXPECTED: ...}.
     */
    private String outcome(Case c) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            String info = admin.run("scr:info " + c.component()).out();
            String failure = failureLine(info);
            if (c.expect() == Expect.FAILED && failure != null) {
                if (!failure.contains(c.key() + ":")) {
                    return "UNEXPECTED: failed without naming the key: " + failure;
                }
                String health = admin.run("system:health").out();
                if (!c.component().equals(HEALTH) && !health.contains(c.key() + ":")) {
                    return "UNEXPECTED: health does not name the key:\n" + health;
                }
                if (c.pid().equals("dev.ovs.ovsdb")) {
                    // ovs:status prints the reason instead of failing
                    Run st = admin.run("ovs:status");
                    if (st.status() != 0 || !st.out().contains("unavailable: ") || !st.out().contains(c.key() + ":")) {
                        return "UNEXPECTED: ovs:status without the reason: " + st;
                    }
                }
                return "failed: " + failure.substring(failure.indexOf(c.key() + ":"));
            }
            if (c.expect() == Expect.KEPT && failure == null) {
                String broken = probe(c.pid(), false);
                if (broken == null) {
                    if (c.refusal() == null) {
                        return "kept: still works";
                    }
                    String why = admin.run(c.refusal()).out();
                    int at = why.lastIndexOf(c.key() + ": "); // the refusal, after e.g. "socket: PATH"
                    if (at >= 0) {
                        return "kept: " + why.substring(at, Math.min(why.length(), why.indexOf('\n', at) < 0
                                ? why.length() : why.indexOf('\n', at)));
                    }
                    last = c.refusal() + " does not name the key: " + why;
                } else {
                    last = broken;
                }
            }
            if (c.expect() == Expect.KEPT && failure != null) {
                last = "failed: " + failure;
            }
            if (c.expect() == Expect.FAILED && failure == null) {
                last = "still active: " + info.lines().filter(l -> l.contains("State")).collect(Collectors.joining("; "));
            }
            sleep(200);
        }
        return "UNEXPECTED: " + last;
    }

    /**
     * @return the reason of a failed activation in scr:info: the {@code Failure:} stack trace's root cause line
     *         (its last {@code Caused by:}, as a constructor's exception comes wrapped in an
     *         InvocationTargetException), else its first line; null if scr:info shows no failure
     */
    private static String failureLine(String info) {
        String found = null;
        boolean inFailure = false;
        for (String l : info.split("\n")) {
            String t = l.strip();
            if (t.startsWith("Failure:") && t.length() > "Failure:".length()) {
                found = t;
                inFailure = true;
            } else if (inFailure && t.startsWith("Caused by: ")) {
                found = "Failure: " + t.substring("Caused by: ".length());
            }
        }
        return found;
    }

    /** @return null if every PID of {@code pids} works (probed from outside), else what does not */
    private String firstBroken(Iterable<String> pids) {
        for (String pid : pids) {
            String b = probe(pid, true);
            if (b != null) {
                return pid + ": " + b;
            }
        }
        return null;
    }

    /**
     * @param applied whether the PID's last configuration must also have been applied (not kept back as refused)
     * @return null if the component(s) of {@code pid} work, else what is wrong
     */
    private String probe(String pid, boolean applied) {
        String dbusAddress = "unix:path=" + sbx.resolve("run/dbus/bus.sock");
        switch (pid) {
            case "dev.ovs.ovsdb" -> {
                Run st = admin.run("ovs:status");
                if (!st.out().contains("connected: true")) {
                    return "ovs:status: " + st;
                }
                return admin.run("ovs:show").status() == 0 ? null : "ovs:show failed";
            }
            case "dev.ovs.ovsdb.dbus" -> {
                return Cmd.status(List.of("busctl", "--address=" + dbusAddress, "introspect", "org.openvswitch.ovsdb",
                        "/org/openvswitch/ovsdb"), Duration.ofSeconds(10)) == 0 ? null : "org.openvswitch.ovsdb not on D-Bus";
            }
            case "dev.ovs.dbus" -> {
                Run st = admin.run("dbus:status");
                return st.out().contains("connected as") ? null : "dbus:status: " + st;
            }
            case "dev.ovs.bus" -> {
                Run st = admin.run("bus:stats");
                if (st.status() != 0) {
                    return "bus:stats: " + st;
                }
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(state.resolve("bus.sock")));
                    return null;
                } catch (IOException e) {
                    return "bus socket: " + e;
                }
            }
            case "dev.ovs.portagent" -> {
                Run st = admin.run("port:list");
                return st.status() == 0 ? null : "port:list: " + st;
            }
            case "dev.ovs.networkd" -> {
                return active(NETWORKD);
            }
            case "dev.ovs.netstate" -> {
                Run st = admin.run("state:checkpoints");
                return st.status() == 0 ? null : "state:checkpoints: " + st;
            }
            case "dev.ovs.metrics" -> {
                return Cmd.status(List.of("curl", "-sS", "-f", "--unix-socket", state.resolve("metrics.sock").toString(),
                        "http://localhost/metrics"), Duration.ofSeconds(10)) == 0 ? null : "metrics socket does not answer";
            }
            case "dev.ovs.ledger" -> {
                return active(LEDGER);
            }
            case "dev.ovs.health" -> {
                Run st = admin.run("system:health");
                return st.out().contains("status: ") ? null : "system:health: " + st;
            }
            case "dev.ovs.log" -> {
                return active(LOG);
            }
            case "dev.ovs.notify" -> {
                return active(NOTIFY);
            }
            case "dev.ovs.shell" -> {
                try (Admin fresh = new Admin(state.resolve("admin.sock"))) {
                    Run st = fresh.run("shell:status");
                    return st.status() == 0 && st.out().contains("socket: " + state.resolve("admin.sock") + "\n")
                            && (!applied || st.out().contains("configuration: applied")) ? null : "shell:status: " + st;
                } catch (IOException e) {
                    return "admin socket: " + e;
                }
            }
            case "dev.ovs.fleet" -> {
                return active(FLEET);
            }
            default -> throw new IllegalArgumentException(pid);
        }
    }

    /** @return null if scr:info shows the component active (or satisfied) and not failed, else its state lines */
    private String active(String component) {
        String info = admin.run("scr:info " + component).out();
        boolean ok = failureLine(info) == null && info.lines().anyMatch(l -> l.strip().startsWith("State:")
                && (l.contains("ACTIVE") || l.contains("active") || l.contains("SATISFIED") || l.contains("satisfied")));
        return ok ? null : component + ": " + info.lines().filter(l -> l.contains("State") || l.contains("Failure"))
                .collect(Collectors.joining("; "));
    }

    /** @return {@code cfg} with {@code key=value} (the key's line replaced, or appended) */
    static String with(String cfg, String key, String value) {
        StringBuilder out = new StringBuilder();
        boolean done = false;
        for (String line : cfg.split("\n", -1)) {
            if (line.startsWith(key + "=") || line.startsWith(key + " =")) {
                if (!done) {
                    out.append(key).append('=').append(value).append('\n');
                    done = true;
                }
            } else if (!line.isEmpty()) {
                out.append(line).append('\n');
            }
        }
        if (!done) {
            out.append(key).append('=').append(value).append('\n');
        }
        return out.toString();
    }

    private void write(String pid, String content) throws IOException {
        Path src = dir.resolve("staged.cfg");
        Files.writeString(src, content);
        Launcher.install(src, etc.resolve(pid + ".cfg"));
    }

    private static void eventually(String what, Duration timeout, java.util.function.BooleanSupplier ok,
            java.util.function.Supplier<String> why) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ok.getAsBoolean()) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("not within " + timeout + ": " + what + " " + why.get());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One command's exit status and output. */
    record Run(int status, String out) {
    }

    /** The admin socket's protocol (dev.ovs.shell.AdminProtocol): a command line out, frames back. */
    private static final class Admin implements AutoCloseable {
        private final Path socket;
        private SocketChannel channel;
        private DataInputStream in;
        private OutputStream out;

        Admin(Path socket) throws IOException {
            this.socket = socket;
            connect();
        }

        private void connect() throws IOException {
            close();
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            channel = ch;
            in = new DataInputStream(Channels.newInputStream(ch));
            out = Channels.newOutputStream(ch);
        }

        /** Runs one command; on a broken connection reconnects once (the shell bundle may have been restarted). */
        Run run(String command) {
            try {
                return once(command);
            } catch (IOException first) {
                try {
                    connect();
                    return once(command);
                } catch (IOException e) {
                    throw new AssertionError("admin socket " + socket + " lost: " + e, e);
                }
            }
        }

        private Run once(String command) throws IOException {
            out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            while (true) {
                byte type = in.readByte();
                int len = in.readInt();
                byte[] payload = in.readNBytes(len);
                if (type == 'x') {
                    return new Run(Integer.parseInt(new String(payload, StandardCharsets.US_ASCII).strip()),
                            text.toString(StandardCharsets.UTF_8));
                }
                text.writeBytes(payload);
            }
        }

        @Override
        public void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }
}
