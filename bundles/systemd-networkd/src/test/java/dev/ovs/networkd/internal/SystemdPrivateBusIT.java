package dev.ovs.networkd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.bus.Event;
import dev.ovs.networkd.JobMode;
import dev.ovs.networkd.JobResult;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.networkd.UnitFileChange;
import dev.ovs.networkd.UnitState;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.systemd1.Manager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systemd1 client against a TEST-ONLY D-Bus service, {@link FakeSystemd}: systemd as PID 1 cannot run in
 * these sandboxes (and must never be booted on a shared machine), so a dbus-java service on a private
 * {@link DbusDaemon} owns {@code org.freedesktop.systemd1} and implements the members the client uses with
 * systemd's exact names, signatures, job objects and JobNew/JobRemoved ordering (see {@link FakeSystemd}). What
 * this proves is the client's side of the protocol (subscription, matching JobRemoved by job path including a
 * JobRemoved that arrives before the call's reply, results, timeouts, error names, reconnect), not systemd's
 * behaviour.
 */
class SystemdPrivateBusIT {
    private static final Duration T = Duration.ofSeconds(10);
    private ShortTempDir tmp;
    private DbusDaemon bus;
    private FakeSystemd fake;
    private OwnBusLink link;
    private SystemdClient client;

    @BeforeEach
    void setUp() throws Exception {
        tmp = ShortTempDir.create();
        bus = DbusDaemon.start(tmp.path());
        fake = new FakeSystemd(bus.address());
        link = new OwnBusLink(bus.address(), 200);
        client = new SystemdClient(link);
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (link != null) {
            link.close();
        }
        if (fake != null) {
            fake.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (tmp != null) {
            tmp.close();
        }
    }

    @Test
    void jobsReturnWhenTheirJobIsRemovedWithTheResult() {
        JobResult r = client.start("ok.service", JobMode.REPLACE, T);
        assertThat(r.result()).isEqualTo(JobResult.Result.DONE);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.unit()).isEqualTo("ok.service");
        assertThat(r.job()).matches("/org/freedesktop/systemd1/job/\\d+");
        assertThat(fake.signals).contains("JobNew " + r.id(), "JobRemoved " + r.id() + " done");
        assertThat(fake.signals.indexOf("JobNew " + r.id())).isLessThan(fake.signals.indexOf("JobRemoved " + r.id() + " done"));
        UnitState s = client.unitState("ok.service");
        assertThat(s).isEqualTo(new UnitState("ok.service", "/org/freedesktop/systemd1/unit/ok_2eservice", "loaded",
                "active", "running"));
        assertThat(client.stop("ok.service", JobMode.FAIL, T).result()).isEqualTo(JobResult.Result.DONE);
        assertThat(client.unitState("ok.service").activeState()).isEqualTo("inactive");
        assertThat(client.restart("ok.service", JobMode.REPLACE, T).succeeded()).isTrue();
        assertThat(client.reloadOrRestart("ok.service", JobMode.IGNORE_DEPENDENCIES, T).succeeded()).isTrue();
        assertThat(fake.subscribeCalls).hasValue(1);
        assertThat(fake.jobPaths()).isEmpty();
    }

    @Test
    void unsuccessfulResultsAreReturnedNotThrown() {
        JobResult failed = client.start("broken.service", JobMode.REPLACE, T);
        assertThat(failed.result()).isEqualTo(JobResult.Result.FAILED);
        assertThat(failed.raw()).isEqualTo("failed");
        assertThat(client.unitState("broken.service").activeState()).isEqualTo("failed");
        assertThat(client.start("dep.service", JobMode.REPLACE, T).result()).isEqualTo(JobResult.Result.DEPENDENCY);
        assertThat(client.reloadOrRestart("skip.service", JobMode.REPLACE, T).result())
                .isEqualTo(JobResult.Result.SKIPPED);
    }

    @Test
    void jobRemovedBeforeTheReplyIsNotLost() {
        for (int i = 0; i < 25; i++) {
            JobResult r = client.start("instant.service", JobMode.REPLACE, Duration.ofSeconds(5));
            assertThat(r.result()).isEqualTo(JobResult.Result.DONE);
        }
        assertThat(fake.signals.stream().filter(s -> s.startsWith("JobRemoved"))).hasSize(25);
    }

    @Test
    void timeoutLeavesTheJobAndNamesIt() {
        assertThatThrownBy(() -> client.start("hang.service", JobMode.REPLACE, Duration.ofMillis(300)))
                .isInstanceOf(NetworkdException.class)
                .satisfies(e -> assertThat(((NetworkdException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.Timeout))
                .hasMessageMatching("StartUnit\\(hang.service, replace\\): job /org/freedesktop/systemd1/job/\\d+ "
                        + "did not finish within 300 ms.*");
        String job = fake.jobPaths().iterator().next();
        // the job object, as busctl (sd-bus) sees it
        assertThat(bus.busctl("get-property", "org.freedesktop.systemd1", job, "org.freedesktop.systemd1.Job", "Unit"))
                .contains("(so) \"hang.service\" \"/org/freedesktop/systemd1/unit/hang_2eservice\"");
        assertThat(bus.busctl("get-property", "org.freedesktop.systemd1", job, "org.freedesktop.systemd1.Job", "JobType"))
                .contains("\"start\"");
        bus.busctl("call", "org.freedesktop.systemd1", job, "org.freedesktop.systemd1.Job", "Cancel");
        assertThat(fake.jobPaths()).isEmpty();
    }

    @Test
    void unknownUnitsAreNotFoundAndBadInputIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> client.start("nope.service", JobMode.REPLACE, T))
                .isInstanceOf(NetworkdException.class)
                .satisfies(e -> {
                    NetworkdException ne = (NetworkdException) e;
                    assertThat(ne.kind()).isEqualTo(dev.ovs.base.ErrorKind.NotFound);
                    assertThat(ne.dbusError()).isEqualTo("org.freedesktop.systemd1.NoSuchUnit");
                }).hasMessageContaining("Unit nope.service not found.");
        assertThatThrownBy(() -> client.unitState("nope.service"))
                .satisfies(e -> assertThat(((NetworkdException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.NotFound))
                .hasMessageContaining("not-found");
        int calls = fake.jobCalls.get();
        assertThatThrownBy(() -> client.start("bad name.service", JobMode.REPLACE, T)).hasMessageStartingWith("unit: ");
        assertThatThrownBy(() -> client.start("noext", JobMode.REPLACE, T)).hasMessageStartingWith("unit: ");
        assertThatThrownBy(() -> client.start("ok.service", null, T)).hasMessageStartingWith("mode: ");
        assertThatThrownBy(() -> client.start("ok.service", JobMode.REPLACE, Duration.ZERO))
                .hasMessageStartingWith("timeout: ");
        assertThat(fake.jobCalls).hasValue(calls);
    }

    @Test
    void shellCommands() {
        UnitCommands u = new UnitCommands(client, T);
        assertThat(u.start("ok.service")).matches("ok.service: done \\(job /org/freedesktop/systemd1/job/\\d+\\)");
        assertThat(u.status("ok.service")).isEqualTo("ok.service: loaded active (running)");
        assertThat(u.stop("ok.service", "fail")).startsWith("ok.service: done");
        assertThat(u.restart("broken.service")).startsWith("broken.service: done");
        assertThat(u.start("broken.service")).startsWith("broken.service: failed");
        assertThatThrownBy(() -> u.status("nope.service")).hasMessageStartingWith("NotFound: ");
        assertThatThrownBy(() -> u.start("ok.service", "sometimes")).hasMessageStartingWith("InvalidArgs: mode: ");
    }

    @Test
    void unitFilesAndDaemonReload() {
        List<UnitFileChange> en = client.enable(List.of("ok.service"), false, false);
        assertThat(en).containsExactly(new UnitFileChange("symlink",
                "/etc/systemd/system/multi-user.target.wants/ok.service", "/lib/systemd/system/ok.service"));
        List<UnitFileChange> dis = client.disable(List.of("ok.service"), true);
        assertThat(dis).containsExactly(new UnitFileChange("unlink",
                "/run/systemd/system/multi-user.target.wants/ok.service", ""));
        assertThatThrownBy(() -> client.enable(List.of(), false, false)).hasMessageStartingWith("files: ");
        client.daemonReload();
        assertThat(fake.reloads).hasValue(1);
    }

    @Test
    void componentUsesTheSharedConnectionServiceByDefault() throws Exception {
        try (DBusConnection conn = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            StaticConnectionService svc = new StaticConnectionService(conn);
            NetworkdComponent c = new NetworkdComponent();
            c.bindDbus(svc);
            c.activate(java.util.Map.of(), new TestConfig(tmp.path().toString(), ""));
            try {
                assertThat(svc.listeners).hasSize(1);
                assertThat(c.start("ok.service", JobMode.REPLACE, T).succeeded()).isTrue();
                assertThat(c.unitState("ok.service").activeState()).isEqualTo("active");
                c.unbindDbus(svc);
                assertThat(svc.listeners).isEmpty();
                assertThatThrownBy(() -> c.stop("ok.service", JobMode.REPLACE, T))
                        .satisfies(e -> assertThat(((NetworkdException) e).kind())
                                .isEqualTo(dev.ovs.base.ErrorKind.Unavailable))
                        .hasMessageContaining("dev.ovs.dbus");
                c.bindDbus(svc);
                assertThat(c.stop("ok.service", JobMode.REPLACE, T).succeeded()).isTrue();
            } finally {
                c.deactivate();
            }
        }
    }

    @Test
    void everyJobIsPublishedOnTheBusWhoeverQueuedIt() throws Exception {
        NetworkdComponent c = new NetworkdComponent();
        RecordingBus events = new RecordingBus();
        c.bindBus(events);
        await(() -> fake.subscribeCalls.get() == 1); // the test's own client subscribes on connect too
        int subscribed = fake.subscribeCalls.get();
        c.activate(java.util.Map.of(), new TestConfig(tmp.path().toString(), bus.address()));
        try {
            // subscribed on connect, before any job call of its own
            await(() -> fake.subscribeCalls.get() == subscribed + 1);
            bus.busctl("call", Manager.BUS_NAME, Manager.PATH, "org.freedesktop.systemd1.Manager", "StartUnit", "ss",
                    "broken.service", "replace");
            await(() -> events.events.stream().anyMatch(e -> e.topic().equals("systemd.unit.broken%2Eservice.job")));
            JobResult own = c.start("ok.service", JobMode.REPLACE, T);
            await(() -> events.events.stream().anyMatch(e -> e.topic().equals("systemd.unit.ok%2Eservice.job")));
            Event e = events.events.stream().filter(x -> x.topic().equals("systemd.unit.ok%2Eservice.job")).findFirst()
                    .orElseThrow();
            assertThat(e.type()).isEqualTo(JobResult.TYPE);
            assertThat(e.payload().get("unit").asText()).isEqualTo("ok.service");
            assertThat(e.payload().get("job").asText()).isEqualTo(own.job());
            assertThat(e.payload().get("id").asLong()).isEqualTo(own.id());
            assertThat(e.payload().get("result").asText()).isEqualTo("done");
            Event foreign = events.events.stream().filter(x -> x.topic().equals("systemd.unit.broken%2Eservice.job"))
                    .findFirst().orElseThrow();
            assertThat(foreign.payload().get("result").asText()).isEqualTo("failed");
            assertThat(fake.subscribeCalls).hasValue(subscribed + 1);
        } finally {
            c.deactivate();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + T).isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    void resumesAfterTheBusRestarts() throws Exception {
        assertThat(client.start("ok.service", JobMode.REPLACE, T).succeeded()).isTrue();
        fake.close();
        bus.restart();
        fake = new FakeSystemd(bus.address());
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JobResult r = null;
        while (r == null) {
            try {
                r = client.start("ok.service", JobMode.REPLACE, T);
            } catch (NetworkdException e) {
                assertThat(e.kind()).isEqualTo(dev.ovs.base.ErrorKind.Unavailable);
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        assertThat(r.succeeded()).isTrue();
        assertThat(fake.subscribeCalls).hasValue(1);
    }

    @Test
    void withoutSystemdOnTheBusEveryCallIsUnavailableWithAMessageNamingIt() {
        fake.close();
        fake = null;
        NetworkdException e = catchThrowableOfType(NetworkdException.class, () -> client.unitState("ok.service"));
        assertThat(e.kind()).isEqualTo(dev.ovs.base.ErrorKind.Unavailable);
        assertThat(e.getMessage()).isEqualTo("LoadUnit(ok.service): systemd is not running on this D-Bus bus "
                + "(nobody owns org.freedesktop.systemd1; systemd runs as the system manager (PID 1) only; a sandbox "
                + "or a container without it has none) (org.freedesktop.DBus.Error.ServiceUnknown)")
                .doesNotContain(".service files");
        assertThatThrownBy(() -> client.start("ok.service", JobMode.REPLACE, T)).isInstanceOf(NetworkdException.class)
                .hasMessageContaining("systemd is not running on this D-Bus bus");
        // the shell says the same in one line
        assertThatThrownBy(() -> new UnitCommands(client, T).status("ok.service"))
                .hasMessageStartingWith("Unavailable: LoadUnit(ok.service): systemd is not running on this D-Bus bus");
    }
}
