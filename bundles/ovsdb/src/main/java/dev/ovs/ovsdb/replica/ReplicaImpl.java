package dev.ovs.ovsdb.replica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ovs.ovsdb.AtomicType;
import dev.ovs.ovsdb.ColumnSchema;
import dev.ovs.ovsdb.ColumnType;
import dev.ovs.ovsdb.ConnectionException;
import dev.ovs.ovsdb.ConnectionListener;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** {@link Replica} implementation; state is only written on the connection's reader thread. */
public final class ReplicaImpl implements Replica, ConnectionListener {
    /** The all-zero transaction id of {@code monitor_cond_since}: no transaction seen, send everything. */
    public static final String ZERO_TXN = "00000000-0000-0000-0000-000000000000";
    private static final AtomicLong IDS = new AtomicLong();

    private final ReplicaHost client;
    private final String db;
    private final Map<String, Set<String>> spec;
    private final Map<String, Map<UUID, Row>> tables = new ConcurrentHashMap<>();
    private final Map<String, Map<String, UUID>> names = new ConcurrentHashMap<>();
    private final List<ReplicaListener> listeners = new CopyOnWriteArrayList<>();
    /** Called on the reader thread right after each update was applied (before listeners see it). */
    private final List<Runnable> appliedHooks = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private final Object syncLock = new Object();
    private final String idPrefix = "replica-" + IDS.incrementAndGet() + "-";
    private volatile DatabaseSchema schema;
    private volatile String lastTxnId;
    private volatile String method;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile JsonNode monitorId;
    private volatile Throwable lastError;
    private long seq;
    private ReplicaHost.Channel subscribedOn;
    private final AtomicLong fullSyncs = new AtomicLong();
    private final AtomicLong resumes = new AtomicLong();

    /**
     * @param client the client whose connections the replica subscribes on
     * @param db     database
     * @param spec   table to columns ({@code null} or empty: all; only {@code "!col"} entries: all but those)
     * @throws IllegalArgumentException if {@code spec} is empty
     */
    public ReplicaImpl(ReplicaHost client, String db, Map<String, Set<String>> spec) {
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("replica: at least one table is required");
        }
        this.client = client;
        this.db = db;
        this.spec = new LinkedHashMap<>(spec);
        for (String t : spec.keySet()) {
            tables.put(t, new ConcurrentHashMap<>());
            names.put(t, new ConcurrentHashMap<>());
        }
        events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ovsdb-replica-events " + db);
            t.setDaemon(true);
            return t;
        });
    }

    /** Subscribes now if connected, and on every connection from now on. */
    public void start() {
        client.addConnectionListener(this);
        if (client.isConnected()) {
            connected();
        }
    }

    @Override
    public synchronized void connected() {
        if (closed) {
            return;
        }
        ReplicaHost.Channel c = client.currentConnection();
        if (c == null || c == subscribedOn) {
            return; // start() and the supervisor may both report the same connection
        }
        subscribedOn = c;
        JsonNode id = new TextNode(idPrefix + (++seq));
        client.getSchema(db).thenCompose(s -> {
            for (String t : spec.keySet()) {
                s.table(t);
            }
            if (schema != s) {
                layouts.clear();
            }
            schema = s;
            return subscribe(c, id, s, "monitor_cond_since");
        }).whenComplete((r, e) -> {
            if (e != null && !closed) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                lastError = cause;
                if (cause instanceof dev.ovs.ovsdb.RequestTimeoutException) {
                    // the server does not answer: drop the connection so the client reconnects and retries
                    c.close(new ConnectionException("replica", "replica subscription timed out: " + cause, cause));
                }
                // otherwise (unknown database/table, server error): retried on the next connection only, no
                // reconnect storm; lastError() tells why the replica is not synced
            }
        });
    }

    private synchronized void resubscribe() {
        subscribedOn = null;
        client.timer().execute(this::connected);
    }

    private Map<String, dev.ovs.ovsdb.MonitorRequest> requests(DatabaseSchema s) {
        Map<String, dev.ovs.ovsdb.MonitorRequest> m = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> e : spec.entrySet()) {
            // always name the columns: without "columns" ovsdb-server also sends _version
            m.put(e.getKey(), dev.ovs.ovsdb.MonitorRequest.of(List.copyOf(columns(s.table(e.getKey())))));
        }
        return m;
    }

    private CompletableFuture<Void> subscribe(ReplicaHost.Channel c, JsonNode id, DatabaseSchema s, String m) {
        ObjectNode reqs = client.mapper().createObjectNode();
        boolean cond = !"monitor".equals(m);
        requests(s).forEach((t, r) -> reqs.set(t, r.toJson(s.table(t), cond)));
        ArrayNode p = client.mapper().createArrayNode().add(db).add(id).add(reqs);
        if ("monitor_cond_since".equals(m)) {
            String last = lastTxnId;
            p.add(last == null ? ZERO_TXN : last);
        }
        client.registerMonitor(id, (method, params) -> onUpdate(method, params));
        CompletableFuture<Void> f = client.requestOn(c, m, p, result -> {
            monitorId = id;
            method = m;
            lastError = null;
            applyInitial(m, result);
            return null;
        });
        return f.handle((r, e) -> {
            if (e == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            client.unregisterMonitor(id);
            if (cause instanceof OvsdbServerException && !"monitor".equals(m) && c.isOpen()) {
                return subscribe(c, new TextNode(idPrefix + nextSeq()), s,
                        "monitor_cond_since".equals(m) ? "monitor_cond" : "monitor");
            }
            return CompletableFuture.<Void>failedFuture(cause);
        }).thenCompose(x -> x);
    }

    private synchronized long nextSeq() {
        return ++seq;
    }

    /** Reader thread: the monitor reply. */
    private void applyInitial(String m, JsonNode result) {
        JsonNode updates;
        boolean incremental = false;
        if ("monitor_cond_since".equals(m)) {
            incremental = result.path(0).asBoolean(false);
            if (result.path(1).isTextual()) {
                lastTxnId = result.get(1).asText();
            }
            updates = result.path(2);
        } else {
            updates = result;
        }
        List<RowEvent> evs;
        if (incremental) {
            resumes.incrementAndGet();
            evs = apply(updates, !"monitor".equals(m));
        } else {
            fullSyncs.incrementAndGet();
            evs = replaceAll(updates, !"monitor".equals(m));
        }
        fire(evs);
        synchronized (syncLock) {
            synced = true;
            syncLock.notifyAll();
        }
        runAppliedHooks();
    }

    /** Reader thread: update / update2 / update3 notifications. */
    private void onUpdate(String m, JsonNode params) {
        if (closed) {
            return;
        }
        if ("monitor_canceled".equals(m)) {
            // the database schema changed (or the database went away): fetch the schema again and resync
            client.invalidateSchema(db);
            client.unregisterMonitor(params.path(0));
            synchronized (syncLock) {
                synced = false;
            }
            resubscribe();
            return;
        }
        JsonNode updates = params.path(1);
        if ("update3".equals(m)) {
            if (params.path(1).isTextual()) {
                lastTxnId = params.get(1).asText();
            }
            updates = params.path(2);
        }
        fire(apply(updates, !"update".equals(m)));
        runAppliedHooks();
    }

    private void runAppliedHooks() {
        for (Runnable h : appliedHooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                // a hook must not break the reader thread
            }
        }
    }

    /**
     * Registers a hook run on the connection's reader thread right after every applied update (initial sync,
     * update, update2, update3), when the new state is already readable: for waiters that need the state with
     * no event-thread hop (VSwitch's wait for ovs-vswitchd). The hook must be quick and must not block or
     * throw (signal a condition, nothing more).
     *
     * @param hook the hook, not null
     */
    public void addAppliedHook(Runnable hook) {
        appliedHooks.add(Objects.requireNonNull(hook, "hook"));
    }

    /** @param hook a hook added by {@link #addAppliedHook(Runnable)} (ignored if absent) */
    public void removeAppliedHook(Runnable hook) {
        appliedHooks.remove(hook);
    }

    private void fire(List<RowEvent> evs) {
        if (evs.isEmpty() || listeners.isEmpty()) {
            return;
        }
        List<RowEvent> batch = Collections.unmodifiableList(evs);
        events.execute(() -> {
            for (ReplicaListener l : listeners) {
                try {
                    l.onChanges(batch);
                } catch (RuntimeException e) {
                    // a failing listener must not stop the others
                }
            }
        });
    }

    /** Full state from an initial reply: diff against what we have, so nothing is reported twice. */
    private List<RowEvent> replaceAll(JsonNode updates, boolean v2) {
        DatabaseSchema s = schema;
        Map<String, Map<UUID, Row>> fresh = new HashMap<>();
        for (String t : spec.keySet()) {
            fresh.put(t, new HashMap<>());
        }
        updates.fields().forEachRemaining(te -> {
            Map<UUID, Row> rows = fresh.get(te.getKey());
            if (rows == null) {
                return;
            }
            TableSchema ts = s.table(te.getKey());
            te.getValue().fields().forEachRemaining(re -> {
                UUID u = UUID.fromString(re.getKey());
                JsonNode ru = re.getValue();
                JsonNode row = v2 ? (ru.has("initial") ? ru.get("initial") : ru.get("insert")) : ru.get("new");
                if (row != null && row.isObject()) {
                    rows.put(u, withDefaults(ts, TransactionBuilder.decodeRow(ts, u, row)));
                }
            });
        });
        List<RowEvent> evs = new ArrayList<>();
        for (String t : spec.keySet()) {
            Map<UUID, Row> cur = tables.get(t);
            Map<UUID, Row> nw = fresh.get(t);
            for (UUID u : new ArrayList<>(cur.keySet())) {
                if (!nw.containsKey(u)) {
                    Row old = cur.remove(u);
                    unindex(old);
                    evs.add(new RowEvent(RowEvent.Type.DELETE, t, u, old, null, old.columns().keySet()));
                }
            }
            for (Map.Entry<UUID, Row> e : nw.entrySet()) {
                Row old = cur.get(e.getKey());
                Row row = e.getValue();
                if (old == null) {
                    put(row);
                    evs.add(new RowEvent(RowEvent.Type.INSERT, t, row.uuid(), null, row, row.columns().keySet()));
                } else {
                    Set<String> changed = RowDiff.changed(old, row);
                    if (!changed.isEmpty()) {
                        unindex(old);
                        put(row);
                        evs.add(new RowEvent(RowEvent.Type.UPDATE, t, row.uuid(), old, row, changed));
                    }
                }
            }
        }
        return evs;
    }

    private List<RowEvent> apply(JsonNode updates, boolean v2) {
        DatabaseSchema s = schema;
        List<RowEvent> evs = new ArrayList<>();
        updates.fields().forEachRemaining(te -> {
            String t = te.getKey();
            Map<UUID, Row> cur = tables.get(t);
            if (cur == null) {
                return;
            }
            TableSchema ts = s.table(t);
            te.getValue().fields().forEachRemaining(re -> {
                UUID u = UUID.fromString(re.getKey());
                JsonNode ru = re.getValue();
                Row old = cur.get(u);
                if (v2) {
                    if (ru.has("delete")) {
                        if (old != null) {
                            cur.remove(u);
                            unindex(old);
                            evs.add(new RowEvent(RowEvent.Type.DELETE, t, u, old, null, old.columns().keySet()));
                        }
                    } else if (ru.has("insert") || ru.has("initial")) {
                        JsonNode j = ru.has("insert") ? ru.get("insert") : ru.get("initial");
                        Row row = withDefaults(ts, TransactionBuilder.decodeRow(ts, u, j));
                        if (old != null) {
                            unindex(old);
                        }
                        put(row);
                        evs.add(old == null
                                ? new RowEvent(RowEvent.Type.INSERT, t, u, null, row, row.columns().keySet())
                                : new RowEvent(RowEvent.Type.UPDATE, t, u, old, row, RowDiff.changed(old, row)));
                    } else if (ru.has("modify") && old != null) {
                        JsonNode diff = ru.get("modify");
                        Row row = RowDiff.applyDiff(ts, old, diff);
                        unindex(old);
                        put(row);
                        Set<String> changed = RowDiff.changedIn(old, row, diff);
                        if (!changed.isEmpty()) {
                            evs.add(new RowEvent(RowEvent.Type.UPDATE, t, u, old, row, changed));
                        }
                    }
                } else {
                    JsonNode nw = ru.get("new");
                    if (nw == null || nw.isNull()) {
                        if (old != null) {
                            cur.remove(u);
                            unindex(old);
                            evs.add(new RowEvent(RowEvent.Type.DELETE, t, u, old, null, old.columns().keySet()));
                        }
                    } else {
                        Row row = withDefaults(ts, TransactionBuilder.decodeRow(ts, u, nw));
                        if (old != null) {
                            unindex(old);
                        }
                        put(row);
                        if (old == null) {
                            evs.add(new RowEvent(RowEvent.Type.INSERT, t, u, null, row, row.columns().keySet()));
                        } else {
                            Set<String> changed = RowDiff.changed(old, row);
                            if (!changed.isEmpty()) {
                                evs.add(new RowEvent(RowEvent.Type.UPDATE, t, u, old, row, changed));
                            }
                        }
                    }
                }
            });
        });
        return evs;
    }

    /** Columns replicated for a table: all, the listed ones, or all but those listed as "!column". */
    private Collection<String> columns(TableSchema ts) {
        Set<String> want = spec.get(ts.name());
        if (want == null || want.isEmpty()) {
            return ts.columns().keySet();
        }
        if (want.stream().allMatch(c -> c.startsWith("!"))) {
            Set<String> all = new LinkedHashSet<>(ts.columns().keySet());
            want.forEach(c -> all.remove(c.substring(1)));
            return all;
        }
        for (String c : want) {
            ts.columnType(c);
        }
        return want;
    }

    /**
     * Rows in initial/insert omit default-valued columns (ovsdb-server(7)); fill them in, straight into the
     * table's compact layout (one array per row).
     */
    private Row withDefaults(TableSchema ts, Row r) {
        CompactColumns.Layout l = layouts.computeIfAbsent(ts.name(), t -> new CompactColumns.Layout(columns(ts)));
        CompactColumns cc = CompactColumns.withDefaults(l, r.columns(), c -> RowDiff.defaultValue(ts.columnType(c)));
        if (cc != null) {
            return new Row(r.table(), r.uuid(), cc);
        }
        Map<String, Object> m = null;
        for (String c : columns(ts)) {
            if (!r.columns().containsKey(c)) {
                if (m == null) {
                    m = new LinkedHashMap<>(r.columns());
                }
                m.put(c, RowDiff.defaultValue(ts.columnType(c)));
            }
        }
        return m == null ? r : new Row(r.table(), r.uuid(), m);
    }

    private final Map<String, CompactColumns.Layout> layouts = new ConcurrentHashMap<>();

    /** Stores rows with one shared column layout per table (memory: one array per row, no hash map). */
    private Row compact(Row r) {
        if (r.columns() instanceof CompactColumns) {
            return r;
        }
        DatabaseSchema s = schema;
        CompactColumns.Layout l = layouts.computeIfAbsent(r.table(), t -> new CompactColumns.Layout(columns(s.table(t))));
        CompactColumns c = CompactColumns.of(l, r.columns());
        return c == null ? r : new Row(r.table(), r.uuid(), c);
    }

    private void put(Row r0) {
        Row r = compact(r0);
        tables.get(r.table()).put(r.uuid(), r);
        Object n = r.get("name");
        if (n instanceof String s) {
            names.get(r.table()).put(s, r.uuid());
        }
    }

    private void unindex(Row r) {
        Object n = r.get("name");
        if (n instanceof String s) {
            names.get(r.table()).remove(s, r.uuid());
        }
    }

    @Override
    public void disconnected(Throwable cause) {
        synchronized (syncLock) {
            synced = false;
        }
        monitorId = null;
    }

    @Override
    public String database() {
        return db;
    }

    @Override
    public DatabaseSchema schema() {
        return schema;
    }

    private Map<UUID, Row> table(String table) {
        Map<UUID, Row> t = tables.get(table);
        if (t == null) {
            throw new IllegalArgumentException("table '" + table + "' is not replicated (replicated: " + spec.keySet() + ")");
        }
        return t;
    }

    @Override
    public Collection<Row> rows(String table) {
        return List.copyOf(table(table).values());
    }

    @Override
    public Optional<Row> row(String table, UUID uuid) {
        return Optional.ofNullable(table(table).get(uuid));
    }

    @Override
    public Optional<Row> byName(String table, String name) {
        Map<UUID, Row> t = table(table);
        UUID u = names.get(table).get(name);
        Row r = u == null ? null : t.get(u);
        if (r != null && name.equals(r.get("name"))) {
            return Optional.of(r);
        }
        return Optional.empty();
    }

    @Override
    public List<Row> find(String table, Predicate<Row> filter) {
        List<Row> out = new ArrayList<>();
        for (Row r : table(table).values()) {
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void addListener(ReplicaListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    @Override
    public void removeListener(ReplicaListener l) {
        listeners.remove(l);
    }

    @Override
    public String lastTxnId() {
        return lastTxnId;
    }

    @Override
    public Throwable lastError() {
        return lastError;
    }

    @Override
    public long fullSyncs() {
        return fullSyncs.get();
    }

    @Override
    public long resumes() {
        return resumes.get();
    }

    @Override
    public String monitorMethod() {
        return method;
    }

    @Override
    public boolean awaitSynced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (syncLock) {
            while (!synced) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                try {
                    syncLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void sync() {
        TransactionBuilder.join(client.echo(client.mapper().createArrayNode().add("replica-sync")));
    }

    /** Waits until all events queued so far were delivered to listeners (tests, shutdown). */
    void drainEvents(long millis) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        events.execute(() -> f.complete(null));
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.removeConnectionListener(this);
        JsonNode id = monitorId;
        if (id != null && client.isConnected()) {
            client.monitorCancel(id);
        }
        client.replicaClosed(this);
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.shutdownNow();
    }
}
