package dev.ovs.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives bus events.
 *
 * <p>Used two ways: passed to {@link EventBus#subscribe(String, EventListener)} /
 * {@code dev.ovs.bus.client.BusClient#subscribe}, or registered as an OSGi service with the
 * {@value #TOPICS} property (String or String[] of patterns, see {@link Topics}) — the whiteboard: the bus
 * delivers matching events while the service is registered, with no lifecycle code in the listener. A
 * whiteboard service whose {@value #TOPICS} is missing or invalid gets nothing (the bus logs why).
 *
 * <p>Calls for one subscription are sequential and in publish order, on a bus thread; events are
 * delivered at most once. A listener that is slow or blocks only fills its own bounded queue (oldest events
 * are dropped and counted); exceptions it throws are counted and logged, never propagated to publishers.
 */
@ConsumerType
@FunctionalInterface
public interface EventListener {
    /** Service property with the listener's patterns (String or String[]): {@value}. */
    String TOPICS = "bus.topics";

    /**
     * Called once per matching event.
     *
     * @param event the event; never null; its payload is read-only
     */
    void onEvent(Event event);
}
