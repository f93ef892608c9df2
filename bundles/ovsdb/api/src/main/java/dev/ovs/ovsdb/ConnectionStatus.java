package dev.ovs.ovsdb;

import java.time.Instant;

/**
 * A snapshot of an {@link OvsdbClient}'s connection, for health reports, shells and logs.
 *
 * @param connected   whether a connection is established and accepted (for several remotes or leader-only: the
 *                    server passed the {@code _Server} check), i.e. {@link OvsdbClient#isConnected()}
 * @param remote      the remote of the current connection, or while disconnected the one tried last (or about to
 *                    be tried); one element of {@link ClientOptions#remotes()}
 * @param lastError   why the most recent connection attempt failed or the most recent connection ended, naming
 *                    the remote (e.g. {@code "ssl:10.0.0.2:6640: private.key /etc/patchbay/key.pem: no such file"},
 *                    {@code "tcp:10.0.0.3:6641: clustered database OVN_Northbound: server is not the cluster leader"});
 *                    kept while connected afterwards; null if nothing failed yet
 * @param connections how many connections were established and accepted since the client was made (reconnects
 *                    = connections - 1)
 * @param since       when {@code connected} last changed (or the client was made)
 */
public record ConnectionStatus(boolean connected, String remote, String lastError, long connections, Instant since) {
}
