package dev.ovs.networkd.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-memory {@link EventBus} for tests: validates topics like the real bus and records every event. */
final class RecordingBus implements EventBus {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void publish(String topic, JsonNode payload, String type) {
        Topics.checkTopic(topic);
        events.add(new Event(topic, payload, type == null ? "" : type, System.currentTimeMillis(), "dev.ovs.networkd"));
    }

    @Override
    public void publish(String topic, Map<String, ?> payload, String type) {
        publish(topic, (JsonNode) JSON.valueToTree(payload), type);
    }

    @Override
    public Subscription subscribe(String pattern, EventListener listener) {
        throw new UnsupportedOperationException("recording bus");
    }

    @Override
    public BusStats stats() {
        throw new UnsupportedOperationException("recording bus");
    }

    @Override
    public boolean isEnabled() {
        return true;
    }
}
