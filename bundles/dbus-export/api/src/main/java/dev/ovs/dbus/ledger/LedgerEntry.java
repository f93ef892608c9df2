package dev.ovs.dbus.ledger;

import java.util.Map;
import java.util.Objects;

/**
 * One line of the ledger ({@link Ledger}, "File format").
 *
 * @param seq       1-based position in the chain
 * @param time      ISO-8601 UTC time ({@link java.time.Instant#toString()})
 * @param caller    who asked: {@code "dbus:<sender> uid=<uid> pid=<pid>"}, {@code "shell:<user>"}, {@code "auto"}, ...
 * @param operation e.g. {@code org.openvswitch.ovsdb.CreateBridge}, {@code port.add}
 * @param args      arguments by name (sorted); empty on outcome lines
 * @param result    {@code "intent"}, {@code "ok"}, {@code "ok: <detail>"} or {@code "error: <message>"}
 * @param of        on an outcome line, the {@code seq} of its intent; 0 on an intent line
 * @param prev      hash of the previous line (64 zeros for the first)
 * @param hash      HMAC-SHA-256 of this line without {@code hash}, 64 lower-case hex digits
 * @since dev.ovs.dbus.ledger 1.0.0
 */
public record LedgerEntry(long seq, String time, String caller, String operation, Map<String, String> args,
        String result, long of, String prev, String hash) {
    /** {@link #result()} of an intent line: {@value}. */
    public static final String INTENT = "intent";

    /**
     * @throws NullPointerException if args is null
     */
    public LedgerEntry {
        args = Map.copyOf(Objects.requireNonNull(args, "args"));
    }

    /** @return whether this line is an intent (its outcome, if any, is a later line with {@link #of()} = seq) */
    public boolean isIntent() {
        return INTENT.equals(result);
    }
}
