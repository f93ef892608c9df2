package dev.ovs.metrics.internal;

import dev.ovs.bus.BusStats;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.ovsdb.ConnectionStatus;
import dev.ovs.dbus.ledger.LedgerEntry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link Snapshot} into the Patchbay series (names as Prometheus shows them, see docs/operations.md,
 * "Metrics"). Keeps one piece of state of its own: the ledger position, to count the operations whose outcome
 * was appended since it first saw the ledger. Not thread-safe: {@link MetricsService} serializes scrapes.
 */
final class PatchbayMeters {
    /** Most ledger lines read per scrape ({@code Ledger.tail} keeps the last 1000 in memory). */
    static final int MAX_TAIL = 1000;

    private final SyncedMeters m;
    /** Ledger height already counted; -1 before the ledger was first seen. */
    private long ledgerSeen = -1;
    private String ledgerPath;
    /** operation + '\0' + result -> count since the ledger was first seen. */
    private final Map<String, Long> operations = new TreeMap<>();

    PatchbayMeters(SyncedMeters meters) {
        this.m = meters;
    }

    /**
     * Replaces the Patchbay series by those of {@code s}.
     *
     * @param s what the sources report now
     */
    void update(Snapshot s) {
        m.begin();
        source("ovsdb", s.ovsdb() != null);
        source("ovsdb_replica", s.replica() != null);
        source("dbus", s.dbus() != null);
        source("bus", s.bus() != null);
        source("portagent", s.portAgent() != null);
        source("ledger", s.ledger() != null);
        if (s.ovsdb() != null) {
            ovsdb(s.ovsdb());
        }
        if (s.replica() != null) {
            replica(s.replica());
        }
        if (s.dbus() != null) {
            dbus(s.dbus());
        }
        if (s.bus() != null) {
            bus(s.bus());
        }
        if (s.portAgent() != null) {
            portAgent(s.portAgent());
        }
        if (s.ledger() != null) {
            ledger(s.ledger());
        }
        m.commit();
    }

    private void source(String name, boolean up) {
        m.gauge("patchbay.metrics.source.up", "1 if the source's OSGi service is bound and answered this scrape, else 0",
                null, up ? 1 : 0, "source", name);
    }

    private void ovsdb(ConnectionStatus st) {
        m.gauge("patchbay.ovsdb.connected", "1 while the OVSDB client is connected (and, for clusters, the server "
                + "passed the leader check), else 0", null, st.connected() ? 1 : 0);
        m.counter("patchbay.ovsdb.connections", "OVSDB connections established since the client was made",
                st.connections());
        m.counter("patchbay.ovsdb.reconnects", "OVSDB connections established after the first one",
                Math.max(0, st.connections() - 1));
        if (st.since() != null) {
            m.gauge("patchbay.ovsdb.state.since", "when the OVSDB connection state last changed, Unix time", "seconds",
                    st.since().toEpochMilli() / 1000.0);
        }
    }

    private void replica(Snapshot.ReplicaView r) {
        for (Map.Entry<String, Integer> e : new TreeMap<>(r.rows()).entrySet()) {
            m.gauge("patchbay.ovsdb.replica.rows", "rows of the table in the in-memory OVSDB replica", null, e.getValue(),
                    "database", r.database(), "table", e.getKey());
        }
        m.counter("patchbay.ovsdb.replica.full.syncs", "replica (re)syncs that transferred the full state",
                r.fullSyncs(), "database", r.database());
        m.counter("patchbay.ovsdb.replica.resumes", "replica reconnects that resumed from the last transaction id",
                r.resumes(), "database", r.database());
        m.gauge("patchbay.ovsdb.replica.failing", "1 if the replica's last subscription attempt failed, else 0", null,
                r.failing() ? 1 : 0, "database", r.database());
    }

    private void dbus(Snapshot.DbusView d) {
        m.gauge("patchbay.dbus.connected", "1 while the D-Bus connection is up, else 0", null, d.connected() ? 1 : 0);
        m.counter("patchbay.dbus.connections", "D-Bus connections established since the connection component started",
                d.connections());
        m.counter("patchbay.dbus.signals.dropped", "D-Bus signals dropped because there was no connection",
                d.droppedSignals());
        for (ExportStatus e : d.exports()) {
            for (ExportStatus.State state : ExportStatus.State.values()) {
                m.gauge("patchbay.dbus.export.state", "1 for the state the whiteboard export is in, 0 for the others",
                        null, e.state() == state ? 1 : 0, "path", e.objectPath(), "bus_name",
                        e.busName() == null ? "" : e.busName(), "bundle", e.bundle(), "state", state.name());
            }
        }
    }

    private void bus(BusStats b) {
        m.gauge("patchbay.bus.enabled", "1 if the event bus is enabled, 0 for the null bus", null, b.enabled() ? 1 : 0);
        m.gauge("patchbay.bus.socket.up", "1 if the bus serves its Unix socket, else 0", null,
                !b.socket().isEmpty() && b.socketError().isEmpty() ? 1 : 0);
        m.counter("patchbay.bus.published", "events accepted for publishing (in-process and socket)", b.published());
        m.counter("patchbay.bus.delivered", "events handed to subscribers, summed over all subscribers (closed ones too)",
                b.delivered());
        m.counter("patchbay.bus.dropped", "events discarded by full subscriber queues, summed over all subscribers",
                b.dropped());
        m.gauge("patchbay.bus.subscribers", "current subscriptions", null, b.subscribers().size());
        m.gauge("patchbay.bus.connections", "current socket connections", null, b.connections().size());
        for (BusStats.SubscriberStats s : b.subscribers()) {
            String[] tags = {"subscription", s.id(), "owner", s.owner(), "pattern", s.pattern()};
            m.counter("patchbay.bus.subscriber.delivered", "events handed to this subscriber", s.delivered(), tags);
            m.counter("patchbay.bus.subscriber.dropped", "events discarded from this subscriber's full queue",
                    s.dropped(), tags);
            m.gauge("patchbay.bus.subscriber.queued", "events waiting in this subscriber's queue", null, s.queued(), tags);
        }
        for (BusStats.ConnectionStats c : b.connections()) {
            String[] tags = {"connection", c.id(), "uid", Long.toString(c.uid())};
            m.counter("patchbay.bus.connection.received", "lines received on this socket connection", c.received(), tags);
            m.counter("patchbay.bus.connection.denied", "publishes and subscriptions of this socket connection refused "
                    + "by the permissions of dev.ovs.bus.cfg", c.denied(), tags);
        }
    }

    private void portAgent(Snapshot.PortAgentView p) {
        if (p.containerPorts() >= 0) {
            m.gauge("patchbay.portagent.container.ports", "container ports known to OVSDB (Patchbay's and ovs-docker's)",
                    null, p.containerPorts());
        }
    }

    private void ledger(Snapshot.LedgerView l) {
        long height = l.stats().height();
        m.gauge("patchbay.ledger.height", "lines (intents and outcomes) in the appliance's hash-chained operation "
                + "ledger", null, height);
        m.gauge("patchbay.ledger.verified", "1 if every ledger line's hash and back-link checked out at the last "
                + "verification, else 0", null, l.stats().verified() ? 1 : 0);
        countOperations(l, height);
        for (Map.Entry<String, Long> e : operations.entrySet()) {
            int z = e.getKey().indexOf('\0');
            m.counter("patchbay.ledger.operations", "operations whose outcome was appended to the ledger since the "
                    + "metrics bundle first saw it", e.getValue(), "operation", e.getKey().substring(0, z), "result",
                    e.getKey().substring(z + 1));
        }
    }

    /** Counts the outcome lines appended since the last scrape, by operation and result (intents are skipped). */
    private void countOperations(Snapshot.LedgerView l, long height) {
        String path = l.stats().path();
        if (ledgerSeen < 0 || height < ledgerSeen || !java.util.Objects.equals(path, ledgerPath)) {
            // first sight, or another ledger (a new file, or one cut short): count from here on
            ledgerSeen = height;
            ledgerPath = path;
            return;
        }
        long fresh = height - ledgerSeen;
        if (fresh == 0) {
            return;
        }
        List<LedgerEntry> tail = l.tail().apply((int) Math.min(fresh, MAX_TAIL));
        long seen = 0;
        for (LedgerEntry e : tail) {
            if (e.seq() > ledgerSeen && e.seq() <= height) {
                seen++;
                if (!e.isIntent()) {
                    operations.merge(e.operation() + '\0' + resultOf(e.result()), 1L, Long::sum);
                }
            }
        }
        if (seen < fresh) {
            // appended faster than scraped: no longer in the ledger's memory
            operations.merge("unknown\0unknown", fresh - seen, Long::sum);
        }
        ledgerSeen = height;
    }

    private static String resultOf(String result) {
        if (result.equals("ok") || result.startsWith("ok:")) {
            return "ok";
        }
        return result.startsWith("error") ? "error" : "other";
    }
}
