package dev.ovs.portagent;

import java.util.Map;

/**
 * One ledger entry: one line of the ledger file, a JSON object with these fields in this order.
 *
 * @param seq       1-based position in the chain
 * @param time      ISO-8601 UTC time ({@link java.time.Instant#toString()})
 * @param caller    who asked: {@code "dbus:<sender> uid=<uid>"}, {@code "shell:<user>"}, {@code "auto"}, ...
 * @param operation e.g. {@code "add-port"}
 * @param args      arguments by name (sorted)
 * @param result    {@code "ok"}, {@code "ok: <detail>"} or {@code "error: <message>"}
 * @param prev      hash of the previous entry (64 zeros for the first)
 * @param hash      SHA-256 over the UTF-8 JSON of all fields before it, as written
 */
public record LedgerEntry(long seq, String time, String caller, String operation, Map<String, String> args, String result,
        String prev, String hash) {
    /** Defensive copy. */
    public LedgerEntry {
        args = Map.copyOf(args);
    }
}
