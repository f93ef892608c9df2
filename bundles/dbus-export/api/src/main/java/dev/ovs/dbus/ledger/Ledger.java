package dev.ovs.dbus.ledger;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The appliance's operation ledger (OSGi service of component PID {@code dev.ovs.ledger}, bundle
 * {@code dev.ovs.dbus}): one append-only, keyed hash chain of every change made through Patchbay. The D-Bus
 * exporter records every call of a member that is not {@link dev.ovs.dbus.ReadOnly}; domain bundles record their
 * own operations (the port agent's ports, whoever asked; the network state's checkpoints).
 *
 * <p>Protocol: {@link #begin} writes the <em>intent</em> (and forces it to the device) before the operation has
 * any side effect; if that fails the operation must not run. After the operation, {@link Intent#succeeded} or
 * {@link Intent#failed} writes the <em>outcome</em>. A crash between the two leaves an intent without outcome,
 * visible in the file. Writing an outcome never throws: a change that happened is never reported as failed
 * because of the ledger.
 *
 * <pre>
 * Ledger.Intent i = ledger.begin("shell:root", "port.add", Map.of("bridge", "br0", "interface", "eth1"));
 * try {
 *     String port = doIt();
 *     i.succeeded(port);
 * } catch (RuntimeException e) {
 *     i.failed(e.getMessage());
 *     throw e;
 * }
 * </pre>
 *
 * <p>File format (one JSON object per line, UTF-8, fields in this order): {@code seq} (1, 2, ...), {@code time}
 * (ISO-8601 UTC, {@link java.time.Instant#toString()}), {@code caller}, {@code op}, {@code args} (object of
 * strings, sorted by name), {@code result} ({@code "intent"}, {@code "ok"}, {@code "ok: <detail>"} or
 * {@code "error: <message>"}), {@code of} (outcome lines only: the {@code seq} of their intent), {@code prev}
 * (the previous line's {@code hash}, 64 zeros for the first) and {@code hash}: HMAC-SHA-256 (RFC 2104, FIPS
 * 180-4) of the line's JSON without {@code hash}, keyed with the 32-byte key in the key file next to it
 * ({@code ledger.key}, mode 0600). Whoever cannot read the key cannot rewrite a line and its successors so that
 * they verify, not even with recomputed plain SHA-256 hashes. Only cutting lines off the end goes unnoticed
 * without an external anchor (compare {@link LedgerStats#headHash()} with a remembered value).
 *
 * <p>Thread-safe; appends are serialized.
 *
 * @since dev.ovs.dbus.ledger 1.0.0
 */
@ProviderType
public interface Ledger {
    /**
     * Writes the intent of an operation, forced to the device, before the operation runs.
     *
     * @param caller    who asks, e.g. {@code dbus::1.42 uid=0 pid=4711} ({@link dev.ovs.dbus.DbusCall#callerText()}),
     *                  {@code shell:root}, {@code auto}
     * @param operation what, e.g. {@code org.openvswitch.ovsdb.CreateBridge} or {@code port.add}
     * @param args      arguments by name, values as text (null values are written as empty strings)
     * @return the intent, to complete with its outcome
     * @throws dev.ovs.base.DomainException of kind {@link dev.ovs.base.ErrorKind#Unavailable} with message
     *         {@code "ledger: <reason>"} (e.g. {@code ledger: No space left on device}, {@code ledger: Read-only file
     *         system}) if the intent cannot be written; nothing of it is left in the file, and the operation must
     *         not run
     * @throws NullPointerException if operation or args is null
     */
    Intent begin(String caller, String operation, Map<String, String> args);

    /**
     * Statistics; verifies the whole chain first when the file changed (size, modification time or inode) since
     * the last verification other than by this ledger's own appends.
     *
     * @return the statistics
     */
    LedgerStats stats();

    /**
     * Re-reads and verifies the whole file now.
     *
     * @return the statistics after verification
     */
    LedgerStats verify();

    /**
     * The last entries (at most 1000 are kept in memory).
     *
     * @param n how many, &gt;= 0
     * @return up to {@code n} entries, oldest first
     * @throws dev.ovs.base.InvalidArgumentException {@code n} if negative
     */
    List<LedgerEntry> tail(int n);

    /** The intent of one operation, completed by exactly one outcome (further calls are ignored). */
    @ProviderType
    interface Intent {
        /** @return the {@code seq} of the intent's line */
        long seq();

        /**
         * Records that the operation succeeded: result {@code "ok"}, or {@code "ok: <detail>"}.
         *
         * @param detail what it produced (e.g. the host port name), or null/empty
         * @return true if the outcome was written; false if it could not be (logged; the intent stays without
         *         outcome) or was written before
         */
        boolean succeeded(String detail);

        /**
         * Records that the operation failed: result {@code "error: <message>"}.
         *
         * @param message the failure as the caller sees it
         * @return true if the outcome was written; false if it could not be (logged) or was written before
         */
        boolean failed(String message);
    }
}
