package dev.ovs.bench;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.Peer;

/**
 * The separate client process of the dbus suite (a second JVM, dbus-java 5.2.0 with the native-unixsocket
 * transport, as the appliance ships it): {@code DbusClient ADDRESS BRIDGE WARMUP N}. Interleaves the bus
 * daemon's own {@code org.freedesktop.DBus.GetId} (the floor) and the appliance's
 * {@code org.openvswitch.ovsdb.BridgeExists(BRIDGE)} and {@code org.freedesktop.DBus.Peer.Ping} sent to the
 * appliance (answered by dbus-java itself: the D-Bus path to the appliance without OVSDB), blocking calls on one
 * connection, the order of the three rotated every round (no call always follows the same other call), and prints
 * one line: {@code floor p50 p99 callsPerSecond | bridgeExists ... | ping ...} (µs, calls/s).
 */
public final class DbusClient {
    private DbusClient() {
    }

    /**
     * @param args address, bridge, warm-up rounds, measured rounds
     * @throws Exception on any D-Bus failure (or BridgeExists answering false)
     */
    public static void main(String[] args) throws Exception {
        String address = args[0];
        String bridge = args[1];
        int warmup = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        try (DBusConnection c = DBusConnectionBuilder.forAddress(address).withShared(false).build()) {
            DBus daemon = c.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
            OvsdbDbus ovs = c.getRemoteObject("org.openvswitch.ovsdb", "/org/openvswitch/ovsdb", OvsdbDbus.class);
            Peer peer = c.getRemoteObject("org.openvswitch.ovsdb", "/org/openvswitch/ovsdb", Peer.class);
            long[] floor = new long[n];
            long[] exists = new long[n];
            long[] ping = new long[n];
            Runnable getId = daemon::GetId;
            Runnable bridgeExists = () -> {
                if (!ovs.BridgeExists(bridge)) {
                    throw new IllegalStateException("BridgeExists(" + bridge + ") answered false");
                }
            };
            Runnable peerPing = peer::Ping;
            Runnable[] calls = {getId, bridgeExists, peerPing};
            long[][] out = {floor, exists, ping};
            for (int i = -warmup; i < n; i++) {
                // rotate the order every round, so that no call always follows the same other call
                int first = Math.floorMod(i, 3);
                for (int k = 0; k < 3; k++) {
                    int which = (first + k) % 3;
                    long t0 = System.nanoTime();
                    calls[which].run();
                    long t = System.nanoTime() - t0;
                    if (i >= 0) {
                        out[which][i] = t;
                    }
                }
            }
            System.out.println(line(floor) + " | " + line(exists) + " | " + line(ping));
        }
        System.exit(0);
    }

    private static String line(long[] v) {
        long sum = 0;
        for (long x : v) {
            sum += x;
        }
        return Stats.percentileMicros(v, 50) + " " + Stats.percentileMicros(v, 99) + " " + (v.length / (sum / 1e9));
    }
}
