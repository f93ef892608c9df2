package dev.ovs.ovsdb.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ovs.ovsdb.ConnectionException;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.replica.RowDiff;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches one connection's server through the {@code _Server} database (ovsdb-server(1) "Database Status",
 * ovsdb-server(7)): a {@code monitor_cond} on table {@code Database}, columns {@code name}, {@code model},
 * {@code connected}, {@code leader}, {@code index}, {@code cid}. The server is acceptable while, for every
 * database it serves:
 * <ul>
 * <li>clustered: {@code connected} (a member that is joining, left, or lost its cluster is not); with leader-only
 * {@code leader}; {@code index} not below the highest index this client saw for the same cluster id (else the
 * server has stale data);</li>
 * <li>relay: {@code connected} to its relay source, and not leader-only (a relay is never a leader);</li>
 * <li>standalone (and active-backup): always.</li>
 * </ul>
 * These are the rules of the Python IDL ({@code Idl.__check_server_db}, {@code leader_only}) and ovsdb-cs, whose
 * log messages the refusals follow. A server without {@code _Server} (older than Open vSwitch 2.9) is accepted.
 * The rows are kept up to date from {@code update2} notifications; when the server stops being acceptable (it lost
 * the leadership, or its cluster) the connection is closed, so the client moves on to its next remote.
 */
final class ServerWatch {
    /** The monitor id on the connection; no other monitor of the client uses a text id with a space and colon. */
    static final JsonNode MONITOR_ID = new TextNode("dev.ovs.ovsdb: _Server");
    private static final String DB = "_Server";
    private static final String TABLE = "Database";

    private final JsonRpcConnection conn;
    private final boolean leaderOnly;
    /** Highest {@code index} seen per cluster id, shared by the client's connections (survives reconnects). */
    private final Map<UUID, Long> minIndex;
    private final Map<UUID, Row> rows = new ConcurrentHashMap<>();
    private volatile TableSchema table;
    private volatile boolean active;

    /**
     * @param conn       the connection (not yet accepted)
     * @param leaderOnly whether only a cluster leader is acceptable
     * @param minIndex   the client's highest {@code index} per cluster id, updated while the server is acceptable
     */
    ServerWatch(JsonRpcConnection conn, boolean leaderOnly, Map<UUID, Long> minIndex) {
        this.conn = conn;
        this.leaderOnly = leaderOnly;
        this.minIndex = minIndex;
    }

    /**
     * Sends {@code get_schema _Server} and the monitor, pipelined.
     *
     * @param timeoutMs request timeout
     * @return null if the server is acceptable, else the reason (ovsdb-cs wording); failed with the connection's
     *         error if it closes first
     */
    CompletableFuture<String> start(long timeoutMs) {
        ArrayNode gs = conn.mapper().createArrayNode().add(DB);
        CompletableFuture<Boolean> schema = conn.request("get_schema", gs, r -> {
            table = DatabaseSchema.parse(r).table(TABLE);
            return Boolean.TRUE;
        }, timeoutMs);
        ObjectNode reqs = conn.mapper().createObjectNode();
        ArrayNode cols = reqs.putObject(TABLE).putArray("columns");
        for (String c : new String[] {"name", "model", "connected", "leader", "index", "cid"}) {
            cols.add(c);
        }
        ArrayNode mp = conn.mapper().createArrayNode().add(DB).add(MONITOR_ID).add(reqs);
        CompletableFuture<String> monitor = conn.request("monitor_cond", mp, r -> {
            if (table == null) {
                return "no _Server schema";
            }
            apply(r);
            active = true;
            return evaluate();
        }, timeoutMs);
        return schema.handle((ok, e) -> e).thenCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof OvsdbServerException) {
                // no _Server database (ovsdb-server before 2.9): nothing to check (the monitor fails alike)
                return CompletableFuture.completedFuture((String) null);
            }
            if (cause != null) {
                return CompletableFuture.failedFuture(cause);
            }
            return monitor;
        });
    }

    /**
     * @param monitorId the monitor id of a notification
     * @return whether it is this watch's
     */
    static boolean owns(JsonNode monitorId) {
        return MONITOR_ID.equals(monitorId);
    }

    /** Reader thread: an {@code update2} for the monitor; closes the connection if the server is no longer acceptable. */
    void onUpdate(JsonNode params) {
        if (table == null) {
            return;
        }
        apply(params.path(1));
        if (!active) {
            return;
        }
        String refusal = evaluate();
        if (refusal != null) {
            conn.close(new ConnectionException("server not acceptable", conn.remote() + ": " + refusal, null));
        }
    }

    private void apply(JsonNode updates) {
        TableSchema ts = table;
        updates.path(TABLE).fields().forEachRemaining(e -> {
            UUID u = UUID.fromString(e.getKey());
            JsonNode ru = e.getValue();
            if (ru.has("delete")) {
                rows.remove(u);
            } else if (ru.has("initial") || ru.has("insert")) {
                rows.put(u, TransactionBuilder.decodeRow(ts, u, ru.has("initial") ? ru.get("initial") : ru.get("insert")));
            } else if (ru.has("modify")) {
                Row old = rows.get(u);
                if (old != null) {
                    rows.put(u, RowDiff.applyDiff(ts, old, ru.get("modify")));
                }
            }
        });
    }

    /** @return null if acceptable, else why not; on acceptance records the indexes seen */
    private String evaluate() {
        Map<UUID, Long> seen = new HashMap<>();
        String refusal = refusal(rows.values(), leaderOnly, minIndex, seen);
        if (refusal == null) {
            seen.forEach((cid, index) -> minIndex.merge(cid, index, Math::max));
        }
        return refusal;
    }

    /**
     * The acceptance rule (class comment), without side effects.
     *
     * @param rows       {@code _Server.Database} rows (columns left out of an initial row have their default:
     *                   false, empty)
     * @param leaderOnly whether only a leader is acceptable
     * @param minIndex   highest index seen per cluster id
     * @param seen       receives the index per cluster id of the clustered databases
     * @return null if acceptable, else the reason
     */
    static String refusal(Collection<Row> rows, boolean leaderOnly, Map<UUID, Long> minIndex, Map<UUID, Long> seen) {
        for (Row r : rows) {
            String name = r.getString("name");
            String model = String.valueOf(r.get("model"));
            boolean connected = Boolean.TRUE.equals(r.get("connected"));
            boolean leader = Boolean.TRUE.equals(r.get("leader"));
            if ("clustered".equals(model)) {
                if (!connected) {
                    return "clustered database " + name + ": server is not connected to its cluster (joining, left or "
                            + "partitioned)";
                }
                if (leaderOnly && !leader) {
                    return "clustered database " + name + ": server is not the cluster leader";
                }
                Set<Object> index = r.getSet("index");
                Set<Object> cid = r.getSet("cid");
                if (!index.isEmpty() && !cid.isEmpty()) {
                    long i = (Long) index.iterator().next();
                    UUID c = (UUID) cid.iterator().next();
                    Long min = minIndex.get(c);
                    if (min != null && i < min) {
                        return "clustered database " + name + ": server has stale data (log index " + i
                                + " is behind index " + min + " seen before)";
                    }
                    seen.merge(c, i, Math::max);
                }
            } else if ("relay".equals(model)) {
                if (!connected) {
                    return "relay database " + name + ": server is not connected to its relay source";
                }
                if (leaderOnly) {
                    return "relay database " + name + ": a relay is never a cluster leader (leader.only)";
                }
            }
        }
        return null;
    }
}
