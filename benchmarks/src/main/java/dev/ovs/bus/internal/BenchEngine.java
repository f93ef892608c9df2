package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import java.util.List;

/**
 * Benchmark access to the bus engine outside OSGi (the engine is package-private in the bus bundle; this class
 * shares its package on the plain class path, as the bundle's own tests do). Publishing goes through the same
 * path as the {@code EventBus} service ({@code BusEngine.publish}, payload copied); no socket, no heartbeat.
 */
public final class BenchEngine implements AutoCloseable {
    private final BusEngine engine;

    /**
     * Creates and starts an engine.
     *
     * @param queueSize per-subscriber queue capacity (the bundle's {@code queue.size}, default 1024)
     */
    public BenchEngine(int queueSize) {
        engine = new BusEngine(Settings.of(null, null, queueSize, 0, true));
        engine.start();
    }

    /**
     * @param topic   literal topic
     * @param payload JSON payload (copied)
     */
    public void publish(String topic, JsonNode payload) {
        engine.publish("bench", topic, payload, null);
    }

    /**
     * @param pattern  pattern
     * @param listener listener
     * @return the subscription
     */
    public Subscription subscribe(String pattern, EventListener listener) {
        return engine.subscribe("bench", List.of(pattern), listener);
    }

    /** @return the engine's counters */
    public BusStats stats() {
        return engine.stats();
    }

    /** Stops the engine's threads. */
    @Override
    public void close() {
        engine.close();
    }
}
