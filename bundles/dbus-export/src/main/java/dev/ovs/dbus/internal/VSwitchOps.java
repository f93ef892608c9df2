package dev.ovs.dbus.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@link SwitchOps} over the OVSDB bundle's {@link VSwitch} service, with the strict (non may-exist) semantics.
 *
 * <p>Mutating members go through {@link VSwitch} (one transaction each, like ovs-vsctl). The read-only members
 * ({@link #bridgeExists}, {@link #listBridges}, {@link #listBridgePorts}) answer from the VSwitch's
 * {@link Replica} as it stands, <em>without</em> the {@code echo} barrier that {@link VSwitch#bridgeExists}
 * and friends send to ovsdb-server first (one more JSON-RPC round trip per call, as long as the D-Bus hop
 * itself). What that gives (docs/dbus.md "Consistency of the read-only members"):
 * <ul>
 * <li>every change made through this VSwitch (any D-Bus caller, the shell, the port agent) is visible as soon as
 * the call that made it has returned: the replica applies the monitor update of a transaction before that
 * transaction's reply completes (ovsdb-server(7) 4.1.6: the update is sent before the {@code transact} reply to a
 * client that monitors what it changed; {@link Replica});</li>
 * <li>changes by other OVSDB clients (ovs-vsctl, ovs-vswitchd, ...) are visible once ovsdb-server's monitor
 * update has reached Patchbay, and never later than the {@code BridgeAdded}/... signal they cause (the replica
 * applies an update before it tells its listeners);</li>
 * <li>successive calls see transactions in commit order (updates are applied in order; a resync after a reconnect
 * is applied as one difference);</li>
 * <li>while there is no connection to ovsdb-server or the replica is not synchronized, the members fail with
 * {@code Unavailable} instead of answering from a stale copy (the same checks and messages as VSwitch).</li>
 * </ul>
 */
final class VSwitchOps implements SwitchOps {
    private final VSwitch vs;

    VSwitchOps(VSwitch vs) {
        this.vs = vs;
    }

    @Override
    public void createBridge(String bridge) {
        vs.addBridge(bridge, null, false);
    }

    @Override
    public void deleteBridge(String bridge) {
        vs.deleteBridge(bridge, false);
    }

    @Override
    public void addPort(String bridge, String port) {
        vs.addPort(bridge, port, null, false);
    }

    @Override
    public void deletePort(String bridge, String port) {
        vs.deletePort(bridge, port, false);
    }

    @Override
    public boolean bridgeExists(String bridge) {
        return replica().byName("Bridge", bridge).isPresent();
    }

    @Override
    public List<String> listBridges() {
        Collection<Row> rows = replica().rows("Bridge");
        List<String> l = new ArrayList<>(rows.size());
        for (Row r : rows) {
            l.add(r.getString("name"));
        }
        l.sort(null);
        return l;
    }

    @Override
    public List<String> listBridgePorts(String bridge) {
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
    public String transact(String params) {
        return vs.transact(params);
    }

    /**
     * The replica, if it may answer: connected to ovsdb-server, subscribed, synchronized (waits for the initial
     * sync up to the client's request timeout, at least 1 s, as VSwitch does).
     *
     * @throws OvsdbException Unavailable ("not connected", "not synced") otherwise
     */
    private Replica replica() {
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
}
