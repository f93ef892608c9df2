package dev.ovs.ovsdb.dbus.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.component.VSwitchComponent;
import dev.ovs.ovsdb.dbus.OvsdbBus;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.DBusSignal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.condition.Condition;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The D-Bus object {@code org.openvswitch.ovsdb} ({@link OvsdbBus}): a whiteboard service
 * ({@value DbusExport#OBJECT_PATH}{@code =/org/openvswitch/ovsdb}, {@value DbusExport#BUS_NAME}{@code =org.openvswitch.ovsdb})
 * that {@code dev.ovs.dbus} puts on the bus like any third-party object, and the source of its signals.
 *
 * <p>Members check their arguments first ({@link InterfaceName}, RFC 7047 params shape for {@code Transact};
 * {@link InvalidArgumentException} before any side effect), then use the {@link VSwitch} service: the mutating
 * members with the strict ovs-vsctl semantics (no {@code --may-exist}/{@code --if-exists}), the read-only
 * members from its {@link Replica} as it stands (see {@link #replica()}). Failures are {@link OvsdbException}s;
 * the exporter maps them to {@code org.openvswitch.ovsdb.Error.<Kind>} ({@code dev.ovs.dbus.DbusErrors#map}).
 * The {@code VSwitch} reference is dynamic and optional: while there is none (the OVSDB component is being
 * reconfigured) every member answers {@code Unavailable}.
 *
 * <p>The component (and so the bus name) waits for the condition {@code dev.ovs.ovsdb.synced}, which bundle
 * {@code dev.ovs.ovsdb} registers once the VSwitch replica has completed its first sync: a call queued by D-Bus
 * activation while the appliance starts is answered from a synced replica, never with {@code Unavailable}.
 *
 * <p>{@code Transact} is checked before anything is sent: the parts of the schema that make the switch
 * remote-controlled ({@link Config#transact_root_only()}: by default the tables {@code Manager}, {@code Controller},
 * {@code SSL} and the columns {@code Open_vSwitch.manager_options}, {@code Open_vSwitch.ssl},
 * {@code Bridge.controller}) may be written (insert, update, mutate, delete; RFC 7047 §5.2) by root (uid 0) only: any
 * other caller gets {@code org.freedesktop.DBus.Error.AccessDenied} naming the operations and its uid, even a member
 * of the group the exporter lets call mutating members. The caller is the one of the D-Bus call being served
 * ({@link DbusConnectionService#currentCall()}); a call made in-process (no D-Bus call) is not restricted.
 *
 * <p>Configuration PID {@code dev.ovs.ovsdb.dbus} ({@code etc/dev.ovs.ovsdb.dbus.cfg}), see {@link Config}.
 *
 * <p>Signals come from the replica's own change notifications ({@link ReplicaListener}, in-process, no event
 * bus): {@link OvsdbSignals#of}. Whoever made the change (Patchbay, ovs-vsctl, ...), it is signalled, after
 * the replica has applied it. Signals while there is no D-Bus connection are dropped (at-most-once).
 */
// immediate: a refused configuration fails at once (scr:info) instead of at the exporter's next getService
@Component(service = OvsdbBus.class, configurationPid = OvsdbDbusComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, property = {
        DbusExport.OBJECT_PATH + "=" + OvsdbBus.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + OvsdbBus.BUS_NAME,
        "service.description=D-Bus object org.openvswitch.ovsdb"})
@Designate(ocd = OvsdbDbusComponent.Config.class)
public final class OvsdbDbusComponent implements OvsdbBus, ReplicaListener {
    /** Configuration PID: {@value}. */
    public static final String PID = "dev.ovs.ovsdb.dbus";
    /** Default of {@code transact.root.only}: {@value}. */
    public static final String ROOT_ONLY_DEFAULT =
            "Manager,Controller,SSL,Open_vSwitch.manager_options,Open_vSwitch.ssl,Bridge.controller";

    /** Configuration of PID {@value #PID}. */
    @ObjectClassDefinition(id = PID, name = "Patchbay D-Bus face of OVSDB",
            description = "org.openvswitch.ovsdb on D-Bus: what Transact lets only root write")
    public @interface Config {
        /**
         * @return comma-separated tables ({@code Manager}) and columns ({@code Bridge.controller}) of the
         *         Open_vSwitch schema (ovs-vswitchd.conf.db(5)) that only root may write with {@code Transact}
         *         ({@code transact.root.only}); empty: none
         */
        @AttributeDefinition(name = "Root-only tables and columns for Transact",
                description = "Comma-separated Table and Table.column names that only root (uid 0) may write with "
                        + "Transact (insert, update, mutate, delete); by default what makes the switch remote-controlled")
        String transact_root_only() default ROOT_ONLY_DEFAULT;
    }

    /** Largest accepted {@code Transact} argument, in UTF-16 chars: 1 MiB. */
    static final int MAX_TRANSACT_CHARS = 1 << 20;
    private static final System.Logger LOG = System.getLogger(OvsdbDbusComponent.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile VSwitch vswitch;
    private volatile Set<String> rootOnly = parseRootOnly(ROOT_ONLY_DEFAULT);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DbusConnectionService dbus;

    /** The condition {@code dev.ovs.ovsdb.synced}: this component is satisfied only once the replica synced. */
    @Reference(service = Condition.class, target = "(" + Condition.CONDITION_ID + "=" + VSwitchComponent.SYNCED + ")")
    private Condition synced;

    /** For DS. */
    public OvsdbDbusComponent() {
    }

    /**
     * Outside a framework (tests): bound to {@code vswitch} (may be null: every member is Unavailable) and
     * emitting its signals through {@code dbus} (may be null: none).
     */
    OvsdbDbusComponent(VSwitch vswitch, DbusConnectionService dbus) {
        this.dbus = dbus;
        if (vswitch != null) {
            bindVswitch(vswitch);
        }
    }

    @Activate
    void activate(java.util.Map<String, Object> props, Config config) {
        dev.ovs.base.ConfigValues.check(props, Config.class);
        rootOnly = parseRootOnly(config.transact_root_only());
    }

    /** An OVSDB table name, optionally {@code .column} (RFC 7047 §3.1 {@code <id>}). */
    private static final java.util.regex.Pattern ROOT_ONLY_NAME =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /**
     * @param spec comma-separated {@code Table} / {@code Table.column} names
     * @return the names, trimmed, without empty ones
     * @throws dev.ovs.base.InvalidArgumentException ({@code transact.root.only}) for an entry that is not
     *                                               {@code Table} or {@code Table.column} (RFC 7047 {@code <id>}s)
     */
    static Set<String> parseRootOnly(String spec) {
        Set<String> out = new HashSet<>();
        if (spec != null) {
            for (String s : spec.split(",")) {
                if (!s.isBlank()) {
                    if (!ROOT_ONLY_NAME.matcher(s.trim()).matches()) {
                        throw new dev.ovs.base.InvalidArgumentException("transact.root.only", "each entry must be "
                                + "Table or Table.column (RFC 7047 <id>s), got '" + s.trim() + "'");
                    }
                    out.add(s.trim());
                }
            }
        }
        return Set.copyOf(out);
    }

    /** @param v the VSwitch service: used from now on, its replica's changes signalled */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindVswitch")
    synchronized void bindVswitch(VSwitch v) {
        v.replica().addListener(this);
        vswitch = v;
    }

    /** @param v a VSwitch service going away (or replaced) */
    synchronized void unbindVswitch(VSwitch v) {
        v.replica().removeListener(this);
        if (vswitch == v) {
            vswitch = null;
        }
    }

    /** Unbinds the VSwitch (tests; DS unbinds by itself). */
    void close() {
        VSwitch v = vswitch;
        if (v != null) {
            unbindVswitch(v);
        }
    }

    private VSwitch vswitch() {
        VSwitch v = vswitch;
        if (v == null) {
            throw new OvsdbException(ErrorKind.Unavailable,
                    "the OVSDB service (bundle dev.ovs.ovsdb, VSwitch) is not available right now; retry", null);
        }
        return v;
    }

    @Override
    public void CreateBridge(String bridge) {
        InterfaceName.check("bridge", bridge);
        vswitch().addBridge(bridge, null, false);
    }

    @Override
    public void DeleteBridge(String bridge) {
        InterfaceName.check("bridge", bridge);
        vswitch().deleteBridge(bridge, false);
    }

    @Override
    public void AddPort(String bridge, String port) {
        InterfaceName.check("bridge", bridge);
        InterfaceName.check("port", port);
        vswitch().addPort(bridge, port, null, false);
    }

    @Override
    public void DeletePort(String bridge, String port) {
        InterfaceName.check("bridge", bridge);
        InterfaceName.check("port", port);
        vswitch().deletePort(bridge, port, false);
    }

    @Override
    public boolean BridgeExists(String bridge) {
        InterfaceName.check("bridge", bridge);
        return replica().byName("Bridge", bridge).isPresent();
    }

    @Override
    public List<String> ListBridges() {
        Collection<Row> rows = replica().rows("Bridge");
        List<String> l = new ArrayList<>(rows.size());
        for (Row r : rows) {
            l.add(r.getString("name"));
        }
        l.sort(null);
        return l;
    }

    @Override
    public List<String> ListBridgePorts(String bridge) {
        InterfaceName.check("bridge", bridge);
        Replica r = replica();
        Row br = r.byName("Bridge", bridge).orElseThrow(() -> new OvsdbException(ErrorKind.NotFound,
                "not found", "no bridge named '" + bridge + "'"));
        Set<UUID> ports = br.getSet("ports");
        List<String> l = new ArrayList<>(ports.size());
        for (UUID u : ports) {
            r.row("Port", u).map(p -> p.getString("name")).filter(n -> !n.equals(bridge)).ifPresent(l::add);
        }
        l.sort(null);
        return l;
    }

    @Override
    public String Transact(String json) {
        JsonNode params = checkTransact(json);
        DbusConnectionService d = dbus;
        Optional<DbusCall> call = d == null ? Optional.empty() : d.currentCall();
        if (call.isPresent() && !call.get().isRoot()) {
            List<String> writes = rootOnlyWrites(params, rootOnly);
            if (!writes.isEmpty()) {
                throw new DbusError(DbusErrors.ACCESS_DENIED, "Transact: " + String.join(", ", writes)
                        + ": root only (" + PID + " transact.root.only), not uid "
                        + (call.get().uid() < 0 ? "?" : call.get().uid()));
            }
        }
        return vswitch().transact(json);
    }

    /**
     * The operations of a transaction that write a root-only table or column (RFC 7047 §5.2: {@code insert} and
     * {@code update} by their {@code row}'s columns, {@code mutate} by its {@code mutations}' columns, and every
     * {@code insert}, {@code update}, {@code mutate}, {@code delete} of a root-only table).
     *
     * @param params   the params array, checked by {@link #checkTransact}
     * @param rootOnly {@code Table} and {@code Table.column} names
     * @return one text per offending operation, e.g. {@code op 1 (insert) writes table Manager}, in order
     */
    static List<String> rootOnlyWrites(JsonNode params, Set<String> rootOnly) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < params.size(); i++) {
            JsonNode op = params.get(i);
            String kind = op.path("op").asText();
            String table = op.path("table").asText("");
            if (!Set.of("insert", "update", "mutate", "delete").contains(kind)) {
                continue;
            }
            if (rootOnly.contains(table)) {
                out.add("op " + i + " (" + kind + ") writes table " + table);
                continue;
            }
            List<String> columns = new ArrayList<>();
            if (kind.equals("insert") || kind.equals("update")) {
                op.path("row").fieldNames().forEachRemaining(columns::add);
            } else if (kind.equals("mutate")) {
                for (JsonNode m : op.path("mutations")) {
                    if (m.isArray() && m.size() > 0 && m.get(0).isTextual()) {
                        columns.add(m.get(0).asText());
                    }
                }
            }
            for (String c : columns) {
                if (rootOnly.contains(table + "." + c)) {
                    out.add("op " + i + " (" + kind + ") writes " + table + "." + c);
                }
            }
        }
        return out;
    }

    /**
     * RFC 7047 §4.1.3: params is a JSON array whose first element is the database name (a string) and whose
     * other elements are operation objects with a string {@code "op"} member (§5.2); at most
     * {@value #MAX_TRANSACT_CHARS} characters.
     *
     * @return the parsed params array
     * @throws InvalidArgumentException {@code json} naming the broken rule
     */
    static JsonNode checkTransact(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidArgumentException("json", "must not be empty (RFC 7047 transact params array)");
        }
        if (json.length() > MAX_TRANSACT_CHARS) {
            throw new InvalidArgumentException("json", "must be at most " + MAX_TRANSACT_CHARS + " characters");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("json", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isArray() || n.size() == 0 || !n.get(0).isTextual()) {
            throw new InvalidArgumentException("json", "must be a JSON array whose first element is the database "
                    + "name (RFC 7047 4.1.3), e.g. [\"Open_vSwitch\", {\"op\": \"select\", ...}]");
        }
        for (int i = 1; i < n.size(); i++) {
            JsonNode op = n.get(i);
            if (!op.isObject() || !op.path("op").isTextual()) {
                throw new InvalidArgumentException("json", "element " + i + " must be an operation object with a "
                        + "string \"op\" member (RFC 7047 5.2)");
            }
        }
        return n;
    }

    /**
     * The replica, if it may answer: connected to ovsdb-server, subscribed, synchronized (waits for the initial
     * sync up to the client's request timeout, at least 1 s, as VSwitch does). No {@code echo} barrier (which
     * {@link VSwitch#bridgeExists} sends first): changes made through this VSwitch are in the replica when the
     * call that made them returns (RFC 7047 §4.1.5 ordering, ovsdb-server(7) 4.1.6), changes by other clients
     * once their monitor update arrived, which is before their signal (docs/dbus.md, "Consistency of the
     * read-only members").
     *
     * @throws OvsdbException Unavailable ("not connected", "not synced") otherwise
     */
    private Replica replica() {
        VSwitch vs = vswitch();
        OvsdbClient c = vs.client();
        if (!c.isConnected()) {
            throw new OvsdbException(ErrorKind.Unavailable, "not connected",
                    "no connection to ovsdb-server at " + c.options().remote());
        }
        Replica r = vs.replica();
        Throwable err = r.lastError();
        if (err != null) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced",
                    "replica of " + VSwitch.DB + " cannot subscribe: " + err.getMessage(), err);
        }
        if (!r.awaitSynced(Duration.ofMillis(Math.max(1000, c.options().requestTimeoutMillis())))) {
            throw new OvsdbException(ErrorKind.Unavailable, "not synced",
                    "replica of " + VSwitch.DB + " is not synchronized yet");
        }
        return r;
    }

    /** The replica applied an update: its bridges and ports that came and went are signalled, in order. */
    @Override
    public void onChanges(List<RowEvent> events) {
        DbusConnectionService d = dbus;
        VSwitch v = vswitch;
        if (d == null || v == null) {
            return;
        }
        List<DBusSignal> signals;
        try {
            signals = OvsdbSignals.of(events, v.replica());
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.ovsdb: no D-Bus signals for " + events.size() + " changes: " + e);
            return;
        }
        for (DBusSignal s : signals) {
            d.emit(s);
        }
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }
}
