package dev.ovs.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.Event;
import dev.ovs.fleet.FleetStatus;
import dev.ovs.fleet.HostOutcome;
import dev.ovs.fleet.HostState;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import dev.ovs.fleet.RolloutOptions;
import dev.ovs.fleet.RolloutResult;
import dev.ovs.fleet.Subjects;
import dev.ovs.fleet.client.FleetCli;
import dev.ovs.fleet.client.NatsFleetController;
import dev.ovs.fleet.client.ReportJson;
import dev.ovs.itests.harness.NatsCluster;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.netstate.NetStateException;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.api.KeyValueEntry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fleet agent and the rollout controller against a real 3-node nats-server cluster with JetStream (loopback),
 * with a fake network-state service ({@link FakeState}). Each test uses host ids of its own.
 */
class FleetAgentIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static ShortTempDir tmp;
    private static NatsCluster nats;
    private static NatsFleetController controller;
    private final List<FleetAgent> agents = new ArrayList<>();

    @BeforeAll
    static void cluster() {
        tmp = ShortTempDir.create();
        nats = NatsCluster.start(tmp.path(), 3);
        controller = NatsFleetController.connect(List.of(nats.urls().split(",")), null, null, false, 0);
        controller.bucket(Subjects.DESIRED_BUCKET);
        controller.bucket(Subjects.REPORTED_BUCKET);
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (nats != null) {
            nats.close();
        }
        if (tmp != null) {
            tmp.close();
        }
    }

    @AfterEach
    void closeAgents() {
        agents.forEach(FleetAgent::close);
    }

    private Settings settings(String host, String servers, int confirm, String probeHost, int probePort, int queue) {
        return settings(host, servers, confirm, probeHost, probePort, queue, null);
    }

    private Settings settings(String host, String servers, int confirm, String probeHost, int probePort, int queue,
            String domain) {
        return new Settings(true, List.of(servers.split(",")), null, host, List.of("ovsdb.>", "portagent.>"), false,
                probeHost, probePort, confirm, null, domain, queue, 1, tmp.path().resolve(host + ".json"));
    }

    private FleetAgent agent(Settings s, FakeState state) {
        FleetAgent a = new FleetAgent(s, () -> state);
        agents.add(a);
        a.start();
        return a;
    }

    private FleetAgent agent(String host, FakeState state) {
        return agent(settings(host, nats.urls(), 10, null, 0, 1024), state);
    }

    private void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder("not within " + WAIT + ": " + what);
                for (FleetAgent a : agents) {
                    sb.append("\n  agent ").append(a.status());
                }
                throw new AssertionError(sb.toString());
            }
            Thread.sleep(50);
        }
    }

    private static KeyValue kv(String bucket) {
        return controller.bucket(bucket);
    }

    private static Report reportOf(String host) {
        try {
            KeyValueEntry e = kv(Subjects.REPORTED_BUCKET).get(host);
            return e == null ? null : ReportJson.read(e.getValue());
        } catch (Exception e) {
            return null;
        }
    }

    private static long put(String host, String doc) throws Exception {
        return kv(Subjects.DESIRED_BUCKET).put(host, doc.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean reported(String host, long rev, ReportStatus status) {
        Report r = reportOf(host);
        return r != null && r.revision() == rev && r.status() == status;
    }

    @Test
    void appliesCommitsAndReportsApplied() throws Exception {
        FakeState st = new FakeState();
        FleetAgent a = agent("it-applied", st);
        long rev = put("it-applied", "interfaces: [{name: br0}]\n");
        await("applied report", () -> reported("it-applied", rev, ReportStatus.APPLIED));
        Report r = reportOf("it-applied");
        assertThat(r.checkpoint()).isEqualTo("cp-1");
        assertThat(r.error()).isNull();
        assertThat(r.timestamp()).isPositive();
        assertThat(st.applied).containsExactly("interfaces: [{name: br0}]\n");
        assertThat(st.callers).containsExactly("fleet patchbay-desired/it-applied@" + rev);
        assertThat(st.commits).containsExactly("cp-1");
        assertThat(st.rollbacks).isEmpty();
        // the JSON keys as pinned
        JsonNode json = new ObjectMapper().readTree(kv(Subjects.REPORTED_BUCKET).get("it-applied").getValue());
        assertThat(json.fieldNames()).toIterable().containsExactly("revision", "status", "checkpoint", "error", "ts");
        assertThat(json.get("status").asText()).isEqualTo("applied");
        FleetStatus s = a.status();
        assertThat(s.appliedRevision()).isEqualTo(rev);
        assertThat(s.desiredRevision()).isEqualTo(rev);
        assertThat(s.reportUnsent()).isFalse();
        assertThat(s.connection()).isEqualTo("CONNECTED");
        assertThat(FleetCommands.format(s)).contains("applied     " + rev, "revision " + rev + " applied checkpoint cp-1");
    }

    @Test
    void invalidDocumentFailsAndVerificationFailureRollsBack() throws Exception {
        FakeState st = new FakeState();
        st.behaviour = doc -> doc.contains("bad-arg") ? new InvalidArgumentException("interfaces[0].mtu", "must be 68..65535")
                : doc.contains("bad-verify") ? new NetStateException(ErrorKind.Failed, "verify: port p9 has error 'could not open'")
                : doc.contains("pending") ? new NetStateException(ErrorKind.CheckpointPending, "cp-x is pending") : null;
        agent("it-fail", st);
        long r1 = put("it-fail", "bad-arg");
        await("failed report", () -> reported("it-fail", r1, ReportStatus.FAILED));
        assertThat(reportOf("it-fail").error()).isEqualTo("interfaces[0].mtu: must be 68..65535");
        long r2 = put("it-fail", "bad-verify");
        await("rolled-back report", () -> reported("it-fail", r2, ReportStatus.ROLLED_BACK));
        assertThat(reportOf("it-fail").error()).contains("Failed", "port p9");
        long r3 = put("it-fail", "pending");
        await("failed report (checkpoint pending)", () -> reported("it-fail", r3, ReportStatus.FAILED));
        assertThat(st.commits).isEmpty();
    }

    @Test
    void probeUnreachableRollsBackTheCheckpoint() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        FakeState st = new FakeState();
        agent(settings("it-probe", nats.urls(), 3, "127.0.0.1", closedPort, 1024), st);
        long rev = put("it-probe", "cut me off");
        await("rolled-back report", () -> reported("it-probe", rev, ReportStatus.ROLLED_BACK));
        Report r = reportOf("it-probe");
        assertThat(r.checkpoint()).isEqualTo("cp-1");
        assertThat(r.error()).contains("probe 127.0.0.1:" + closedPort + " not reachable");
        assertThat(st.rollbacks).containsExactly("cp-1");
        assertThat(st.commits).isEmpty();
    }

    @Test
    void pendingIsReportedWhileTheCheckWaits() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            int port = probe.getLocalPort();
            probe.close(); // closed until the test has seen "pending"
            FakeState st = new FakeState();
            agent(settings("it-pending", nats.urls(), 20, "127.0.0.1", port, 1024), st);
            long rev = put("it-pending", "doc");
            await("pending report", () -> reported("it-pending", rev, ReportStatus.PENDING));
            assertThat(reportOf("it-pending").checkpoint()).isEqualTo("cp-1");
            try (ServerSocket reopened = new ServerSocket()) {
                reopened.setReuseAddress(true);
                reopened.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                await("applied report", () -> reported("it-pending", rev, ReportStatus.APPLIED));
            }
            assertThat(st.commits).containsExactly("cp-1");
        }
    }

    @Test
    void newestRevisionOnlyWhileBusy() throws Exception {
        FakeState st = new FakeState();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inApply = new CountDownLatch(1);
        st.during = doc -> {
            if (doc.equals("A")) {
                inApply.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        agent("it-newest", st);
        put("it-newest", "A");
        assertThat(inApply.await(30, TimeUnit.SECONDS)).isTrue();
        put("it-newest", "B");
        put("it-newest", "C");
        long last = put("it-newest", "D");
        release.countDown();
        await("D applied", () -> reported("it-newest", last, ReportStatus.APPLIED));
        assertThat(st.appliedSnapshot()).containsExactly("A", "D");
    }

    /** A leaf node of the hub, as an appliance runs one: killing it cuts the agent off while the hub takes writes. */
    private static NatsCluster leaf(String name) throws Exception {
        Path d = java.nio.file.Files.createDirectories(tmp.path().resolve("leaf-" + name));
        return NatsCluster.startLeaf(d, nats);
    }

    @Test
    void afterAnOutageTheNewestRevisionIsAppliedOnceAndNeverAgain() throws Exception {
        try (NatsCluster leaf = leaf("outage")) {
            FakeState st = new FakeState();
            Settings s = settings("it-outage", leaf.url(0), 10, null, 0, 1024, NatsCluster.DOMAIN);
            FleetAgent a = agent(s, st);
            long r1 = put("it-outage", "one");
            await("one applied", () -> reported("it-outage", r1, ReportStatus.APPLIED));
            leaf.kill(0);
            await("agent disconnected", () -> !a.status().connection().equals("CONNECTED"));
            put("it-outage", "two");
            put("it-outage", "three");
            long r4 = put("it-outage", "four");
            leaf.start(0);
            await("four applied", () -> reported("it-outage", r4, ReportStatus.APPLIED));
            assertThat(st.appliedSnapshot()).containsExactly("one", "four");
            // a new agent instance (bundle update, restart) with the same state file applies nothing again
            a.close();
            FleetAgent b = agent(s, st);
            await("new agent read the desired key", () -> b.status().desiredRevision() == r4);
            b.signal();
            Thread.sleep(1500); // more than one poll period (1 s): a second apply would have started by now
            assertThat(b.attempts()).isZero();
            assertThat(st.appliedSnapshot()).containsExactly("one", "four");
            assertThat(b.status().appliedRevision()).isEqualTo(r4);
        }
    }

    @Test
    void reportWrittenWhileDisconnectedArrivesAfterTheReconnect() throws Exception {
        try (NatsCluster leaf = leaf("late")) {
            FakeState st = new FakeState();
            CountDownLatch inApply = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            st.during = doc -> {
                inApply.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            FleetAgent a = agent(settings("it-late", leaf.url(0), 4, null, 0, 1024, NatsCluster.DOMAIN), st);
            long rev = put("it-late", "x");
            assertThat(inApply.await(30, TimeUnit.SECONDS)).isTrue();
            leaf.kill(0);
            release.countDown();
            // NATS is gone during the whole confirm window: the checkpoint is rolled back, the report waits
            await("rolled back locally", () -> a.status().lastReport() != null
                    && a.status().lastReport().status() == ReportStatus.ROLLED_BACK);
            assertThat(a.status().reportUnsent()).isTrue();
            assertThat(st.rollbacks).containsExactly("cp-1");
            leaf.start(0);
            await("rolled-back report in the bucket", () -> reported("it-late", rev, ReportStatus.ROLLED_BACK));
            assertThat(reportOf("it-late").error()).contains("NATS not connected");
            await("report marked sent", () -> !a.status().reportUnsent());
        }
    }

    @Test
    void waitsForTheNetworkStateServiceThenApplies() throws Exception {
        FakeState st = new FakeState();
        java.util.concurrent.atomic.AtomicReference<StateService> svc = new java.util.concurrent.atomic.AtomicReference<>();
        FleetAgent a = new FleetAgent(settings("it-wait", nats.urls(), 30, null, 0, 1024), svc::get);
        agents.add(a);
        a.start();
        long rev = put("it-wait", "later");
        await("waiting for the service", () -> a.status().lastError().contains("waiting for the network-state service"));
        assertThat(reportOf("it-wait")).isNull();
        svc.set(st); // the bundle comes back (an update)
        await("applied", () -> reported("it-wait", rev, ReportStatus.APPLIED));
        assertThat(st.applied).containsExactly("later");
    }

    @Test
    void aRecreatedDesiredBucketStartsOver() throws Exception {
        // a hub of its own, so that the other tests' buckets stay
        try (ShortTempDir own = ShortTempDir.create(); NatsCluster single = NatsCluster.start(own.path(), 1);
                NatsFleetController c = NatsFleetController.connect(List.of(single.url(0)), null, null, false, 1)) {
            KeyValue kv = c.bucket(Subjects.DESIRED_BUCKET);
            c.bucket(Subjects.REPORTED_BUCKET);
            FakeState st = new FakeState();
            FleetAgent a = agent(settings("it-again", single.url(0), 10, null, 0, 1024), st);
            kv.put("it-again", "x1".getBytes(StandardCharsets.UTF_8));
            kv.put("it-again", "x2".getBytes(StandardCharsets.UTF_8));
            long r3 = kv.put("it-again", "x3".getBytes(StandardCharsets.UTF_8));
            await("x3 applied", () -> st.applied.contains("x3") && a.status().appliedRevision() == r3);
            c.connection().keyValueManagement().delete(Subjects.DESIRED_BUCKET);
            long fresh = c.bucket(Subjects.DESIRED_BUCKET).put("it-again", "y1".getBytes(StandardCharsets.UTF_8));
            assertThat(fresh).isLessThan(r3);
            a.signal();
            await("y1 applied from the new bucket", () -> st.applied.contains("y1"));
            assertThat(st.appliedSnapshot()).endsWith("y1");
            assertThat(st.appliedSnapshot()).doesNotHaveDuplicates();
        }
    }

    @Test
    void eventsOutOnHostSubjectsOnlyInProcessOnes() throws Exception {
        FleetAgent a = agent("host3", new FakeState());
        Connection c = controller.connection();
        Subscription sub = c.subscribe(Subjects.events("host3"));
        c.flush(Duration.ofSeconds(5));
        await("agent connected", () -> a.status().connection().equals("CONNECTED"));
        a.forwarder().onEvent(new Event("ovsdb.bridge.br-x.added", JsonNodeFactory.instance.objectNode().put("name", "br-x"),
                "added", 1234, "dev.ovs.ovsdb"));
        a.forwarder().onEvent(new Event("ovsdb.bridge.forged.added", null, "added", 1, dev.ovs.bus.Origin.socket(1000, 1000, 7)));
        a.forwarder().onEvent(new Event("portagent.container.c1.port.created", null, "created", 2, "dev.ovs.portagent"));
        Message m1 = sub.nextMessage(Duration.ofSeconds(20));
        Message m2 = sub.nextMessage(Duration.ofSeconds(20));
        assertThat(m1.getSubject()).isEqualTo("patchbay.host3.ovsdb.bridge.br-x.added");
        JsonNode body = new ObjectMapper().readTree(m1.getData());
        assertThat(body.get("topic").asText()).isEqualTo("ovsdb.bridge.br-x.added");
        assertThat(body.get("type").asText()).isEqualTo("added");
        assertThat(body.get("ts").asLong()).isEqualTo(1234);
        assertThat(body.get("source").asText()).isEqualTo("dev.ovs.ovsdb");
        assertThat(body.get("payload").get("name").asText()).isEqualTo("br-x");
        assertThat(m2.getSubject()).isEqualTo("patchbay.host3.portagent.container.c1.port.created");
        assertThat(sub.nextMessage(Duration.ofMillis(500))).isNull();
        assertThat(a.status().eventsSkipped()).isEqualTo(1);
        assertThat(a.status().eventsPublished()).isEqualTo(2);
        sub.unsubscribe();
    }

    @Test
    void eventsQueueDropOldestWhileDisconnected() throws Exception {
        try (ShortTempDir own = ShortTempDir.create(); NatsCluster single = NatsCluster.start(own.path(), 1)) {
            FleetAgent a = agent(settings("it-queue", single.url(0), 10, null, 0, 3), new FakeState());
            await("connected", () -> a.status().connection().equals("CONNECTED"));
            single.stop(0);
            await("disconnected", () -> !a.status().connection().equals("CONNECTED"));
            for (int i = 1; i <= 5; i++) {
                a.forwarder().onEvent(new Event("ovsdb.bridge.b" + i + ".added", null, "added", i, "dev.ovs.ovsdb"));
            }
            assertThat(a.status().eventsQueued()).isEqualTo(3);
            assertThat(a.status().eventsDropped()).isEqualTo(2);
            single.start(0);
            try (Connection c = io.nats.client.Nats.connect(single.url(0))) {
                Subscription sub = c.subscribe("patchbay.it-queue.>");
                c.flush(Duration.ofSeconds(5));
                a.forwarder().wake();
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Message m = sub.nextMessage(Duration.ofSeconds(30));
                    assertThat(m).as("event %d after the reconnect", i).isNotNull();
                    got.add(m.getSubject());
                }
                // the subscriber may come up after the agent flushed its queue: then the test cannot tell; the
                // agent resends nothing, so the order of what arrived is still checked
                assertThat(got).containsExactly("patchbay.it-queue.ovsdb.bridge.b3.added",
                        "patchbay.it-queue.ovsdb.bridge.b4.added", "patchbay.it-queue.ovsdb.bridge.b5.added");
            }
            assertThat(a.status().eventsQueued()).isZero();
        }
    }

    @Test
    void requestReplyShowAndHealth() throws Exception {
        FakeState st = new FakeState();
        st.shown = "interfaces:\n- name: br0\n  type: ovs-bridge\n";
        FleetAgent a = agent("it-rr", st);
        await("connected", () -> a.status().connection().equals("CONNECTED"));
        Connection c = controller.connection();
        Message show = null;
        for (int i = 0; i < 50 && show == null; i++) {
            show = c.request(Subjects.stateShow("it-rr"), new byte[0], Duration.ofSeconds(2));
        }
        assertThat(new String(show.getData(), StandardCharsets.UTF_8)).isEqualTo(st.shown);
        Message health = c.request(Subjects.health("it-rr"), new byte[0], Duration.ofSeconds(5));
        JsonNode h = new ObjectMapper().readTree(health.getData());
        assertThat(h.get("host").asText()).isEqualTo("it-rr");
        assertThat(h.get("netstate").asBoolean()).isTrue();
        assertThat(h.get("events").get("dropped").asLong()).isZero();
        st.shown = null;
        FakeState broken = new FakeState() {
            @Override
            public String show() {
                throw new NetStateException(ErrorKind.Failed, "no connection to ovsdb-server");
            }
        };
        FleetAgent b = agent("it-rr2", broken);
        await("connected", () -> b.status().connection().equals("CONNECTED"));
        Message err = null;
        for (int i = 0; i < 50 && err == null; i++) {
            err = c.request(Subjects.stateShow("it-rr2"), new byte[0], Duration.ofSeconds(2));
        }
        assertThat(err.getHeaders().getFirst(FleetAgent.ERROR_HEADER)).isEqualTo("no connection to ovsdb-server");
        assertThat(new ObjectMapper().readTree(err.getData()).get("error").asText()).isEqualTo("no connection to ovsdb-server");
    }

    @Test
    void rolloutStopsAtTheFirstFailureAndLeavesTheRestUntouched() throws Exception {
        FakeState ok1 = new FakeState();
        FakeState bad = new FakeState();
        bad.behaviour = doc -> new NetStateException(ErrorKind.Failed, "verify: bridge br9 missing");
        FakeState ok3 = new FakeState();
        agent("ro-a", ok1);
        agent("ro-b", bad);
        agent("ro-c", ok3);
        RolloutResult r = controller.rollout("interfaces: [{name: br9, type: ovs-bridge}]\n",
                RolloutOptions.hosts(List.of("ro-a", "ro-b", "ro-c")).withMaxUnavailable(1).withTimeout(Duration.ofSeconds(60)));
        assertThat(r.complete()).isFalse();
        assertThat(r.outcomes()).extracting(HostOutcome::host, HostOutcome::result).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ro-a", HostOutcome.Result.APPLIED),
                org.assertj.core.groups.Tuple.tuple("ro-b", HostOutcome.Result.ROLLED_BACK),
                org.assertj.core.groups.Tuple.tuple("ro-c", HostOutcome.Result.NOT_STARTED));
        assertThat(r.firstFailure().host()).isEqualTo("ro-b");
        assertThat(r.firstFailure().error()).contains("br9 missing");
        assertThat(kv(Subjects.DESIRED_BUCKET).get("ro-c")).isNull();
        assertThat(ok3.applied).isEmpty();
        assertThat(ok1.applied).hasSize(1);

        // status table: host, desired, reported, status, age, error
        List<HostState> rows = controller.status();
        HostState a = rows.stream().filter(x -> x.host().equals("ro-a")).findFirst().orElseThrow();
        assertThat(a.converged()).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = FleetCli.run(new String[] {"status", "--servers", nats.urls()}, new PrintStream(out, true), System.err);
        assertThat(rc).isZero();
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("HOST", "DESIRED", "REPORTED", "STATUS", "AGE", "ERROR");
        assertThat(table.lines().filter(l -> l.startsWith("ro-b ")).findFirst().orElseThrow())
                .contains("rolled-back", "br9 missing");
        assertThat(table.lines().anyMatch(l -> l.startsWith("ro-c "))).isFalse();
    }

    @Test
    void rolloutWithMaxUnavailableTwoAndCliExitStatus() throws Exception {
        List<FakeState> states = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeState st = new FakeState();
            states.add(st);
            agent("mu-" + i, st);
        }
        Path doc = tmp.path().resolve("mu.yaml");
        java.nio.file.Files.writeString(doc, "interfaces: []\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream cliErr = new ByteArrayOutputStream();
        int rc = FleetCli.run(new String[] {"apply", "--servers", nats.urls(), "--hosts", "mu-0,mu-1,mu-2,mu-3",
            "--max-unavailable", "2", "--timeout", "60", doc.toString()}, new PrintStream(out, true),
            new PrintStream(cliErr, true));
        assertThat(rc).as(out.toString(StandardCharsets.UTF_8) + cliErr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("rollout complete");
        for (FakeState st : states) {
            assertThat(st.applied).containsExactly("interfaces: []\n");
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(FleetCli.run(new String[] {"apply", "--servers", nats.urls(), "--all", "--hosts", "x", doc.toString()},
                new PrintStream(out, true), new PrintStream(err, true))).isEqualTo(FleetCli.EX_USAGE);
        assertThat(FleetCli.run(new String[] {"status", "--servers", "nats://192.0.2.1:4222"},
                new PrintStream(out, true), new PrintStream(err, true))).isEqualTo(FleetCli.EX_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--hosts", "insecure=true");
    }

    @Test
    void rolloutSurvivesANatsServerKilledInTheMiddle() throws Exception {
        List<FakeState> states = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeState st = new FakeState();
            states.add(st);
            agent("kill-" + i, st);
        }
        // kill node 2 as soon as the first host started applying
        states.get(0).during = doc -> nats.kill(2);
        try {
            RolloutResult r = controller.rollout("doc-k\n", RolloutOptions.hosts(List.of("kill-0", "kill-1", "kill-2"))
                    .withTimeout(Duration.ofSeconds(60)));
            assertThat(r.complete()).as(r.toString()).isTrue();
            for (FakeState st : states) {
                assertThat(st.applied).as("applied exactly once").containsExactly("doc-k\n");
            }
        } finally {
            if (!nats.running(2)) {
                nats.start(2);
            }
        }
    }
}
