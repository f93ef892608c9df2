package dev.ovs.itests.harness;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The restart torture of the packaged appliance (after Open vSwitch's {@code ovsdb_torture_test}): D-Bus clients in
 * other processes loop {@code CreateBridge} / {@code AddPort} / {@code DeletePort} on {@code org.openvswitch.ovsdb}
 * while ovsdb-server and dbus-daemon are each restarted {@code restarts} times; afterwards every recorded call is
 * checked against what ovsdb-server holds, the event bus delivered and the D-Bus signals a monitor saw.
 *
 * <h2>Set-up</h2>
 * A network namespace with a private {@link OvsdbServer} (no ovs-vswitchd: the appliance then does not wait for
 * {@code cur_cfg}, and thousands of bridges cost no datapath), a private {@link DbusDaemon} (allow-all policy), the
 * appliance ({@code bin/patchbay run} inside the namespace, with {@link Appliance#privateEtc}), one
 * {@code bin/patchbay bus sub 'ovsdb.>'} process recording the event bus, and one {@link DbusMonitor}
 * ({@code gdbus monitor --dest org.openvswitch.ovsdb}) per run of dbus-daemon: a monitor is a bus client like any
 * other and is started again after every restart of dbus-daemon.
 *
 * <h2>Clients</h2>
 * {@code clients} bash processes, each looping over {@code i = 1, 2, ...}: {@code CreateBridge tCbI},
 * {@code AddPort tCbI tCpI}, and for even {@code i} {@code DeletePort tCbI tCpI}, every call one {@code gdbus call}
 * (30 s timeout). Every name is used by one iteration only. Each call is recorded with its start and end (µs,
 * wall clock) and classified ({@link Outcome}) by gdbus's exit status and message.
 *
 * <h2>Restarts</h2>
 * Alternating ovsdb-server, dbus-daemon ({@code restarts} each), {@code settle} apart. Recovery time of an
 * ovsdb-server restart: from the new server answering to the first {@code BridgeExists} answered by the appliance
 * (answered from the replica only once it is re-synchronised). Recovery time of a dbus-daemon restart: from the new
 * daemon answering to every well-known name the appliance owned before the torture being owned again. Both are
 * measured after every restart of either kind; a name or an answer that is not back within 60 s is a violation.
 *
 * <h2>What must hold ({@link Result#violations()} lists every breach)</h2>
 * <ul>
 * <li>The appliance's replica (its {@code ovs:show}) equals {@code ovsdb-client dump}: the same Bridge → Port →
 * Interface names.</li>
 * <li>A call answered with success ({@link Outcome#OK}) has its effect: the bridge, the port (and its interface of the
 * same name) exist in ovsdb-server, unless a later successful {@code DeletePort} removed the port; a successful
 * {@code DeletePort} left no port. A call answered with an error ({@link Outcome#FAILED}) or never delivered to the
 * appliance ({@link Outcome#UNDELIVERED}) changed nothing. A call without an answer ({@link Outcome#UNANSWERED}: the
 * bus went away while it was in flight) may or may not have taken effect; whichever, the checks below hold for
 * what ovsdb-server holds. No row exists that no call asked for.</li>
 * <li>Event bus (in-process, never restarted): every change that happened is published exactly once:
 * {@code ovsdb.bridge.B.added} for every bridge that exists, {@code ovsdb.port.P.added} for every port that existed,
 * {@code ovsdb.port.P.removed} for every port removed; nothing for a change that did not happen.</li>
 * <li>D-Bus signals: a signal is sent on the connection the appliance has when the replica applies the change;
 * one sent while dbus-daemon is down (or the appliance not yet reconnected) is lost, as every D-Bus signal of a
 * bus that restarts. So: a call answered with success whose whole run (start to answer) lies within one run of
 * dbus-daemon, after that run's monitor was subscribed, has its signal ({@code BridgeAdded}, {@code PortAdded},
 * {@code PortRemoved}) in that monitor's output exactly once (the answer came over the same connection as the
 * signal, after it). No signal is ever seen twice, in any run, and no signal is seen for a change the event bus
 * did not publish.</li>
 * </ul>
 *
 * <p>With system property {@code torture.keep=DIR} the appliance logs at INFO and the run's files (appliance log,
 * client logs {@code clientN.log}, monitor outputs, bus events) are copied to DIR when it ends.
 *
 * <p>Not thread-safe; one {@link #run} at a time per directory. Needs root (network namespace), bash 5
 * ({@code EPOCHREALTIME}), gdbus, busctl, dbus-daemon, ovsdb-server and the built distribution.
 */
public final class RestartTorture {
    /** Bus name of the OVSDB face. */
    public static final String OVSDB_NAME = "org.openvswitch.ovsdb";
    private static final String OVSDB_PATH = "/org/openvswitch/ovsdb";
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);
    private static final Pattern SIGNAL = Pattern.compile(
            "org\\.openvswitch\\.ovsdb\\.(BridgeAdded|BridgeRemoved|PortAdded|PortRemoved) \\(('[^']*')(?:, ('[^']*'))?,?\\)");
    private static final Pattern TOPIC = Pattern.compile("\"topic\":\"(ovsdb\\.(bridge|port)\\.([^.\"]+)\\.(added|removed))\"");

    private RestartTorture() {
    }

    /**
     * How one call ended, as its client saw it.
     */
    public enum Outcome {
        /** Answered with success. */
        OK,
        /** Answered by the appliance with an error (e.g. {@code org.openvswitch.ovsdb.Error.Unavailable}). */
        FAILED,
        /** Never reached the appliance: no bus to connect to, or the bus name had no owner. */
        UNDELIVERED,
        /** Sent, but no answer: the connection to the bus closed, or the call timed out. */
        UNANSWERED
    }

    /**
     * One recorded D-Bus call.
     *
     * @param client  client number, 0-based
     * @param member  {@code CreateBridge}, {@code AddPort} or {@code DeletePort}
     * @param bridge  the bridge argument
     * @param port    the port argument, empty for {@code CreateBridge}
     * @param startUs wall clock when gdbus was started, µs since the epoch
     * @param endUs   wall clock when it exited, µs since the epoch
     * @param outcome how it ended
     * @param detail  gdbus's output (the D-Bus error name and message for errors)
     */
    public record Call(int client, String member, String bridge, String port, long startUs, long endUs,
            Outcome outcome, String detail) {
    }

    /**
     * One restart and how long the appliance took to recover from it.
     *
     * @param daemon     {@code ovsdb-server} or {@code dbus-daemon}
     * @param recoveryMs from the new daemon answering to recovery (see the class comment), ms; -1 if not recovered
     */
    public record Restart(String daemon, long recoveryMs) {
    }

    /**
     * What a run found.
     *
     * @param calls      every call of every client, in client order
     * @param restarts   every restart, in order
     * @param names      the well-known names the appliance owned before the torture (checked after each restart)
     * @param events     {@code ovsdb.bridge/port.*.added/removed} events the bus subscriber received
     * @param signals    BridgeAdded/PortAdded/PortRemoved signals the monitors saw, over all runs of dbus-daemon
     * @param checkedSignals successful calls whose signal had to be seen (whole call within one monitored run)
     * @param violations every breach of the guarantees of the class comment; empty when all hold
     * @param seconds    wall time of the torture phase (clients running), s
     */
    public record Result(List<Call> calls, List<Restart> restarts, Set<String> names, int events, int signals,
            int checkedSignals, List<String> violations, double seconds) {
        /** @return number of calls with this outcome */
        public long count(Outcome o) {
            return calls.stream().filter(c -> c.outcome() == o).count();
        }

        /** @return recovery times of restarts of {@code daemon}, ms, sorted (unrecovered ones left out) */
        public List<Long> recoveries(String daemon) {
            return restarts.stream().filter(r -> r.daemon().equals(daemon) && r.recoveryMs() >= 0)
                    .map(Restart::recoveryMs).sorted().toList();
        }

        /**
         * @return per outcome other than OK, the D-Bus error names (or gdbus's message without one) and how many calls
         *         ended with each, e.g. {@code "FAILED org.openvswitch.ovsdb.Error.Unavailable" → 12}
         */
        public Map<String, Long> reasons() {
            Map<String, Long> out = new java.util.TreeMap<>();
            for (Call c : calls) {
                if (c.outcome() != Outcome.OK) {
                    Matcher m = Pattern.compile("GDBus\\.Error:([A-Za-z0-9_.]+)").matcher(c.detail());
                    String why = m.find() ? m.group(1) : c.detail().replaceAll("[0-9]+", "N");
                    out.merge(c.outcome() + " " + why, 1L, Long::sum);
                }
            }
            return out;
        }

        /**
         * @return a markdown table: per daemon restarts, recovery p50 and max; then calls by outcome, events,
         *         signals; the bus names checked; then the {@link #reasons()}
         */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append("| restarted | restarts | recovery p50 (ms) | recovery max (ms) | recovered to |\n");
            sb.append("|---|---:|---:|---:|---|\n");
            for (String d : List.of("ovsdb-server", "dbus-daemon")) {
                List<Long> r = recoveries(d);
                long n = restarts.stream().filter(x -> x.daemon().equals(d)).count();
                sb.append("| ").append(d).append(" | ").append(n).append(" | ")
                        .append(r.isEmpty() ? "-" : r.get((r.size() - 1) / 2)).append(" | ")
                        .append(r.isEmpty() ? "-" : r.get(r.size() - 1)).append(" | ")
                        .append(d.equals("dbus-daemon") ? "bus names back" : "call answered").append(" |\n");
            }
            sb.append("\n| clients | calls | ok | failed | undelivered | unanswered | bus events | D-Bus signals "
                    + "| signals checked | violations | seconds |\n");
            sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            sb.append("| ").append(calls.stream().mapToInt(Call::client).max().orElse(-1) + 1).append(" | ")
                    .append(calls.size()).append(" | ").append(count(Outcome.OK)).append(" | ")
                    .append(count(Outcome.FAILED)).append(" | ").append(count(Outcome.UNDELIVERED)).append(" | ")
                    .append(count(Outcome.UNANSWERED)).append(" | ").append(events).append(" | ").append(signals)
                    .append(" | ").append(checkedSignals).append(" | ").append(violations.size()).append(" | ")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", seconds)).append(" |\n");
            sb.append("\nBus names checked after every restart: ").append(new TreeSet<>(names)).append('\n');
            sb.append("\n| outcome | reason | calls |\n|---|---|---:|\n");
            reasons().forEach((k, n) -> sb.append("| ").append(k.replaceFirst(" ", " | ")).append(" | ").append(n)
                    .append(" |\n"));
            return sb.toString();
        }
    }

    /** One run of dbus-daemon as the monitors saw it: [subscribedUs, endUs) and the monitor's output. */
    private record Epoch(long subscribedUs, long endUs, String output) {
    }

    /**
     * Runs the torture once.
     *
     * @param dist     the unpacked distribution ({@code bin/patchbay}, {@code etc/})
     * @param dir      an existing, short, empty directory for every file of the run ({@link ShortTempDir})
     * @param restarts how many times each of ovsdb-server and dbus-daemon is restarted, at least 1
     * @param clients  number of client processes, at least 1
     * @param settle   time between restarts, while the clients run undisturbed
     * @param log      progress lines (one per restart), e.g. {@code System.out}
     * @return what was found; the caller asserts {@link Result#violations()} is empty
     * @throws IllegalArgumentException if restarts or clients is below 1, or dist has no {@code bin/patchbay}
     * @throws IllegalStateException    if the appliance or a daemon does not start (message with the log tail)
     * @throws InterruptedException     if interrupted
     * @throws IOException              if a file of the run cannot be written or read
     */
    public static Result run(Path dist, Path dir, int restarts, int clients, Duration settle, PrintStream log)
            throws InterruptedException, IOException {
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts: must be at least 1, got " + restarts);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients: must be at least 1, got " + clients);
        }
        Path launcher = dist.resolve("bin/patchbay");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("dist: no executable bin/patchbay in " + dist);
        }
        for (String t : List.of("ovsdb-server", "dbus-daemon", "gdbus", "busctl", "bash", "stdbuf")) {
            Tools.require(t);
        }
        try (Run r = new Run(dist, dir, log)) {
            return r.torture(restarts, clients, settle);
        }
    }

    /**
     * Reads one client's log: a line per call, {@code MEMBER BRIDGE PORT|- START_US END_US EXIT_STATUS OUTPUT...}.
     *
     * @param client the client's number
     * @param file   its log; a missing file is no calls
     * @return the calls, in order
     * @throws IOException if the file cannot be read
     */
    static List<Call> parseCalls(int client, Path file) throws IOException {
        List<Call> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ", 7);
            if (f.length < 6) {
                continue;
            }
            String detail = f.length > 6 ? f[6] : "";
            int rc = Integer.parseInt(f[5]);
            out.add(new Call(client, f[0], f[1], f[2].equals("-") ? "" : f[2], Long.parseLong(f[3]),
                    Long.parseLong(f[4]), classify(rc, detail), detail));
        }
        return out;
    }

    /**
     * gdbus: exit 0 is success; {@code GDBus.Error:NAME: ...} is an error reply (from the bus itself for
     * ServiceUnknown/NameHasNoOwner: undelivered; NoReply/Disconnected/Timeout: unanswered); no D-Bus error
     * name: "Error connecting" (undelivered) or a closed connection / timeout (unanswered).
     */
    static Outcome classify(int rc, String detail) {
        if (rc == 0) {
            return Outcome.OK;
        }
        Matcher m = Pattern.compile("GDBus\\.Error:([A-Za-z0-9_.]+)").matcher(detail);
        if (m.find()) {
            String name = m.group(1);
            if (name.equals("org.freedesktop.DBus.Error.ServiceUnknown")
                    || name.equals("org.freedesktop.DBus.Error.NameHasNoOwner")) {
                return Outcome.UNDELIVERED;
            }
            if (name.equals("org.freedesktop.DBus.Error.NoReply") || name.equals("org.freedesktop.DBus.Error.Disconnected")
                    || name.equals("org.freedesktop.DBus.Error.Timeout")
                    || name.equals("org.freedesktop.DBus.Error.TimedOut")) {
                return Outcome.UNANSWERED;
            }
            return Outcome.FAILED;
        }
        if (detail.contains("Error connecting")) {
            return Outcome.UNDELIVERED;
        }
        return Outcome.UNANSWERED;
    }

    /** The daemons and processes of one run; closes all of them. */
    private static final class Run implements AutoCloseable {
        private final Path dist;
        private final Path launcher;
        private final Path dir;
        private final PrintStream log;
        private Netns ns;
        private OvsdbServer db;
        private DbusDaemon bus;
        private Path state;
        private Process appliance;
        private Process sub;
        private DbusMonitor monitor;
        private long monitorSubscribedUs;
        private final List<Epoch> epochs = new ArrayList<>();
        private final List<Process> clientProcs = new ArrayList<>();
        /** Where to copy the run's files on close ({@code -Dtorture.keep=DIR}), or null. */
        private final Path keep = System.getProperty("torture.keep") == null ? null
                : Path.of(System.getProperty("torture.keep"));

        Run(Path dist, Path dir, PrintStream log) {
            this.dist = dist;
            this.launcher = dist.resolve("bin/patchbay");
            this.dir = dir;
            this.log = log;
        }

        Result torture(int restarts, int clients, Duration settle) throws InterruptedException, IOException {
            ns = Netns.create();
            db = OvsdbServer.start(ns, Files.createDirectories(dir.resolve("ovs")));
            bus = DbusDaemon.start(Files.createDirectories(dir.resolve("dbus")));
            state = dir.resolve("state");
            Path etc = Appliance.privateEtc(dist.resolve("etc"), dir, state, db.remote(), bus.address());
            if (keep != null) {
                Files.writeString(etc.resolve("dev.ovs.log.cfg"), "level=INFO\n");
            }
            appliance = new ProcessBuilder(ns.wrap(launcher.toString(), "run", "--etc", etc.toString(), "--state",
                    state.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("appliance.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            awaitAppliance();
            Set<String> names = ownedNames();
            if (!names.contains(OVSDB_NAME)) {
                throw new IllegalStateException("the appliance owns " + names + ", not " + OVSDB_NAME);
            }
            startSubscriber(etc);
            startMonitor();

            Path script = writeClientScript();
            Path stop = dir.resolve("stop");
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                clientProcs.add(new ProcessBuilder("bash", script.toString(), Integer.toString(c), bus.address(),
                        stop.toString(), dir.resolve("client" + c + ".log").toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("client" + c + ".err").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start());
            }
            List<Restart> done = new ArrayList<>();
            List<String> violations = new ArrayList<>();
            for (int k = 0; k < 2 * restarts; k++) {
                Thread.sleep(settle.toMillis());
                boolean ovsdb = k % 2 == 0;
                long recovered;
                if (ovsdb) {
                    db.restart();
                    long up = System.nanoTime();
                    recovered = awaitAnswer(up);
                    awaitNames(names, up, violations, "ovsdb-server restart " + (k / 2 + 1));
                } else {
                    endMonitor();
                    bus.restart();
                    long up = System.nanoTime();
                    startMonitor();
                    recovered = awaitNames(names, up, violations, "dbus-daemon restart " + (k / 2 + 1));
                    awaitAnswer(up);
                }
                if (recovered < 0) {
                    violations.add((ovsdb ? "ovsdb-server" : "dbus-daemon") + " restart " + (k / 2 + 1)
                            + ": not recovered within " + RECOVERY_LIMIT);
                }
                Restart r = new Restart(ovsdb ? "ovsdb-server" : "dbus-daemon", recovered);
                done.add(r);
                log.println(java.time.Instant.now() + " restart " + (k + 1) + "/" + 2 * restarts + ": " + r.daemon()
                        + " recovered in " + recovered + " ms");
            }
            Thread.sleep(settle.toMillis());
            Files.writeString(stop, "");
            for (Process p : clientProcs) {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    violations.add("client pid " + p.pid() + " did not finish its call within 60 s after stop");
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Call> calls = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                calls.addAll(RestartTorture.parseCalls(c, dir.resolve("client" + c + ".log")));
            }
            return check(calls, done, names, violations, seconds);
        }

        private void awaitAppliance() throws InterruptedException {
            long end = System.nanoTime() + START.toNanos();
            while (true) {
                if (!appliance.isAlive()) {
                    throw new IllegalStateException("appliance exited with " + appliance.exitValue() + ":\n"
                            + tail(dir.resolve("appliance.log")));
                }
                try {
                    if (Files.exists(state.resolve("admin.sock"))
                            && call("BridgeExists", "'probe'").equals("(false,)")) {
                        return;
                    }
                } catch (Cmd.Failed notYet) {
                    // starting
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("appliance not answering " + OVSDB_NAME + " within " + START
                            + ":\n" + tail(dir.resolve("appliance.log")));
                }
                Thread.sleep(200);
            }
        }

        /** @return the well-known names on the bus (no unique names, not the bus's own) */
        private Set<String> ownedNames() {
            Set<String> out = new TreeSet<>();
            Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(bus.busctl("call", "org.freedesktop.DBus",
                    "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames"));
            while (m.find()) {
                String n = m.group(1);
                if (!n.startsWith(":") && !n.equals("org.freedesktop.DBus")) {
                    out.add(n);
                }
            }
            return out;
        }

        private String call(String member, String... args) {
            List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--timeout",
                    "10", "--dest", OVSDB_NAME, "--object-path", OVSDB_PATH, "--method", OVSDB_NAME + "." + member));
            argv.addAll(List.of(args));
            return Cmd.run(argv, Duration.ofSeconds(20)).strip();
        }

        /** @return ms from {@code upNanos} until BridgeExists is answered, -1 after {@link #RECOVERY_LIMIT} */
        private long awaitAnswer(long upNanos) throws InterruptedException {
            while (System.nanoTime() - upNanos < RECOVERY_LIMIT.toNanos()) {
                try {
                    call("BridgeExists", "'probe'");
                    return (System.nanoTime() - upNanos) / 1_000_000;
                } catch (Cmd.Failed notYet) {
                    Thread.sleep(20);
                }
            }
            return -1;
        }

        /** @return ms from {@code upNanos} until every name is owned, -1 (and a violation) after the limit */
        private long awaitNames(Set<String> names, long upNanos, List<String> violations, String what)
                throws InterruptedException {
            Set<String> owned = Set.of();
            while (System.nanoTime() - upNanos < RECOVERY_LIMIT.toNanos()) {
                try {
                    owned = ownedNames();
                    if (owned.containsAll(names)) {
                        return (System.nanoTime() - upNanos) / 1_000_000;
                    }
                } catch (Cmd.Failed notYet) {
                    // bus not answering yet
                }
                Thread.sleep(20);
            }
            Set<String> missing = new TreeSet<>(names);
            missing.removeAll(owned);
            violations.add(what + ": bus names " + missing + " not owned again within " + RECOVERY_LIMIT);
            return -1;
        }

        private void startSubscriber(Path etc) throws InterruptedException, IOException {
            Path err = dir.resolve("events.err");
            sub = new ProcessBuilder(launcher.toString(), "bus", "--etc", etc.toString(), "sub", "ovsdb.>")
                    .redirectOutput(dir.resolve("events.jsonl").toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(Files.exists(err) && Files.readString(err).contains("subscribed"))) {
                if (!sub.isAlive() || System.nanoTime() > end) {
                    throw new IllegalStateException("bus sub not subscribed: " + tail(err));
                }
                Thread.sleep(50);
            }
        }

        private void startMonitor() {
            monitor = DbusMonitor.start(bus, dir, OVSDB_NAME);
            monitorSubscribedUs = nowUs();
        }

        private void endMonitor() {
            if (monitor != null) {
                long end = nowUs();
                monitor.close();
                epochs.add(new Epoch(monitorSubscribedUs, end, monitor.output()));
                monitor = null;
            }
        }

        private Path writeClientScript() throws IOException {
            Path script = dir.resolve("client.sh");
            Files.writeString(script, """
                    #!/bin/bash
                    # usage: client.sh N BUS_ADDRESS STOP_FILE OUT: CreateBridge/AddPort/DeletePort until STOP_FILE exists
                    c=$1 addr=$2 stop=$3 out=$4
                    call() { # member bridge [port]
                      local member=$1 t0 t1 res rc args=("'$2'")
                      [ -n "${3:-}" ] && args+=("'$3'")
                      t0=$EPOCHREALTIME
                      res=$(gdbus call --address "$addr" --timeout 30 --dest %s --object-path %s \\
                            --method %s."$member" "${args[@]}" 2>&1)
                      rc=$?
                      t1=$EPOCHREALTIME
                      res=${res//$'\\n'/ }
                      echo "$member ${2} ${3:--} ${t0/./} ${t1/./} $rc $res" >> "$out"
                    }
                    i=0
                    while [ ! -e "$stop" ]; do
                      i=$((i + 1))
                      call CreateBridge "t${c}b$i"
                      call AddPort "t${c}b$i" "t${c}p$i"
                      if (( i %% 2 == 0 )); then call DeletePort "t${c}b$i" "t${c}p$i"; fi
                    done
                    """.formatted(OVSDB_NAME, OVSDB_PATH, OVSDB_NAME), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        }

        Result check(List<Call> calls, List<Restart> done, Set<String> names, List<String> violations, double seconds)
                throws InterruptedException, IOException {
            // 1. replica == ovsdb-client dump (the replica catches up with the last commits)
            Set<String> dump = Set.of();
            Set<String> replica = Set.of();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                dump = dumpTriples();
                replica = replicaTriples();
                if (dump.equals(replica)) {
                    break;
                }
                Thread.sleep(200);
            }
            if (!dump.equals(replica)) {
                Set<String> onlyDump = new TreeSet<>(dump);
                onlyDump.removeAll(replica);
                Set<String> onlyReplica = new TreeSet<>(replica);
                onlyReplica.removeAll(dump);
                violations.add("replica differs from ovsdb-client dump: only in the dump " + first(onlyDump)
                        + ", only in the replica " + first(onlyReplica));
            }
            Set<String> bridges = new TreeSet<>();
            Set<String> ports = new TreeSet<>();
            for (String t : dump) {
                String[] f = t.split("/", -1);
                bridges.add(f[0]);
                if (!f[1].isEmpty() && !f[1].equals(f[0])) {
                    ports.add(f[0] + "/" + f[1]);
                    if (!f[1].equals(f[2])) {
                        violations.add("port " + f[1] + " has interface " + f[2] + ", not one of its name");
                    }
                }
            }
            // 2. the bus events and the signals, after a moment for the last ones to arrive
            Thread.sleep(1000);
            endMonitor();
            sub.destroy();
            sub.waitFor(10, TimeUnit.SECONDS);
            Map<String, Integer> events = new HashMap<>();
            int eventCount = 0;
            for (String l : Files.readAllLines(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
                Matcher m = TOPIC.matcher(l);
                if (m.find()) {
                    events.merge(m.group(2) + "." + m.group(3) + "." + m.group(4), 1, Integer::sum);
                    eventCount++;
                }
            }
            // per epoch: signal key -> count; and overall
            List<Map<String, Integer>> perEpoch = new ArrayList<>();
            Map<String, Integer> allSignals = new HashMap<>();
            int signalCount = 0;
            for (Epoch e : epochs) {
                Map<String, Integer> m = new HashMap<>();
                Matcher s = SIGNAL.matcher(e.output());
                while (s.find()) {
                    String key = signalKey(s.group(1), unq(s.group(2)), s.group(3) == null ? "" : unq(s.group(3)));
                    m.merge(key, 1, Integer::sum);
                    allSignals.merge(key, 1, Integer::sum);
                    signalCount++;
                }
                perEpoch.add(m);
            }
            allSignals.forEach((k, n) -> {
                if (n > 1) {
                    violations.add("signal " + k + " seen " + n + " times");
                }
                if (!events.containsKey(eventKeyOfSignal(k))) {
                    violations.add("signal " + k + " without a bus event " + eventKeyOfSignal(k));
                }
            });
            events.forEach((k, n) -> {
                if (n > 1) {
                    violations.add("bus event " + k + " received " + n + " times");
                }
            });

            // 3. every call against the final state
            Set<String> known = new TreeSet<>();
            Map<String, List<Call>> byBridge = new HashMap<>();
            for (Call c : calls) {
                byBridge.computeIfAbsent(c.bridge(), b -> new ArrayList<>()).add(c);
            }
            int checkedSignals = 0;
            for (Map.Entry<String, List<Call>> e : byBridge.entrySet()) {
                String b = e.getKey();
                known.add(b);
                Call create = null;
                Call add = null;
                Call del = null;
                for (Call c : e.getValue()) {
                    switch (c.member()) {
                        case "CreateBridge" -> create = c;
                        case "AddPort" -> add = c;
                        case "DeletePort" -> del = c;
                        default -> violations.add("unknown member in client log: " + c);
                    }
                }
                boolean brNow = bridges.contains(b);
                if (create != null) {
                    expect(violations, create, brNow, true, "bridge " + b);
                    eventOnce(violations, events, "bridge." + b + ".added", brNow, create);
                    checkedSignals += signalSeen(violations, perEpoch, create, signalKey("BridgeAdded", b, ""));
                }
                if (add != null) {
                    String p = add.port();
                    known.add(b + "/" + p);
                    boolean portNow = ports.contains(b + "/" + p);
                    // the port existed at some time: it exists, or a delete of it succeeded, or it was announced
                    boolean existed = portNow || (del != null && del.outcome() == Outcome.OK);
                    if (del == null || del.outcome() == Outcome.FAILED || del.outcome() == Outcome.UNDELIVERED) {
                        expect(violations, add, portNow, true, "port " + b + "/" + p);
                    } else if (del.outcome() == Outcome.OK && portNow) {
                        violations.add("port " + b + "/" + p + " exists after a successful " + del);
                    }
                    if (add.outcome() == Outcome.OK && !existed && del != null && del.outcome() != Outcome.UNANSWERED) {
                        violations.add("port " + b + "/" + p + " of a successful " + add + " never existed");
                    }
                    if ((add.outcome() == Outcome.FAILED || add.outcome() == Outcome.UNDELIVERED) && existed) {
                        violations.add("port " + b + "/" + p + " exists (or was deleted) after " + add);
                    }
                    // added event: exactly once if the port ever existed, none if the add took no effect
                    boolean addKnown = add.outcome() != Outcome.UNANSWERED || portNow
                            || (del != null && del.outcome() == Outcome.OK);
                    boolean addTook = add.outcome() == Outcome.OK || existed;
                    Integer n = events.get("port." + p + ".added");
                    if (addKnown && (addTook ? n == null || n != 1 : n != null)) {
                        violations.add("bus event port." + p + ".added received " + (n == null ? 0 : n)
                                + " times for " + add + (del == null ? "" : " then " + del));
                    }
                    checkedSignals += signalSeen(violations, perEpoch, add, signalKey("PortAdded", b, p));
                    if (del != null) {
                        Integer r = events.get("port." + p + ".removed");
                        if (del.outcome() == Outcome.OK && (r == null || r != 1)) {
                            violations.add("bus event port." + p + ".removed received " + (r == null ? 0 : r)
                                    + " times for " + del);
                        }
                        if ((del.outcome() == Outcome.FAILED || del.outcome() == Outcome.UNDELIVERED) && r != null) {
                            violations.add("bus event port." + p + ".removed for " + del);
                        }
                        checkedSignals += signalSeen(violations, perEpoch, del, signalKey("PortRemoved", b, p));
                    }
                }
            }
            for (String b : bridges) {
                if (!known.contains(b)) {
                    violations.add("bridge " + b + " in ovsdb-server was never asked for");
                }
            }
            for (String p : ports) {
                if (!known.contains(p)) {
                    violations.add("port " + p + " in ovsdb-server was never asked for");
                }
            }
            return new Result(List.copyOf(calls), List.copyOf(done), Set.copyOf(names), eventCount, signalCount,
                    checkedSignals, List.copyOf(violations), seconds);
        }

        /** A call that says "present" when OK, "absent" when FAILED/UNDELIVERED; UNANSWERED allows both. */
        private static void expect(List<String> violations, Call c, boolean present, boolean okMeansPresent, String what) {
            if (c.outcome() == Outcome.OK && present != okMeansPresent) {
                violations.add(what + (present ? " exists" : " missing") + " after " + c);
            }
            if ((c.outcome() == Outcome.FAILED || c.outcome() == Outcome.UNDELIVERED) && present == okMeansPresent) {
                violations.add(what + (present ? " exists" : " missing") + " after " + c);
            }
        }

        private static void eventOnce(List<String> violations, Map<String, Integer> events, String key, boolean happened,
                Call c) {
            Integer n = events.get(key);
            if (happened ? n == null || n != 1 : n != null) {
                violations.add("bus event " + key + " received " + (n == null ? 0 : n) + " times for " + c);
            }
        }

        /** @return 1 if the call's signal had to be seen (and a violation was added if it was not), else 0 */
        private int signalSeen(List<String> violations, List<Map<String, Integer>> perEpoch, Call c, String key) {
            if (c.outcome() != Outcome.OK) {
                return 0;
            }
            for (int i = 0; i < epochs.size(); i++) {
                Epoch e = epochs.get(i);
                if (c.startUs() >= e.subscribedUs() && c.endUs() <= e.endUs()) {
                    Integer n = perEpoch.get(i).get(key);
                    if (n == null || n != 1) {
                        violations.add("signal " + key + " seen " + (n == null ? 0 : n) + " times in bus run " + (i + 1)
                                + " for " + c);
                    }
                    return 1;
                }
            }
            return 0;
        }

        private static String signalKey(String member, String a, String b) {
            return member + "(" + a + (b.isEmpty() ? "" : "," + b) + ")";
        }

        /** BridgeAdded(b) → bridge.b.added; PortAdded(b,p) → port.p.added; PortRemoved(b,p) → port.p.removed */
        private static String eventKeyOfSignal(String key) {
            String member = key.substring(0, key.indexOf('('));
            String[] args = key.substring(key.indexOf('(') + 1, key.length() - 1).split(",");
            return switch (member) {
                case "BridgeAdded" -> "bridge." + args[0] + ".added";
                case "BridgeRemoved" -> "bridge." + args[0] + ".removed";
                case "PortAdded" -> "port." + args[1] + ".added";
                default -> "port." + args[1] + ".removed";
            };
        }

        private static String unq(String s) {
            return s.substring(1, s.length() - 1);
        }

        private static String first(Set<String> s) {
            return s.size() <= 10 ? s.toString() : new ArrayList<>(s).subList(0, 10) + " (" + s.size() + " in all)";
        }

        /** @return bridge/port/interface names from {@code ovsdb-client dump} ("b//" for a bridge without ports) */
        private Set<String> dumpTriples() {
            Map<String, String> ifaceName = new HashMap<>();
            for (Map<String, String> r : dump("Interface", "_uuid", "name")) {
                ifaceName.put(r.get("_uuid"), r.get("name"));
            }
            Map<String, String> portName = new HashMap<>();
            Map<String, String> portIfaces = new HashMap<>();
            for (Map<String, String> r : dump("Port", "_uuid", "name", "interfaces")) {
                portName.put(r.get("_uuid"), r.get("name"));
                portIfaces.put(r.get("_uuid"), r.getOrDefault("interfaces", ""));
            }
            Set<String> out = new TreeSet<>();
            for (Map<String, String> r : dump("Bridge", "_uuid", "name", "ports")) {
                String b = r.get("name");
                boolean any = false;
                for (String pu : words(r.getOrDefault("ports", ""))) {
                    String p = portName.get(pu);
                    if (p == null || p.equals(b)) {
                        continue;
                    }
                    for (String iu : words(portIfaces.getOrDefault(pu, ""))) {
                        out.add(b + "/" + p + "/" + ifaceName.get(iu));
                        any = true;
                    }
                }
                if (!any) {
                    out.add(b + "//");
                }
            }
            return out;
        }

        private static List<String> words(String s) {
            return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
        }

        /**
         * Runs {@code ovsdb-client -f csv --data=bare dump REMOTE Open_vSwitch TABLE COLUMNS...}.
         *
         * @return one map per row, heading → value (quotes removed); the caption line is skipped
         */
        private List<Map<String, String>> dump(String table, String... columns) {
            List<String> argv = new ArrayList<>(List.of("ovsdb-client", "--timeout=20", "-f", "csv", "--data=bare",
                    "dump", db.remote(), "Open_vSwitch", table));
            argv.addAll(List.of(columns));
            List<Map<String, String>> out = new ArrayList<>();
            List<String> headings = null;
            for (String l : Cmd.run(argv, Duration.ofSeconds(30)).split("\n")) {
                if (l.isBlank() || !l.contains(",")) {
                    continue; // blank, or the caption "TABLE table"
                }
                List<String> f = csv(l);
                if (headings == null) {
                    headings = f;
                    continue;
                }
                Map<String, String> row = new HashMap<>();
                for (int i = 0; i < headings.size() && i < f.size(); i++) {
                    row.put(headings.get(i), f.get(i));
                }
                out.add(row);
            }
            return out;
        }

        /** The fields of one CSV line (RFC 4180 quoting, as ovsdb-client writes it). */
        private static List<String> csv(String l) {
            List<String> f = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < l.length(); i++) {
                char ch = l.charAt(i);
                if (quoted) {
                    if (ch == '"' && i + 1 < l.length() && l.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        cur.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    f.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(ch);
                }
            }
            f.add(cur.toString());
            return f;
        }

        /** @return bridge/port/interface names from the appliance's replica ({@code ovs:show}) */
        private Set<String> replicaTriples() {
            Set<String> out = new TreeSet<>();
            String b = null;
            String p = null;
            boolean any = false;
            for (String l : Appliance.shell(launcher, state, "ovs:show").split("\n")) {
                String t = l.strip();
                if (l.startsWith("    Bridge ")) {
                    if (b != null && !any) {
                        out.add(b + "//");
                    }
                    b = t.substring("Bridge ".length());
                    p = null;
                    any = false;
                } else if (l.startsWith("        Port ")) {
                    p = t.substring("Port ".length());
                } else if (l.startsWith("            Interface ") && b != null && p != null && !p.equals(b)) {
                    out.add(b + "/" + p + "/" + t.substring("Interface ".length()));
                    any = true;
                }
            }
            if (b != null && !any) {
                out.add(b + "//");
            }
            return out;
        }

        private static long nowUs() {
            java.time.Instant i = java.time.Instant.now();
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
        }

        private static String tail(Path f) {
            try {
                List<String> l = Files.readAllLines(f, StandardCharsets.UTF_8);
                return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
            } catch (IOException | UncheckedIOException e) {
                return "(no " + f + ": " + e + ")";
            }
        }

        @Override
        public void close() {
            for (Process p : clientProcs) {
                p.destroyForcibly();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (sub != null) {
                sub.destroyForcibly();
            }
            if (appliance != null && appliance.isAlive()) {
                appliance.destroy();
                try {
                    if (!appliance.waitFor(60, TimeUnit.SECONDS)) {
                        appliance.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                        appliance.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (bus != null) {
                bus.close();
            }
            if (db != null) {
                db.close();
            }
            if (ns != null) {
                ns.close();
            }
            if (keep != null) {
                try (var files = Files.list(dir)) {
                    Files.createDirectories(keep);
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    log.println("cannot keep the files of " + dir + " in " + keep + ": " + e);
                }
            }
        }
    }
}
