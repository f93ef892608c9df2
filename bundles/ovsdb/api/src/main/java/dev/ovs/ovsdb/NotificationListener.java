package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives raw JSON-RPC notifications from ovsdb-server on the client's reader thread (in wire order; do
 * not block): {@code update}, {@code update2}, {@code update3} and {@code monitor_canceled} (ovsdb-server(7): the
 * database was converted or removed; for the monitor it was registered with),
 * {@code locked}, {@code stolen}.
 */
@FunctionalInterface
public interface NotificationListener {
    /**
     * @param method notification method
     * @param params its params array
     */
    void onNotification(String method, JsonNode params);
}
