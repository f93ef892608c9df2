package dev.ovs.itests.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A fleet of packaged appliances on one machine (docs/fleet.md): a hub {@link Netns} with a {@link NatsCluster} of
 * three nats-servers with JetStream listening on {@code 0.0.0.0} (ports 4222..4224), and {@code N} appliances
 * {@code host1..hostN}, each {@code HOME/bin/patchbay run --sandbox DIR/sbxI --etc DIR/etcI} (a private
 * ovsdb-server, ovs-vswitchd, dbus-daemon and systemd-networkd in a network namespace of its own) joined to the hub
 * by a veth pair: {@code fhI} in the hub with {@code 10.77.I.1/24}, {@code faI} (the appliance's uplink) in the
 * appliance's namespace with {@code 10.77.I.2/24}. Each appliance's {@code etc/dev.ovs.fleet.cfg} enables the fleet
 * with {@code servers} = the three hub servers at {@code 10.77.I.1}, {@code insecure=true}, {@code host.id=hostI}
 * and the caller's extra keys.
 *
 * <p>{@link #start} returns when every appliance answers on its admin socket and shows its NATS connection as
 * {@code CONNECTED} in {@code fleet:status}. {@link #close()} stops the appliances (SIGTERM to the launcher, whose
 * trap stops its daemons and deletes its namespace; SIGKILL after 60 s), then the hub servers by PID, then the hub
 * namespace. Used by the end-to-end test ({@code FleetEndToEndTest}) and the {@code fleet} benchmark suite.
 */
public final class FleetSandbox implements AutoCloseable {
    private static final Pattern CONNECTED = Pattern.compile("(?<![A-Z])CONNECTED");

    private final Path home;
    private final Path dir;
    private final int size;
    private final List<Process> appliances = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private Netns hub;
    private NatsCluster nats;

    private FleetSandbox(Path home, Path dir, int size) {
        this.home = home;
        this.dir = dir;
        this.size = size;
    }

    /**
     * Starts the hub and {@code hosts} appliances and waits until every one is connected to the hub.
     *
     * @param home        an unpacked distribution ({@code HOME/bin/patchbay}, {@code HOME/etc})
     * @param dir         an existing short directory (socket paths live below it), e.g. a {@link ShortTempDir}
     * @param hosts       number of appliances, 1..250
     * @param fleetConfig extra keys of {@code dev.ovs.fleet.cfg} (e.g. {@code confirm.seconds}), may be empty
     * @param timeout     how long the appliances have to start and connect (all of them, in parallel)
     * @return the running fleet; close it
     * @throws IllegalArgumentException if an argument is invalid
     * @throws IllegalStateException    if an appliance exits or does not connect in time (with its log); everything
     *                                  started is stopped
     */
    public static FleetSandbox start(Path home, Path dir, int hosts, Map<String, String> fleetConfig, Duration timeout) {
        if (home == null || !Files.isExecutable(home.resolve("bin/patchbay"))) {
            throw new IllegalArgumentException("home: must be an unpacked distribution with bin/patchbay, got " + home);
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: must be an existing directory, got " + dir);
        }
        if (hosts < 1 || hosts > 250) {
            throw new IllegalArgumentException("hosts: must be 1..250, got " + hosts);
        }
        FleetSandbox f = new FleetSandbox(home, dir, hosts);
        try {
            f.hub = Netns.create();
            f.nats = NatsCluster.start(Files.createDirectories(dir.resolve("hub")), 3, f.hub, "0.0.0.0");
            for (int i = 1; i <= hosts; i++) {
                f.launch(i, fleetConfig == null ? Map.of() : fleetConfig);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 1; i <= hosts; i++) {
                f.namespaces.add(f.link(i, deadline));
            }
            for (int i = 1; i <= hosts; i++) {
                f.awaitConnected(i, deadline);
            }
            return f;
        } catch (IOException e) {
            f.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private void launch(int i, Map<String, String> extra) throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc" + i));
        try (Stream<Path> s = Files.list(home.resolve("etc"))) {
            for (Path f : s.toList()) {
                Files.copy(f, etc.resolve(f.getFileName()));
            }
        }
        Map<String, String> cfg = new LinkedHashMap<>();
        String a = hubAddress(i);
        cfg.put("enabled", "true");
        cfg.put("servers", "nats://" + a + ":4222,nats://" + a + ":4223,nats://" + a + ":4224");
        cfg.put("insecure", "true");
        cfg.put("host.id", hostId(i));
        cfg.putAll(extra);
        StringBuilder sb = new StringBuilder();
        cfg.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(etc.resolve("dev.ovs.fleet.cfg"), sb.toString());
        // bin/patchbay run refuses an etc/ writable by group or others, whatever the umask made
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> s = Files.list(etc)) {
            for (Path f : s.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        appliances.add(new ProcessBuilder(home.resolve("bin/patchbay").toString(), "run", "--sandbox",
                sandbox(i).toString(), "--etc", etc.toString()).redirectErrorStream(true)
                .redirectOutput(log(i).toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start());
    }

    /** Joins appliance {@code i}'s sandbox namespace to the hub; returns the namespace's name. */
    private String link(int i, long deadline) {
        Path env = sandbox(i).resolve("env");
        String[] netns = new String[1];
        // the launcher writes the file with a shell redirection: wait for the line, not only the file
        await(i, "its sandbox namespace (" + env + ")", deadline, () -> {
            try {
                netns[0] = Files.exists(env) ? Files.readAllLines(env).stream()
                        .filter(l -> l.startsWith("export PATCHBAY_NETNS=") && l.length() > 22)
                        .map(l -> l.substring("export PATCHBAY_NETNS=".length())).findFirst().orElse(null) : null;
            } catch (IOException e) {
                netns[0] = null;
            }
            return netns[0] != null;
        });
        hub.addVeth("fh" + i, uplink(i));
        hub.exec("ip", "addr", "add", hubAddress(i) + "/24", "dev", "fh" + i);
        hub.exec("ip", "link", "set", uplink(i), "netns", netns[0]);
        Cmd.run("ip", "-n", netns[0], "addr", "add", address(i) + "/24", "dev", uplink(i));
        Cmd.run("ip", "-n", netns[0], "link", "set", uplink(i), "up");
        return netns[0];
    }

    private void awaitConnected(int i, long deadline) {
        Path socket = state(i).resolve("admin.sock");
        await(i, "its admin socket " + socket, deadline, () -> {
            if (!Files.exists(socket)) {
                return false;
            }
            try {
                shell(i, "echo ready");
                return true;
            } catch (Cmd.Failed notYet) {
                return false;
            }
        });
        await(i, "a connection to the hub (fleet:status)", deadline, () -> connected(i));
    }

    private void await(int i, String what, long deadline, java.util.function.BooleanSupplier ok) {
        while (!ok.getAsBoolean()) {
            Process p = appliances.get(i - 1);
            if (!p.isAlive()) {
                throw new IllegalStateException(hostId(i) + " exited with " + p.exitValue() + " while waiting for "
                        + what + ":\n" + log(i, 40));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(hostId(i) + ": no " + what + " in time:\n" + log(i, 40));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** @return the number of appliances */
    public int size() {
        return size;
    }

    /** @return the hub's namespace (run controllers and subscribers here: {@link Netns#wrap}) */
    public Netns hub() {
        return hub;
    }

    /** @return the hub's nats-servers (node 0..2: {@code 0.0.0.0:4222..4224}) */
    public NatsCluster nats() {
        return nats;
    }

    /**
     * @param i appliance 1..N
     * @return its host id, {@code hostI}
     */
    public static String hostId(int i) {
        return "host" + i;
    }

    /**
     * @param i appliance 1..N
     * @return the hub's address on the veth to appliance {@code i}: {@code 10.77.I.1}
     */
    public static String hubAddress(int i) {
        return "10.77." + i + ".1";
    }

    /**
     * @param i appliance 1..N
     * @return appliance {@code i}'s uplink address: {@code 10.77.I.2}
     */
    public static String address(int i) {
        return "10.77." + i + ".2";
    }

    /**
     * @param i appliance 1..N
     * @return appliance {@code i}'s uplink interface in its namespace: {@code faI}
     */
    public static String uplink(int i) {
        return "fa" + i;
    }

    /** @return {@code --servers URL --insecure}: the arguments of {@code bin/patchbay fleet} for this hub */
    public List<String> serverArgs() {
        return List.of("--servers", "nats://" + hubAddress(1) + ":4222", "--insecure");
    }

    /**
     * @param i appliance 1..N
     * @return its sandbox directory
     */
    public Path sandbox(int i) {
        return dir.resolve("sbx" + i);
    }

    /**
     * @param i appliance 1..N
     * @return its state directory (admin socket, fleet.json)
     */
    public Path state(int i) {
        return sandbox(i).resolve("state");
    }

    /**
     * @param i appliance 1..N
     * @return the OVSDB remote of its own ovsdb-server, {@code unix:.../db.sock} (for {@code ovs-vsctl --db=})
     */
    public String db(int i) {
        return "unix:" + sandbox(i).resolve("run/ovs/db.sock");
    }

    /**
     * @param i appliance 1..N
     * @return its network namespace's name (for {@code ip -n})
     */
    public String netns(int i) {
        return namespaces.get(i - 1);
    }

    /**
     * @param i appliance 1..N
     * @return the launcher process of appliance {@code i}
     */
    public Process appliance(int i) {
        return appliances.get(i - 1);
    }

    /**
     * @param i appliance 1..N
     * @return its console log (launcher and appliance output)
     */
    public Path log(int i) {
        return dir.resolve("appliance" + i + ".log");
    }

    private String log(int i, int lines) {
        try {
            List<String> l = Files.readAllLines(log(i));
            return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Runs one shell command on appliance {@code i} ({@code bin/patchbay shell --state STATE -c COMMAND}, 30 s).
     *
     * @param i       appliance 1..N
     * @param command a Gogo command line
     * @return its output
     * @throws Cmd.Failed when the command fails or the appliance does not answer
     */
    public String shell(int i, String command) {
        return Cmd.run(List.of(home.resolve("bin/patchbay").toString(), "shell", "--state", state(i).toString(), "-c",
                command), Duration.ofSeconds(30));
    }

    /**
     * @param i appliance 1..N
     * @return whether its {@code fleet:status} shows the NATS connection {@code CONNECTED} (not
     *         {@code DISCONNECTED}, which contains the word)
     */
    public boolean connected(int i) {
        try {
            return CONNECTED.matcher(shell(i, "fleet:status")).find();
        } catch (Cmd.Failed e) {
            return false;
        }
    }

    /**
     * @param args arguments after {@code fleet} (e.g. {@code apply --all DOC})
     * @return the argv of {@code bin/patchbay fleet ARGS --servers ... --insecure} inside the hub namespace
     */
    public List<String> fleetCommand(String... args) {
        List<String> argv = new ArrayList<>(List.of(home.resolve("bin/patchbay").toString(), "fleet"));
        argv.addAll(List.of(args));
        argv.addAll(serverArgs());
        return hub.wrap(argv.toArray(String[]::new));
    }

    /**
     * Runs {@code bin/patchbay fleet ARGS} against this hub inside the hub namespace (at most 180 s).
     *
     * @param args arguments after {@code fleet}
     * @return its standard output
     * @throws Cmd.Failed on a non-zero exit (1: the rollout stopped) with the output
     */
    public String fleet(String... args) {
        return Cmd.run(fleetCommand(args), Duration.ofSeconds(180));
    }

    /** Stops the appliances, the hub's servers and the hub namespace. Idempotent. */
    @Override
    public void close() {
        for (Process p : appliances) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : appliances) {
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        appliances.clear();
        if (nats != null) {
            nats.close();
            nats = null;
        }
        if (hub != null) {
            hub.close();
            hub = null;
        }
    }
}
