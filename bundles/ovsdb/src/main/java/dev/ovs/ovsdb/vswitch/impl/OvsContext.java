package dev.ovs.ovsdb.vswitch.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OperationResult;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.replica.ReplicaImpl;
import dev.ovs.ovsdb.vswitch.NotAppliedException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every Open_vSwitch operation shares: the client and replica, readiness checks, name lookups, the
 * {@code next_cfg} increment and the one wait for ovs-vswitchd ({@link #awaitVswitchd}), the commit of a
 * caller's transaction ({@link #commit}, {@link VSwitch#commit}) with its error mapping ({@link #refused}), and the
 * one verify-failed → resync → retry loop ({@link #verified}).
 */
final class OvsContext {
    static final String DB = VSwitch.DB;
    /** How often a transaction whose verify guard failed (another client changed the column) is tried. */
    static final int VERIFY_ATTEMPTS = 3;

    final OvsdbClient client;
    final Replica replica;
    private final boolean waitForVswitchd;
    final long vswitchdTimeoutMillis;
    /** Signalled after each update the replica applied; guards {@link #cfgWaiters}. */
    private final Object cfgLock = new Object();
    /** Threads in {@link #awaitVswitchd}; written under {@link #cfgLock}, read without it by the signaller. */
    private volatile int cfgWaiters;

    OvsContext(OvsdbClient client, Replica replica, boolean waitForVswitchd, long vswitchdTimeoutMillis) {
        this.client = client;
        this.replica = replica;
        this.waitForVswitchd = waitForVswitchd;
        this.vswitchdTimeoutMillis = vswitchdTimeoutMillis;
        if (waitForVswitchd) {
            if (replica instanceof ReplicaImpl ri) {
                ri.addAppliedHook(this::cfgChanged); // on the reader thread, no event-thread hop
            } else {
                replica.addListener(events -> cfgChanged());
            }
        }
    }

    /**
     * @throws OvsdbException Unavailable when not connected, or the replica cannot subscribe or is not synced
     *                        within max(1 s, the request timeout)
     */
    void ready() {
        if (!client.isConnected()) {
            String last = client.status().lastError();
            throw new OvsdbException(ErrorKind.Unavailable, "not connected", "no connection to ovsdb-server at "
                    + client.options().remote() + (last == null ? "" : " (last error: " + last + ")"));
        }
        Throwable err = replica.lastError();
        if (err != null) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced",
                    "replica of " + DB + " cannot subscribe: " + err.getMessage(), err);
        }
        if (!replica.awaitSynced(Duration.ofMillis(Math.max(1000, client.options().requestTimeoutMillis())))) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced", "replica of " + DB + " is not synchronized yet");
        }
    }

    /**
     * For reads: ready, then an echo barrier, so a change another client committed before this call (e.g. by
     * ovs-vsctl) is visible (ovsdb-server flushes monitor updates before it handles the next request).
     */
    void fresh() {
        ready();
        replica.sync();
    }

    /** Replica lookup; on a miss, an echo barrier so changes committed just before by others are seen. */
    Optional<Row> lookup(String table, String name) {
        Optional<Row> r = replica.byName(table, name);
        if (r.isEmpty()) {
            replica.sync();
            r = replica.byName(table, name);
        }
        return r;
    }

    /**
     * @param table  table with a name column
     * @param name   row name
     * @param noun   what to call it in the error, e.g. {@code "bridge"}
     * @return the row ({@link #lookup})
     * @throws OvsdbException NotFound {@code "no <noun> named '<name>'"}
     */
    Row require(String table, String name, String noun) {
        return lookup(table, name).orElseThrow(() -> notFound("no " + noun + " named '" + name + "'"));
    }

    static OvsdbException notFound(String what) {
        return new OvsdbException(ErrorKind.NotFound, "not found", what);
    }

    static OvsdbException exists(String what) {
        return new OvsdbException(ErrorKind.AlreadyExists, "already exists", what);
    }

    /** @throws InvalidArgumentException naming {@code field} if a key or value is null */
    static void validateMap(String field, Map<String, String> m) {
        m.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new InvalidArgumentException(field, "keys and values must not be null");
            }
        });
    }

    String nameOf(String table, UUID u) {
        return replica.row(table, u).map(r -> r.getString("name")).orElse(null);
    }

    /** @return the names of the rows that exist, sorted */
    List<String> names(String table, Set<UUID> uuids) {
        List<String> l = new ArrayList<>();
        for (UUID u : uuids) {
            String n = nameOf(table, u);
            if (n != null) {
                l.add(n);
            }
        }
        l.sort(Comparator.naturalOrder());
        return l;
    }

    Optional<Row> bridgeOf(UUID portUuid) {
        return replica.rows("Bridge").stream().filter(b -> b.getSet("ports").contains(portUuid)).findFirst();
    }

    /**
     * Appends the {@code next_cfg} increment and its select when waiting for ovs-vswitchd.
     *
     * @return the index of the select, or -1 when not waiting
     */
    int addCfgIncrement(TransactionBuilder tx) {
        if (!waitForVswitchd) {
            return -1;
        }
        tx.mutate(DB, List.of(), List.of(Mutation.add("next_cfg", 1L)));
        tx.select(DB, List.of(), "next_cfg");
        return tx.size() - 1;
    }

    /**
     * Commits {@code tx} (with the next_cfg increment), checks that operation {@code countIndex} touched one row,
     * throws the transaction's error if any, then waits for ovs-vswitchd.
     *
     * @param gone the error when operation {@code countIndex} touched no row (the row was deleted meanwhile)
     * @return the result
     */
    TransactResult commitOne(TransactionBuilder tx, int countIndex, Supplier<OvsdbException> gone) {
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(countIndex).count() != 1) {
            throw gone.get();
        }
        awaitVswitchd(r, sel);
        return r;
    }

    /**
     * One try of a guarded change: either a result without a transaction ({@link #done}: nothing to change) or a
     * transaction whose operation 0 is a {@code wait} guard ({@link #commit}).
     *
     * @param <T> result type
     */
    static final class Attempt<T> {
        final T value;
        final TransactionBuilder tx;
        final Consumer<TransactResult> check;
        final Function<TransactResult, T> result;

        private Attempt(T value, TransactionBuilder tx, Consumer<TransactResult> check, Function<TransactResult, T> result) {
            this.value = value;
            this.tx = tx;
            this.check = check;
            this.result = result;
        }

        /** @return an attempt that ends with {@code value} without sending anything */
        static <T> Attempt<T> done(T value) {
            return new Attempt<>(value, null, null, null);
        }

        /**
         * @param tx     the transaction, operation 0 its {@code wait} guard (ovs-vsctl's verify, RFC 7047 §5.2.6)
         * @param check  run on the result before the generic error check (errors that need the caller's
         *               context), or null
         * @param result the value of a committed result
         * @return an attempt that commits {@code tx}
         */
        static <T> Attempt<T> commit(TransactionBuilder tx, Consumer<TransactResult> check, Function<TransactResult, T> result) {
            return new Attempt<>(null, tx, check, result);
        }
    }

    /**
     * The verify loop of ovs-vsctl: runs {@code attempt} (which reads the replica and builds a guarded
     * transaction) and commits it with the next_cfg increment. If the guard failed (the rows changed since they
     * were read), resynchronises the replica and tries again, up to {@value #VERIFY_ATTEMPTS} times. Otherwise
     * runs the attempt's check, {@link TransactResult#throwIfError()}, and waits for ovs-vswitchd.
     *
     * @param what   the guarded column, for the error, e.g. {@code "Bridge 'br0' mirrors"}
     * @param attempt one try; may throw (NotFound, AlreadyExists, ...) before anything is sent
     * @return the attempt's value
     * @throws OvsdbException Failed ("verify failed") when every try found the column changed; the errors of
     *                        the attempts and the transaction; Timeout waiting for ovs-vswitchd
     */
    <T> T verified(String what, Supplier<Attempt<T>> attempt) {
        for (int i = 0; i < VERIFY_ATTEMPTS; i++) {
            Attempt<T> a = attempt.get();
            if (a.tx == null) {
                return a.value;
            }
            int sel = addCfgIncrement(a.tx);
            TransactResult r = TransactionBuilder.join(a.tx.executeAsync());
            if (r.errorIndex() == 0 && "timed out".equals(r.results().get(0).error())) {
                replica.sync(); // the guard failed: read again
                continue;
            }
            if (a.check != null) {
                a.check.accept(r);
            }
            r.throwIfError();
            awaitVswitchd(r, sel);
            return a.result.apply(r);
        }
        throw new OvsdbException(ErrorKind.Failed, "verify failed",
                what + " changed concurrently " + VERIFY_ATTEMPTS + " times in a row; nothing was changed");
    }

    /**
     * {@link VSwitch#commit(TransactionBuilder, java.time.Duration)}: checks {@code tx}, appends the
     * {@code next_cfg} increment and its select when waiting ({@link #addCfgIncrement}), sends it on this
     * VSwitch's client, turns a refusal into an exception ({@link #refused}) and waits for ovs-vswitchd.
     *
     * @param tx            the caller's transaction on Open_vSwitch
     * @param timeoutMillis how long to wait for ovs-vswitchd, in ms (&gt; 0)
     * @return the committed result
     * @throws InvalidArgumentException ({@code tx}) null, empty or on another database (nothing sent)
     * @throws OvsdbException Unavailable before sending ({@link #ready()}); {@link OvsdbServerException} when the
     *                        server refused it; the client's ConnectionException / RequestTimeoutException; a
     *                        {@link NotAppliedException} from the wait
     */
    TransactResult commit(TransactionBuilder tx, long timeoutMillis) {
        if (tx == null) {
            throw new InvalidArgumentException("tx", "must not be null");
        }
        if (!DB.equals(tx.schema().name())) {
            throw new InvalidArgumentException("tx", "must be a transaction on " + DB + ", got one on " + tx.schema().name());
        }
        if (tx.size() == 0) {
            throw new InvalidArgumentException("tx", "has no operations");
        }
        ready();
        int sel = addCfgIncrement(tx);
        ArrayNode params = tx.toParams();
        TransactResult r = TransactionBuilder.join(client.transact(params).thenApply(tx::parseResult));
        int err = r.errorIndex();
        if (err >= 0) {
            throw refused(r.results().get(err), err, params);
        }
        awaitVswitchd(r, sel, timeoutMillis);
        return r;
    }

    /**
     * The exception for operation {@code index} of a transaction that ovsdb-server refused (RFC 7047 §4.1.3:
     * nothing was changed): a failed {@code wait} (§5.2.6, "timed out") is Conflict naming the wait's table and
     * conditions; a duplicate in a unique index ({@link #indexViolation}) is AlreadyExists; anything else has the
     * kind of {@link OvsdbException#kindOf(String)}.
     *
     * @param res    the failed operation's result
     * @param index  its index (the number of operations for the commit)
     * @param params the transaction's {@code transact} params ({@code [db, op...]})
     * @return the exception, with {@code index} as its operation index
     */
    static OvsdbServerException refused(OperationResult res, int index, ArrayNode params) {
        if ("wait".equals(res.op()) && "timed out".equals(res.error())) {
            JsonNode op = params.get(index + 1);
            return new OvsdbServerException(ErrorKind.Conflict, res.error(), "wait on " + op.path("table").asText()
                    + " where " + conditions(op.path("where")) + " until " + op.path("until").asText() + " "
                    + op.path("rows") + " (columns " + op.path("columns") + ") failed: the rows changed since they were "
                    + "read; nothing was changed", index);
        }
        if (indexViolation(res) != null) {
            return new OvsdbServerException(ErrorKind.AlreadyExists, res.error(), res.details(), index);
        }
        return new OvsdbServerException(res.error(), res.details(), index);
    }

    /** @return RFC 7047 conditions ({@code [[column, function, value], ...]}) as {@code "a == x and b != y"} */
    private static String conditions(JsonNode where) {
        if (!where.isArray() || where.isEmpty()) {
            return "(every row)";
        }
        List<String> out = new ArrayList<>();
        for (JsonNode c : where) {
            JsonNode v = c.path(2);
            boolean id = v.isArray() && v.size() == 2 && ("uuid".equals(v.path(0).asText()) || "named-uuid".equals(v.path(0).asText()));
            out.add(c.path(0).asText() + " " + c.path(1).asText() + " " + (id ? v.path(1).asText() : v.toString()));
        }
        return String.join(" and ", out);
    }

    /**
     * @return the table named by ovsdb-server's commit error for a duplicate in a unique index ({@code "constraint
     *         violation"}, details {@code Transaction causes multiple rows in "Port" table to have identical
     *         values (...) for index on column "name"...}, ovsdb/transaction.c), else null
     */
    static String indexViolation(OperationResult res) {
        String d = res.details();
        if (!"constraint violation".equals(res.error()) || d == null || !d.contains(" for index on column")) {
            return null;
        }
        int a = d.indexOf("rows in \"");
        int b = a < 0 ? -1 : d.indexOf('"', a + 9);
        return a < 0 || b < 0 ? null : d.substring(a + 9, b);
    }

    /** {@link #awaitVswitchd(TransactResult, int, long)} for the configured {@code vswitchd.timeout.ms}. */
    void awaitVswitchd(TransactResult r, int selectIndex) {
        awaitVswitchd(r, selectIndex, vswitchdTimeoutMillis);
    }

    /** @return the configured limit of the wait for ovs-vswitchd, or empty when not waiting */
    Optional<Duration> vswitchdTimeout() {
        return waitForVswitchd ? Optional.of(Duration.ofMillis(vswitchdTimeoutMillis)) : Optional.empty();
    }

    /**
     * Waits until the replica shows {@code Open_vSwitch.cur_cfg >= next_cfg} of the change (ovs-vswitchd
     * applied it), like ovs-vsctl without {@code --no-wait}. No polling: the replica signals {@link #cfgLock}
     * after each monitor update it applied (on the reader thread, or through a {@link ReplicaListener} for a
     * replica of another implementation), and this thread rechecks then. The one wait for ovs-vswitchd of the
     * bundle: every mutating VSwitch method and {@link #commit} end with it.
     *
     * @param r             the committed result
     * @param selectIndex   index of the {@code next_cfg} select ({@link #addCfgIncrement}), or -1: no wait
     * @param timeoutMillis how long to wait, in ms
     * @throws NotAppliedException Timeout after {@code timeoutMillis}; Failed if interrupted (the change itself
     *                             was committed in both cases)
     */
    void awaitVswitchd(TransactResult r, int selectIndex, long timeoutMillis) {
        if (selectIndex < 0) {
            return;
        }
        List<Row> rows = r.results().get(selectIndex).rows();
        if (rows.isEmpty()) {
            return;
        }
        long next = rows.get(0).getLong("next_cfg");
        if (!vswitchdSeen(ovsRow())) {
            return; // ovs-vswitchd never ran against this database: do not wait (ovsdb-server only)
        }
        if (curCfgReached(next)) {
            return;
        }
        long start = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(timeoutMillis); // saturates; "left" below cannot overflow
        boolean interrupted = false;
        synchronized (cfgLock) {
            cfgWaiters++;
            try {
                // checked under the lock: a signal after this check waits for the lock, so none is lost
                while (!curCfgReached(next)) {
                    long left = limit - (System.nanoTime() - start);
                    if (left <= 0) {
                        throw new NotAppliedException(ErrorKind.Timeout, "timed out",
                                "the change was committed but ovs-vswitchd did not apply it (next_cfg " + next
                                        + ") within " + timeoutMillis + " ms", r, next);
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(cfgLock, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
            } finally {
                cfgWaiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new NotAppliedException(ErrorKind.Failed, "interrupted", "interrupted waiting for ovs-vswitchd "
                    + "(next_cfg " + next + "); the change was committed", r, next);
        }
    }

    private Row ovsRow() {
        Iterator<Row> it = replica.rows(DB).iterator();
        return it.hasNext() ? it.next() : null;
    }

    private boolean curCfgReached(long next) {
        Row o = ovsRow();
        Long cur = o == null ? null : o.getLong("cur_cfg");
        return cur != null && cur >= next;
    }

    /** The replica applied an update: wake the threads waiting for ovs-vswitchd (they recheck cur_cfg). */
    private void cfgChanged() {
        if (cfgWaiters == 0) {
            return; // racy read: a waiter counted after it rechecks cur_cfg under the lock before waiting
        }
        synchronized (cfgLock) {
            cfgLock.notifyAll();
        }
    }

    /**
     * ovs-vswitchd has run against this database if it ever applied a configuration (cur_cfg > 0) or
     * published the datapath/interface types it supports (it does so at startup).
     */
    static boolean vswitchdSeen(Row ovs) {
        if (ovs == null) {
            return false;
        }
        Long cur = ovs.getLong("cur_cfg");
        return (cur != null && cur > 0) || !ovs.getSet("datapath_types").isEmpty() || !ovs.getSet("iface_types").isEmpty();
    }
}
