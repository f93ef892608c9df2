package dev.ovs.netstate.internal.journal;

import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.internal.net.FileImage;
import dev.ovs.netstate.internal.ovs.RowImage;
import dev.ovs.netstate.internal.ports.PortImage;
import java.util.List;

/**
 * One checkpoint as journaled: its life-cycle phase and the before-image of every row its apply touches.
 *
 * @param id             checkpoint id
 * @param phase          {@link #APPLYING} (journaled, the transaction may or may not have been made),
 *                       {@link #PENDING}, {@link #COMMITTED}, {@link #ROLLING_BACK} (a restore started),
 *                       {@link #ROLLED_BACK}
 * @param createdMicros  creation time, µs since the epoch
 * @param deadlineMicros rollback deadline, µs since the epoch; 0: none
 * @param reason         why it was (or is being) rolled back, or null
 * @param changes        number of changes
 * @param documentSha256 SHA-256 of the document, hex
 * @param caller         who applied it
 * @param images         before-images (Open_vSwitch rows)
 * @param ports          before-images of container ports (empty when the apply touched none)
 * @param files          before-images of systemd-networkd files (empty when the apply touched none)
 */
public record JournalEntry(String id, String phase, long createdMicros, long deadlineMicros, String reason, int changes,
        String documentSha256, String caller, List<RowImage> images, List<PortImage> ports, List<FileImage> files) {
    /** Missing lists (an entry without container ports or files) become empty. */
    public JournalEntry {
        images = images == null ? List.of() : List.copyOf(images);
        ports = ports == null ? List.of() : List.copyOf(ports);
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** Journaled before the transaction; not known to be done. */
    public static final String APPLYING = "applying";
    /** Applied, waiting for commit. */
    public static final String PENDING = "pending";
    /** Permanent. */
    public static final String COMMITTED = "committed";
    /** A restore of the before-image started and has not been confirmed. */
    public static final String ROLLING_BACK = "rolling-back";
    /** Restored. */
    public static final String ROLLED_BACK = "rolled-back";

    /**
     * @param newPhase phase
     * @param newReason reason (null keeps the current one)
     * @return a copy in another phase
     */
    public JournalEntry with(String newPhase, String newReason) {
        return new JournalEntry(id, newPhase, createdMicros, deadlineMicros, newReason == null ? reason : newReason, changes,
                documentSha256, caller, images, ports, files);
    }

    /**
     * @param newPorts container port images
     * @return a copy with only these container port images
     */
    public JournalEntry withPorts(List<PortImage> newPorts) {
        return new JournalEntry(id, phase, createdMicros, deadlineMicros, reason, changes, documentSha256, caller, images, newPorts,
                files);
    }

    /** @return true while the journal must be acted on at start: applying, pending or rolling back */
    public boolean open() {
        return phase.equals(APPLYING) || phase.equals(PENDING) || phase.equals(ROLLING_BACK);
    }

    /** @return the public view: applying and rolling-back show as pending (not settled yet) */
    public Checkpoint checkpoint() {
        Checkpoint.State s = switch (phase) {
            case COMMITTED -> Checkpoint.State.COMMITTED;
            case ROLLED_BACK -> Checkpoint.State.ROLLED_BACK;
            default -> Checkpoint.State.PENDING;
        };
        return new Checkpoint(id, s, createdMicros, deadlineMicros, s == Checkpoint.State.ROLLED_BACK ? reason : null, changes,
                documentSha256, caller);
    }
}
