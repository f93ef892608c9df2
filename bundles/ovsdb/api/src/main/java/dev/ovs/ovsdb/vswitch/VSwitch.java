package dev.ovs.ovsdb.vswitch;

import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The Open_vSwitch database as an OSGi service, with the semantics of ovs-vsctl(8): each mutating call is
 * one atomic {@code transact} with {@code wait} guards (like ovs-vsctl's verify) so concurrent changes are
 * detected, names come from the replica (never one query per row), and, when configured, the call returns
 * only after ovs-vswitchd applied the change ({@code next_cfg}/{@code cur_cfg}, like ovs-vsctl without
 * {@code --no-wait}; skipped while ovs-vswitchd has never run against the database: {@code cur_cfg} 0 and no
 * {@code datapath_types}/{@code iface_types} published).
 * <p>
 * Every method first checks its arguments, then resolves names to rows (once, from the replica), then builds
 * and commits its transaction.
 * <p>
 * Errors: {@link dev.ovs.base.InvalidArgumentException} for invalid input (before anything is sent, naming the
 * argument and the rule; names follow {@link dev.ovs.base.InterfaceName}); {@link dev.ovs.ovsdb.OvsdbException}
 * with {@link dev.ovs.ovsdb.OvsdbException#kind()} NotFound, AlreadyExists, ConstraintViolation,
 * ReferentialIntegrity, Timeout, Unavailable or Failed.
 * <p>
 * Outside an OSGi framework (tests, tools, benchmarks) an instance comes from the implementation bundle's
 * jar on the class path; inside a framework use the {@code VSwitch} service of bundle {@code dev.ovs.ovsdb}.
 */
@ProviderType
public interface VSwitch {
    /** Database name. */
    String DB = "Open_vSwitch";

    /**
     * ovs-vsctl add-br: Bridge + its local Port and Interface (the bridge's own network device, as
     * ovs-vsctl creates them), linked from Open_vSwitch.
     *
     * @param name     bridge name ({@link dev.ovs.base.InterfaceName})
     * @param options  bridge columns, or null
     * @param mayExist true: an existing bridge of that name is not an error (--may-exist)
     * @throws dev.ovs.ovsdb.OvsdbException AlreadyExists if it exists and !mayExist
     */
    void addBridge(String name, BridgeOptions options, boolean mayExist);

    /**
     * ovs-vsctl del-br (its ports and interfaces go with it).
     *
     * @param name     bridge
     * @param ifExists true: a missing bridge is not an error (--if-exists)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if missing and !ifExists
     */
    void deleteBridge(String name, boolean ifExists);

    /** @param name bridge name @return true if it exists (from the replica) */
    boolean bridgeExists(String name);

    /** @return bridge names, sorted */
    List<String> listBridges();

    /** @param name bridge @return its details, if it exists */
    Optional<BridgeInfo> bridge(String name);

    /**
     * ovs-vsctl add-port: Port + Interface of the same name on the bridge.
     *
     * @param bridge   bridge name
     * @param port     port (and interface) name ({@link dev.ovs.base.InterfaceName})
     * @param options  Port/Interface columns, or null
     * @param mayExist true: a port of that name already on this bridge is not an error
     * @throws dev.ovs.ovsdb.OvsdbException NotFound (no such bridge), AlreadyExists (port or interface
     *                                      name taken; on another bridge even with mayExist)
     */
    void addPort(String bridge, String port, PortOptions options, boolean mayExist);

    /**
     * ovs-vsctl del-port.
     *
     * @param bridge   bridge the port must be on, or null for whichever bridge has it
     * @param port     port name
     * @param ifExists true: a missing port is not an error
     * @throws dev.ovs.ovsdb.OvsdbException NotFound
     */
    void deletePort(String bridge, String port, boolean ifExists);

    /**
     * ovs-vsctl list-ports: names of the bridge's ports except its local port, sorted, from the replica.
     *
     * @param bridge bridge name
     * @return port names
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if the bridge does not exist
     */
    List<String> listPorts(String bridge);

    /** @param name port @return details, if it exists */
    Optional<PortInfo> port(String name);

    /** @param name interface @return details, if it exists */
    Optional<InterfaceInfo> iface(String name);

    /**
     * ovs-vsctl find Interface external_ids:k=v ...
     *
     * @param externalIds entries that must all be present
     * @return matching interfaces, sorted by name
     */
    List<InterfaceInfo> findInterfaces(Map<String, String> externalIds);

    /**
     * ovs-vsctl set TABLE NAME COLUMN=VALUE for Bridge, Port or Interface rows: replaces one column's value,
     * validated against the schema ({@link dev.ovs.ovsdb.Values} Java types: Long/Integer, String, Boolean,
     * Double, UUID, Set, Map; null or an empty set clears an optional column).
     *
     * @param table  "Bridge", "Port" or "Interface"
     * @param name   row name
     * @param column column (not "name")
     * @param value  new value
     * @throws dev.ovs.base.InvalidArgumentException for bad table/column/value
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if no such row
     */
    void setColumn(String table, String name, String column, Object value);

    /** {@link #setColumn} on a Port (tag, trunks, vlan_mode, qos, other_config, ...). */
    default void setPortColumn(String port, String column, Object value) {
        setColumn("Port", port, column, value);
    }

    /** {@link #setColumn} on an Interface (type, options, mtu_request, external_ids, ingress_policing_rate, ...). */
    default void setInterfaceColumn(String iface, String column, Object value) {
        setColumn("Interface", iface, column, value);
    }

    /** {@link #setColumn} on a Bridge. */
    default void setBridgeColumn(String bridge, String column, Object value) {
        setColumn("Bridge", bridge, column, value);
    }

    /**
     * ovs-vsctl set TABLE NAME COLUMN:KEY=VALUE (and remove TABLE NAME COLUMN KEY): changes some keys of a
     * map column with one mutate, leaving other keys alone.
     *
     * @param table  "Bridge", "Port" or "Interface"
     * @param name   row name
     * @param column map column (e.g. external_ids, other_config, options)
     * @param put    entries to set (may be empty)
     * @param remove keys to remove (may be empty)
     */
    void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove);

    // ---- typed Port / Interface / external_ids columns (ovs-vswitchd.conf.db(5))

    /**
     * Sets or clears Port {@code tag} ({@code ovs-vsctl set Port P tag=N} / {@code clear Port P tag}): the access
     * VLAN, or the native VLAN of a native-tagged/native-untagged port. One transaction that updates the row
     * resolved by name.
     *
     * @param port port name ({@link dev.ovs.base.InterfaceName})
     * @param tag  the VLAN, or null to clear the column
     * @throws dev.ovs.base.InvalidArgumentException invalid port name (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port (or it is deleted meanwhile)
     */
    void setPortTag(String port, VlanTag tag);

    /**
     * Replaces Port {@code trunks} ({@code ovs-vsctl set Port P trunks=1,2} / {@code clear Port P trunks}).
     *
     * @param port   port name
     * @param trunks the trunk VLANs; empty (or null) clears the column, which means every VLAN
     * @throws dev.ovs.base.InvalidArgumentException invalid port name or a null element (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port
     */
    void setPortTrunks(String port, Set<VlanTag> trunks);

    /**
     * Sets or clears Port {@code vlan_mode} ({@code ovs-vsctl set Port P vlan_mode=access}).
     *
     * @param port port name
     * @param mode the mode, or null to clear the column (trunk without a tag, access with one)
     * @throws dev.ovs.base.InvalidArgumentException invalid port name (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port
     */
    void setPortVlanMode(String port, VlanMode mode);

    /**
     * Sets Port {@code vlan_mode}, {@code tag} and {@code trunks} together in one transaction (each null or
     * empty value clears its column), so ovs-vswitchd never sees a mix of the old and the new VLAN settings.
     *
     * @param port   port name
     * @param mode   vlan_mode, or null to clear
     * @param tag    tag, or null to clear
     * @param trunks trunks, empty or null to clear
     * @throws dev.ovs.base.InvalidArgumentException invalid port name or a null trunk (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port
     */
    void setPortVlan(String port, VlanMode mode, VlanTag tag, Set<VlanTag> trunks);

    /**
     * Sets or clears Interface {@code mtu_request} ({@code ovs-vsctl set Interface I mtu_request=N}): the MTU
     * ovs-vswitchd gives the device; cleared, ovs-vswitchd leaves the device's MTU alone (a bridge's own device
     * follows the smallest MTU of the bridge's other ports).
     *
     * @param iface interface name
     * @param mtu   MTU in bytes, 1..65535 (the schema's minimum 1, the largest IPv4/IPv6 packet), or null to clear
     * @throws dev.ovs.base.InvalidArgumentException invalid name or {@code "mtu_request: must be 1..65535, got N"}
     *                                               (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such interface
     */
    void setInterfaceMtuRequest(String iface, Integer mtu);

    /**
     * Replaces the whole {@code external_ids} map of a Bridge, Port or Interface ({@code ovs-vsctl set TABLE
     * NAME external_ids={k=v,...}}): keys not in {@code externalIds} are removed. Use {@link #updateExternalIds}
     * to change some keys and keep the others.
     *
     * @param table       the table
     * @param name        row name
     * @param externalIds the new map, empty (or null) to clear; no null keys or values
     * @throws dev.ovs.base.InvalidArgumentException invalid name, null key or value (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such row
     */
    void setExternalIds(NamedTable table, String name, Map<String, String> externalIds);

    /**
     * Merges into the {@code external_ids} map of a Bridge, Port or Interface ({@code ovs-vsctl set TABLE NAME
     * external_ids:k=v} and {@code remove TABLE NAME external_ids k}) with one mutate: the keys of {@code put} get
     * their new values, the keys in {@code remove} go, every other key stays as it is (also when another client
     * changes it meanwhile).
     *
     * @param table  the table
     * @param name   row name
     * @param put    entries to set (may be empty or null); no null keys or values
     * @param remove keys to remove (may be empty or null)
     * @throws dev.ovs.base.InvalidArgumentException invalid name, null key or value, nothing to change (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such row
     */
    void updateExternalIds(NamedTable table, String name, Map<String, String> put, Set<String> remove);

    /**
     * ovs-vsctl set-controller / del-controller: replaces the bridge's Controller rows with one per target
     * (empty list removes all).
     *
     * @param bridge  bridge name
     * @param targets controller targets, e.g. {@code tcp:127.0.0.1:6653}, {@code unix:/path}, {@code ptcp:6653}
     * @throws dev.ovs.base.InvalidArgumentException for an empty or blank target
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if the bridge does not exist
     */
    void setControllers(String bridge, List<String> targets);

    /**
     * ovs-vsctl get-controller.
     *
     * @param bridge bridge name
     * @return controller targets, sorted
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if the bridge does not exist
     */
    List<String> controllers(String bridge);

    /**
     * Creates a port mirror on a bridge, like {@code ovs-vsctl -- --id=@p get Port P -- --id=@m create Mirror
     * name=M select_src_port=@p output_port=@o -- add Bridge BR mirrors @m}. One transaction: a verify of
     * Bridge.mirrors (a {@code wait} until {@code ==} the replica's value, as ovs-vsctl's verify; retried after a
     * resync if another client changed that column meanwhile, as ovs-vsctl retries), a {@code wait} that each
     * referenced Port row still exists with its name, the Mirror insert and the mutate of Bridge.mirrors.
     *
     * @param bridge   bridge name ({@link dev.ovs.base.InterfaceName})
     * @param spec     the mirror; port names must be ports of this bridge
     * @param mayExist true: a mirror of that name already on the bridge is not an error (left unchanged)
     * @return the Mirror row uuid (the existing one with mayExist)
     * @throws dev.ovs.base.InvalidArgumentException invalid name, nothing selected, not exactly one of output_port/output_vlan,
     *                                  VLAN out of range, a port name invalid (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound (bridge, or a named port not on that bridge), AlreadyExists
     *                                      (mirror name taken on the bridge and !mayExist)
     */
    java.util.UUID addMirror(String bridge, MirrorSpec spec, boolean mayExist);

    /**
     * Removes a mirror from its bridge ({@code ovs-vsctl remove Bridge BR mirrors @m}, or {@code clear Bridge BR
     * mirrors} for all): Bridge.mirrors loses the reference and ovsdb-server deletes the Mirror row (it is not a
     * root table). One transaction with the Bridge.mirrors verify.
     *
     * @param bridge   bridge name
     * @param name     mirror name
     * @param ifExists true: a missing mirror is not an error
     * @throws dev.ovs.ovsdb.OvsdbException NotFound (bridge, or mirror when !ifExists)
     */
    void deleteMirror(String bridge, String name, boolean ifExists);

    /**
     * The bridge's mirrors ({@code ovs-vsctl list Mirror}), from the replica after an echo barrier.
     *
     * @param bridge bridge name
     * @return mirrors sorted by name, port references as names
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if the bridge does not exist
     */
    List<MirrorInfo> listMirrors(String bridge);

    /**
     * Sets a port's QoS, like {@code ovs-vsctl set Port P qos=@q -- --id=@q create QoS type=linux-htb
     * other_config:max-rate=N queues:0=@q0 -- --id=@q0 create Queue other_config:max-rate=N}, and destroys the QoS
     * row the port had before (and its Queue rows) when nothing else references them, in the same transaction:
     * QoS and Queue are root tables, ovsdb-server never deletes them by itself. Units: QoS other_config:max-rate
     * and Queue min-rate/max-rate in bit/s.
     *
     * @param port port name
     * @param spec type (one of {@link QosSpec#TYPES}), other_config (numeric values: decimal, non-negative),
     *             queues (number 0..4294967295 to queue; dscp 0..63)
     * @return the new QoS row uuid
     * @throws dev.ovs.base.InvalidArgumentException invalid port name, unknown type, bad numbers (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port; ReferentialIntegrity if another
     *                                      client made something reference the old rows meanwhile (nothing changed)
     */
    java.util.UUID setQos(String port, QosSpec spec);

    /**
     * Clears a port's QoS ({@code ovs-vsctl clear Port P qos -- destroy QoS @q -- destroy Queue @q0 ...}): Port.qos
     * emptied, and the QoS row and its Queue rows deleted unless another port (or QoS) still references them, in
     * one transaction, so no orphan QoS/Queue rows stay behind.
     *
     * @param port     port name
     * @param ifExists true: a missing port is not an error
     * @return true if the port had a QoS
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port and !ifExists
     */
    boolean clearQos(String port, boolean ifExists);

    /**
     * @param port port name
     * @return the port's QoS with its queues, from the replica after an echo barrier; empty if none
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such port
     */
    Optional<QosInfo> qos(String port);

    /**
     * Creates or replaces queue {@code queueId} of the port's QoS ({@code ovs-vsctl -- --id=@q create Queue ...
     * -- set QoS Q queues:N=@q}); the Queue row it replaces is destroyed unless another QoS references it.
     *
     * @param port    port name (must have a QoS: {@link #setQos})
     * @param queueId queue number 0..4294967295
     * @param spec    queue contents (dscp 0..63, other_config min-rate/max-rate in bit/s, burst in bits, priority)
     * @return the new Queue row uuid
     * @throws dev.ovs.base.InvalidArgumentException bad name, number or value (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound (no such port, or the port has no QoS)
     */
    java.util.UUID setQueue(String port, long queueId, QueueSpec spec);

    /**
     * Removes queue {@code queueId} from the port's QoS ({@code ovs-vsctl remove QoS Q queues N -- destroy Queue
     * @q}); the Queue row is destroyed unless another QoS references it.
     *
     * @param port     port name
     * @param queueId  queue number 0..4294967295
     * @param ifExists true: a missing port, QoS or queue is not an error
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if missing and !ifExists
     */
    void deleteQueue(String port, long queueId, boolean ifExists);

    /**
     * Interface ingress policing ({@code ovs-vsctl set Interface I ingress_policing_rate=R
     * ingress_policing_burst=B}): packets received faster than the rate are dropped.
     *
     * @param iface     interface name
     * @param rateKbps  ingress_policing_rate in kbit/s (1000 bit/s), 0..4294967295; 0 disables policing
     * @param burstKbit ingress_policing_burst in kbit, 0..4294967295; 0 = the default (8000 kbit)
     * @throws dev.ovs.base.InvalidArgumentException bad name or value out of range (nothing sent)
     * @throws dev.ovs.ovsdb.OvsdbException NotFound if there is no such interface
     */
    void setIngressPolicing(String iface, long rateKbps, long burstKbit);

    /**
     * Commits a transaction the caller built, with the guarantee of this service's own mutating methods: one
     * RFC 7047 §4.1.3 {@code transact} on this VSwitch's connection ({@link #client()}), and, when the VSwitch
     * waits for ovs-vswitchd ({@link #vswitchdTimeout()} present), a return only after ovs-vswitchd applied it,
     * like {@code ovs-vsctl} without {@code --no-wait}. For callers whose change is not one of the typed methods
     * (a batch of ports, a whole desired state), so that they share this wait instead of writing their own.
     * <p>
     * <b>What it adds to {@code tx}</b>: when the VSwitch waits, two operations after the caller's, appended to
     * {@code tx}: a {@code mutate} of {@code Open_vSwitch} (every row: the table has exactly one) with
     * {@code next_cfg += 1} (§5.2.4), then a {@code select} of {@code Open_vSwitch} column {@code next_cfg} (§5.2.2).
     * When it does not wait ({@code wait.for.vswitchd=false}), nothing. Never a {@code wait} or verify guard, a
     * retry or a {@code comment}: the caller's {@code wait} operations (§5.2.6) are its guards, and a failed one
     * fails the whole transaction.
     * <p>
     * <b>The wait</b>: until this VSwitch's replica shows {@code Open_vSwitch.cur_cfg >= next_cfg} of this
     * transaction (ovs-vswitchd.conf.db(5), Open_vSwitch table: ovs-vswitchd sets {@code cur_cfg} to
     * {@code next_cfg} once it has applied the configuration), woken by the replica's updates (no polling), for
     * at most {@link #vswitchdTimeout()} (configuration {@code vswitchd.timeout.ms} of PID {@code dev.ovs.ovsdb});
     * skipped while ovs-vswitchd has never run against the database ({@code cur_cfg} 0 and no
     * {@code datapath_types} or {@code iface_types} published).
     * <p>
     * <b>Errors</b>, each with what the database holds afterwards:
     * <ul>
     * <li>{@link dev.ovs.base.InvalidArgumentException} ({@code tx}): null, without operations, or on another
     * database than {@link #DB}. Nothing was sent.</li>
     * <li>{@link dev.ovs.ovsdb.OvsdbException} Unavailable ({@code "not connected"}, {@code "not synced"}): no
     * connection, or the replica is not synchronized. Nothing was sent.</li>
     * <li>{@link dev.ovs.ovsdb.OvsdbServerException} with {@link dev.ovs.ovsdb.OvsdbServerException#operationIndex()}
     * of the failed operation: ovsdb-server refused the transaction, which changed nothing (RFC 7047 §4.1.3). A
     * failed {@code wait} (error {@code "timed out"}) is kind <b>Conflict</b>, its details name the wait's table
     * and conditions ({@code "wait on Bridge where _uuid == <uuid> until == [<rows>] (columns [<columns>]) failed:
     * the rows changed since they were read; nothing was changed"}); a duplicate in a unique index (commit error {@code "constraint
     * violation"} {@code "... for index on column ..."}, RFC 7047 §3.1 {@code indexes}) is <b>AlreadyExists</b>;
     * every other error has the kind of {@link dev.ovs.ovsdb.OvsdbException#kindOf(String)} (ConstraintViolation,
     * ReferentialIntegrity, NotFound, Failed).</li>
     * <li>{@link dev.ovs.ovsdb.ConnectionException} (Unavailable) or {@link dev.ovs.ovsdb.RequestTimeoutException}
     * (Timeout): the connection broke, or no reply came within the client's request timeout, while the transaction
     * was in flight. Its outcome is unknown.</li>
     * <li>{@link NotAppliedException} (Timeout, or Failed when interrupted): the transaction was committed, but
     * ovs-vswitchd did not apply it in time; {@link NotAppliedException#committed()} is its result.</li>
     * </ul>
     * An {@code update}, {@code mutate} or {@code delete} that matched no row is not an error (RFC 7047): the
     * caller checks its {@link dev.ovs.ovsdb.OperationResult#count()}.
     *
     * @param tx a transaction on {@link #DB}, e.g. from {@code client().transaction(VSwitch.DB)}; it must not
     *           change {@code next_cfg} itself, and is spent (do not send it again)
     * @return the committed result: the caller's operations at their indices {@code 0..n-1}, then, when the
     *         VSwitch waits, the {@code next_cfg} mutate ({@code n}) and select ({@code n + 1})
     */
    TransactResult commit(TransactionBuilder tx);

    /**
     * {@link #commit(TransactionBuilder)} with the caller's own limit for the wait for ovs-vswitchd
     * instead of {@link #vswitchdTimeout()} (a caller with a configured limit of its own, e.g. the port agent's
     * batches). When the VSwitch does not wait ({@code wait.for.vswitchd=false}) the limit is unused and nothing is
     * added to {@code tx}.
     *
     * @param tx              as in {@link #commit(TransactionBuilder)}
     * @param vswitchdTimeout how long to wait for ovs-vswitchd, positive
     * @return as in {@link #commit(TransactionBuilder)}
     * @throws dev.ovs.base.InvalidArgumentException ({@code vswitchdTimeout}) null, zero or negative (nothing sent);
     *                                               the other errors of {@link #commit(TransactionBuilder)}
     */
    TransactResult commit(TransactionBuilder tx, Duration vswitchdTimeout);

    /**
     * Whether, and how long, {@link #commit} and the mutating methods wait for ovs-vswitchd to apply a change
     * (configuration {@code wait.for.vswitchd} and {@code vswitchd.timeout.ms} of PID {@code dev.ovs.ovsdb}).
     *
     * @return the limit of the wait (positive), or empty when changes return as soon as they are committed
     *         ({@code wait.for.vswitchd=false}, like {@code ovs-vsctl --no-wait})
     */
    Optional<Duration> vswitchdTimeout();

    /**
     * Raw RFC 7047 transact for power users (D-Bus Transact, ovs:transact): the params array as JSON text
     * ({@code ["Open_vSwitch", {op}, ...]}), checked to be an array starting with a known database name.
     *
     * @param paramsJson params JSON
     * @return the result array as JSON text (operation errors are inside it)
     * @throws dev.ovs.base.InvalidArgumentException if not a JSON array with a database name first
     */
    String transact(String paramsJson);

    /** @return the underlying client (for extension bundles: raw transactions on any table) */
    OvsdbClient client();

    /** @return the replica of Open_vSwitch, Bridge, Port, Interface, Controller, Mirror, QoS and Queue */
    Replica replica();
}
