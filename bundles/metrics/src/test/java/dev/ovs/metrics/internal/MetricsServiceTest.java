package dev.ovs.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.DbusCall;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry component without sources: JVM meters, D-Bus call counting, the shell command. */
class MetricsServiceTest {
    private final MetricsService metrics = new MetricsService(null);

    @AfterEach
    void close() {
        metrics.deactivate();
    }

    private String text(MetricsService.Scrape s) {
        return new String(s.body(), StandardCharsets.UTF_8);
    }

    @Test
    void jvmMemoryAndThreadsWithoutAnySource() {
        MetricsService.Scrape s = metrics.scrape(null);
        assertThat(s.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text(s)).contains("# TYPE jvm_memory_used_bytes gauge", "jvm_memory_used_bytes{area=\"heap\",",
                "jvm_memory_max_bytes{area=\"heap\",", "jvm_memory_committed_bytes{area=\"nonheap\",",
                "jvm_threads_live_threads ", "jvm_threads_daemon_threads ", "jvm_threads_peak_threads ",
                "jvm_threads_started_threads_total ", "jvm_threads_states_threads{state=\"runnable\"} ",
                "patchbay_metrics_source_up{source=\"ovsdb\"} 0.0");
        assertThat(text(s).lines().filter(l -> l.startsWith("jvm_threads_live_threads ")).findFirst().orElseThrow())
                .doesNotEndWith(" 0.0");
        MetricsService.Scrape om = metrics.scrape("application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
        assertThat(om.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(text(om)).endsWith("# EOF\n");
    }

    @Test
    void dbusCallsAreCountedPerInterfaceAndMemberAndNeverRefused() {
        DbusCallCounter counter = new DbusCallCounter(metrics);
        DbusCall list = new DbusCall(":1.7", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "ListBridges", true);
        DbusCall create = new DbusCall(":1.7", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "CreateBridge", false);
        assertThat(counter.permits(list)).isTrue();
        assertThat(counter.permits(list)).isTrue();
        assertThat(counter.permits(create)).isTrue();
        assertThat(text(metrics.scrape(null))).contains(
                "patchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\"} 2.0",
                "patchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 1.0");
        counter.deactivate();
        assertThat(text(metrics.scrape(null))).doesNotContain("patchbay_dbus_calls_total");
    }

    @Test
    void showPrintsTheExpositionInEitherFormat() {
        MetricsCommands commands = new MetricsCommands(metrics);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        commands.show("prometheus", new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("# TYPE jvm_memory_used_bytes gauge")
                .doesNotContain("# EOF");
        buf.reset();
        commands.show("openmetrics", new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("# TYPE jvm_memory_used_bytes gauge")
                .endsWith("# EOF\n");
        assertThatThrownBy(() -> commands.show("json", new PrintStream(buf, true, StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("format")
                .satisfies(e -> assertThat(((InvalidArgumentException) e).argument()).isEqualTo("format"));
    }
}
