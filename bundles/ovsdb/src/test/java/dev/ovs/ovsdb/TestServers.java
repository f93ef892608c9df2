package dev.ovs.ovsdb;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixtures for ovsdb-server setups the shared harness does not start: a server with an {@code pssl:} remote
 * (TLS, mutual authentication) and a 3-member RAFT cluster on loopback TCP ports. Every process is a
 * {@link Daemon} (tracked by PID, stopped by PID); {@link Cluster#kill(int)} sends SIGKILL to one member's own PID.
 */
public final class TestServers {
    private TestServers() {
    }

    /** @return a TCP port on 127.0.0.1 that was free a moment ago */
    public static int freePort() {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> env(Path dir) {
        return Map.of("OVS_RUNDIR", dir.toString(), "OVS_DBDIR", dir.toString(), "OVS_LOGDIR", dir.toString());
    }

    /**
     * ovsdb-server on a fresh Open_vSwitch database with {@code --remote=pssl:PORT:127.0.0.1}, {@code --private-key},
     * {@code --certificate} and {@code --ca-cert} (it demands a client certificate signed by that CA), plus a Unix
     * socket for ovs-vsctl.
     */
    public static final class TlsServer implements AutoCloseable {
        public final int port;
        public final Path dir;
        private final ShortTempDir tmp;
        private final Daemon daemon;

        /**
         * @param key    server private key
         * @param cert   server certificate
         * @param caCert CA that client certificates must be signed by
         */
        public TlsServer(Path key, Path cert, Path caCert) {
            tmp = ShortTempDir.create();
            dir = tmp.path();
            port = freePort();
            Path db = dir.resolve("conf.db");
            Cmd.run("ovsdb-tool", "create", db.toString(), TestOvsdb.SCHEMA);
            daemon = Daemon.start("ovsdb-server-ssl", null, List.of("ovsdb-server", db.toString(),
                    "--remote=pssl:" + port + ":127.0.0.1", "--remote=punix:" + dir.resolve("db.sock"),
                    "--private-key=" + key, "--certificate=" + cert, "--ca-cert=" + caCert,
                    "--unixctl=" + dir.resolve("ctl"), "--log-file=" + dir.resolve("ovsdb-server.log"),
                    "-vconsole:off", "--no-chdir"), env(dir), dir.resolve("ovsdb-server.out"));
            daemon.awaitReady("list-dbs", Duration.ofSeconds(20),
                    () -> Cmd.run("ovsdb-client", "--timeout=5", "list-dbs", unix()).contains("Open_vSwitch"));
            Cmd.run("ovs-vsctl", "--db=" + unix(), "--no-wait", "--timeout=20", "init");
        }

        /** @return {@code ssl:127.0.0.1:PORT} */
        public String remote() {
            return "ssl:127.0.0.1:" + port;
        }

        /** @return the Unix socket remote, for ovs-vsctl */
        public String unix() {
            return "unix:" + dir.resolve("db.sock");
        }

        /** @return the server's log (its TLS errors) */
        public String log() {
            try {
                return java.nio.file.Files.readString(dir.resolve("ovsdb-server.log"));
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() {
            daemon.close();
            tmp.close();
        }
    }

    /**
     * A 3-member RAFT cluster of the Open_vSwitch database ({@code ovsdb-tool create-cluster} on member 0,
     * {@code join-cluster} on 1 and 2), each member an ovsdb-server with its RAFT port and a client port
     * {@code ptcp:PORT:127.0.0.1}, initialised with {@code ovs-vsctl init} through the leader.
     */
    public static final class Cluster implements AutoCloseable {
        public static final int SIZE = 3;
        public final Path dir;
        private final ShortTempDir tmp;
        private final int[] raftPorts = new int[SIZE];
        private final int[] clientPorts = new int[SIZE];
        private final Daemon[] members = new Daemon[SIZE];

        public Cluster() {
            tmp = ShortTempDir.create();
            dir = tmp.path();
            try {
                for (int i = 0; i < SIZE; i++) {
                    raftPorts[i] = freePort();
                    clientPorts[i] = freePort();
                }
                Cmd.run("ovsdb-tool", "create-cluster", db(0).toString(), TestOvsdb.SCHEMA, raft(0));
                for (int i = 1; i < SIZE; i++) {
                    Cmd.run("ovsdb-tool", "join-cluster", db(i).toString(), "Open_vSwitch", raft(i), raft(0));
                }
                for (int i = 0; i < SIZE; i++) {
                    start(i);
                }
                for (int i = 0; i < SIZE; i++) {
                    int m = i;
                    members[i].awaitReady("cluster member with a leader", Duration.ofSeconds(30), () -> {
                        String s = status(m);
                        return s.contains("Status: cluster member") && !s.contains("Leader: unknown");
                    });
                }
                Cmd.run("ovs-vsctl", "--db=" + remote(leader()), "--no-wait", "--timeout=20", "init");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Path db(int i) {
            return dir.resolve("s" + i + ".db");
        }

        private String raft(int i) {
            return "tcp:127.0.0.1:" + raftPorts[i];
        }

        private Path ctl(int i) {
            return dir.resolve("s" + i + ".ctl");
        }

        /** Starts member i (again, after {@link #kill}) on its database file. */
        public void start(int i) {
            members[i] = Daemon.start("ovsdb-server-raft" + i, null, List.of("ovsdb-server", db(i).toString(),
                    "--remote=ptcp:" + clientPorts[i] + ":127.0.0.1", "--unixctl=" + ctl(i),
                    "--log-file=" + dir.resolve("s" + i + ".log"), "-vconsole:off", "--no-chdir"), env(dir),
                    dir.resolve("s" + i + ".out"));
        }

        /** @return {@code tcp:127.0.0.1:PORT} of member i's client port */
        public String remote(int i) {
            return "tcp:127.0.0.1:" + clientPorts[i];
        }

        /** @return {@code ovs-appctl cluster/status Open_vSwitch} of member i */
        public String status(int i) {
            return Cmd.run(List.of("ovs-appctl", "-t", ctl(i).toString(), "cluster/status", "Open_vSwitch"),
                    Duration.ofSeconds(10));
        }

        /** @return whether member i runs */
        public boolean alive(int i) {
            return members[i] != null && members[i].alive();
        }

        /** @return the member that reports "Role: leader", or -1 if none does now */
        public int leader() {
            for (int i = 0; i < SIZE; i++) {
                if (alive(i)) {
                    try {
                        if (status(i).contains("Role: leader")) {
                            return i;
                        }
                    } catch (RuntimeException e) {
                        // not answering: not the leader
                    }
                }
            }
            return -1;
        }

        /** @return member i's RAFT log index as "Log: [first, last]" reports it, or -1 */
        public long logEnd(int i) {
            Matcher m = Pattern.compile("Log: \\[\\d+, (\\d+)\\]").matcher(status(i));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        /** @return member i's PID */
        public long pid(int i) {
            return members[i].pid();
        }

        /** Sends SIGKILL to member i's own PID and waits for it to exit. */
        public void kill(int i) throws Exception {
            ProcessHandle h = ProcessHandle.of(members[i].pid()).orElseThrow();
            h.destroyForcibly();
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        /**
         * @param i member
         * @return {@code ovsdb-client -f json dump} of the Open_vSwitch database through member i
         */
        public String dumpJson(int i) {
            List<String> argv = new ArrayList<>(List.of("ovsdb-client", "--timeout=20", "-f", "json", "dump",
                    remote(i), "Open_vSwitch"));
            return Cmd.run(argv, Duration.ofSeconds(30));
        }

        @Override
        public void close() {
            for (Daemon d : members) {
                if (d != null) {
                    d.close();
                }
            }
            tmp.close();
        }
    }
}
