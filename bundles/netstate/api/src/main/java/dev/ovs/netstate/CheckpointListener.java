package dev.ovs.netstate;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register an OSGi service of this type to hear about checkpoints (the D-Bus face's signals and
 * the fleet reporter use it). Called synchronously, in order, on the thread that made the change; a listener
 * must return quickly and never call back into {@link NetState} mutators. Exceptions are ignored.
 */
@ConsumerType
public interface CheckpointListener {
    /**
     * A checkpoint was created (pending or already committed), committed or rolled back.
     *
     * @param checkpoint the checkpoint in its new state
     * @param event      {@code created}, {@code committed} or {@code rolledback} (the last token of the bus
     *                   topic {@code netstate.checkpoint.<id>.<event>})
     */
    void checkpointChanged(Checkpoint checkpoint, String event);
}
