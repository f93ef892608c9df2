package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Builds one RFC 7047 §4.1.3 {@code transact} request (operations of §5.2). Every operation is validated
 * against the database schema when it is added (unknown table or column, wrong type, constraint violation,
 * bad uuid-name: {@link dev.ovs.base.InvalidArgumentException} naming the field (TABLE.COLUMN) and the rule), so nothing invalid is sent.
 * Not thread-safe; obtain one from {@link OvsdbClient#transaction(String)}.
 */
public final class TransactionBuilder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final OvsdbClient client;
    private final DatabaseSchema schema;
    private final ArrayNode ops = F.arrayNode();
    private final List<String> opTables = new ArrayList<>();
    private final List<String> uuidNames = new ArrayList<>();

    /**
     * @param client client that executes it (may be null to only build JSON)
     * @param schema schema of the target database
     */
    public TransactionBuilder(OvsdbClient client, DatabaseSchema schema) {
        this.client = client;
        this.schema = schema;
    }

    /** @return the database schema */
    public DatabaseSchema schema() {
        return schema;
    }

    /** @return number of operations added so far */
    public int size() {
        return ops.size();
    }

    private ObjectNode op(String op, String table) {
        ObjectNode o = F.objectNode().put("op", op);
        if (table != null) {
            schema.table(table);
            o.put("table", table);
        }
        ops.add(o);
        opTables.add(table);
        return o;
    }

    private ObjectNode row(TableSchema t, Map<String, ?> row) {
        ObjectNode r = F.objectNode();
        for (Map.Entry<String, ?> e : row.entrySet()) {
            String c = e.getKey();
            if (c.startsWith("_")) {
                throw new InvalidArgumentException(t.name() + "." + c, "implicit columns cannot be written");
            }
            r.set(c, Values.encode(e.getValue(), t.columnType(c), t.name() + "." + c));
        }
        return r;
    }

    private ArrayNode where(TableSchema t, List<Condition> where) {
        ArrayNode w = F.arrayNode();
        if (where != null) {
            for (Condition c : where) {
                w.add(c.toJson(t));
            }
        }
        return w;
    }

    /**
     * Adds an {@code insert} (§5.2.1).
     *
     * @param table    table name
     * @param row      column values (omitted columns get defaults)
     * @param uuidName uuid-name to reference the row as {@link NamedUuid} later in this transaction, or null
     * @return this
     * @throws InvalidArgumentException on validation failure (naming TABLE.COLUMN) or a duplicate uuid-name
     */
    public TransactionBuilder insert(String table, Map<String, ?> row, String uuidName) {
        TableSchema t = schema.table(table);
        ObjectNode encodedRow = row(t, row);
        if (uuidName != null) {
            new NamedUuid(uuidName);
            if (uuidNames.contains(uuidName)) {
                throw new InvalidArgumentException("uuid-name", "'" + uuidName + "' used twice in one transaction");
            }
            uuidNames.add(uuidName);
        }
        ObjectNode o = op("insert", table);
        o.set("row", encodedRow);
        if (uuidName != null) {
            o.put("uuid-name", uuidName);
        }
        return this;
    }

    /** Same as {@link #insert(String, Map, String)} without uuid-name. */
    public TransactionBuilder insert(String table, Map<String, ?> row) {
        return insert(table, row, null);
    }

    /**
     * Adds a {@code select} (§5.2.2).
     *
     * @param table   table
     * @param where   conditions (conjunction), empty for all rows
     * @param columns columns to return, none for all
     * @return this
     */
    public TransactionBuilder select(String table, List<Condition> where, String... columns) {
        TableSchema t = schema.table(table);
        ArrayNode w = where(t, where);
        ArrayNode cols = columns(t, columns == null ? List.of() : List.of(columns));
        ObjectNode o = op("select", table);
        o.set("where", w);
        if (cols != null) {
            o.set("columns", cols);
        }
        return this;
    }

    private ArrayNode columns(TableSchema t, List<String> columns) {
        if (columns.isEmpty()) {
            return null;
        }
        ArrayNode a = F.arrayNode();
        for (String c : columns) {
            t.columnType(c);
            a.add(c);
        }
        return a;
    }

    /**
     * Adds an {@code update} (§5.2.3).
     *
     * @param table table
     * @param where conditions
     * @param row   new values (immutable columns are rejected)
     * @return this
     */
    public TransactionBuilder update(String table, List<Condition> where, Map<String, ?> row) {
        TableSchema t = schema.table(table);
        for (String c : row.keySet()) {
            ColumnSchema cs = t.columns().get(c);
            if (cs != null && !cs.mutable()) {
                throw new InvalidArgumentException(table + "." + c, "column is immutable");
            }
        }
        ObjectNode r = row(t, row);
        ArrayNode w = where(t, where);
        ObjectNode o = op("update", table);
        o.set("where", w);
        o.set("row", r);
        return this;
    }

    /**
     * Adds a {@code mutate} (§5.2.4).
     *
     * @param table     table
     * @param where     conditions
     * @param mutations mutations, at least one
     * @return this
     */
    public TransactionBuilder mutate(String table, List<Condition> where, List<Mutation> mutations) {
        TableSchema t = schema.table(table);
        if (mutations == null || mutations.isEmpty()) {
            throw new InvalidArgumentException("mutations", "mutate on " + table + " needs at least one mutation");
        }
        ArrayNode m = F.arrayNode();
        for (Mutation mu : mutations) {
            m.add(mu.toJson(t));
        }
        ArrayNode w = where(t, where);
        ObjectNode o = op("mutate", table);
        o.set("where", w);
        o.set("mutations", m);
        return this;
    }

    /**
     * Adds a {@code delete} (§5.2.5).
     *
     * @param table table
     * @param where conditions
     * @return this
     */
    public TransactionBuilder delete(String table, List<Condition> where) {
        TableSchema t = schema.table(table);
        ArrayNode w = where(t, where);
        op("delete", table).set("where", w);
        return this;
    }

    /**
     * Adds a {@code wait} (§5.2.6): blocks until the rows matching {@code where}, projected on
     * {@code columns}, are ({@code untilEqual}) or are not equal to {@code rows}; fails with "timed out"
     * after {@code timeoutMillis} (0 = check once, like ovs-vsctl's verify).
     *
     * @param table         table
     * @param where         conditions
     * @param columns       columns to compare, at least one
     * @param untilEqual    true for "==", false for "!="
     * @param rows          expected rows (each containing exactly {@code columns})
     * @param timeoutMillis milliseconds, or null to wait forever
     * @return this
     */
    public TransactionBuilder wait(String table, List<Condition> where, List<String> columns, boolean untilEqual,
            List<? extends Map<String, ?>> rows, Long timeoutMillis) {
        TableSchema t = schema.table(table);
        if (columns == null || columns.isEmpty()) {
            throw new InvalidArgumentException("columns", "wait on " + table + " needs at least one column");
        }
        if (timeoutMillis != null && timeoutMillis < 0) {
            throw new InvalidArgumentException("timeout", "wait on " + table + ": must be >= 0 ms");
        }
        ArrayNode w = where(t, where);
        ArrayNode cols = columns(t, columns);
        ArrayNode rs = F.arrayNode();
        for (Map<String, ?> r : rows) {
            if (!r.keySet().equals(new java.util.HashSet<>(columns))) {
                throw new InvalidArgumentException("rows", "wait on " + table + ": each row must contain exactly " + columns);
            }
            rs.add(row(t, r));
        }
        ObjectNode o = op("wait", table);
        if (timeoutMillis != null) {
            o.put("timeout", timeoutMillis);
        }
        o.set("where", w);
        o.set("columns", cols);
        o.put("until", untilEqual ? "==" : "!=");
        o.set("rows", rs);
        return this;
    }

    /**
     * Adds ovs-vsctl's "verify": a zero-timeout wait that the row {@code uuid} still has exactly
     * {@code expected} values in the given columns.
     *
     * @param table    table
     * @param uuid     row
     * @param expected column values as read from a replica
     * @return this
     */
    public TransactionBuilder verify(String table, UUID uuid, Map<String, ?> expected) {
        return wait(table, List.of(Condition.eq("_uuid", uuid)), new ArrayList<>(expected.keySet()), true,
                List.of(expected), 0L);
    }

    /** Adds a {@code commit} (§5.2.7). @param durable wait for the commit to reach disk @return this */
    public TransactionBuilder commit(boolean durable) {
        op("commit", null).put("durable", durable);
        return this;
    }

    /** Adds an {@code abort} (§5.2.8): the transaction fails with "aborted". @return this */
    public TransactionBuilder abort() {
        op("abort", null);
        return this;
    }

    /** Adds a {@code comment} (§5.2.9), logged by ovsdb-server. @param comment text @return this */
    public TransactionBuilder comment(String comment) {
        if (comment == null) {
            throw new InvalidArgumentException("comment", "must not be null");
        }
        op("comment", null).put("comment", comment);
        return this;
    }

    /** Adds an {@code assert} (§5.2.10) that this session owns the lock. @param lock lock id @return this */
    public TransactionBuilder assertLock(String lock) {
        if (lock == null || lock.isEmpty()) {
            throw new InvalidArgumentException("lock", "must be non-empty in assert");
        }
        op("assert", null).put("lock", lock);
        return this;
    }

    /** @return the {@code transact} params: {@code [db, op...]} (a copy) */
    public ArrayNode toParams() {
        ArrayNode p = F.arrayNode().add(schema.name());
        p.addAll(ops.deepCopy());
        return p;
    }

    /**
     * Sends the transaction.
     *
     * @return future of the typed result; it completes normally even if an operation failed (check
     *         {@link TransactResult#ok()}); completes exceptionally with {@link ConnectionException} or
     *         {@link RequestTimeoutException}
     * @throws IllegalStateException if built without a client, or with no operations
     */
    public CompletableFuture<TransactResult> executeAsync() {
        if (client == null) {
            throw new IllegalStateException("this builder has no client");
        }
        if (ops.isEmpty()) {
            throw new IllegalStateException("transaction has no operations");
        }
        // the operations are only read while being serialized: no copy (toParams() copies for callers)
        ArrayNode p = F.arrayNode(ops.size() + 1).add(schema.name());
        p.addAll(ops);
        return client.transact(p).thenApply(this::parseResult);
    }

    /**
     * Sends the transaction and waits for the reply.
     *
     * @return the result, all operations succeeded
     * @throws OvsdbServerException if an operation or the commit failed
     * @throws ConnectionException, RequestTimeoutException as in {@link #executeAsync()}
     */
    public TransactResult execute() {
        return join(executeAsync()).throwIfError();
    }

    /**
     * Parses a {@code transact} result array with this builder's operations and schema.
     *
     * @param result the JSON result array
     * @return typed result
     */
    public TransactResult parseResult(JsonNode result) {
        if (result == null || !result.isArray()) {
            throw new ConnectionException("protocol error", "transact result is not an array", null);
        }
        List<OperationResult> out = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            JsonNode r = result.get(i);
            String opName = i < ops.size() ? ops.get(i).get("op").asText() : "commit-error";
            if (r == null || r.isNull()) {
                out.add(new OperationResult(opName, null, -1, List.of(), null, null, null));
                continue;
            }
            if (r.hasNonNull("error")) {
                out.add(new OperationResult(opName, null, -1, List.of(), r.get("error").asText(),
                        r.path("details").isTextual() ? r.get("details").asText() : null, r));
                continue;
            }
            UUID uuid = null;
            if (r.has("uuid")) {
                uuid = (UUID) Values.decodeAtom(r.get("uuid"), AtomicType.UUID);
            }
            List<Row> rows = List.of();
            if (r.has("rows") && i < opTables.size() && opTables.get(i) != null) {
                TableSchema t = schema.table(opTables.get(i));
                List<Row> rl = new ArrayList<>();
                for (JsonNode row : r.get("rows")) {
                    rl.add(decodeRow(t, row.has("_uuid") ? (UUID) Values.decodeAtom(row.get("_uuid"), AtomicType.UUID) : null, row));
                }
                rows = Collections.unmodifiableList(rl);
            }
            out.add(new OperationResult(opName, uuid, r.has("count") ? r.get("count").asLong() : -1, rows, null,
                    null, r));
        }
        return new TransactResult(Collections.unmodifiableList(out), result);
    }

    /**
     * Decodes a JSON {@code <row>} of a table (columns unknown to the schema are skipped).
     *
     * @param t    table schema
     * @param uuid the row's uuid (may be null)
     * @param row  JSON object
     * @return the row
     */
    public static Row decodeRow(TableSchema t, UUID uuid, JsonNode row) {
        Map<String, Object> cols = new LinkedHashMap<>();
        row.fields().forEachRemaining(e -> {
            String c = e.getKey();
            if ("_uuid".equals(c) || "_version".equals(c)) {
                if (!"_uuid".equals(c)) {
                    cols.put(c, Values.decodeAtom(e.getValue(), AtomicType.UUID));
                }
                return;
            }
            ColumnSchema cs = t.columns().get(c);
            if (cs != null) {
                cols.put(c, Values.decode(e.getValue(), cs.type()));
            }
        });
        return new Row(t.name(), uuid, cols);
    }

    /**
     * Waits for a client future, unwrapping {@link OvsdbException}s.
     *
     * @param f future
     * @param <T> type
     * @return its value
     * @throws OvsdbException the failure cause
     */
    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted", "interrupted while waiting for ovsdb-server", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new OvsdbException(dev.ovs.base.ErrorKind.Failed, "failed", String.valueOf(c), c);
        }
    }
}
