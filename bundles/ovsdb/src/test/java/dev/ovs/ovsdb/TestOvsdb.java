package dev.ovs.ovsdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test fixture: a private ovsdb-server with the Open_vSwitch schema in a temporary directory (no network
 * namespace needed: ovsdb-server alone touches no interfaces). Standalone servers come from the shared
 * harness ({@link dev.ovs.itests.harness.OvsdbServer}); the one-member RAFT cluster (not offered by the
 * harness) is started here. Only the PIDs started are ever killed.
 */
public final class TestOvsdb implements AutoCloseable {
    public static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
    public final Path dir;
    public final Path db;
    public final Path sock;
    private Process server;
    private final dev.ovs.itests.harness.OvsdbServer harness;
    private final dev.ovs.itests.harness.ShortTempDir shortDir;

    private TestOvsdb(Path dir) {
        this.dir = dir;
        this.db = dir.resolve("conf.db");
        this.sock = dir.resolve("db.sock");
        this.harness = null;
        this.shortDir = null;
    }

    private TestOvsdb(dev.ovs.itests.harness.ShortTempDir d, dev.ovs.itests.harness.OvsdbServer h) {
        this.dir = d.path();
        this.db = h.dbFile();
        this.sock = h.socket();
        this.harness = h;
        this.shortDir = d;
    }

    /** Starts a standalone server. */
    public static TestOvsdb start() throws Exception {
        return start(false);
    }

    /** Starts a server; clustered = one-member RAFT cluster (started here, not by the harness). */
    public static TestOvsdb start(boolean clustered) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/ovsdb-server")) && !Files.isExecutable(Path.of("/usr/bin/ovsdb-server"))) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("ovsdb-server is not installed (CI=true: must not skip)");
            }
            org.junit.jupiter.api.Assumptions.abort("ovsdb-server not installed");
        }
        if (!clustered) {
            dev.ovs.itests.harness.ShortTempDir d = dev.ovs.itests.harness.ShortTempDir.create();
            try {
                TestOvsdb t = new TestOvsdb(d, dev.ovs.itests.harness.OvsdbServer.start(null, d.path()));
                t.vsctl("init");
                return t;
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }
        Path dir = Files.createTempDirectory("pb-ovsdb-");
        TestOvsdb t = new TestOvsdb(dir);
        run("ovsdb-tool", "create-cluster", t.db.toString(), SCHEMA, "unix:" + dir.resolve("raft.sock"));
        t.startServer();
        t.vsctl("init");
        return t;
    }

    public String remote() {
        return "unix:" + sock;
    }

    public void startServer() throws Exception {
        startServer(true);
    }

    /** @return a second remote the clustered server always listens on ({@code unix:DIR/alt.sock}) */
    public String altRemote() {
        return "unix:" + dir.resolve("alt.sock");
    }

    /**
     * Starts the (clustered) server; it listens on {@link #altRemote()} and, if {@code mainRemote}, on
     * {@link #remote()} (clients of remote() cannot reach it otherwise until {@code ovsdb-server/add-remote}).
     */
    public void startServer(boolean mainRemote) throws Exception {
        if (harness != null) {
            harness.start();
            return;
        }
        Files.deleteIfExists(sock);
        Path alt = dir.resolve("alt.sock");
        Files.deleteIfExists(alt);
        List<String> cmd = new ArrayList<>(List.of("ovsdb-server", db.toString(), "--remote=punix:" + alt));
        if (mainRemote) {
            cmd.add("--remote=punix:" + sock);
        }
        cmd.addAll(List.of("--unixctl=" + dir.resolve("ctl"), "--log-file=" + dir.resolve("ovsdb-server.log"), "--no-chdir"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("ovsdb-server.out").toFile());
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(alt) || (mainRemote && !Files.exists(sock))) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("ovsdb-server did not start: "
                        + Files.readString(dir.resolve("ovsdb-server.out")));
            }
            Thread.sleep(20);
        }
        // the socket exists once it listens; the clustered DB needs to become leader
        for (int i = 0; i < 200; i++) {
            Result r = exec("ovsdb-client", "list-dbs", altRemote());
            if (r.code == 0) {
                break;
            }
            Thread.sleep(50);
        }
    }

    /** ovs-vsctl --no-wait against the given remote of this server. */
    public String vsctlAt(String remote, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--no-wait", "--db=" + remote, "--timeout=20"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** Stops the server (SIGTERM to our own PID, then SIGKILL). */
    public void stopServer() throws InterruptedException {
        if (harness != null) {
            harness.stop();
            return;
        }
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** ovs-vsctl --no-wait against this server. */
    public String vsctl(String... args) throws Exception {
        if (harness != null) {
            return harness.vsctl(args);
        }
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--no-wait", "--db=" + remote(), "--timeout=20"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** @return the unixctl socket of the server (ovs-appctl -t) */
    public Path ctl() {
        return harness != null ? harness.ctl() : dir.resolve("ctl");
    }

    /** ovsdb-client dump in JSON. */
    public String dumpJson(String... tables) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ovsdb-client", "-f", "json", "dump", remote(), "Open_vSwitch"));
        cmd.addAll(List.of(tables));
        return run(cmd.toArray(String[]::new));
    }

    public record Result(int code, String out) {
    }

    public static Result exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timeout: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public static String run(String... cmd) throws IOException, InterruptedException {
        Result r = exec(cmd);
        if (r.code != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.code + "): " + r.out);
        }
        return r.out;
    }

    @Override
    public void close() throws Exception {
        if (harness != null) {
            harness.close();
            shortDir.close();
            return;
        }
        stopServer();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
