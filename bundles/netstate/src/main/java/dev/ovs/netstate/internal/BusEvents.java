package dev.ovs.netstate.internal;

import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.CheckpointListener;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Publishes checkpoint events on the event bus: topic {@code netstate.checkpoint.<id>.<created|committed|rolledback>},
 * payload the checkpoint as {@link Json#checkpoint} gives it. Without the bus (bundle or package missing) this
 * component is not active and nothing else changes.
 */
@Component(service = CheckpointListener.class)
public final class BusEvents implements CheckpointListener {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    /** For DS. */
    public BusEvents() {
    }

    @Override
    public void checkpointChanged(Checkpoint c, String event) {
        EventBus b = bus;
        if (b != null) {
            b.publish(Topics.of("netstate", "checkpoint", c.id(), event), Json.checkpoint(c), event);
        }
    }
}
