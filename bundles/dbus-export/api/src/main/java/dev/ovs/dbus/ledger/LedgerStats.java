package dev.ovs.dbus.ledger;

/**
 * State of the ledger, as D-Bus {@code dev.ovs.PortAgent1.GetBlockchainStats} reports it ({@link #toJson()}).
 *
 * @param height    number of lines (intents and outcomes)
 * @param headHash  hash of the last line (64 lower-case hex digits), or 64 zeros when empty
 * @param verified  whether every line's hash and back-link checked out at the last verification and the file
 *                  holds exactly what this ledger wrote
 * @param firstTime ISO-8601 UTC time of the first line, or null when empty
 * @param lastTime  ISO-8601 UTC time of the last line, or null when empty
 * @param problem   the first verification problem (line number and what is wrong), why the ledger cannot be
 *                  written (e.g. {@code ledger: Read-only file system}), or null
 * @param path      the ledger file
 * @since dev.ovs.dbus.ledger 1.0.0
 */
public record LedgerStats(long height, String headHash, boolean verified, String firstTime, String lastTime,
        String problem, String path) {
    /**
     * The statistics as one JSON object (RFC 8259) with the keys in this order:
     * {@code {"height":N,"head_hash":"..","verified":true,"first_time":"..","last_time":"..","problem":null,
     * "path":".."}} (null values as JSON {@code null}).
     *
     * @return the JSON text, without whitespace
     */
    public String toJson() {
        return "{\"height\":" + height + ",\"head_hash\":" + str(headHash) + ",\"verified\":" + verified
                + ",\"first_time\":" + str(firstTime) + ",\"last_time\":" + str(lastTime) + ",\"problem\":"
                + str(problem) + ",\"path\":" + str(path) + "}";
    }

    /** A JSON string (RFC 8259 §7: quote, backslash and control characters escaped), or {@code null}. */
    private static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
