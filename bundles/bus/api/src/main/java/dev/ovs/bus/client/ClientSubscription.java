package dev.ovs.bus.client;

import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A subscription of a {@link BusClient}: its id on the connection, its pattern and listener, and the count of
 * events delivered to it. Events are delivered by the client's {@link FrameReader} on the reader thread; the bus
 * queues and drops on its side, so {@link #dropped()} and {@link #queued()} are 0. {@link #close()} sends
 * {@code unsub}.
 */
final class ClientSubscription implements Subscription {
    private final String id;
    private final String pattern;
    private final EventListener listener;
    private final BusClient client;
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean closed;

    ClientSubscription(String id, String pattern, EventListener listener, BusClient client) {
        this.id = id;
        this.pattern = pattern;
        this.listener = listener;
        this.client = client;
    }

    /** Runs the listener (a listener's exception is logged, not thrown) and counts the event as delivered. */
    void deliver(Event e) {
        try {
            listener.onEvent(e);
        } catch (RuntimeException ex) {
            System.getLogger("dev.ovs.bus").log(System.Logger.Level.WARNING, "bus client: listener threw", ex);
        }
        delivered.incrementAndGet();
    }

    /** Marks the subscription closed without sending {@code unsub} (the connection is gone). */
    void markClosed() {
        closed = true;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String pattern() {
        return pattern;
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public int queued() {
        return 0;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.unsubscribe(id);
    }
}
