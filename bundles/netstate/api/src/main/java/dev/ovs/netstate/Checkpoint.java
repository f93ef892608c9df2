package dev.ovs.netstate;

import java.util.Objects;

/**
 * A checkpoint of {@link NetState#apply}: the journaled before-image of what one apply changed.
 *
 * @param id             checkpoint id: {@code yyyyMMdd'T'HHmmss'Z'-xxxxxx} (UTC creation time, 6 random hex
 *                       digits); a valid bus topic token
 * @param state          pending, committed or rolled back
 * @param createdMicros  creation time, microseconds since the epoch (UTC)
 * @param deadlineMicros for a checkpoint applied with a confirm timeout: when it is (or was to be) rolled back
 *                       by itself, microseconds since the epoch; 0 without a confirm timeout
 * @param reason         why it was rolled back (e.g. {@code confirm timeout},
 *                       {@code rollback by shell}, {@code apply failed: ...}, {@code unfinished apply
 *                       found at start}); null unless rolled back
 * @param changes        number of changes the apply made (0 for an empty diff)
 * @param documentSha256 SHA-256 of the applied document's UTF-8 bytes, 64 lowercase hex digits
 * @param caller         who applied it
 */
public record Checkpoint(String id, State state, long createdMicros, long deadlineMicros, String reason, int changes,
        String documentSha256, String caller) {

    /** Life cycle: created pending (with a confirm timeout) or committed; pending ends committed or rolled back. */
    public enum State {
        /** Applied, waiting for {@link NetState#commit}; rolled back at its deadline. */
        PENDING("pending"),
        /** Permanent. */
        COMMITTED("committed"),
        /** Its before-image was restored (or the apply failed and was undone). */
        ROLLED_BACK("rolled-back");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        /** @return the name used in JSON and on D-Bus: {@code pending}, {@code committed}, {@code rolled-back} */
        public String wire() {
            return wire;
        }

        /**
         * @param wire {@code pending}, {@code committed} or {@code rolled-back}
         * @return the state
         * @throws IllegalArgumentException for any other text
         */
        public static State ofWire(String wire) {
            for (State s : values()) {
                if (s.wire.equals(wire)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("state: must be pending, committed or rolled-back, got " + wire);
        }
    }

    /**
     * @throws NullPointerException if id or state is null
     */
    public Checkpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }
}
