package dev.ovs.ovsdb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.BridgeInfo;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.MirrorInfo;
import dev.ovs.ovsdb.vswitch.MirrorSpec;
import dev.ovs.ovsdb.vswitch.NamedTable;
import dev.ovs.ovsdb.vswitch.QosInfo;
import dev.ovs.ovsdb.vswitch.QosSpec;
import dev.ovs.ovsdb.vswitch.QueueInfo;
import dev.ovs.ovsdb.vswitch.QueueSpec;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanMode;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** {@link VSwitch} over an {@link OvsdbClient} and a {@link Replica} of the Open_vSwitch database. */
public final class VSwitchImpl implements VSwitch {
    /** Tables replicated, with the noisy statistics columns left out. */
    public static Map<String, Set<String>> replicaSpec() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("Open_vSwitch", Set.of("!statistics"));
        m.put("Bridge", null);
        m.put("Port", Set.of("!statistics", "!rstp_statistics"));
        m.put("Interface", Set.of("!statistics"));
        m.put("Controller", null);
        m.put("Mirror", Set.of("!statistics"));
        m.put("QoS", null);
        m.put("Queue", null);
        return m;
    }

    private static final Set<String> NAMED_TABLES = Set.of("Bridge", "Port", "Interface");
    private final OvsdbClient client;
    private final Replica replica;
    private final boolean waitForVswitchd;
    private final long vswitchdTimeoutMillis;
    private final String defaultDatapathType;
    private final ObjectMapper mapper = new ObjectMapper();
    /** Signalled after each update the replica applied; guards {@link #cfgWaiters}. */
    private final Object cfgLock = new Object();
    /** Threads in {@link #awaitVswitchd}; written under {@link #cfgLock}, read without it by the signaller. */
    private volatile int cfgWaiters;

    /**
     * @param client                client
     * @param replica               replica with (at least) {@link #replicaSpec()} tables
     * @param waitForVswitchd       wait for cur_cfg to reach next_cfg after each change
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd
     */
    public VSwitchImpl(OvsdbClient client, Replica replica, boolean waitForVswitchd, long vswitchdTimeoutMillis) {
        this(client, replica, waitForVswitchd, vswitchdTimeoutMillis, null);
    }

    /**
     * @param client                client
     * @param replica               replica with (at least) {@link #replicaSpec()} tables
     * @param waitForVswitchd       wait for cur_cfg to reach next_cfg after each change
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd
     * @param defaultDatapathType   Bridge datapath_type for bridges created without one ("netdev" for the
     *                              userspace datapath); null or empty: leave the column to ovs-vswitchd's default
     */
    public VSwitchImpl(OvsdbClient client, Replica replica, boolean waitForVswitchd, long vswitchdTimeoutMillis,
            String defaultDatapathType) {
        this.client = client;
        this.replica = replica;
        this.waitForVswitchd = waitForVswitchd;
        this.vswitchdTimeoutMillis = vswitchdTimeoutMillis;
        this.defaultDatapathType = defaultDatapathType == null || defaultDatapathType.isBlank() ? null
                : defaultDatapathType.trim();
        if (waitForVswitchd) {
            if (replica instanceof ReplicaImpl ri) {
                ri.addAppliedHook(this::cfgChanged); // on the reader thread, no event-thread hop
            } else {
                replica.addListener(events -> cfgChanged());
            }
        }
    }

    @Override
    public OvsdbClient client() {
        return client;
    }

    @Override
    public Replica replica() {
        return replica;
    }

    private void ready() {
        if (!client.isConnected()) {
            throw new OvsdbException(ErrorKind.Unavailable, "not connected",
                    "no connection to ovsdb-server at " + client.options().remote());
        }
        Throwable err = replica.lastError();
        if (err != null) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced",
                    "replica of " + DB + " cannot subscribe: " + err.getMessage(), err);
        }
        if (!replica.awaitSynced(Duration.ofMillis(Math.max(1000, client.options().requestTimeoutMillis())))) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced",
                    "replica of " + DB + " is not synchronized yet");
        }
    }

    /**
     * For reads: ready, then an echo barrier, so a change another client committed before this call (e.g. by
     * ovs-vsctl) is visible (ovsdb-server flushes monitor updates before it handles the next request).
     */
    private void fresh() {
        ready();
        replica.sync();
    }

    /** Replica lookup; on a miss, an echo barrier so changes committed just before by others are seen. */
    private Optional<Row> lookup(String table, String name) {
        Optional<Row> r = replica.byName(table, name);
        if (r.isEmpty()) {
            replica.sync();
            r = replica.byName(table, name);
        }
        return r;
    }

    private static OvsdbException notFound(String what) {
        return new OvsdbException(ErrorKind.NotFound, "not found", what);
    }

    private static OvsdbException exists(String what) {
        return new OvsdbException(ErrorKind.AlreadyExists, "already exists", what);
    }

    private int addCfgIncrement(TransactionBuilder tx) {
        if (!waitForVswitchd) {
            return -1;
        }
        tx.mutate(DB, List.of(), List.of(Mutation.add("next_cfg", 1L)));
        tx.select(DB, List.of(), "next_cfg");
        return tx.size() - 1;
    }

    /**
     * Waits until the replica shows {@code Open_vSwitch.cur_cfg >= next_cfg} of the change (ovs-vswitchd
     * applied it), like ovs-vsctl without {@code --no-wait}. No polling: the replica signals {@link #cfgLock}
     * after each monitor update it applied (on the reader thread, or through a {@link ReplicaListener} for a
     * replica of another implementation), and this thread rechecks then.
     *
     * @throws OvsdbException Timeout after {@code vswitchdTimeoutMillis}; Failed if interrupted (the change
     *                        itself was committed in both cases)
     */
    private void awaitVswitchd(TransactResult r, int selectIndex) {
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(vswitchdTimeoutMillis);
        boolean interrupted = false;
        synchronized (cfgLock) {
            cfgWaiters++;
            try {
                // checked under the lock: a signal after this check waits for the lock, so none is lost
                while (!curCfgReached(next)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new OvsdbException(ErrorKind.Timeout, "timed out",
                                "the change was committed but ovs-vswitchd did not apply it (next_cfg " + next
                                        + ") within " + vswitchdTimeoutMillis + " ms");
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
            throw new OvsdbException(ErrorKind.Failed, "interrupted", "interrupted waiting for ovs-vswitchd");
        }
    }

    private Row ovsRow() {
        java.util.Iterator<Row> it = replica.rows(DB).iterator();
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

    private static void validateMap(String field, Map<String, String> m) {
        m.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new InvalidArgumentException(field, "keys and values must not be null");
            }
        });
    }

    @Override
    public void addBridge(String name, BridgeOptions options, boolean mayExist) {
        InterfaceName.check("bridge", name);
        BridgeOptions o = options == null ? BridgeOptions.NONE : options;
        validateMap("external_ids", o.externalIds());
        validateMap("other_config", o.otherConfig());
        Map<String, Object> bridge = new HashMap<>();
        bridge.put("name", name);
        bridge.put("ports", new NamedUuid("port"));
        String datapathType = o.datapathType() != null ? o.datapathType() : defaultDatapathType;
        if (datapathType != null) {
            bridge.put("datapath_type", datapathType);
        }
        if (o.failMode() != null) {
            bridge.put("fail_mode", o.failMode());
        }
        bridge.put("external_ids", o.externalIds());
        bridge.put("other_config", o.otherConfig());
        ready();
        if (replica.byName("Bridge", name).isPresent()) {
            if (mayExist) {
                return;
            }
            throw exists("bridge '" + name + "' already exists");
        }
        if (replica.byName("Port", name).isPresent()) {
            throw exists("a port named '" + name + "' already exists");
        }
        // the builder validates every value against the schema, before anything is sent
        TransactionBuilder tx = client.transaction(DB);
        tx.wait("Bridge", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .wait("Port", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .insert("Interface", Map.of("name", name, "type", "internal"), "iface")
                .insert("Port", Map.of("name", name, "interfaces", new NamedUuid("iface")), "port")
                .insert("Bridge", bridge, "bridge")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("bridge"))));
        int sel = addCfgIncrement(tx);
        TransactResult r = TransactionBuilder.join(tx.executeAsync());
        int err = r.errorIndex();
        if (err == 0) {
            if (mayExist) {
                return;
            }
            throw exists("bridge '" + name + "' already exists");
        } else if (err == 1) {
            throw exists("a port named '" + name + "' already exists");
        }
        r.throwIfError();
        awaitVswitchd(r, sel);
    }

    @Override
    public void deleteBridge(String name, boolean ifExists) {
        InterfaceName.check("bridge", name);
        ready();
        Optional<Row> br = lookup("Bridge", name);
        if (br.isEmpty()) {
            if (ifExists) {
                return;
            }
            throw notFound("no bridge named '" + name + "'");
        }
        TransactionBuilder tx = client.transaction(DB)
                .mutate(DB, List.of(), List.of(Mutation.delete("bridges", Set.of(br.get().uuid()))));
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() == 0 && !ifExists) {
            throw notFound("no Open_vSwitch row to remove bridge '" + name + "' from");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public boolean bridgeExists(String name) {
        InterfaceName.check("bridge", name);
        fresh();
        return replica.byName("Bridge", name).isPresent();
    }

    @Override
    public List<String> listBridges() {
        fresh();
        return replica.rows("Bridge").stream().map(r -> r.getString("name")).sorted().toList();
    }

    private String nameOf(String table, UUID u) {
        return replica.row(table, u).map(r -> r.getString("name")).orElse(null);
    }

    private List<String> names(String table, Set<UUID> uuids) {
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

    @Override
    public Optional<BridgeInfo> bridge(String name) {
        InterfaceName.check("bridge", name);
        fresh();
        return replica.byName("Bridge", name).map(r -> new BridgeInfo(r.uuid(), name, r.getString("datapath_type"),
                r.getString("fail_mode"), r.getMap("external_ids"), r.getMap("other_config"), names("Port", r.getSet("ports"))));
    }

    private Optional<Row> bridgeOf(UUID portUuid) {
        return replica.rows("Bridge").stream().filter(b -> b.getSet("ports").contains(portUuid)).findFirst();
    }

    @Override
    public void addPort(String bridge, String port, PortOptions options, boolean mayExist) {
        InterfaceName.check("bridge", bridge);
        InterfaceName.check("port", port);
        PortOptions o = options == null ? PortOptions.NONE : options;
        validateMap("port external_ids", o.portExternalIds());
        validateMap("interface options", o.interfaceOptions());
        validateMap("interface external_ids", o.interfaceExternalIds());
        Map<String, Object> iface = new HashMap<>();
        iface.put("name", port);
        if (o.interfaceType() != null) {
            iface.put("type", o.interfaceType());
        }
        iface.put("options", o.interfaceOptions());
        iface.put("external_ids", o.interfaceExternalIds());
        if (o.mtuRequest() != null) {
            iface.put("mtu_request", (long) checkMtu(o.mtuRequest()));
        }
        Map<String, Object> prt = new HashMap<>();
        prt.put("name", port);
        prt.put("interfaces", new NamedUuid("iface"));
        if (o.tag() != null) {
            prt.put("tag", (long) o.tag().value());
        }
        prt.put("trunks", trunkSet("trunks", o.trunks()));
        if (o.vlanMode() != null) {
            prt.put("vlan_mode", o.vlanMode().column());
        }
        prt.put("external_ids", o.portExternalIds());
        // Name guards. Where the schema declares a unique index on Port.name and Interface.name (every
        // vswitch.ovsschema since OVS 2.x), ovsdb-server itself refuses a duplicate at commit through its hash
        // index (RFC 7047 4.1.3 "constraint violation"), atomically, as a wait "name == X" would; the wait
        // costs a linear scan of the table per transaction on the server (ovsdb/query.c), ~40 us at 1,000
        // ports, so it is only sent when the index is missing.
        ready();
        Row br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        Optional<Row> existing = replica.byName("Port", port);
        if (existing.isPresent()) {
            Optional<Row> owner = bridgeOf(existing.get().uuid());
            if (mayExist && owner.isPresent() && owner.get().uuid().equals(br.uuid())) {
                return;
            }
            throw exists("port '" + port + "' already exists"
                    + owner.map(b -> " on bridge '" + b.getString("name") + "'").orElse(""));
        }
        if (replica.byName("Interface", port).isPresent()) {
            throw exists("an interface named '" + port + "' already exists");
        }
        dev.ovs.ovsdb.DatabaseSchema schema = client.schema(DB);
        boolean indexed = schema.table("Port").hasIndexOn("name") && schema.table("Interface").hasIndexOn("name");
        TransactionBuilder tx = client.transaction(DB);
        if (!indexed) {
            tx.wait("Port", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L)
                    .wait("Interface", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L);
        }
        int portGuard = indexed ? -1 : 0;
        int ifaceGuard = indexed ? -1 : 1;
        tx.insert("Interface", iface, "iface").insert("Port", prt, "port")
                .mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.insert("ports", new NamedUuid("port"))));
        int mutateIndex = tx.size() - 1;
        int sel = addCfgIncrement(tx);
        TransactResult r = TransactionBuilder.join(tx.executeAsync());
        int err = r.errorIndex();
        String dupTable = err < 0 ? null : err == portGuard ? "Port" : err == ifaceGuard ? "Interface"
                : indexViolation(r.results().get(err));
        if (dupTable != null) {
            if ("Port".equals(dupTable) && mayExist) {
                replica.sync();
                Optional<Row> p = replica.byName("Port", port);
                if (p.isPresent() && bridgeOf(p.get().uuid()).map(b -> b.uuid().equals(br.uuid())).orElse(false)) {
                    return;
                }
            }
            throw exists(("Port".equals(dupTable) ? "port '" : "an interface named '") + port + "' already exists");
        }
        r.throwIfError();
        if (r.results().get(mutateIndex).count() != 1) {
            // the inserted rows were unreferenced, so the server dropped them (RFC 7047 garbage collection)
            throw notFound("bridge '" + bridge + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    /**
     * @return "Port", "Interface" (or another table) if this is ovsdb-server's commit error for a duplicate
     *         value in a unique index on name ("Transaction causes multiple rows in \"Port\" table to have
     *         identical values (...) for index on column \"name\""), else null
     */
    static String indexViolation(dev.ovs.ovsdb.OperationResult res) {
        String d = res.details();
        if (!"constraint violation".equals(res.error()) || d == null || !d.contains("for index on column \"name\"")) {
            return null;
        }
        int a = d.indexOf("rows in \"");
        int b = a < 0 ? -1 : d.indexOf('"', a + 9);
        return a < 0 || b < 0 ? null : d.substring(a + 9, b);
    }

    @Override
    public void deletePort(String bridge, String port, boolean ifExists) {
        if (bridge != null) {
            InterfaceName.check("bridge", bridge);
        }
        InterfaceName.check("port", port);
        ready();
        Row br = null;
        if (bridge != null) {
            br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        }
        Optional<Row> p = lookup("Port", port);
        Optional<Row> owner = p.flatMap(x -> bridgeOf(x.uuid()));
        if (p.isEmpty() || owner.isEmpty() || (br != null && !owner.get().uuid().equals(br.uuid()))) {
            if (ifExists) {
                return;
            }
            throw notFound(bridge == null ? "no port named '" + port + "'"
                    : "bridge '" + bridge + "' has no port named '" + port + "'");
        }
        if (port.equals(owner.get().getString("name"))) {
            throw new InvalidArgumentException("port", "'" + port + "' is the local port of bridge '" + port
                    + "'; delete the bridge instead");
        }
        TransactionBuilder tx = client.transaction(DB).mutate("Bridge", List.of(Condition.eq("_uuid", owner.get().uuid())),
                List.of(Mutation.delete("ports", Set.of(p.get().uuid()))));
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1 && !ifExists) {
            throw notFound("bridge of port '" + port + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public List<String> listPorts(String bridge) {
        InterfaceName.check("bridge", bridge);
        fresh();
        Row br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = names("Port", br.getSet("ports"));
        l.remove(bridge);
        return l;
    }

    @Override
    public Optional<PortInfo> port(String name) {
        InterfaceName.check("port", name);
        fresh();
        return replica.byName("Port", name).map(r -> {
            Set<Long> trunks = r.getSet("trunks");
            Long tag = r.getLong("tag");
            String mode = r.getString("vlan_mode");
            Set<VlanTag> typedTrunks = new TreeSet<>();
            trunks.forEach(t -> typedTrunks.add(VlanTag.of("trunks", t)));
            return new PortInfo(r.uuid(), name, bridgeOf(r.uuid()).map(b -> b.getString("name")).orElse(null),
                    tag == null ? null : VlanTag.of(tag), Collections.unmodifiableSet(typedTrunks),
                    mode == null ? null : VlanMode.of("vlan_mode", mode),
                    names("Interface", r.getSet("interfaces")), r.getMap("external_ids"), r.getMap("other_config"));
        });
    }

    private InterfaceInfo info(Row r) {
        String port = replica.rows("Port").stream().filter(p -> p.getSet("interfaces").contains(r.uuid()))
                .map(p -> p.getString("name")).findFirst().orElse(null);
        return new InterfaceInfo(r.uuid(), r.getString("name"), port, r.getString("type"), r.getMap("options"),
                r.getLong("mtu_request"), r.getLong("mtu"), r.getLong("ofport"), r.getMap("external_ids"), r.getString("error"));
    }

    @Override
    public Optional<InterfaceInfo> iface(String name) {
        InterfaceName.check("interface", name);
        fresh();
        return replica.byName("Interface", name).map(this::info);
    }

    @Override
    public List<InterfaceInfo> findInterfaces(Map<String, String> externalIds) {
        if (externalIds == null) {
            throw new InvalidArgumentException("externalIds", "must not be null");
        }
        validateMap("externalIds", externalIds);
        fresh();
        return replica.find("Interface", r -> r.getMap("external_ids").entrySet().containsAll(externalIds.entrySet()))
                .stream().map(this::info).sorted(Comparator.comparing(InterfaceInfo::name)).toList();
    }

    private void checkNamedTable(String table, String name, String column) {
        if (!NAMED_TABLES.contains(table)) {
            throw new InvalidArgumentException("table", "must be one of " + NAMED_TABLES + ", got '" + table + "'");
        }
        InterfaceName.check(table.toLowerCase(java.util.Locale.ROOT), name);
        if (column == null || "name".equals(column) || column.startsWith("_")) {
            throw new InvalidArgumentException("column", "'" + column + "' cannot be set (name and implicit columns are fixed)");
        }
    }

    @Override
    public void setColumn(String table, String name, String column, Object value) {
        checkNamedTable(table, name, column);
        Map<String, Object> row = new HashMap<>();
        row.put(column, value);
        client.transaction(DB).update(table, List.of(Condition.eq("name", name)), row); // validates, sends nothing
        updateRow(table, name, row);
    }

    /**
     * Updates the columns of one named row: resolves the name once (replica, echo barrier on a miss), then
     * one transaction {@code update where _uuid == row} (plus the next_cfg increment), then waits for
     * ovs-vswitchd. Arguments are checked by the caller before.
     *
     * @throws OvsdbException NotFound if there is no such row or it was deleted before the commit
     */
    private void updateRow(String table, String name, Map<String, Object> columns) {
        ready();
        Row target = lookup(table, name).orElseThrow(() -> notFound("no " + table + " named '" + name + "'"));
        TransactionBuilder tx = client.transaction(DB).update(table, List.of(Condition.eq("_uuid", target.uuid())), columns);
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1) {
            throw notFound(table + " '" + name + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    /** Port trunks as the column's set of integers; null elements are refused. */
    private static Set<Long> trunkSet(String argument, Set<VlanTag> trunks) {
        Set<Long> s = new TreeSet<>();
        if (trunks != null) {
            for (VlanTag t : trunks) {
                if (t == null) {
                    throw new InvalidArgumentException(argument, "must not contain null");
                }
                s.add((long) t.value());
            }
        }
        return s;
    }

    /** Largest mtu_request accepted: the largest IPv4/IPv6 (non-jumbogram) packet. */
    static final int MAX_MTU = 65535;

    private static int checkMtu(int mtu) {
        if (mtu < 1 || mtu > MAX_MTU) {
            throw new InvalidArgumentException("mtu_request", "must be 1.." + MAX_MTU + ", got " + mtu);
        }
        return mtu;
    }

    @Override
    public void setPortTag(String port, VlanTag tag) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("tag", tag == null ? Set.of() : (long) tag.value()));
    }

    @Override
    public void setPortTrunks(String port, Set<VlanTag> trunks) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("trunks", trunkSet("trunks", trunks)));
    }

    @Override
    public void setPortVlanMode(String port, VlanMode mode) {
        InterfaceName.check("port", port);
        updateRow("Port", port, Map.of("vlan_mode", mode == null ? Set.of() : mode.column()));
    }

    @Override
    public void setPortVlan(String port, VlanMode mode, VlanTag tag, Set<VlanTag> trunks) {
        InterfaceName.check("port", port);
        Set<Long> t = trunkSet("trunks", trunks);
        updateRow("Port", port, Map.of("vlan_mode", mode == null ? Set.of() : mode.column(),
                "tag", tag == null ? Set.of() : (long) tag.value(), "trunks", t));
    }

    @Override
    public void setInterfaceMtuRequest(String iface, Integer mtu) {
        InterfaceName.check("interface", iface);
        updateRow("Interface", iface, Map.of("mtu_request", mtu == null ? Set.of() : (long) checkMtu(mtu)));
    }

    @Override
    public void setExternalIds(NamedTable table, String name, Map<String, String> externalIds) {
        checkTable(table);
        InterfaceName.check(table.argument(), name);
        Map<String, String> ids = externalIds == null ? Map.of() : externalIds;
        validateMap("external_ids", ids);
        updateRow(table.table(), name, Map.of("external_ids", ids));
    }

    @Override
    public void updateExternalIds(NamedTable table, String name, Map<String, String> put, Set<String> remove) {
        checkTable(table);
        updateMapColumn(table.table(), name, "external_ids", put, remove);
    }

    private static void checkTable(NamedTable table) {
        if (table == null) {
            throw new InvalidArgumentException("table", "must be one of " + List.of(NamedTable.values()));
        }
    }

    @Override
    public void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove) {
        checkNamedTable(table, name, column);
        Map<String, String> p = put == null ? Map.of() : put;
        Set<String> rm = remove == null ? Set.of() : remove;
        validateMap(column, p);
        if (!client.schema(DB).table(table).columnType(column).isMap()) {
            throw new InvalidArgumentException("column", "" + table + "." + column + " is not a map column");
        }
        if (p.isEmpty() && rm.isEmpty()) {
            throw new InvalidArgumentException("put/remove", "nothing to change");
        }
        ready();
        Row target = lookup(table, name).orElseThrow(() -> notFound("no " + table + " named '" + name + "'"));
        Set<String> deleteKeys = new TreeSet<>(rm);
        deleteKeys.addAll(p.keySet()); // map insert does not overwrite existing keys (RFC 7047 5.1)
        List<Mutation> muts = new ArrayList<>();
        muts.add(Mutation.delete(column, deleteKeys));
        if (!p.isEmpty()) {
            muts.add(Mutation.insert(column, p));
        }
        TransactionBuilder tx = client.transaction(DB).mutate(table, List.of(Condition.eq("_uuid", target.uuid())), muts);
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1) {
            throw notFound(table + " '" + name + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public void setControllers(String bridge, List<String> targets) {
        InterfaceName.check("bridge", bridge);
        if (targets == null) {
            throw new InvalidArgumentException("targets", "must not be null (use an empty list to remove all)");
        }
        List<NamedUuid> refs = new ArrayList<>();
        TransactionBuilder tx = client.transaction(DB);
        int n = 0;
        for (String t : new TreeSet<>(targets)) {
            if (t == null || t.isBlank() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidArgumentException("targets", "controller target must be non-empty without whitespace, got '" + t + "'");
            }
            NamedUuid id = new NamedUuid("ctl" + n++);
            tx.insert("Controller", Map.of("target", t), id.name());
            refs.add(id);
        }
        fresh();
        Row br = replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        // replacing the reference set garbage-collects the old (non-root) Controller rows
        tx.update("Bridge", List.of(Condition.eq("_uuid", br.uuid())), Map.of("controller", refs));
        int upd = tx.size() - 1;
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(upd).count() != 1) {
            throw notFound("bridge '" + bridge + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public List<String> controllers(String bridge) {
        InterfaceName.check("bridge", bridge);
        fresh();
        Row br = replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = new ArrayList<>();
        for (Object u : br.getSet("controller")) {
            replica.row("Controller", (UUID) u).ifPresent(c -> l.add(c.getString("target")));
        }
        l.sort(Comparator.naturalOrder());
        return l;
    }

    // ---- mirrors, QoS, queues (ovs-vswitchd.conf.db(5) tables Mirror, QoS, Queue) ----

    /** How often a transaction whose verify guard failed (another client changed the column) is retried. */
    private static final int VERIFY_ATTEMPTS = 3;
    private static final long MAX_U32 = 0xFFFFFFFFL;
    /** other_config keys of QoS and Queue whose values are decimal integers (rates in bit/s, sizes, ...). */
    private static final Set<String> NUMERIC_KEYS = Set.of("max-rate", "min-rate", "burst", "priority", "cir", "cbs",
            "eir", "ebs", "latency", "limit", "loss", "jitter", "perturb", "quantum");

    /**
     * Commits a transaction whose operation 0 is a {@code wait} guard (ovs-vsctl's verify, RFC 7047 §5.2.6) with
     * the {@code next_cfg} increment ({@link #addCfgIncrement}). If the guard failed (the rows changed since they
     * were read), resynchronises the replica and returns {@code null}: the caller re-reads and retries, up to
     * {@value #VERIFY_ATTEMPTS} times. Otherwise runs {@code check} on the result (may throw; for errors that
     * need the caller's context), then {@link TransactResult#throwIfError()}, then waits for ovs-vswitchd.
     *
     * @param tx    the transaction, operation 0 being the guard
     * @param check run on the result before the generic error check, or null
     * @return the result, or {@code null} if the guard failed
     * @throws OvsdbException from {@code check}, for an error of the transaction, or a timeout waiting for ovs-vswitchd
     */
    private TransactResult commitGuarded(TransactionBuilder tx, java.util.function.Consumer<TransactResult> check) {
        int sel = addCfgIncrement(tx);
        TransactResult r = TransactionBuilder.join(tx.executeAsync());
        if (verifyFailed(r, 0)) {
            replica.sync();
            return null;
        }
        if (check != null) {
            check.accept(r);
        }
        r.throwIfError();
        awaitVswitchd(r, sel);
        return r;
    }

    private static OvsdbException verifyGaveUp(String what) {
        return new OvsdbException(ErrorKind.Failed, "verify failed",
                what + " changed concurrently " + VERIFY_ATTEMPTS + " times in a row; nothing was changed");
    }

    private static boolean verifyFailed(TransactResult r, int index) {
        return r.errorIndex() == index && "timed out".equals(r.results().get(index).error());
    }

    static String requireMirrorName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidArgumentException("mirror", "name must not be empty");
        }
        if (name.length() > 64) {
            throw new InvalidArgumentException("mirror", "name is " + name.length() + " characters, at most 64 allowed");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidArgumentException("mirror", "name must not contain control characters");
        }
        return name;
    }

    private static void validateMirror(MirrorSpec m) {
        if (m == null) {
            throw new InvalidArgumentException("mirror", "spec must not be null");
        }
        requireMirrorName(m.name());
        m.selectSrcPort().forEach(n -> InterfaceName.check("select_src_port", n));
        m.selectDstPort().forEach(n -> InterfaceName.check("select_dst_port", n));
        if (!m.selectAll() && m.selectSrcPort().isEmpty() && m.selectDstPort().isEmpty()) {
            throw new InvalidArgumentException("mirror", "selects nothing: set select_all or name select_src_port/select_dst_port ports");
        }
        for (Integer v : m.selectVlan()) {
            if (v == null) {
                throw new InvalidArgumentException("select_vlan", "must not contain null");
            }
            VlanTag.of("select_vlan", v);
        }
        if ((m.outputPort() == null) == (m.outputVlan() == null)) {
            throw new InvalidArgumentException("mirror", "exactly one of output_port and output_vlan must be set");
        }
        if (m.outputPort() != null) {
            InterfaceName.check("output_port", m.outputPort());
        }
        if (m.outputVlan() != null && (m.outputVlan() < 1 || m.outputVlan() > 4095)) {
            throw new InvalidArgumentException("output_vlan", "must be 1..4095, got " + m.outputVlan());
        }
        validateMap("mirror external_ids", m.externalIds());
    }

    private static void validateConfig(String field, Map<String, String> m) {
        validateMap(field, m);
        m.forEach((k, v) -> {
            if (NUMERIC_KEYS.contains(k) && !v.matches("[0-9]{1,20}")) {
                throw new InvalidArgumentException(field, k + " must be a non-negative decimal integer, got '" + v + "'");
            }
            if (NUMERIC_KEYS.contains(k) && new java.math.BigInteger(v).bitLength() > 64) {
                throw new InvalidArgumentException(field, k + " is larger than 2^64-1: '" + v + "'");
            }
        });
    }

    private static void validateQueue(String field, long id, QueueSpec q) {
        if (id < 0 || id > MAX_U32) {
            throw new InvalidArgumentException(field, "queue number must be 0..4294967295, got " + id);
        }
        if (q == null) {
            throw new InvalidArgumentException(field, "queue " + id + " must not be null");
        }
        if (q.dscp() != null && (q.dscp() < 0 || q.dscp() > 63)) {
            throw new InvalidArgumentException(field, "queue " + id + " dscp must be 0..63, got " + q.dscp());
        }
        validateConfig(field + " " + id + " other_config", q.otherConfig());
        validateMap(field + " " + id + " external_ids", q.externalIds());
    }

    private static void validateQos(QosSpec q) {
        if (q == null) {
            throw new InvalidArgumentException("qos", "spec must not be null");
        }
        if (q.type() == null || !QosSpec.TYPES.contains(q.type())) {
            throw new InvalidArgumentException("qos", "type must be one of " + new TreeSet<>(QosSpec.TYPES) + ", got '" + q.type() + "'");
        }
        validateConfig("qos other_config", q.otherConfig());
        validateMap("qos external_ids", q.externalIds());
        q.queues().forEach((id, qs) -> validateQueue("queues", id == null ? -1 : id, qs));
    }

    private static Map<String, Object> queueRow(QueueSpec q) {
        Map<String, Object> row = new HashMap<>();
        if (q.dscp() != null) {
            row.put("dscp", q.dscp().longValue());
        }
        row.put("other_config", q.otherConfig());
        row.put("external_ids", q.externalIds());
        return row;
    }

    private Row portRow(String port) {
        return lookup("Port", port).orElseThrow(() -> notFound("no port named '" + port + "'"));
    }

    @Override
    public UUID addMirror(String bridge, MirrorSpec spec, boolean mayExist) {
        InterfaceName.check("bridge", bridge);
        validateMirror(spec);
        ready();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Row br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
            Set<UUID> mirrors = br.getSet("mirrors");
            for (UUID u : mirrors) {
                Optional<Row> m = replica.row("Mirror", u);
                if (m.isPresent() && spec.name().equals(m.get().getString("name"))) {
                    if (mayExist) {
                        return u;
                    }
                    throw exists("bridge '" + bridge + "' already has a mirror named '" + spec.name() + "'");
                }
            }
            Set<UUID> brPorts = br.getSet("ports");
            Map<String, UUID> ports = new LinkedHashMap<>();
            Set<String> wanted = new TreeSet<>(spec.selectSrcPort());
            wanted.addAll(spec.selectDstPort());
            if (spec.outputPort() != null) {
                wanted.add(spec.outputPort());
            }
            for (String n : wanted) {
                Row p = lookup("Port", n).filter(x -> brPorts.contains(x.uuid()))
                        .orElseThrow(() -> notFound("bridge '" + bridge + "' has no port named '" + n + "'"));
                ports.put(n, p.uuid());
            }
            Map<String, Object> row = new HashMap<>();
            row.put("name", spec.name());
            row.put("select_all", spec.selectAll());
            row.put("select_src_port", spec.selectSrcPort().stream().map(ports::get).collect(java.util.stream.Collectors.toSet()));
            row.put("select_dst_port", spec.selectDstPort().stream().map(ports::get).collect(java.util.stream.Collectors.toSet()));
            row.put("select_vlan", spec.selectVlan().stream().map(Integer::longValue).collect(java.util.stream.Collectors.toSet()));
            if (spec.outputPort() != null) {
                row.put("output_port", ports.get(spec.outputPort()));
            }
            if (spec.outputVlan() != null) {
                row.put("output_vlan", spec.outputVlan().longValue());
            }
            row.put("external_ids", spec.externalIds());
            TransactionBuilder tx = client.transaction(DB).verify("Bridge", br.uuid(), Map.of("mirrors", mirrors));
            List<String> portOrder = new ArrayList<>(ports.keySet());
            for (String n : portOrder) {
                tx.verify("Port", ports.get(n), Map.of("name", n)); // still there (references are weak)
            }
            tx.insert("Mirror", row, "mirror");
            int ins = tx.size() - 1;
            tx.mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.insert("mirrors", new NamedUuid("mirror"))));
            TransactResult r = commitGuarded(tx, res -> {
                int err = res.errorIndex();
                if (err >= 1 && err <= portOrder.size()) {
                    throw notFound("port '" + portOrder.get(err - 1) + "' was deleted concurrently");
                }
            });
            if (r == null) {
                continue;
            }
            return r.uuid(ins);
        }
        throw verifyGaveUp("Bridge '" + bridge + "' mirrors");
    }

    @Override
    public void deleteMirror(String bridge, String name, boolean ifExists) {
        InterfaceName.check("bridge", bridge);
        requireMirrorName(name);
        fresh();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Row br = replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
            Set<UUID> mirrors = br.getSet("mirrors");
            UUID target = mirrors.stream().filter(u -> replica.row("Mirror", u).map(m -> name.equals(m.getString("name"))).orElse(false))
                    .findFirst().orElse(null);
            if (target == null) {
                if (ifExists) {
                    return;
                }
                throw notFound("bridge '" + bridge + "' has no mirror named '" + name + "'");
            }
            // Mirror is not a root table: without the reference ovsdb-server deletes the row
            TransactionBuilder tx = client.transaction(DB).verify("Bridge", br.uuid(), Map.of("mirrors", mirrors))
                    .mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.delete("mirrors", Set.of(target))));
            if (commitGuarded(tx, null) == null) {
                continue;
            }
            return;
        }
        throw verifyGaveUp("Bridge '" + bridge + "' mirrors");
    }

    @Override
    public List<MirrorInfo> listMirrors(String bridge) {
        InterfaceName.check("bridge", bridge);
        fresh();
        Row br = replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<MirrorInfo> l = new ArrayList<>();
        for (Object u : br.getSet("mirrors")) {
            replica.row("Mirror", (UUID) u).ifPresent(m -> {
                UUID out = m.getUuid("output_port");
                Boolean all = m.getBoolean("select_all");
                l.add(new MirrorInfo(m.uuid(), m.getString("name"), bridge, all != null && all,
                        names("Port", m.getSet("select_src_port")), names("Port", m.getSet("select_dst_port")),
                        new TreeSet<>(m.<Long>getSet("select_vlan")), out == null ? null : nameOf("Port", out),
                        m.getLong("output_vlan"), m.getMap("external_ids")));
            });
        }
        l.sort(Comparator.comparing(MirrorInfo::name));
        return l;
    }

    /**
     * Deletes (in tx) the QoS row and its Queue rows unless something else still references them (other ports'
     * qos, other QoS rows' queues): they are root rows, nothing else would remove them. If another client adds a
     * reference meanwhile, ovsdb-server refuses the whole transaction (referential integrity), nothing changes.
     */
    private void destroyQos(TransactionBuilder tx, UUID qos, UUID exceptPort) {
        if (qos == null) {
            return;
        }
        boolean used = replica.rows("Port").stream().anyMatch(p -> !p.uuid().equals(exceptPort) && p.getSet("qos").contains(qos));
        Optional<Row> q = replica.row("QoS", qos);
        if (used || q.isEmpty()) {
            return;
        }
        tx.delete("QoS", List.of(Condition.eq("_uuid", qos)));
        for (Object qu : q.get().getMap("queues").values()) {
            destroyQueue(tx, (UUID) qu, qos);
        }
    }

    private void destroyQueue(TransactionBuilder tx, UUID queue, UUID exceptQos) {
        boolean used = replica.rows("QoS").stream().anyMatch(o -> !o.uuid().equals(exceptQos) && o.getMap("queues").containsValue(queue));
        if (!used && replica.row("Queue", queue).isPresent()) {
            tx.delete("Queue", List.of(Condition.eq("_uuid", queue)));
        }
    }

    @Override
    public UUID setQos(String port, QosSpec spec) {
        InterfaceName.check("port", port);
        validateQos(spec);
        ready();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Row p = portRow(port);
            Set<UUID> current = p.getSet("qos");
            TransactionBuilder tx = client.transaction(DB).verify("Port", p.uuid(), Map.of("qos", current));
            Map<Long, NamedUuid> queues = new LinkedHashMap<>();
            for (Map.Entry<Long, QueueSpec> e : new java.util.TreeMap<>(spec.queues()).entrySet()) {
                NamedUuid id = new NamedUuid("queue" + e.getKey());
                tx.insert("Queue", queueRow(e.getValue()), id.name());
                queues.put(e.getKey(), id);
            }
            Map<String, Object> qos = new HashMap<>();
            qos.put("type", spec.type());
            qos.put("other_config", spec.otherConfig());
            qos.put("queues", queues);
            qos.put("external_ids", spec.externalIds());
            tx.insert("QoS", qos, "qos");
            int ins = tx.size() - 1;
            tx.update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", new NamedUuid("qos")));
            int upd = tx.size() - 1;
            destroyQos(tx, current.isEmpty() ? null : current.iterator().next(), p.uuid());
            TransactResult r = commitGuarded(tx, res -> {
                if (res.ok() && res.results().get(upd).count() != 1) {
                    throw notFound("port '" + port + "' was deleted concurrently");
                }
            });
            if (r == null) {
                continue;
            }
            return r.uuid(ins);
        }
        throw verifyGaveUp("Port '" + port + "' qos");
    }

    @Override
    public boolean clearQos(String port, boolean ifExists) {
        InterfaceName.check("port", port);
        ready();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Optional<Row> po = lookup("Port", port);
            if (po.isEmpty()) {
                if (ifExists) {
                    return false;
                }
                throw notFound("no port named '" + port + "'");
            }
            Row p = po.get();
            Set<UUID> current = p.getSet("qos");
            if (current.isEmpty()) {
                return false;
            }
            TransactionBuilder tx = client.transaction(DB).verify("Port", p.uuid(), Map.of("qos", current))
                    .update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", Set.of()));
            destroyQos(tx, current.iterator().next(), p.uuid());
            if (commitGuarded(tx, null) == null) {
                continue;
            }
            return true;
        }
        throw verifyGaveUp("Port '" + port + "' qos");
    }

    private QueueInfo queueInfo(UUID u) {
        return replica.row("Queue", u).map(q -> new QueueInfo(u, q.getLong("dscp"), q.getMap("other_config"), q.getMap("external_ids")))
                .orElse(new QueueInfo(u, null, Map.of(), Map.of()));
    }

    @Override
    public Optional<QosInfo> qos(String port) {
        InterfaceName.check("port", port);
        fresh();
        Row p = replica.byName("Port", port).orElseThrow(() -> notFound("no port named '" + port + "'"));
        UUID q = p.getUuid("qos");
        if (q == null) {
            return Optional.empty();
        }
        return replica.row("QoS", q).map(r -> {
            Map<Long, QueueInfo> queues = new java.util.TreeMap<>();
            r.<Long, UUID>getMap("queues").forEach((k, v) -> queues.put(k, queueInfo(v)));
            List<String> users = replica.find("Port", x -> x.getSet("qos").contains(q)).stream().map(x -> x.getString("name"))
                    .sorted().toList();
            return new QosInfo(q, r.getString("type"), r.getMap("other_config"), Collections.unmodifiableMap(queues),
                    r.getMap("external_ids"), users);
        });
    }

    @Override
    public UUID setQueue(String port, long queueId, QueueSpec spec) {
        InterfaceName.check("port", port);
        validateQueue("queue", queueId, spec);
        ready();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Row p = portRow(port);
            UUID qosId = p.getUuid("qos");
            Row qos = qosId == null ? null : replica.row("QoS", qosId).orElse(null);
            if (qos == null) {
                throw notFound("port '" + port + "' has no QoS (set one first)");
            }
            Map<Long, UUID> queues = qos.getMap("queues");
            Map<Long, Object> next = new LinkedHashMap<>(queues);
            next.put(queueId, new NamedUuid("queue"));
            TransactionBuilder tx = client.transaction(DB).verify("QoS", qosId, Map.of("queues", queues))
                    .insert("Queue", queueRow(spec), "queue");
            int ins = tx.size() - 1;
            tx.update("QoS", List.of(Condition.eq("_uuid", qosId)), Map.of("queues", next));
            UUID old = queues.get(queueId);
            if (old != null) {
                destroyQueue(tx, old, qosId);
            }
            TransactResult r = commitGuarded(tx, null);
            if (r == null) {
                continue;
            }
            return r.uuid(ins);
        }
        throw verifyGaveUp("QoS of port '" + port + "' queues");
    }

    @Override
    public void deleteQueue(String port, long queueId, boolean ifExists) {
        InterfaceName.check("port", port);
        if (queueId < 0 || queueId > MAX_U32) {
            throw new InvalidArgumentException("queue", "queue number must be 0..4294967295, got " + queueId);
        }
        ready();
        for (int attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
            Optional<Row> po = lookup("Port", port);
            UUID qosId = po.map(x -> x.getUuid("qos")).orElse(null);
            Row qos = qosId == null ? null : replica.row("QoS", qosId).orElse(null);
            Map<Long, UUID> queues = qos == null ? Map.of() : qos.getMap("queues");
            UUID old = queues.get(queueId);
            if (old == null) {
                if (ifExists) {
                    return;
                }
                throw notFound(po.isEmpty() ? "no port named '" + port + "'" : qos == null ? "port '" + port + "' has no QoS"
                        : "the QoS of port '" + port + "' has no queue " + queueId);
            }
            Map<Long, UUID> next = new LinkedHashMap<>(queues);
            next.remove(queueId);
            TransactionBuilder tx = client.transaction(DB).verify("QoS", qosId, Map.of("queues", queues))
                    .update("QoS", List.of(Condition.eq("_uuid", qosId)), Map.of("queues", next));
            destroyQueue(tx, old, qosId);
            if (commitGuarded(tx, null) == null) {
                continue;
            }
            return;
        }
        throw verifyGaveUp("QoS of port '" + port + "' queues");
    }

    @Override
    public void setIngressPolicing(String iface, long rateKbps, long burstKbit) {
        InterfaceName.check("interface", iface);
        if (rateKbps < 0 || rateKbps > MAX_U32) {
            throw new InvalidArgumentException("ingress_policing_rate", "must be 0..4294967295 kbit/s, got " + rateKbps);
        }
        if (burstKbit < 0 || burstKbit > MAX_U32) {
            throw new InvalidArgumentException("ingress_policing_burst", "must be 0..4294967295 kbit, got " + burstKbit);
        }
        ready();
        Row i = lookup("Interface", iface).orElseThrow(() -> notFound("no interface named '" + iface + "'"));
        TransactionBuilder tx = client.transaction(DB).update("Interface", List.of(Condition.eq("_uuid", i.uuid())),
                Map.of("ingress_policing_rate", rateKbps, "ingress_policing_burst", burstKbit));
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1) {
            throw notFound("interface '" + iface + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public String transact(String paramsJson) {
        if (paramsJson == null) {
            throw new InvalidArgumentException("params", "must not be null");
        }
        JsonNode p;
        try {
            p = mapper.readTree(paramsJson);
        } catch (IOException e) {
            throw new InvalidArgumentException("params", "not valid JSON: " + e.getMessage());
        }
        if (p == null || !p.isArray() || p.size() < 1 || !p.get(0).isTextual()) {
            throw new InvalidArgumentException("params", "must be a JSON array [\"<database>\", <operation>, ...]");
        }
        for (int i = 1; i < p.size(); i++) {
            if (!p.get(i).isObject() || !p.get(i).path("op").isTextual()) {
                throw new InvalidArgumentException("params", "element " + i + " must be an operation object with \"op\"");
            }
        }
        ready();
        List<String> dbs = TransactionBuilder.join(client.listDbs());
        if (!dbs.contains(p.get(0).asText())) {
            throw new OvsdbException(ErrorKind.NotFound, "unknown database",
                    "no database '" + p.get(0).asText() + "' (have " + dbs + ")");
        }
        JsonNode result = TransactionBuilder.join(client.transact((ArrayNode) p));
        return result.toString();
    }
}
