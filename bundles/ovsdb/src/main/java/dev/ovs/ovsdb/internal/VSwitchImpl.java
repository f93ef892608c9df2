package dev.ovs.ovsdb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.BridgeInfo;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.Names;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
            throw new OvsdbException(OvsdbException.Kind.Unavailable, "not connected",
                    "no connection to ovsdb-server at " + client.options().remote());
        }
        Throwable err = replica.lastError();
        if (err != null) {
            throw new OvsdbException(OvsdbException.Kind.Unavailable, "not synced",
                    "replica of " + DB + " cannot subscribe: " + err.getMessage(), err);
        }
        if (!replica.awaitSynced(Duration.ofMillis(Math.max(1000, client.options().requestTimeoutMillis())))) {
            throw new OvsdbException(OvsdbException.Kind.Unavailable, "not synced",
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
        return new OvsdbException(OvsdbException.Kind.NotFound, "not found", what);
    }

    private static OvsdbException exists(String what) {
        return new OvsdbException(OvsdbException.Kind.AlreadyExists, "already exists", what);
    }

    private int addCfgIncrement(TransactionBuilder tx) {
        if (!waitForVswitchd) {
            return -1;
        }
        tx.mutate(DB, List.of(), List.of(Mutation.add("next_cfg", 1L)));
        tx.select(DB, List.of(), "next_cfg");
        return tx.size() - 1;
    }

    private void awaitVswitchd(TransactResult r, int selectIndex) {
        if (selectIndex < 0) {
            return;
        }
        List<Row> rows = r.results().get(selectIndex).rows();
        if (rows.isEmpty()) {
            return;
        }
        long next = rows.get(0).getLong("next_cfg");
        Row ovs = replica.rows(DB).stream().findFirst().orElse(null);
        if (!vswitchdSeen(ovs)) {
            return; // ovs-vswitchd never ran against this database: do not wait (ovsdb-server only)
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(vswitchdTimeoutMillis);
        while (true) {
            Row o = replica.rows(DB).stream().findFirst().orElse(null);
            if (o != null && o.getLong("cur_cfg") != null && o.getLong("cur_cfg") >= next) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new OvsdbException(OvsdbException.Kind.Timeout, "timed out",
                        "the change was committed but ovs-vswitchd did not apply it (next_cfg " + next + ") within "
                                + vswitchdTimeoutMillis + " ms");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OvsdbException(OvsdbException.Kind.Failed, "interrupted", "interrupted waiting for ovs-vswitchd");
            }
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
                throw new IllegalArgumentException(field + ": keys and values must not be null");
            }
        });
    }

    @Override
    public void addBridge(String name, BridgeOptions options, boolean mayExist) {
        Names.require("bridge", name);
        BridgeOptions o = options == null ? BridgeOptions.NONE : options;
        validateMap("external_ids", o.externalIds());
        validateMap("other_config", o.otherConfig());
        TransactionBuilder tx = client.transaction(DB);
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
        // validation of every value happens here, before anything is sent
        tx.wait("Bridge", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .wait("Port", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .insert("Interface", Map.of("name", name, "type", "internal"), "iface")
                .insert("Port", Map.of("name", name, "interfaces", new NamedUuid("iface")), "port")
                .insert("Bridge", bridge, "bridge")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("bridge"))));
        int sel = addCfgIncrement(tx);
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
        Names.require("bridge", name);
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
        Names.require("bridge", name);
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
        Names.require("bridge", name);
        fresh();
        return replica.byName("Bridge", name).map(r -> new BridgeInfo(r.uuid(), name, r.getString("datapath_type"),
                r.getString("fail_mode"), r.getMap("external_ids"), r.getMap("other_config"), names("Port", r.getSet("ports"))));
    }

    private Optional<Row> bridgeOf(UUID portUuid) {
        return replica.rows("Bridge").stream().filter(b -> b.getSet("ports").contains(portUuid)).findFirst();
    }

    @Override
    public void addPort(String bridge, String port, PortOptions options, boolean mayExist) {
        Names.require("bridge", bridge);
        Names.require("port", port);
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
            iface.put("mtu_request", o.mtuRequest().longValue());
        }
        Map<String, Object> prt = new HashMap<>();
        prt.put("name", port);
        prt.put("interfaces", new NamedUuid("iface"));
        if (o.tag() != null) {
            prt.put("tag", o.tag().longValue());
        }
        prt.put("trunks", o.trunks().stream().map(Integer::longValue).toList());
        if (o.vlanMode() != null) {
            prt.put("vlan_mode", o.vlanMode());
        }
        prt.put("external_ids", o.portExternalIds());
        TransactionBuilder tx = client.transaction(DB)
                .wait("Port", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L)
                .wait("Interface", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L)
                .insert("Interface", iface, "iface")
                .insert("Port", prt, "port");
        ready();
        Row br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        tx.mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.insert("ports", new NamedUuid("port"))));
        int mutateIndex = tx.size() - 1;
        int sel = addCfgIncrement(tx);
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
        TransactResult r = TransactionBuilder.join(tx.executeAsync());
        int err = r.errorIndex();
        if (err == 0 || err == 1) {
            if (err == 0 && mayExist) {
                replica.sync();
                Optional<Row> p = replica.byName("Port", port);
                if (p.isPresent() && bridgeOf(p.get().uuid()).map(b -> b.uuid().equals(br.uuid())).orElse(false)) {
                    return;
                }
            }
            throw exists((err == 0 ? "port '" : "an interface named '") + port + "' already exists");
        }
        r.throwIfError();
        if (r.results().get(mutateIndex).count() != 1) {
            throw notFound("bridge '" + bridge + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public void deletePort(String bridge, String port, boolean ifExists) {
        if (bridge != null) {
            Names.require("bridge", bridge);
        }
        Names.require("port", port);
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
            throw new IllegalArgumentException("port: '" + port + "' is the local port of bridge '" + port
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
        Names.require("bridge", bridge);
        fresh();
        Row br = lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = names("Port", br.getSet("ports"));
        l.remove(bridge);
        return l;
    }

    @Override
    public Optional<PortInfo> port(String name) {
        Names.require("port", name);
        fresh();
        return replica.byName("Port", name).map(r -> {
            Set<Long> trunks = r.getSet("trunks");
            return new PortInfo(r.uuid(), name, bridgeOf(r.uuid()).map(b -> b.getString("name")).orElse(null),
                    r.getLong("tag"), new TreeSet<>(trunks), r.getString("vlan_mode"),
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
        Names.require("interface", name);
        fresh();
        return replica.byName("Interface", name).map(this::info);
    }

    @Override
    public List<InterfaceInfo> findInterfaces(Map<String, String> externalIds) {
        if (externalIds == null) {
            throw new IllegalArgumentException("externalIds: must not be null");
        }
        validateMap("externalIds", externalIds);
        fresh();
        return replica.find("Interface", r -> r.getMap("external_ids").entrySet().containsAll(externalIds.entrySet()))
                .stream().map(this::info).sorted(Comparator.comparing(InterfaceInfo::name)).toList();
    }

    private void checkNamedTable(String table, String name, String column) {
        if (!NAMED_TABLES.contains(table)) {
            throw new IllegalArgumentException("table: must be one of " + NAMED_TABLES + ", got '" + table + "'");
        }
        Names.require(table.toLowerCase(java.util.Locale.ROOT), name);
        if (column == null || "name".equals(column) || column.startsWith("_")) {
            throw new IllegalArgumentException("column: '" + column + "' cannot be set (name and implicit columns are fixed)");
        }
    }

    @Override
    public void setColumn(String table, String name, String column, Object value) {
        checkNamedTable(table, name, column);
        Map<String, Object> row = new HashMap<>();
        row.put(column, value);
        TransactionBuilder tx = client.transaction(DB);
        tx.update(table, List.of(Condition.eq("name", name)), row); // validates before sending
        ready();
        Row target = lookup(table, name).orElseThrow(() -> notFound("no " + table + " named '" + name + "'"));
        tx = client.transaction(DB).update(table, List.of(Condition.eq("_uuid", target.uuid())), row);
        int sel = addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1) {
            throw notFound(table + " '" + name + "' was deleted concurrently");
        }
        awaitVswitchd(r, sel);
    }

    @Override
    public void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove) {
        checkNamedTable(table, name, column);
        Map<String, String> p = put == null ? Map.of() : put;
        Set<String> rm = remove == null ? Set.of() : remove;
        validateMap(column, p);
        if (!client.schema(DB).table(table).columnType(column).isMap()) {
            throw new IllegalArgumentException("column: " + table + "." + column + " is not a map column");
        }
        if (p.isEmpty() && rm.isEmpty()) {
            throw new IllegalArgumentException("put/remove: nothing to change");
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
        Names.require("bridge", bridge);
        if (targets == null) {
            throw new IllegalArgumentException("targets: must not be null (use an empty list to remove all)");
        }
        List<NamedUuid> refs = new ArrayList<>();
        TransactionBuilder tx = client.transaction(DB);
        int n = 0;
        for (String t : new TreeSet<>(targets)) {
            if (t == null || t.isBlank() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("targets: controller target must be non-empty without whitespace, got '" + t + "'");
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
        Names.require("bridge", bridge);
        fresh();
        Row br = replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = new ArrayList<>();
        for (Object u : br.getSet("controller")) {
            replica.row("Controller", (UUID) u).ifPresent(c -> l.add(c.getString("target")));
        }
        l.sort(Comparator.naturalOrder());
        return l;
    }

    @Override
    public String transact(String paramsJson) {
        if (paramsJson == null) {
            throw new IllegalArgumentException("params: must not be null");
        }
        JsonNode p;
        try {
            p = mapper.readTree(paramsJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("params: not valid JSON: " + e.getMessage());
        }
        if (p == null || !p.isArray() || p.size() < 1 || !p.get(0).isTextual()) {
            throw new IllegalArgumentException("params: must be a JSON array [\"<database>\", <operation>, ...]");
        }
        for (int i = 1; i < p.size(); i++) {
            if (!p.get(i).isObject() || !p.get(i).path("op").isTextual()) {
                throw new IllegalArgumentException("params: element " + i + " must be an operation object with \"op\"");
            }
        }
        ready();
        List<String> dbs = TransactionBuilder.join(client.listDbs());
        if (!dbs.contains(p.get(0).asText())) {
            throw new OvsdbException(OvsdbException.Kind.NotFound, "unknown database",
                    "no database '" + p.get(0).asText() + "' (have " + dbs + ")");
        }
        JsonNode result = TransactionBuilder.join(client.transact((ArrayNode) p));
        return result.toString();
    }
}
