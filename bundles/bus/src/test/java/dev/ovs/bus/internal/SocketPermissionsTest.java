package dev.ovs.bus.internal;

import static dev.ovs.bus.internal.BusEngineTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.Origin;
import dev.ovs.bus.cli.BusCommandLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The permissions of {@code dev.ovs.bus.cfg} against the real socket server with real peer credentials: the bus CLI
 * runs in other processes as uid 65534 (nobody) and others, made with {@code setpriv(1)} (needs root, as CI runs the
 * tests), and in-process connections (this JVM's uid) check the error frames and the per-connection counts.
 */
@Timeout(180)
class SocketPermissionsTest {
    private static final long NOBODY = 65534;
    private static final String NOGROUP = "nogroup";
    /** The class path of the CLI, copied where uid 65534 can read it (the Maven repository may be private). */
    private static Path shared;
    private static String classPath;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Path dir;
    private Path sock;

    @BeforeAll
    static void copyClassPath() throws IOException {
        shared = Files.createTempDirectory(Path.of("/tmp"), "bus-perm-cp-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String e : cp.split(java.io.File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = shared.resolve((n++) + "-" + src.getFileName());
            copy(src, dst);
            out.add(dst.toString());
        }
        classPath = String.join(java.io.File.pathSeparator, out);
    }

    private static void copy(Path src, Path dst) throws IOException {
        if (Files.isDirectory(src)) {
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path t = dst.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } else {
            Files.copy(src, dst);
            Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @AfterAll
    static void removeClassPath() throws IOException {
        delete(shared);
    }

    private static void delete(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bus-perm-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        sock = dir.resolve("run/bus.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        delete(dir);
    }

    /** A bus whose socket (0660, group nogroup) uid 65534 may connect to, with {@code extra} configuration keys. */
    private BusEngine start(Map<String, String> extra) {
        Map<String, Object> cfg = new HashMap<>(extra);
        cfg.put("socket", sock.toString());
        cfg.put("group", NOGROUP);
        cfg.put("heartbeat.seconds", "0");
        BusEngine e = new BusEngine(Settings.of(cfg));
        e.start();
        closeables.add(e);
        assertThat(e.stats().socketError()).isEmpty();
        return e;
    }

    private static void requireRoot() throws IOException {
        Assumptions.assumeTrue(uid() == 0, "setpriv needs root (CI runs the tests as root)");
    }

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    /** The outcome of one CLI run. */
    private record Run(long pid, int exit, String stdout, String stderr) {
    }

    /**
     * Runs {@code bin/patchbay bus}'s main class as another user.
     *
     * @param uid user id
     * @param gid primary group id
     * @param groups supplementary group ids, or empty
     */
    private Run cli(long uid, long gid, String groups, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid));
        cmd.add(groups.isEmpty() ? "--clear-groups" : "--groups=" + groups);
        cmd.addAll(List.of("--", java, "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=/tmp", "-cp",
                classPath, BusCommandLine.class.getName()));
        cmd.add(args[0]);
        cmd.addAll(List.of("--socket", sock.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("CLI finished").isTrue();
            return new Run(p.pid(), p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Waits until the marker topic arrives and returns what came before it. */
    private static List<Event> until(LinkedBlockingQueue<Event> q, String marker) throws InterruptedException {
        List<Event> before = new ArrayList<>();
        while (true) {
            Event e = q.poll(20, TimeUnit.SECONDS);
            assertThat(e).as("marker " + marker).isNotNull();
            if (e.topic().equals(marker)) {
                return before;
            }
            before.add(e);
        }
    }

    @Test
    void nobodyIsDeniedOnReservedTopicsAllowedElsewhereAndItsEventsCarryItsCredentials() throws Exception {
        requireRoot();
        BusEngine e = start(Map.of());
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        e.subscribe("test", List.of(">"), got::add);

        Run forged = cli(NOBODY, NOBODY, "", "pub", "ovsdb.bridge.evil.added", "{}");
        assertThat(forged.exit()).as(forged.stderr()).isEqualTo(3);
        assertThat(forged.stderr()).contains("bus: server error: permission: publish to 'ovsdb.bridge.evil.added'"
                + " denied by permissions.publish.deny 'ovsdb.>'");
        Run forged2 = cli(NOBODY, NOBODY, "", "pub", "portagent.container.x.port.created", "{}");
        assertThat(forged2.exit()).isEqualTo(3);
        assertThat(forged2.stderr()).contains("denied by permissions.publish.deny 'portagent.>'");

        Run ok = cli(NOBODY, NOBODY, "", "pub", "--type", "hi", "app.hello", "{\"a\":1}");
        assertThat(ok.exit()).as(ok.stderr()).isZero();
        e.publish(Origin.bundle("test"), "marker.one", (JsonNode) null, null);
        List<Event> before = until(got, "marker.one");
        assertThat(before).extracting(Event::topic).containsExactly("app.hello");
        Event hello = before.get(0);
        assertThat(hello.origin()).isEqualTo(Origin.socket(NOBODY, NOBODY, ok.pid()));
        assertThat(hello.isFromSocket()).isTrue();
        assertThat(hello.source()).isEqualTo("unix:pid=" + ok.pid() + ",uid=65534,gid=65534");
        assertThat(hello.payload().get("a").asInt()).isEqualTo(1);

        // subscribing is open to everybody by default: nobody sees a domain event
        Process sub = subscriber(NOBODY, NOBODY, "ovsdb.>");
        e.publish(Origin.bundle("dev.ovs.ovsdb"), "ovsdb.bridge.br0.added", mapper.readTree("{\"uuid\":\"u\"}"), null);
        assertThat(sub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sub.exitValue()).isZero();
        JsonNode line = mapper.readTree(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        assertThat(line.get("topic").asText()).isEqualTo("ovsdb.bridge.br0.added");
        assertThat(line.get("source").asText()).isEqualTo("dev.ovs.ovsdb");
    }

    private Process subscriber(long uid, long gid, String pattern) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--", java,
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", classPath, BusCommandLine.class.getName(), "sub",
                "--socket", sock.toString(), "--count", "1", pattern);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        closeables.add(p::destroyForcibly);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        assertThat(err.readLine()).isEqualTo("subscribed " + pattern);
        return p;
    }

    @Test
    void uidAndGroupGrantsAllowWhatTheyNameAndNothingElse() throws Exception {
        requireRoot();
        long users = 100; // group "users" of base-passwd
        assertThat(Files.readString(Path.of("/etc/group"))).contains("users:x:100:");
        BusEngine e = start(Map.of("permissions.uid.65533.publish.allow", "netstate.>",
                "permissions.group.users.publish.allow", "ovsdb.bridge.>"));
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        e.subscribe("test", List.of(">"), got::add);

        Run member = cli(NOBODY, NOBODY, Long.toString(users), "pub", "ovsdb.bridge.granted.added", "{}");
        assertThat(member.exit()).as(member.stderr()).isZero();
        Run memberOther = cli(NOBODY, NOBODY, Long.toString(users), "pub", "ovsdb.port.p.added", "{}");
        assertThat(memberOther.exit()).isEqualTo(3);
        assertThat(memberOther.stderr()).contains("denied by permissions.publish.deny 'ovsdb.>'");
        Run notMember = cli(NOBODY, NOBODY, "", "pub", "ovsdb.bridge.notmember.added", "{}");
        assertThat(notMember.exit()).isEqualTo(3);
        Run grantedUid = cli(65533, NOBODY, "", "pub", "netstate.checkpoint.c1.created", "{}");
        assertThat(grantedUid.exit()).as(grantedUid.stderr()).isZero();
        Run otherUid = cli(NOBODY, NOBODY, "", "pub", "netstate.checkpoint.c2.created", "{}");
        assertThat(otherUid.exit()).isEqualTo(3);
        assertThat(otherUid.stderr()).contains("denied by permissions.publish.deny 'netstate.>'");

        e.publish(Origin.bundle("test"), "marker.two", (JsonNode) null, null);
        List<Event> before = until(got, "marker.two");
        assertThat(before).extracting(Event::topic).containsExactly("ovsdb.bridge.granted.added",
                "netstate.checkpoint.c1.created");
        assertThat(before).allSatisfy(ev -> assertThat(ev.isFromSocket()).isTrue());
        assertThat(before.get(0).origin().uid()).isEqualTo(NOBODY);
        assertThat(before.get(1).origin().uid()).isEqualTo(65533);
    }

    /** An {@link dev.ovs.bus.EventBus} that only answers {@code stats()} from an engine (for {@link BusCommands}). */
    private static dev.ovs.bus.EventBus statsOf(BusEngine e) {
        return (dev.ovs.bus.EventBus) java.lang.reflect.Proxy.newProxyInstance(
                SocketPermissionsTest.class.getClassLoader(), new Class<?>[] {dev.ovs.bus.EventBus.class},
                (p, m, a) -> {
                    if (m.getName().equals("stats")) {
                        return e.stats();
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void denialsAreErrorLinesNamingTheRuleCountedPerConnectionAndSubscribeRulesFilterEvents() throws Exception {
        long me = uid();
        BusEngine e = start(Map.of("permissions.uid." + me + ".subscribe.deny", "secret.>"));
        try (RawClient r = new RawClient(sock); RawClient other = new RawClient(sock)) {
            JsonNode err = r.call("{\"op\":\"pub\",\"id\":\"p1\",\"topic\":\"system.bus.health\",\"payload\":{}}");
            assertThat(err.get("op").asText()).isEqualTo("error");
            assertThat(err.get("id").asText()).isEqualTo("p1");
            assertThat(err.get("message").asText()).isEqualTo("permission: publish to 'system.bus.health' denied by"
                    + " permissions.publish.deny 'system.>'");
            JsonNode noId = r.call("{\"op\":\"pub\",\"topic\":\"fleet.x\"}");
            assertThat(noId.has("id")).isFalse();
            assertThat(noId.get("message").asText()).contains("denied by permissions.publish.deny 'fleet.>'");
            JsonNode subErr = r.call("{\"op\":\"sub\",\"id\":\"s0\",\"pattern\":\"secret.*\"}");
            assertThat(subErr.get("message").asText()).isEqualTo("permission: subscribe to 'secret.*' denied by"
                    + " permissions.uid." + me + ".subscribe.deny 'secret.>'");
            assertThat(r.call("{\"op\":\"sub\",\"id\":\"all\",\"pattern\":\">\"}").get("op").asText()).isEqualTo("ok");
            assertThat(r.call("{\"op\":\"pub\",\"id\":\"p2\",\"topic\":\"app.ok\"}").get("op").asText()).isEqualTo("ok");
            assertThat(mapper.readTree(r.in.readLine()).get("topic").asText()).isEqualTo("app.ok");
            e.publish(Origin.bundle("test"), "secret.key", (JsonNode) null, null);
            e.publish(Origin.bundle("test"), "open.x", (JsonNode) null, null);
            JsonNode ev = mapper.readTree(r.in.readLine());
            assertThat(ev.get("topic").asText()).as("secret.key is withheld").isEqualTo("open.x");
            assertThat(r.call("{\"op\":\"ping\",\"id\":\"q\"}").get("op").asText()).isEqualTo("pong");

            BusStats st = e.stats();
            assertThat(st.connections()).hasSize(2);
            assertThat(st.connections().get(0).denied()).isEqualTo(3);
            assertThat(st.connections().get(1).denied()).isZero();
            String report = new BusCommands(statsOf(e)).stats();
            assertThat(report).contains("DENIED");
            assertThat(report.lines().filter(l -> l.startsWith("conn:")).toList().get(0)).endsWith(" 3");
            assertThat(other.call("{\"op\":\"ping\",\"id\":\"q\"}").get("op").asText()).isEqualTo("pong");
        }
        await(() -> e.stats().connections().isEmpty());
    }
}
