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
    void dbusCallsErrorsAndLatencyPerInterfaceAndMember() {
        DbusCallMeter meter = new DbusCallMeter(metrics);
        DbusCall list = new DbusCall(":1.7", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "ListBridges", true);
        DbusCall create = new DbusCall(":1.7", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb", "CreateBridge", false);
        meter.completed(list, null, 300_000);
        meter.completed(list, null, 3_000_000);
        meter.completed(create, "org.freedesktop.DBus.Error.AccessDenied", 50_000);
        String text = text(metrics.scrape(null));
        assertThat(text).contains(
                "patchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\"} 2.0",
                "patchbay_dbus_calls_total{interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 1.0",
                "patchbay_dbus_call_errors_total{error=\"org.freedesktop.DBus.Error.AccessDenied\","
                        + "interface=\"org.openvswitch.ovsdb\",member=\"CreateBridge\"} 1.0",
                "# TYPE patchbay_dbus_call_duration_seconds histogram",
                "patchbay_dbus_call_duration_seconds_bucket{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\","
                        + "le=\"2.5E-4\"} 0",
                "patchbay_dbus_call_duration_seconds_bucket{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\","
                        + "le=\"5.0E-4\"} 1",
                "patchbay_dbus_call_duration_seconds_bucket{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\","
                        + "le=\"0.005\"} 2",
                "patchbay_dbus_call_duration_seconds_count{interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\"} 2");
        assertThat(text).doesNotContain("patchbay_dbus_call_errors_total{error=\"org.freedesktop.DBus.Error.AccessDenied\","
                + "interface=\"org.openvswitch.ovsdb\",member=\"ListBridges\"}");
        meter.deactivate();
        assertThat(text(metrics.scrape(null))).doesNotContain("patchbay_dbus_calls_total", "patchbay_dbus_call_duration");
    }

    @Test
    void ovsdbTransactionsAreAHistogramPerDatabaseAndOutcome() {
        OvsdbTransactionMeter meter = new OvsdbTransactionMeter(metrics);
        meter.transacted("Open_vSwitch", "committed", 2_000_000);
        meter.transacted("Open_vSwitch", "committed", 20_000_000);
        meter.transacted("Open_vSwitch", "aborted", 1_000_000);
        String text = text(metrics.scrape(null));
        assertThat(text).contains("# TYPE patchbay_ovsdb_transaction_duration_seconds histogram",
                "patchbay_ovsdb_transaction_duration_seconds_count{database=\"Open_vSwitch\",outcome=\"committed\"} 2",
                "patchbay_ovsdb_transaction_duration_seconds_count{database=\"Open_vSwitch\",outcome=\"aborted\"} 1",
                "patchbay_ovsdb_transaction_duration_seconds_bucket{database=\"Open_vSwitch\",outcome=\"committed\","
                        + "le=\"0.01\"} 1");
        meter.deactivate();
        assertThat(text(metrics.scrape(null))).doesNotContain("patchbay_ovsdb_transaction_duration");
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
