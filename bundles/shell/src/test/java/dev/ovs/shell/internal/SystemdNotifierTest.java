package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.shell.internal.HealthReport.BundleState;
import dev.ovs.shell.internal.HealthReport.Check;
import dev.ovs.shell.internal.HealthReport.Status;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.osgi.framework.Bundle;

/**
 * The sd_notify(3) protocol against a real AF_UNIX datagram socket standing in for systemd's notification socket:
 * READY once the framework has started, STATUS with the health summary, WATCHDOG while live, STOPPING when the
 * framework stops; nothing at all without NOTIFY_SOCKET.
 */
class SystemdNotifierTest {
    private static final long PID = ProcessHandle.current().pid();
    private ShortTempDir tmp;
    private AFUNIXDatagramSocket systemd;
    private final AtomicInteger frameworkState = new AtomicInteger(Bundle.STARTING);
    private final AtomicReference<HealthReport> report = new AtomicReference<>(report(Status.OK, Status.OK));
    private SystemdNotifier notifier;

    @BeforeEach
    void setUp() throws IOException {
        tmp = ShortTempDir.create();
        systemd = AFUNIXDatagramSocket.newInstance();
        systemd.setSoTimeout(20_000);
    }

    @AfterEach
    void tearDown() {
        if (notifier != null) {
            notifier.deactivate();
        }
        systemd.close();
        tmp.close();
    }

    private static HealthReport report(Status bundles, Status ovsdb) {
        return HealthReport.of(List.of(new Check("bundles", bundles, bundles == Status.OK ? "2 bundles running"
                : "dev.ovs.x RESOLVED", true), new Check("ovsdb", ovsdb, ovsdb == Status.OK ? "connected to unix:/db"
                : "not connected to unix:/db", true)), List.of(new BundleState(0, "system", "7", "ACTIVE", true)),
                Instant.EPOCH);
    }

    private static SystemdNotifier.Config config(String requires) {
        return (SystemdNotifier.Config) Proxy.newProxyInstance(SystemdNotifier.Config.class.getClassLoader(),
                new Class<?>[] {SystemdNotifier.Config.class}, (p, m, a) -> switch (m.getName()) {
                    case "watchdog_requires" -> requires;
                    case "status_seconds" -> 30;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private SystemdNotifier start(String requires, Map<String, String> env) throws IOException {
        return new SystemdNotifier(report::get, frameworkState::get, config(requires), env, PID);
    }

    private String receive() throws IOException {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        systemd.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void readyOnceStartedThenStatusAndWatchdogWhileLiveThenStopping() throws Exception {
        Path socket = tmp.path().resolve("notify");
        systemd.bind(AFUNIXSocketAddress.of(socket));
        notifier = start("live", Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "200000",
                "WATCHDOG_PID", Long.toString(PID)));
        assertThat(notifier.watchdog()).isTrue();
        assertThat(notifier.interval().toMillis()).isEqualTo(100);
        frameworkState.set(Bundle.ACTIVE);
        assertThat(receive()).isEqualTo("READY=1\nSTATUS=healthy: 1 bundles active; ovsdb ok\nWATCHDOG=1\n");
        assertThat(receive()).isEqualTo("STATUS=healthy: 1 bundles active; ovsdb ok\nWATCHDOG=1\n");

        // a dependency down: STATUS says so, the watchdog still gets its ping (restarting would not help)
        report.set(report(Status.OK, Status.DOWN));
        String m = receive();
        while (m.startsWith("STATUS=healthy")) {
            m = receive();
        }
        assertThat(m).isEqualTo("STATUS=down: ovsdb: not connected to unix:/db\nWATCHDOG=1\n");

        // a bundle down: no more pings, so systemd's WatchdogSec restarts the appliance
        report.set(report(Status.DOWN, Status.OK));
        m = receive();
        while (m.contains("ovsdb: not connected")) {
            m = receive();
        }
        assertThat(m).isEqualTo("STATUS=down: bundles: dev.ovs.x RESOLVED\n");

        frameworkState.set(Bundle.STOPPING);
        notifier.deactivate();
        notifier = null;
        m = receive();
        while (!m.startsWith("STOPPING")) {
            m = receive();
        }
        assertThat(m).isEqualTo("STOPPING=1\nSTATUS=stopping\n");
    }

    @Test
    void watchdogRequiresHealthyStopsPingingWhenADependencyIsDown() throws Exception {
        String name = "patchbay-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        systemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
        frameworkState.set(Bundle.ACTIVE);
        report.set(report(Status.OK, Status.DEGRADED));
        notifier = start("healthy", Map.of("NOTIFY_SOCKET", "@" + name, "WATCHDOG_USEC", "200000"));
        assertThat(receive()).isEqualTo("READY=1\nSTATUS=degraded: ovsdb: not connected to unix:/db\n");
    }

    @Test
    void anotherProcessesWatchdogIsNotPinged() throws Exception {
        Path socket = tmp.path().resolve("notify");
        systemd.bind(AFUNIXSocketAddress.of(socket));
        frameworkState.set(Bundle.ACTIVE);
        notifier = start("live", Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "200000",
                "WATCHDOG_PID", Long.toString(PID + 1)));
        assertThat(notifier.watchdog()).isFalse();
        assertThat(notifier.interval().toSeconds()).isEqualTo(30);
        assertThat(receive()).isEqualTo("READY=1\nSTATUS=healthy: 1 bundles active; ovsdb ok\n");
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNoThreadRuns() throws Exception {
        Path socket = tmp.path().resolve("notify");
        systemd.bind(AFUNIXSocketAddress.of(socket));
        systemd.setSoTimeout(500);
        frameworkState.set(Bundle.ACTIVE);
        notifier = start("live", Map.of());
        assertThat(notifier.interval()).isNull();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("patchbay-sd-notify"));
        assertThatThrownBy(this::receive).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatThrownBy(() -> start("always", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("watchdog.requires: must be live or healthy, got 'always'");
        assertThatThrownBy(() -> start("live", Map.of("NOTIFY_SOCKET", "vsock:2:1234")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NOTIFY_SOCKET: must be an absolute path or @name");
    }
}
