package dev.ovs.bus.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.internal.BusEngine;
import dev.ovs.bus.internal.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A running bus engine without OSGi: the same engine, queues, delivery threads and (if configured) socket server as
 * the {@code dev.ovs.bus} component, for code outside a framework (tests, tools, benchmarks). Publishing goes
 * through the same path as the {@link EventBus} service (payload copied). Thread-safe; close it to stop every
 * thread and the socket server.
 */
public final class EmbeddedBus implements EventBus, AutoCloseable {
    private final BusEngine engine;
    private final String source;
    private final Origin origin;

    private EmbeddedBus(BusEngine engine, String source) {
        this.engine = engine;
        this.source = source;
        this.origin = Origin.bundle(source);
    }

    /**
     * Starts a bus.
     *
     * @param config the keys of {@code dev.ovs.bus.cfg} ({@code docs/bus.md}, "Configuration"), values as strings
     *        or typed; a missing key takes the component's default ({@code socket}: none, no socket server), except
     *        {@code heartbeat.seconds} (default here: 0, no heartbeat)
     * @param source publisher name that events published through this object carry as their
     *        {@link dev.ovs.bus.Event#origin()} (a {@link Origin.Kind#BUNDLE} origin, as a bundle's symbolic name for
     *        the service), non-empty, without {@code ':'}
     * @return the running bus
     * @throws IllegalArgumentException an invalid configuration value (the message names the key and the rule) or
     *         an invalid {@code source}
     */
    public static EmbeddedBus start(Map<String, ?> config, String source) {
        Origin.bundle(source); // checks the name before anything starts
        Map<String, Object> c = new HashMap<>();
        c.put("socket", "");
        c.put("heartbeat.seconds", 0);
        c.putAll(config);
        BusEngine e = new BusEngine(Settings.of(c));
        e.start();
        return new EmbeddedBus(e, source);
    }

    @Override
    public void publish(String topic, JsonNode payload, String type) {
        engine.publish(origin, topic, payload, type);
    }

    @Override
    public void publish(String topic, Map<String, ?> payload, String type) {
        engine.publish(origin, topic, payload, type);
    }

    @Override
    public Subscription subscribe(String pattern, EventListener listener) {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern: must not be null");
        }
        return engine.subscribe(source, List.of(pattern), listener);
    }

    @Override
    public BusStats stats() {
        return engine.stats();
    }

    @Override
    public boolean isEnabled() {
        return engine.enabled();
    }

    /** Stops the bus: every subscription closed, every thread and the socket server stopped; idempotent. */
    @Override
    public void close() {
        engine.close();
    }
}
