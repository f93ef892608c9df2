package dev.ovs.ovsdb.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.ConnectionException;
import dev.ovs.ovsdb.ConnectionListener;
import dev.ovs.ovsdb.ConnectionStatus;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.MonitorRequest;
import dev.ovs.ovsdb.NotificationListener;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.replica.ReplicaHost;
import dev.ovs.ovsdb.replica.ReplicaImpl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * {@link OvsdbClient} implementation: a supervisor thread keeps one {@link JsonRpcConnection} open to one of the
 * remotes (unix, tcp, ssl), moving to the next remote after a failure, checking clustered servers through
 * {@code _Server} ({@link ServerWatch}) when there are several remotes or leader-only is on, reconnecting with
 * exponential backoff; notifications are routed to monitor and lock listeners.
 */
public class OvsdbClientImpl implements ReplicaHost {
    private static final System.Logger LOG = System.getLogger("dev.ovs.ovsdb");
    private final ClientOptions options;
    /**
     * Field names are not canonicalized: update notifications use row UUIDs as field names, every one new, which
     * made Jackson's shared symbol table grow and copy itself on every message.
     */
    private final ObjectMapper mapper = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.INTERN_FIELD_NAMES).build());
    private final ScheduledExecutorService timer;
    private final Thread supervisor;
    private final Object stateLock = new Object();
    private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<NotificationListener> lockListeners = new CopyOnWriteArrayList<>();
    private final List<dev.ovs.ovsdb.TransactionObserver> transactionObservers = new CopyOnWriteArrayList<>();
    private final Map<String, NotificationListener> monitors = new ConcurrentHashMap<>();
    private final Map<String, DatabaseSchema> schemas = new ConcurrentHashMap<>();
    private final List<ReplicaImpl> replicas = new CopyOnWriteArrayList<>();
    private final List<String> remotes;
    private final TlsFiles tlsFiles;
    /** Highest {@code _Server.Database} index seen per cluster id (no going back to a server with stale data). */
    private final Map<UUID, Long> minIndex = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private volatile JsonRpcConnection conn;
    private volatile JsonRpcConnection connecting;
    /** The socket of a connect or TLS handshake in progress (closed by {@link #close()} to abort it). */
    private volatile java.io.Closeable opening;
    private volatile boolean closed;
    private volatile String statusRemote;
    private volatile String lastError;
    private volatile Instant since = Instant.now();
    /** The last failure logged per remote since the last connection (supervisor thread only). */
    private final Map<String, String> lastLogged = new java.util.HashMap<>();

    /** @param options settings; connecting starts immediately in the background */
    public OvsdbClientImpl(ClientOptions options) {
        this.options = options;
        this.remotes = options.remotes();
        this.tlsFiles = options.tls() == null ? null : new TlsFiles(options.tls());
        this.statusRemote = remotes.get(0);
        java.util.concurrent.ScheduledThreadPoolExecutor t0 = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ovsdb-timer " + options.remote());
            t.setDaemon(true);
            return t;
        });
        // every request schedules its timeout and cancels it on the reply: remove cancelled ones at once instead of
        // keeping them queued for the whole request timeout (thousands at a high request rate)
        t0.setRemoveOnCancelPolicy(true);
        this.timer = t0;
        supervisor = new Thread(this::superviseLoop, "ovsdb-connect " + options.remote());
        supervisor.setDaemon(true);
        supervisor.start();
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    @Override
    public ConnectionStatus status() {
        return new ConnectionStatus(isConnected(), statusRemote, lastError, connections.get(), since);
    }

    /** The server is reachable but not acceptable (ServerWatch): the next remote is tried without backoff. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Routes one connection's notifications: its _Server watch first, then monitors and locks. */
    private final class ConnHandler implements JsonRpcConnection.Handler {
        volatile ServerWatch watch;

        @Override
        public void onNotification(String method, JsonNode params) {
            ServerWatch w = watch;
            if (w != null && "update2".equals(method) && ServerWatch.owns(params.path(0))) {
                w.onUpdate(params);
                return;
            }
            route(method, params);
        }

        @Override
        public void onClosed(JsonRpcConnection closedConn, Throwable cause) {
            synchronized (stateLock) {
                stateLock.notifyAll();
            }
        }
    }

    /**
     * One remote after the other, in the order configured, moving on after each failure or lost connection. A
     * round in which no remote could be used ends with a pause: the reconnect minimum if some server answered but
     * was refused (it may become the leader any moment), else the backoff, doubled after each such round up to the
     * maximum.
     */
    private void superviseLoop() {
        long backoff = options.reconnectMinMillis();
        int next = 0;
        int failedInRound = 0;
        boolean refusedInRound = false;
        while (!closed) {
            String remote = remotes.get(next);
            next = (next + 1) % remotes.size();
            statusRemote = remote;
            JsonRpcConnection c = null;
            try {
                c = connect(remote);
            } catch (Refused e) {
                refusedInRound = true;
                failed(remote, e.getMessage(), System.Logger.Level.INFO);
            } catch (Exception e) {
                if (closed) {
                    break;
                }
                failed(remote, at(remote, describe(e)), System.Logger.Level.WARNING);
            }
            if (c == null) {
                if (++failedInRound >= remotes.size()) {
                    failedInRound = 0;
                    sleep(refusedInRound ? options.reconnectMinMillis() : backoff);
                    if (!refusedInRound) {
                        backoff = Math.min(options.reconnectMaxMillis(), backoff * 2);
                    }
                    refusedInRound = false;
                }
                continue;
            }
            failedInRound = 0;
            refusedInRound = false;
            backoff = options.reconnectMinMillis();
            LOG.log(System.Logger.Level.INFO, "connected to " + remote);
            lastLogged.clear();
            monitors.clear();
            schemas.clear();
            synchronized (stateLock) {
                if (closed) {
                    c.close(new ConnectionException("closed", "client closed", null));
                    break;
                }
                conn = c;
                connections.incrementAndGet();
                since = Instant.now();
                stateLock.notifyAll();
            }
            for (ConnectionListener l : connectionListeners) {
                try {
                    l.connected();
                } catch (RuntimeException e) {
                    // listener bug must not kill the supervisor
                }
            }
            synchronized (stateLock) {
                while (c.isOpen() && !closed) {
                    try {
                        stateLock.wait(1000);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                conn = null;
                since = Instant.now();
            }
            String why = closed ? "client closed"
                    : at(remote, c.closeCause() == null ? "connection closed" : describe(c.closeCause()));
            if (!closed) {
                failed(remote, why, System.Logger.Level.WARNING);
            }
            c.close(new ConnectionException("closed", "client closed", null));
            c.join(2000);
            monitors.clear();
            Throwable cause = new ConnectionException(closed ? "closed" : "connection lost", why, c.closeCause());
            for (ConnectionListener l : connectionListeners) {
                try {
                    l.disconnected(cause);
                } catch (RuntimeException e) {
                    // ignore
                }
            }
            if (!closed && remotes.size() == 1) {
                sleep(options.reconnectMinMillis());
            }
        }
    }

    /**
     * Opens the transport, starts the connection and, for several remotes or leader-only, checks the server
     * ({@link ServerWatch}); an {@code ssl:} connection without that check makes one {@code echo} round trip, so a
     * client certificate the server refuses (a TLS 1.3 alert after the handshake) fails here, not on the first call.
     *
     * @return the accepted connection
     * @throws Refused if the server answered but is not acceptable
     * @throws Exception if the TLS files, the connection, the handshake or the first round trip failed
     */
    private JsonRpcConnection connect(String remote) throws Exception {
        SSLContext tls = null;
        if (remote.startsWith("ssl:")) {
            tls = tlsFiles.context();
        }
        Transport t;
        try {
            t = Transport.open(remote, tls, sock -> {
                opening = sock;
                if (closed) { // close() may have looked before this socket existed
                    try {
                        sock.close();
                    } catch (java.io.IOException e) {
                        // the attempt fails either way
                    }
                }
            });
        } finally {
            opening = null;
        }
        ConnHandler h = new ConnHandler();
        JsonRpcConnection c = new JsonRpcConnection(options, remote, t, mapper, timer, h);
        connecting = c;
        try {
            c.start();
            long timeout = options.requestTimeoutMillis() > 0 ? options.requestTimeoutMillis() : 30_000;
            if (options.leaderOnly() || remotes.size() > 1) {
                ServerWatch w = new ServerWatch(c, options.leaderOnly(), minIndex);
                h.watch = w;
                String refusal = w.start(timeout).get(timeout + 1000, TimeUnit.MILLISECONDS);
                if (refusal != null) {
                    String why = remote + ": " + refusal + "; trying another server";
                    c.close(new ConnectionException("server not acceptable", why, null));
                    throw new Refused(why);
                }
            } else if (tls != null) {
                c.request("echo", mapper.createArrayNode(), null, timeout).get(timeout + 1000, TimeUnit.MILLISECONDS);
            }
            if (!c.isOpen()) {
                Throwable why = c.closeCause();
                throw why instanceof Exception e ? e : new ConnectionException("connection lost", "closed at once", why);
            }
            return c;
        } catch (java.util.concurrent.ExecutionException e) {
            c.close(e.getCause());
            throw e.getCause() instanceof Exception x ? x : e;
        } catch (Exception e) {
            c.close(e);
            throw e;
        } finally {
            connecting = null;
        }
    }

    private static String at(String remote, String text) {
        return text.startsWith(remote + ":") ? text : remote + ": " + text;
    }

    private static String describe(Throwable e) {
        if (e instanceof ConnectionException ce && ce.details() != null) {
            return ce.details();
        }
        if (e instanceof TlsFiles.Problem || e instanceof javax.net.ssl.SSLHandshakeException) {
            return e.getMessage();
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            return "no answer to the first request within the request timeout";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * Records a failure; logs it at {@code level} when it differs from the last failure logged for that remote since
     * the last connection, else at DEBUG (a remote that stays down is not logged every round).
     */
    private void failed(String remote, String message, System.Logger.Level level) {
        lastError = message;
        boolean repeat = message.equals(lastLogged.put(remote, message));
        LOG.log(repeat ? System.Logger.Level.DEBUG : level, message);
    }

    private void sleep(long ms) {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            try {
                stateLock.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void route(String method, JsonNode params) {
        switch (method) {
            case "update", "update2", "update3", "monitor_canceled": {
                NotificationListener l = monitors.get(monitorKey(params.path(0)));
                if (l != null) {
                    l.onNotification(method, params);
                }
                break;
            }
            case "locked", "stolen":
                for (NotificationListener l : lockListeners) {
                    try {
                        l.onNotification(method, params);
                    } catch (RuntimeException e) {
                        // ignore listener failure
                    }
                }
                break;
            default:
                break; // unknown notifications are ignored (JSON-RPC 1.0)
        }
    }

    @Override
    public boolean isConnected() {
        JsonRpcConnection c = conn;
        return c != null && c.isOpen();
    }

    @Override
    public boolean awaitConnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateLock) {
            while (!isConnected() && !closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                try {
                    stateLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return isConnected();
    }

    @Override
    public void addConnectionListener(ConnectionListener l) {
        connectionListeners.add(l);
    }

    @Override
    public void removeConnectionListener(ConnectionListener l) {
        connectionListeners.remove(l);
    }

    /** Sends on the current connection; fails fast when disconnected. */
    <T> CompletableFuture<T> request(String method, ArrayNode params, Function<JsonNode, T> onReader) {
        JsonRpcConnection c = conn;
        if (c == null || !c.isOpen()) {
            String last = lastError;
            return CompletableFuture.failedFuture(new ConnectionException(closed ? "closed" : "not connected",
                    "no connection to " + options.remote() + (last == null || closed ? "" : " (last error: " + last + ")"),
                    null));
        }
        return c.request(method, params, onReader, options.requestTimeoutMillis());
    }

    /** Sends on a specific connection (so a replica's requests never go to a newer connection). */
    @Override
    public <T> CompletableFuture<T> requestOn(Channel c, String method, ArrayNode params, Function<JsonNode, T> onReader) {
        return ((JsonRpcConnection) c).request(method, params, onReader, options.requestTimeoutMillis());
    }

    @Override
    public Channel currentConnection() {
        return conn;
    }

    @Override
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Key of a monitor id (any JSON value): its text for strings (no serialization per update), else its JSON. */
    private static String monitorKey(JsonNode id) {
        return id != null && id.isTextual() ? "s:" + id.asText() : String.valueOf(id);
    }

    @Override
    public void registerMonitor(JsonNode id, NotificationListener l) {
        monitors.put(monitorKey(id), l);
    }

    @Override
    public void invalidateSchema(String db) {
        schemas.remove(db);
    }

    @Override
    public void unregisterMonitor(JsonNode id) {
        monitors.remove(monitorKey(id));
    }

    @Override
    public CompletableFuture<JsonNode> call(String method, ArrayNode params) {
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("method must be non-empty");
        }
        return request(method, params == null ? mapper.createArrayNode() : params, null);
    }

    @Override
    public CompletableFuture<List<String>> listDbs() {
        return request("list_dbs", mapper.createArrayNode(), r -> {
            List<String> l = new ArrayList<>();
            r.forEach(n -> l.add(n.asText()));
            return List.copyOf(l);
        });
    }

    @Override
    public CompletableFuture<DatabaseSchema> getSchema(String db) {
        requireDb(db);
        DatabaseSchema s = schemas.get(db);
        if (s != null) {
            return CompletableFuture.completedFuture(s);
        }
        return request("get_schema", mapper.createArrayNode().add(db), r -> {
            DatabaseSchema ds = DatabaseSchema.parse(r);
            schemas.put(db, ds);
            return ds;
        });
    }

    private static void requireDb(String db) {
        if (db == null || db.isEmpty()) {
            throw new IllegalArgumentException("db: database name must be non-empty");
        }
    }

    @Override
    public DatabaseSchema schema(String db) {
        return TransactionBuilder.join(getSchema(db));
    }

    @Override
    public TransactionBuilder transaction(String db) {
        return new TransactionBuilder(this, schema(db));
    }

    @Override
    public CompletableFuture<JsonNode> transact(ArrayNode params) {
        if (params == null || params.size() < 1 || !params.get(0).isTextual()) {
            throw new IllegalArgumentException("transact params must be [db-name, operation...]");
        }
        if (transactionObservers.isEmpty()) {
            return request("transact", params, null);
        }
        String db = params.get(0).asText();
        long t0 = System.nanoTime();
        CompletableFuture<JsonNode> f;
        try {
            f = request("transact", params, null);
        } catch (RuntimeException e) {
            observeTransaction(db, dev.ovs.ovsdb.TransactionObserver.FAILED, System.nanoTime() - t0);
            throw e;
        }
        f.whenComplete((r, e) -> observeTransaction(db, e != null ? dev.ovs.ovsdb.TransactionObserver.FAILED
                : aborted(r) ? dev.ovs.ovsdb.TransactionObserver.ABORTED : dev.ovs.ovsdb.TransactionObserver.COMMITTED,
                System.nanoTime() - t0));
        return f;
    }

    /** RFC 7047 §4.1.3: a result array holding an object with an {@code error} member. */
    private static boolean aborted(JsonNode result) {
        if (result != null && result.isArray()) {
            for (JsonNode r : result) {
                if (r != null && r.has("error")) {
                    return true;
                }
            }
        }
        return false;
    }

    private void observeTransaction(String db, String outcome, long nanos) {
        for (dev.ovs.ovsdb.TransactionObserver o : transactionObservers) {
            try {
                o.transacted(db, outcome, nanos);
            } catch (RuntimeException e) {
                System.getLogger(OvsdbClientImpl.class.getName()).log(System.Logger.Level.WARNING,
                        "dev.ovs.ovsdb: transaction observer " + o + " failed", e);
            }
        }
    }

    /**
     * Adds an observer told of every {@code transact} request's end from now on.
     *
     * @param o the observer
     * @throws NullPointerException if o is null
     */
    public void addTransactionObserver(dev.ovs.ovsdb.TransactionObserver o) {
        transactionObservers.add(java.util.Objects.requireNonNull(o, "observer"));
    }

    /** @param o an observer added by {@link #addTransactionObserver} (ignored if absent) */
    public void removeTransactionObserver(dev.ovs.ovsdb.TransactionObserver o) {
        transactionObservers.remove(o);
    }

    private ObjectNode requests(String db, Map<String, MonitorRequest> requests, boolean withWhere) {
        DatabaseSchema s = schema(db);
        ObjectNode o = mapper.createObjectNode();
        if (requests == null || requests.isEmpty()) {
            throw new IllegalArgumentException("monitor requests: at least one table is required");
        }
        for (Map.Entry<String, MonitorRequest> e : requests.entrySet()) {
            o.set(e.getKey(), e.getValue().toJson(s.table(e.getKey()), withWhere));
        }
        return o;
    }

    private CompletableFuture<JsonNode> monitorCall(String method, ArrayNode params, JsonNode id,
            NotificationListener l) {
        registerMonitor(id, l);
        CompletableFuture<JsonNode> f = request(method, params, null);
        f.whenComplete((r, e) -> {
            if (e != null) {
                unregisterMonitor(id);
            }
        });
        return f;
    }

    @Override
    public CompletableFuture<JsonNode> monitor(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener) {
        ArrayNode p = mapper.createArrayNode().add(db).add(monitorId).add(requests(db, requests, false));
        return monitorCall("monitor", p, monitorId, listener);
    }

    @Override
    public CompletableFuture<JsonNode> monitorCond(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener) {
        ArrayNode p = mapper.createArrayNode().add(db).add(monitorId).add(requests(db, requests, true));
        return monitorCall("monitor_cond", p, monitorId, listener);
    }

    @Override
    public CompletableFuture<JsonNode> monitorCondSince(String db, JsonNode monitorId,
            Map<String, MonitorRequest> requests, String lastTxnId, NotificationListener listener) {
        ArrayNode p = mapper.createArrayNode().add(db).add(monitorId).add(requests(db, requests, true))
                .add(lastTxnId == null ? ReplicaImpl.ZERO_TXN : lastTxnId);
        return monitorCall("monitor_cond_since", p, monitorId, listener);
    }

    @Override
    public CompletableFuture<Void> monitorCondChange(String db, JsonNode monitorId, JsonNode newMonitorId,
            Map<String, MonitorRequest> requests) {
        DatabaseSchema s = schema(db);
        ObjectNode reqs = mapper.createObjectNode();
        for (Map.Entry<String, MonitorRequest> e : requests.entrySet()) {
            ObjectNode full = e.getValue().toJson(s.table(e.getKey()), true);
            full.remove("select");
            full.remove("columns"); // ovsdb-server(7): changing columns is unsupported
            reqs.putArray(e.getKey()).add(full);
        }
        ArrayNode p = mapper.createArrayNode().add(monitorId).add(newMonitorId).add(reqs);
        NotificationListener l = monitors.get(monitorKey(monitorId));
        if (l != null) {
            registerMonitor(newMonitorId, l);
        }
        return request("monitor_cond_change", p, r -> {
            if (!monitorKey(monitorId).equals(monitorKey(newMonitorId))) {
                unregisterMonitor(monitorId);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> monitorCancel(JsonNode monitorId) {
        return request("monitor_cancel", mapper.createArrayNode().add(monitorId), r -> {
            unregisterMonitor(monitorId);
            return null;
        });
    }

    private static void requireLock(String lockId) {
        if (lockId == null || lockId.isEmpty()) {
            throw new IllegalArgumentException("lock id must be non-empty");
        }
    }

    @Override
    public CompletableFuture<Boolean> lock(String lockId) {
        requireLock(lockId);
        return request("lock", mapper.createArrayNode().add(lockId), r -> r.path("locked").asBoolean(false));
    }

    @Override
    public CompletableFuture<Boolean> steal(String lockId) {
        requireLock(lockId);
        return request("steal", mapper.createArrayNode().add(lockId), r -> r.path("locked").asBoolean(false));
    }

    @Override
    public CompletableFuture<Void> unlock(String lockId) {
        requireLock(lockId);
        return request("unlock", mapper.createArrayNode().add(lockId), r -> null);
    }

    @Override
    public void addLockListener(NotificationListener l) {
        lockListeners.add(l);
    }

    @Override
    public CompletableFuture<JsonNode> echo(ArrayNode params) {
        return request("echo", params == null ? mapper.createArrayNode() : params, null);
    }

    @Override
    public CompletableFuture<Void> setDbChangeAware(boolean aware) {
        return request("set_db_change_aware", mapper.createArrayNode().add(aware), r -> null);
    }

    @Override
    public CompletableFuture<String> getServerId() {
        return request("get_server_id", mapper.createArrayNode(), JsonNode::asText);
    }

    @Override
    public Replica replica(String db, Map<String, Set<String>> tables) {
        requireDb(db);
        ReplicaImpl r = new ReplicaImpl(this, db, tables);
        replicas.add(r);
        r.start();
        return r;
    }

    @Override
    public void replicaClosed(ReplicaImpl r) {
        replicas.remove(r);
    }

    @Override
    public ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            stateLock.notifyAll();
        }
        for (ReplicaImpl r : replicas) {
            r.close();
        }
        for (JsonRpcConnection c : new JsonRpcConnection[] {conn, connecting}) {
            if (c != null) {
                c.close(new ConnectionException("closed", "client closed", null));
            }
        }
        java.io.Closeable o = opening;
        if (o != null) {
            try {
                o.close();
            } catch (java.io.IOException e) {
                // the attempt fails either way
            }
        }
        supervisor.interrupt();
        try {
            supervisor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }
}
