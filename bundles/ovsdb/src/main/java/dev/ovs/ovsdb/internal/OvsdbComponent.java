package dev.ovs.ovsdb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.ConnectionListener;
import dev.ovs.ovsdb.DatabaseSchema;
import dev.ovs.ovsdb.MonitorRequest;
import dev.ovs.ovsdb.NotificationListener;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.BridgeInfo;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * DS component (PID {@code dev.ovs.ovsdb}) providing {@link OvsdbClient} and {@link VSwitch}: one client
 * connection, one replica of the Open_vSwitch database. Immediate, so the connection does not churn when
 * consumers come and go. A configuration change re-activates it (new
 * connection); deactivation closes the connection and stops every thread it started.
 */
@Component(configurationPid = "dev.ovs.ovsdb", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {OvsdbClient.class, VSwitch.class}, immediate = true)
@Designate(ocd = OvsdbConfig.class)
public class OvsdbComponent implements OvsdbClient, VSwitch {
    private OvsdbClient client;
    private Replica replica;
    private VSwitchImpl vswitch;

    /** @param cfg configuration; connection starts in the background */
    @Activate
    public void activate(OvsdbConfig cfg) {
        ClientOptions o = new ClientOptions(cfg.remote(), cfg.probe_interval_ms(), cfg.request_timeout_ms(),
                cfg.max_message_bytes(), 100, Math.max(100, cfg.reconnect_max_ms()));
        client = new OvsdbClientImpl(o); // own implementation: OvsdbClient.connect is for outside a framework
        replica = client.replica(DB, VSwitchImpl.replicaSpec());
        vswitch = new VSwitchImpl(client, replica, cfg.wait_for_vswitchd(), cfg.vswitchd_timeout_ms(),
                cfg.bridge_datapath__type());
    }

    /** Closes replica and connection. */
    @Deactivate
    public void deactivate() {
        if (replica != null) {
            replica.close();
        }
        if (client != null) {
            client.close();
        }
    }

    // ---- OvsdbClient

    @Override
    public ClientOptions options() {
        return client.options();
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public boolean awaitConnected(Duration timeout) {
        return client.awaitConnected(timeout);
    }

    @Override
    public void addConnectionListener(ConnectionListener l) {
        client.addConnectionListener(l);
    }

    @Override
    public void removeConnectionListener(ConnectionListener l) {
        client.removeConnectionListener(l);
    }

    @Override
    public CompletableFuture<JsonNode> call(String method, ArrayNode params) {
        return client.call(method, params);
    }

    @Override
    public CompletableFuture<List<String>> listDbs() {
        return client.listDbs();
    }

    @Override
    public CompletableFuture<DatabaseSchema> getSchema(String db) {
        return client.getSchema(db);
    }

    @Override
    public DatabaseSchema schema(String db) {
        return client.schema(db);
    }

    @Override
    public TransactionBuilder transaction(String db) {
        return client.transaction(db);
    }

    @Override
    public CompletableFuture<JsonNode> transact(ArrayNode params) {
        return client.transact(params);
    }

    @Override
    public CompletableFuture<JsonNode> monitor(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener) {
        return client.monitor(db, monitorId, requests, listener);
    }

    @Override
    public CompletableFuture<JsonNode> monitorCond(String db, JsonNode monitorId, Map<String, MonitorRequest> requests,
            NotificationListener listener) {
        return client.monitorCond(db, monitorId, requests, listener);
    }

    @Override
    public CompletableFuture<JsonNode> monitorCondSince(String db, JsonNode monitorId,
            Map<String, MonitorRequest> requests, String lastTxnId, NotificationListener listener) {
        return client.monitorCondSince(db, monitorId, requests, lastTxnId, listener);
    }

    @Override
    public CompletableFuture<Void> monitorCondChange(String db, JsonNode monitorId, JsonNode newMonitorId,
            Map<String, MonitorRequest> requests) {
        return client.monitorCondChange(db, monitorId, newMonitorId, requests);
    }

    @Override
    public CompletableFuture<Void> monitorCancel(JsonNode monitorId) {
        return client.monitorCancel(monitorId);
    }

    @Override
    public CompletableFuture<Boolean> lock(String lockId) {
        return client.lock(lockId);
    }

    @Override
    public CompletableFuture<Boolean> steal(String lockId) {
        return client.steal(lockId);
    }

    @Override
    public CompletableFuture<Void> unlock(String lockId) {
        return client.unlock(lockId);
    }

    @Override
    public void addLockListener(NotificationListener l) {
        client.addLockListener(l);
    }

    @Override
    public CompletableFuture<JsonNode> echo(ArrayNode params) {
        return client.echo(params);
    }

    @Override
    public CompletableFuture<Void> setDbChangeAware(boolean aware) {
        return client.setDbChangeAware(aware);
    }

    @Override
    public CompletableFuture<String> getServerId() {
        return client.getServerId();
    }

    @Override
    public Replica replica(String db, Map<String, Set<String>> tables) {
        return client.replica(db, tables);
    }

    /** Not supported on the shared service: the component owns the connection (deactivate closes it). */
    @Override
    public void close() {
        throw new UnsupportedOperationException("the OvsdbClient service is closed by its component, not by users");
    }

    // ---- VSwitch

    @Override
    public void addBridge(String name, BridgeOptions options, boolean mayExist) {
        vswitch.addBridge(name, options, mayExist);
    }

    @Override
    public void deleteBridge(String name, boolean ifExists) {
        vswitch.deleteBridge(name, ifExists);
    }

    @Override
    public boolean bridgeExists(String name) {
        return vswitch.bridgeExists(name);
    }

    @Override
    public List<String> listBridges() {
        return vswitch.listBridges();
    }

    @Override
    public Optional<BridgeInfo> bridge(String name) {
        return vswitch.bridge(name);
    }

    @Override
    public void addPort(String bridge, String port, PortOptions options, boolean mayExist) {
        vswitch.addPort(bridge, port, options, mayExist);
    }

    @Override
    public void deletePort(String bridge, String port, boolean ifExists) {
        vswitch.deletePort(bridge, port, ifExists);
    }

    @Override
    public List<String> listPorts(String bridge) {
        return vswitch.listPorts(bridge);
    }

    @Override
    public Optional<PortInfo> port(String name) {
        return vswitch.port(name);
    }

    @Override
    public Optional<InterfaceInfo> iface(String name) {
        return vswitch.iface(name);
    }

    @Override
    public List<InterfaceInfo> findInterfaces(Map<String, String> externalIds) {
        return vswitch.findInterfaces(externalIds);
    }

    @Override
    public void setColumn(String table, String name, String column, Object value) {
        vswitch.setColumn(table, name, column, value);
    }

    @Override
    public void updateMapColumn(String table, String name, String column, Map<String, String> put, Set<String> remove) {
        vswitch.updateMapColumn(table, name, column, put, remove);
    }

    @Override
    public void setPortTag(String port, dev.ovs.ovsdb.vswitch.VlanTag tag) {
        vswitch.setPortTag(port, tag);
    }

    @Override
    public void setPortTrunks(String port, Set<dev.ovs.ovsdb.vswitch.VlanTag> trunks) {
        vswitch.setPortTrunks(port, trunks);
    }

    @Override
    public void setPortVlanMode(String port, dev.ovs.ovsdb.vswitch.VlanMode mode) {
        vswitch.setPortVlanMode(port, mode);
    }

    @Override
    public void setPortVlan(String port, dev.ovs.ovsdb.vswitch.VlanMode mode, dev.ovs.ovsdb.vswitch.VlanTag tag,
            Set<dev.ovs.ovsdb.vswitch.VlanTag> trunks) {
        vswitch.setPortVlan(port, mode, tag, trunks);
    }

    @Override
    public void setInterfaceMtuRequest(String iface, Integer mtu) {
        vswitch.setInterfaceMtuRequest(iface, mtu);
    }

    @Override
    public void setExternalIds(dev.ovs.ovsdb.vswitch.NamedTable table, String name, Map<String, String> externalIds) {
        vswitch.setExternalIds(table, name, externalIds);
    }

    @Override
    public void updateExternalIds(dev.ovs.ovsdb.vswitch.NamedTable table, String name, Map<String, String> put,
            Set<String> remove) {
        vswitch.updateExternalIds(table, name, put, remove);
    }

    @Override
    public void setControllers(String bridge, List<String> targets) {
        vswitch.setControllers(bridge, targets);
    }

    @Override
    public List<String> controllers(String bridge) {
        return vswitch.controllers(bridge);
    }

    @Override
    public java.util.UUID addMirror(String bridge, dev.ovs.ovsdb.vswitch.MirrorSpec spec, boolean mayExist) {
        return vswitch.addMirror(bridge, spec, mayExist);
    }

    @Override
    public void deleteMirror(String bridge, String name, boolean ifExists) {
        vswitch.deleteMirror(bridge, name, ifExists);
    }

    @Override
    public List<dev.ovs.ovsdb.vswitch.MirrorInfo> listMirrors(String bridge) {
        return vswitch.listMirrors(bridge);
    }

    @Override
    public java.util.UUID setQos(String port, dev.ovs.ovsdb.vswitch.QosSpec spec) {
        return vswitch.setQos(port, spec);
    }

    @Override
    public boolean clearQos(String port, boolean ifExists) {
        return vswitch.clearQos(port, ifExists);
    }

    @Override
    public Optional<dev.ovs.ovsdb.vswitch.QosInfo> qos(String port) {
        return vswitch.qos(port);
    }

    @Override
    public java.util.UUID setQueue(String port, long queueId, dev.ovs.ovsdb.vswitch.QueueSpec spec) {
        return vswitch.setQueue(port, queueId, spec);
    }

    @Override
    public void deleteQueue(String port, long queueId, boolean ifExists) {
        vswitch.deleteQueue(port, queueId, ifExists);
    }

    @Override
    public void setIngressPolicing(String iface, long rateKbps, long burstKbit) {
        vswitch.setIngressPolicing(iface, rateKbps, burstKbit);
    }

    @Override
    public String transact(String paramsJson) {
        return vswitch.transact(paramsJson);
    }

    @Override
    public OvsdbClient client() {
        return this;
    }

    @Override
    public Replica replica() {
        return replica;
    }
}
