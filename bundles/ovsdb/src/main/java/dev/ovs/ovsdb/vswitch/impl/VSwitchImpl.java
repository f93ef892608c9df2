package dev.ovs.ovsdb.vswitch.impl;

import static dev.ovs.ovsdb.vswitch.impl.OvsContext.DB;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.exists;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.notFound;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.validateMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OperationResult;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.BridgeInfo;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.MirrorInfo;
import dev.ovs.ovsdb.vswitch.MirrorSpec;
import dev.ovs.ovsdb.vswitch.NamedTable;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.QosInfo;
import dev.ovs.ovsdb.vswitch.QosSpec;
import dev.ovs.ovsdb.vswitch.QueueSpec;
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

/**
 * {@link VSwitch} over an {@link OvsdbClient} and a {@link Replica} of the Open_vSwitch database. Bridges,
 * ports, interfaces, controllers and raw transactions are here; column changes are in {@link Columns},
 * mirrors in {@link Mirrors}, QoS, queues and policing in {@link QosQueues}, and what they share (readiness,
 * lookups, the wait for ovs-vswitchd, the verify-retry loop) in {@link OvsContext}. Outside a framework make it
 * with {@link VSwitches}; inside one it is the {@code VSwitch} service (a subclass in package
 * {@code component}).
 */
public class VSwitchImpl implements VSwitch {
    /**
     * @return the tables replicated for a VSwitch, with the noisy statistics columns left out (a new map)
     */
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

    private final OvsContext ctx;
    private final Columns columns;
    private final Mirrors mirrors;
    private final QosQueues qos;
    private final String defaultDatapathType;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param client                client
     * @param replica               replica with (at least) the {@link #replicaSpec()} tables
     * @param waitForVswitchd       wait for cur_cfg to reach next_cfg after each change
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd, in ms
     * @param defaultDatapathType   Bridge datapath_type for bridges created without one ("netdev" for the
     *                              userspace datapath); null or blank: leave the column to ovs-vswitchd's default
     */
    public VSwitchImpl(OvsdbClient client, Replica replica, boolean waitForVswitchd, long vswitchdTimeoutMillis,
            String defaultDatapathType) {
        this.ctx = new OvsContext(client, replica, waitForVswitchd, vswitchdTimeoutMillis);
        this.columns = new Columns(ctx);
        this.mirrors = new Mirrors(ctx);
        this.qos = new QosQueues(ctx);
        this.defaultDatapathType = defaultDatapathType == null || defaultDatapathType.isBlank() ? null
                : defaultDatapathType.trim();
    }

    /**
     * Same as {@link #VSwitchImpl(OvsdbClient, Replica, boolean, long, String)} without a default datapath type.
     *
     * @param client                client
     * @param replica               replica with (at least) the {@link #replicaSpec()} tables
     * @param waitForVswitchd       wait for cur_cfg to reach next_cfg after each change
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd, in ms
     */
    public VSwitchImpl(OvsdbClient client, Replica replica, boolean waitForVswitchd, long vswitchdTimeoutMillis) {
        this(client, replica, waitForVswitchd, vswitchdTimeoutMillis, null);
    }

    @Override
    public OvsdbClient client() {
        return ctx.client;
    }

    @Override
    public Replica replica() {
        return ctx.replica;
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
        ctx.ready();
        if (ctx.replica.byName("Bridge", name).isPresent()) {
            if (mayExist) {
                return;
            }
            throw exists("bridge '" + name + "' already exists");
        }
        if (ctx.replica.byName("Port", name).isPresent()) {
            throw exists("a port named '" + name + "' already exists");
        }
        // the builder validates every value against the schema, before anything is sent
        TransactionBuilder tx = ctx.client.transaction(DB);
        tx.wait("Bridge", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .wait("Port", List.of(Condition.eq("name", name)), List.of("name"), true, List.of(), 0L)
                .insert("Interface", Map.of("name", name, "type", "internal"), "iface")
                .insert("Port", Map.of("name", name, "interfaces", new NamedUuid("iface")), "port")
                .insert("Bridge", bridge, "bridge")
                .mutate(DB, List.of(), List.of(Mutation.insert("bridges", new NamedUuid("bridge"))));
        int sel = ctx.addCfgIncrement(tx);
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
        ctx.awaitVswitchd(r, sel);
    }

    @Override
    public void deleteBridge(String name, boolean ifExists) {
        InterfaceName.check("bridge", name);
        ctx.ready();
        Optional<Row> br = ctx.lookup("Bridge", name);
        if (br.isEmpty()) {
            if (ifExists) {
                return;
            }
            throw notFound("no bridge named '" + name + "'");
        }
        TransactionBuilder tx = ctx.client.transaction(DB)
                .mutate(DB, List.of(), List.of(Mutation.delete("bridges", Set.of(br.get().uuid()))));
        int sel = ctx.addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() == 0 && !ifExists) {
            throw notFound("no Open_vSwitch row to remove bridge '" + name + "' from");
        }
        ctx.awaitVswitchd(r, sel);
    }

    @Override
    public boolean bridgeExists(String name) {
        InterfaceName.check("bridge", name);
        ctx.fresh();
        return ctx.replica.byName("Bridge", name).isPresent();
    }

    @Override
    public List<String> listBridges() {
        ctx.fresh();
        return ctx.replica.rows("Bridge").stream().map(r -> r.getString("name")).sorted().toList();
    }

    @Override
    public Optional<BridgeInfo> bridge(String name) {
        InterfaceName.check("bridge", name);
        ctx.fresh();
        return ctx.replica.byName("Bridge", name).map(r -> new BridgeInfo(r.uuid(), name, r.getString("datapath_type"),
                r.getString("fail_mode"), r.getMap("external_ids"), r.getMap("other_config"), ctx.names("Port", r.getSet("ports"))));
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
            iface.put("mtu_request", (long) Columns.checkMtu(o.mtuRequest()));
        }
        Map<String, Object> prt = new HashMap<>();
        prt.put("name", port);
        prt.put("interfaces", new NamedUuid("iface"));
        if (o.tag() != null) {
            prt.put("tag", (long) o.tag().value());
        }
        prt.put("trunks", Columns.trunkSet("trunks", o.trunks()));
        if (o.vlanMode() != null) {
            prt.put("vlan_mode", o.vlanMode().column());
        }
        prt.put("external_ids", o.portExternalIds());
        // Name guards. Where the schema declares a unique index on Port.name and Interface.name (every
        // vswitch.ovsschema since OVS 2.x), ovsdb-server itself refuses a duplicate at commit through its hash
        // index (RFC 7047 4.1.3 "constraint violation"), atomically, as a wait "name == X" would; the wait
        // costs a linear scan of the table per transaction on the server (ovsdb/query.c), ~40 us at 1,000
        // ports, so it is only sent when the index is missing.
        ctx.ready();
        Row br = ctx.lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        Optional<Row> existing = ctx.replica.byName("Port", port);
        if (existing.isPresent()) {
            Optional<Row> owner = ctx.bridgeOf(existing.get().uuid());
            if (mayExist && owner.isPresent() && owner.get().uuid().equals(br.uuid())) {
                return;
            }
            throw exists("port '" + port + "' already exists"
                    + owner.map(b -> " on bridge '" + b.getString("name") + "'").orElse(""));
        }
        if (ctx.replica.byName("Interface", port).isPresent()) {
            throw exists("an interface named '" + port + "' already exists");
        }
        DatabaseSchema schema = ctx.client.schema(DB);
        boolean indexed = schema.table("Port").hasIndexOn("name") && schema.table("Interface").hasIndexOn("name");
        TransactionBuilder tx = ctx.client.transaction(DB);
        if (!indexed) {
            tx.wait("Port", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L)
                    .wait("Interface", List.of(Condition.eq("name", port)), List.of("name"), true, List.of(), 0L);
        }
        int portGuard = indexed ? -1 : 0;
        int ifaceGuard = indexed ? -1 : 1;
        tx.insert("Interface", iface, "iface").insert("Port", prt, "port")
                .mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.insert("ports", new NamedUuid("port"))));
        int mutateIndex = tx.size() - 1;
        int sel = ctx.addCfgIncrement(tx);
        TransactResult r = TransactionBuilder.join(tx.executeAsync());
        int err = r.errorIndex();
        String dupTable = err < 0 ? null : err == portGuard ? "Port" : err == ifaceGuard ? "Interface"
                : indexViolation(r.results().get(err));
        if (dupTable != null) {
            if ("Port".equals(dupTable) && mayExist) {
                ctx.replica.sync();
                Optional<Row> p = ctx.replica.byName("Port", port);
                if (p.isPresent() && ctx.bridgeOf(p.get().uuid()).map(b -> b.uuid().equals(br.uuid())).orElse(false)) {
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
        ctx.awaitVswitchd(r, sel);
    }

    /**
     * @return "Port", "Interface" (or another table) if this is ovsdb-server's commit error for a duplicate
     *         value in a unique index on name ("Transaction causes multiple rows in \"Port\" table to have
     *         identical values (...) for index on column \"name\""), else null
     */
    static String indexViolation(OperationResult res) {
        String d = res.details();
        return d != null && d.contains("for index on column \"name\"") ? OvsContext.indexViolation(res) : null;
    }

    @Override
    public void deletePort(String bridge, String port, boolean ifExists) {
        if (bridge != null) {
            InterfaceName.check("bridge", bridge);
        }
        InterfaceName.check("port", port);
        ctx.ready();
        Row br = null;
        if (bridge != null) {
            br = ctx.lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        }
        Optional<Row> p = ctx.lookup("Port", port);
        Optional<Row> owner = p.flatMap(x -> ctx.bridgeOf(x.uuid()));
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
        TransactionBuilder tx = ctx.client.transaction(DB).mutate("Bridge", List.of(Condition.eq("_uuid", owner.get().uuid())),
                List.of(Mutation.delete("ports", Set.of(p.get().uuid()))));
        int sel = ctx.addCfgIncrement(tx);
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1 && !ifExists) {
            throw notFound("bridge of port '" + port + "' was deleted concurrently");
        }
        ctx.awaitVswitchd(r, sel);
    }

    @Override
    public List<String> listPorts(String bridge) {
        InterfaceName.check("bridge", bridge);
        ctx.fresh();
        Row br = ctx.lookup("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = ctx.names("Port", br.getSet("ports"));
        l.remove(bridge);
        return l;
    }

    @Override
    public Optional<PortInfo> port(String name) {
        InterfaceName.check("port", name);
        ctx.fresh();
        return ctx.replica.byName("Port", name).map(r -> {
            Set<Long> trunks = r.getSet("trunks");
            Long tag = r.getLong("tag");
            String mode = r.getString("vlan_mode");
            Set<VlanTag> typedTrunks = new TreeSet<>();
            trunks.forEach(t -> typedTrunks.add(VlanTag.of("trunks", t)));
            return new PortInfo(r.uuid(), name, ctx.bridgeOf(r.uuid()).map(b -> b.getString("name")).orElse(null),
                    tag == null ? null : VlanTag.of(tag), Collections.unmodifiableSet(typedTrunks),
                    mode == null ? null : VlanMode.of("vlan_mode", mode),
                    ctx.names("Interface", r.getSet("interfaces")), r.getMap("external_ids"), r.getMap("other_config"));
        });
    }

    private InterfaceInfo info(Row r) {
        String port = ctx.replica.rows("Port").stream().filter(p -> p.getSet("interfaces").contains(r.uuid()))
                .map(p -> p.getString("name")).findFirst().orElse(null);
        return new InterfaceInfo(r.uuid(), r.getString("name"), port, r.getString("type"), r.getMap("options"),
                r.getLong("mtu_request"), r.getLong("mtu"), r.getLong("ofport"), r.getMap("external_ids"), r.getString("error"));
    }

    @Override
    public Optional<InterfaceInfo> iface(String name) {
        InterfaceName.check("interface", name);
        ctx.fresh();
        return ctx.replica.byName("Interface", name).map(this::info);
    }

    @Override
    public List<InterfaceInfo> findInterfaces(Map<String, String> externalIds) {
        if (externalIds == null) {
            throw new InvalidArgumentException("externalIds", "must not be null");
        }
        validateMap("externalIds", externalIds);
        ctx.fresh();
        return ctx.replica.find("Interface", r -> r.getMap("external_ids").entrySet().containsAll(externalIds.entrySet()))
                .stream().map(this::info).sorted(Comparator.comparing(InterfaceInfo::name)).toList();
    }

    @Override
    public void setControllers(String bridge, List<String> targets) {
        InterfaceName.check("bridge", bridge);
        if (targets == null) {
            throw new InvalidArgumentException("targets", "must not be null (use an empty list to remove all)");
        }
        Set<String> sorted = new TreeSet<>();
        for (String t : targets) {
            if (t == null || t.isBlank() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidArgumentException("targets", "controller target must be non-empty without whitespace, got '" + t + "'");
            }
            sorted.add(t);
        }
        ctx.fresh();
        Row br = ctx.replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<NamedUuid> refs = new ArrayList<>();
        TransactionBuilder tx = ctx.client.transaction(DB);
        for (String t : sorted) {
            NamedUuid id = new NamedUuid("ctl" + refs.size());
            tx.insert("Controller", Map.of("target", t), id.name());
            refs.add(id);
        }
        // replacing the reference set garbage-collects the old (non-root) Controller rows
        tx.update("Bridge", List.of(Condition.eq("_uuid", br.uuid())), Map.of("controller", refs));
        ctx.commitOne(tx, tx.size() - 1, () -> notFound("bridge '" + bridge + "' was deleted concurrently"));
    }

    @Override
    public List<String> controllers(String bridge) {
        InterfaceName.check("bridge", bridge);
        ctx.fresh();
        Row br = ctx.replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<String> l = new ArrayList<>();
        for (Object u : br.getSet("controller")) {
            ctx.replica.row("Controller", (UUID) u).ifPresent(c -> l.add(c.getString("target")));
        }
        l.sort(Comparator.naturalOrder());
        return l;
    }

    // ---- columns

    @Override
    public void setColumn(String table, String name, String column, Object value) {
        columns.setColumn(table, name, column, value);
    }

    @Override
    public void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove) {
        columns.updateMapColumn(table, name, column, put, remove);
    }

    @Override
    public void setPortTag(String port, VlanTag tag) {
        columns.setPortTag(port, tag);
    }

    @Override
    public void setPortTrunks(String port, Set<VlanTag> trunks) {
        columns.setPortTrunks(port, trunks);
    }

    @Override
    public void setPortVlanMode(String port, VlanMode mode) {
        columns.setPortVlanMode(port, mode);
    }

    @Override
    public void setPortVlan(String port, VlanMode mode, VlanTag tag, Set<VlanTag> trunks) {
        columns.setPortVlan(port, mode, tag, trunks);
    }

    @Override
    public void setInterfaceMtuRequest(String iface, Integer mtu) {
        columns.setInterfaceMtuRequest(iface, mtu);
    }

    @Override
    public void setExternalIds(NamedTable table, String name, Map<String, String> externalIds) {
        columns.setExternalIds(table, name, externalIds);
    }

    @Override
    public void updateExternalIds(NamedTable table, String name, Map<String, String> put, Set<String> remove) {
        columns.updateExternalIds(table, name, put, remove);
    }

    // ---- mirrors, QoS, queues, policing

    @Override
    public UUID addMirror(String bridge, MirrorSpec spec, boolean mayExist) {
        return mirrors.addMirror(bridge, spec, mayExist);
    }

    @Override
    public void deleteMirror(String bridge, String name, boolean ifExists) {
        mirrors.deleteMirror(bridge, name, ifExists);
    }

    @Override
    public List<MirrorInfo> listMirrors(String bridge) {
        return mirrors.listMirrors(bridge);
    }

    @Override
    public UUID setQos(String port, QosSpec spec) {
        return qos.setQos(port, spec);
    }

    @Override
    public boolean clearQos(String port, boolean ifExists) {
        return qos.clearQos(port, ifExists);
    }

    @Override
    public Optional<QosInfo> qos(String port) {
        return qos.qos(port);
    }

    @Override
    public UUID setQueue(String port, long queueId, QueueSpec spec) {
        return qos.setQueue(port, queueId, spec);
    }

    @Override
    public void deleteQueue(String port, long queueId, boolean ifExists) {
        qos.deleteQueue(port, queueId, ifExists);
    }

    @Override
    public void setIngressPolicing(String iface, long rateKbps, long burstKbit) {
        qos.setIngressPolicing(iface, rateKbps, burstKbit);
    }

    @Override
    public TransactResult commit(TransactionBuilder tx) {
        return ctx.commit(tx, ctx.vswitchdTimeoutMillis);
    }

    @Override
    public TransactResult commit(TransactionBuilder tx, Duration vswitchdTimeout) {
        if (vswitchdTimeout == null || vswitchdTimeout.isNegative() || vswitchdTimeout.isZero()) {
            throw new InvalidArgumentException("vswitchdTimeout", "must be positive, got " + vswitchdTimeout);
        }
        long ms;
        try {
            ms = Math.max(1, vswitchdTimeout.toMillis());
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        return ctx.commit(tx, ms);
    }

    @Override
    public Optional<Duration> vswitchdTimeout() {
        return ctx.vswitchdTimeout();
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
        ctx.ready();
        List<String> dbs = TransactionBuilder.join(ctx.client.listDbs());
        if (!dbs.contains(p.get(0).asText())) {
            throw new OvsdbException(ErrorKind.NotFound, "unknown database",
                    "no database '" + p.get(0).asText() + "' (have " + dbs + ")");
        }
        JsonNode result = TransactionBuilder.join(ctx.client.transact((ArrayNode) p));
        return result.toString();
    }
}
