package dev.ovs.fleet;

/**
 * A snapshot of the fleet agent on one host ({@link Fleet#status()}, shell {@code fleet:status}). Immutable.
 *
 * @param enabled          whether the agent is enabled ({@code enabled=true} in {@code etc/dev.ovs.fleet.cfg})
 * @param hostId           the host id in use, or empty when disabled
 * @param connection       the NATS connection state: {@code CONNECTED}, {@code RECONNECTING}, {@code DISCONNECTED},
 *                         {@code CLOSED}, or {@code -} when there is none
 * @param server           URL of the connected server, or empty
 * @param eventsPublished  local events handed to NATS since activation
 * @param eventsDropped    local events discarded because the queue was full while disconnected (oldest first)
 * @param eventsQueued     local events waiting for a connection now
 * @param eventsSkipped    events not forwarded because another process published them on the bus socket
 * @param desiredRevision  the newest desired KV revision seen for this host, 0 when none
 * @param appliedRevision  the last desired revision this host finished (whatever the outcome), 0 when none;
 *                         persisted in the state directory, so a revision is never attempted twice
 * @param lastReport       the last report written or waiting to be written, or null
 * @param reportUnsent     whether {@code lastReport} still waits for NATS
 * @param lastError        the last connection or bucket problem, or empty
 */
public record FleetStatus(boolean enabled, String hostId, String connection, String server, long eventsPublished,
        long eventsDropped, int eventsQueued, long eventsSkipped, long desiredRevision, long appliedRevision,
        Report lastReport, boolean reportUnsent, String lastError) {
}
