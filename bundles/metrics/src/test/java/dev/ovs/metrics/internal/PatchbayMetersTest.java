package dev.ovs.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.bus.BusStats;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.ovsdb.ConnectionStatus;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.dbus.ledger.LedgerStats;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Patchbay series as the Prometheus and OpenMetrics text formats show them, from snapshots of fake sources. */
class PatchbayMetersTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PatchbayMeters meters = new PatchbayMeters(new SyncedMeters(registry));
    private final List<LedgerEntry> ledger = new ArrayList<>();

    @AfterEach
    void close() {
        registry.close();
    }

    private String scrape(Snapshot s) {
        meters.update(s);
        return registry.scrape(MetricsService.PROMETHEUS_TEXT);
    }

    @Test
    void noSourceMeansOnlyTheSourceGaugesAtZero() {
        String text = scrape(new Snapshot(null, null, null, null, null));
        assertThat(text).contains("# TYPE patchbay_metrics_source_up gauge",
                "patchbay_metrics_source_up{source=\"ovsdb\"} 0.0", "patchbay_metrics_source_up{source=\"bus\"} 0.0",
                "patchbay_metrics_source_up{source=\"dbus\"} 0.0", "patchbay_metrics_source_up{source=\"portagent\"} 0.0",
                "patchbay_metrics_source_up{source=\"ovsdb_replica\"} 0.0");
        assertThat(text).doesNotContain("patchbay_ovsdb_connected", "patchbay_bus_published");
    }

    @Test
    void ovsdbConnectionAndReplica() {
        Instant since = Instant.ofEpochSecond(1_700_000_000L, 500_000_000);
        String text = scrape(new Snapshot(new ConnectionStatus(true, "unix:/run/db.sock", "gone", 3, since),
                new Snapshot.ReplicaView("Open_vSwitch", Map.of("Bridge", 2, "Open_vSwitch", 1, "Port", 5), 1, 2, false),
                null, null, null));
        assertThat(text).contains("# TYPE patchbay_ovsdb_connected gauge", "patchbay_ovsdb_connected 1.0",
                "# TYPE patchbay_ovsdb_connections_total counter", "patchbay_ovsdb_connections_total 3.0",
                "patchbay_ovsdb_reconnects_total 2.0", "patchbay_ovsdb_state_since_seconds 1.7000000005E9",
                "patchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Bridge\"} 2.0",
                "patchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Open_vSwitch\"} 1.0",
                "patchbay_ovsdb_replica_rows{database=\"Open_vSwitch\",table=\"Port\"} 5.0",
                "patchbay_ovsdb_replica_full_syncs_total{database=\"Open_vSwitch\"} 1.0",
                "patchbay_ovsdb_replica_resumes_total{database=\"Open_vSwitch\"} 2.0",
                "patchbay_ovsdb_replica_failing{database=\"Open_vSwitch\"} 0.0",
                "patchbay_metrics_source_up{source=\"ovsdb\"} 1.0");
        // disconnected, never connected: reconnects stay 0, not -1
        text = scrape(new Snapshot(new ConnectionStatus(false, "unix:/x", "refused", 0, since), null, null, null, null));
        assertThat(text).contains("patchbay_ovsdb_connected 0.0", "patchbay_ovsdb_reconnects_total 0.0")
                .doesNotContain("patchbay_ovsdb_replica_rows");
    }

    @Test
    void dbusExportsAsOneSeriesPerState() {
        ExportStatus ok = new ExportStatus(12, "dev.ovs.ovsdb", "/org/openvswitch/ovsdb", "org.openvswitch.ovsdb",
                ExportStatus.State.EXPORTED, "");
        ExportStatus clash = new ExportStatus(13, "x.y", "/dev/ovs/Vlan1", null, ExportStatus.State.PATH_CONFLICT, "taken");
        String text = scrape(new Snapshot(null, null, new Snapshot.DbusView(true, 2, 7, List.of(ok, clash)), null, null));
        assertThat(text).contains("patchbay_dbus_connected 1.0", "patchbay_dbus_connections_total 2.0",
                "patchbay_dbus_signals_dropped_total 7.0",
                "patchbay_dbus_export_state{bundle=\"dev.ovs.ovsdb\",bus_name=\"org.openvswitch.ovsdb\","
                        + "path=\"/org/openvswitch/ovsdb\",state=\"EXPORTED\"} 1.0",
                "patchbay_dbus_export_state{bundle=\"dev.ovs.ovsdb\",bus_name=\"org.openvswitch.ovsdb\","
                        + "path=\"/org/openvswitch/ovsdb\",state=\"PENDING\"} 0.0",
                "patchbay_dbus_export_state{bundle=\"x.y\",bus_name=\"\",path=\"/dev/ovs/Vlan1\",state=\"PATH_CONFLICT\"} 1.0",
                "patchbay_dbus_export_state{bundle=\"x.y\",bus_name=\"\",path=\"/dev/ovs/Vlan1\",state=\"EXPORTED\"} 0.0");
        assertThat(text.lines().filter(l -> l.startsWith("patchbay_dbus_export_state{"))).hasSize(
                2 * ExportStatus.State.values().length);
        // the conflicting export goes away: its series go with it
        text = scrape(new Snapshot(null, null, new Snapshot.DbusView(false, 2, 7, List.of(ok)), null, null));
        assertThat(text).contains("patchbay_dbus_connected 0.0").doesNotContain("/dev/ovs/Vlan1");
    }

    @Test
    void busCountersPerSubscriberAndConnectionFollowTheSubscribers() {
        BusStats.SubscriberStats shell = new BusStats.SubscriberStats("s1", "ovsdb.>", "shell", 10, 0, 0);
        BusStats.SubscriberStats slow = new BusStats.SubscriberStats("s2", "*.x", "conn:4", 90, 33, 1024);
        BusStats.ConnectionStats conn = new BusStats.ConnectionStats("conn:4", 77, 1000, 1000, 1, 12, 5);
        String text = scrape(new Snapshot(null, null, null, new BusStats(true, 100, 120, 33, 5000,
                "/run/patchbay/bus.sock", "", List.of(shell, slow), List.of(conn)), null));
        assertThat(text).contains("patchbay_bus_enabled 1.0", "patchbay_bus_socket_up 1.0",
                "patchbay_bus_published_total 100.0", "patchbay_bus_delivered_total 120.0",
                "patchbay_bus_dropped_total 33.0", "patchbay_bus_subscribers 2.0", "patchbay_bus_connections 1.0",
                "patchbay_bus_subscriber_delivered_total{owner=\"shell\",pattern=\"ovsdb.>\",subscription=\"s1\"} 10.0",
                "patchbay_bus_subscriber_dropped_total{owner=\"conn:4\",pattern=\"*.x\",subscription=\"s2\"} 33.0",
                "patchbay_bus_subscriber_queued{owner=\"conn:4\",pattern=\"*.x\",subscription=\"s2\"} 1024.0",
                "patchbay_bus_connection_denied_total{connection=\"conn:4\",uid=\"1000\"} 5.0",
                "patchbay_bus_connection_received_total{connection=\"conn:4\",uid=\"1000\"} 12.0");
        // the socket client leaves: its subscriber and connection series are removed, the totals stay
        text = scrape(new Snapshot(null, null, null, new BusStats(true, 101, 121, 33, 6000, "/run/patchbay/bus.sock",
                "bind failed", List.of(shell), List.of()), null));
        assertThat(text).contains("patchbay_bus_socket_up 0.0", "patchbay_bus_published_total 101.0",
                "patchbay_bus_subscribers 1.0").doesNotContain("conn:4");
    }

    @Test
    void ledgerOutcomesAreCountedAfterItWasFirstSeen() {
        append("port.add", "ok: 0123456789abc_l");
        // first sight: the height is the baseline, nothing counted yet
        String text = scrape(withLedger(7));
        assertThat(text).contains("patchbay_ledger_height 1.0", "patchbay_ledger_verified 1.0",
                "patchbay_portagent_container_ports 7.0", "patchbay_metrics_source_up{source=\"ledger\"} 1.0")
                .doesNotContain("patchbay_ledger_operations_total{", "patchbay_portagent_ledger");
        append("port.add", "intent");
        append("port.add", "ok: 0123456789abd_l");
        append("port.remove", "error: no port for container c1 interface eth1");
        append("org.openvswitch.ovsdb.CreateBridge", "ok");
        text = scrape(withLedger(7));
        assertThat(text).contains("patchbay_ledger_height 5.0",
                "patchbay_ledger_operations_total{operation=\"port.add\",result=\"ok\"} 1.0",
                "patchbay_ledger_operations_total{operation=\"port.remove\",result=\"error\"} 1.0",
                "patchbay_ledger_operations_total{operation=\"org.openvswitch.ovsdb.CreateBridge\",result=\"ok\"} 1.0")
                .doesNotContain("result=\"other\"");
        // more appended than the ledger keeps in memory: the rest is counted as unknown
        for (int i = 0; i < PatchbayMeters.MAX_TAIL + 5; i++) {
            append("port.add", "ok");
        }
        text = scrape(withLedger(-1));
        assertThat(text).contains("patchbay_ledger_operations_total{operation=\"port.add\",result=\"ok\"} "
                + (1.0 + PatchbayMeters.MAX_TAIL), "patchbay_ledger_operations_total{operation=\"unknown\",result=\"unknown\"} 5.0")
                .doesNotContain("patchbay_portagent_container_ports");
    }

    @Test
    void openMetricsHasTypesHelpAndEof() {
        meters.update(new Snapshot(new ConnectionStatus(true, "unix:/x", null, 1, Instant.EPOCH), null, null, null, null));
        String text = registry.scrape(MetricsService.OPENMETRICS_TEXT);
        assertThat(text).contains("# TYPE patchbay_ovsdb_connections counter", "patchbay_ovsdb_connections_total 1.0",
                "# HELP patchbay_ovsdb_state_since_seconds when the OVSDB connection state last changed, Unix time",
                "patchbay_ovsdb_state_since_seconds 0.0").endsWith("# EOF\n");
    }

    private void append(String op, String result) {
        long seq = ledger.size() + 1;
        ledger.add(new LedgerEntry(seq, "2026-01-01T00:00:00Z", "test", op, Map.of(), result, 0, "p", "h" + seq));
    }

    private Snapshot withLedger(int ports) {
        LedgerStats stats = new LedgerStats(ledger.size(), "h", true, null, null, null, "/var/lib/patchbay/ledger");
        List<LedgerEntry> kept = ledger.subList(Math.max(0, ledger.size() - PatchbayMeters.MAX_TAIL), ledger.size());
        return new Snapshot(null, null, null, null, new Snapshot.PortAgentView(ports), new Snapshot.LedgerView(stats,
                n -> List.copyOf(kept.subList(Math.max(0, kept.size() - n), kept.size()))));
    }
}
