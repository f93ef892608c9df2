package dev.ovs.portagent;

/**
 * State of the hash-chained operation ledger, as {@code GetBlockchainStats} reports it.
 *
 * @param height    number of entries
 * @param headHash  SHA-256 (64 lower-case hex digits) of the last entry, or 64 zeros when empty
 * @param verified  whether every entry's hash and back-link checked out at the last verification
 * @param firstTime ISO-8601 UTC time of the first entry, or null when empty
 * @param lastTime  ISO-8601 UTC time of the last entry, or null when empty
 * @param problem   the first verification problem (line number and what is wrong), or null
 * @param path      the ledger file
 */
public record LedgerStats(long height, String headHash, boolean verified, String firstTime, String lastTime,
        String problem, String path) {
}
