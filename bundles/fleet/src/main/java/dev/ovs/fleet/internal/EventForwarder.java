package dev.ovs.fleet.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.fleet.Subjects;
import io.nats.client.Connection;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Local bus events out to NATS: registered as a whiteboard {@link EventListener} for the {@code export} patterns,
 * it queues each event (bounded, {@code queue.size}; when full the oldest is discarded and counted) and one thread
 * ({@code fleet-events}) publishes them as {@code patchbay.<host.id>.<topic>} whenever the connection is up. Delivery
 * is at-most-once, like the bus: an event handed to NATS just before a connection loss is lost.
 *
 * <p>Message body: JSON {@code {"topic": T, "type": type, "ts": ms, "source": publisher, "payload": JSON}}, the same
 * object {@code bus:sub} prints. Events that another process published on the bus socket
 * ({@link Event#isFromSocket()}: the bus sets the {@link dev.ovs.bus.Origin}, a client cannot choose it) are not
 * forwarded, only the appliance's own (in-process, domain) events; they are counted as skipped.
 */
final class EventForwarder implements EventListener, AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String hostId;
    private final int capacity;
    private final Supplier<Connection> connection;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    EventForwarder(String hostId, int capacity, Supplier<Connection> connection) {
        this.hostId = hostId;
        this.capacity = capacity;
        this.connection = connection;
        this.thread = new Thread(this::run, "fleet-events");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void onEvent(Event event) {
        if (closed) {
            return;
        }
        if (event.isFromSocket()) {
            skipped.incrementAndGet();
            return;
        }
        lock.lock();
        try {
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped.incrementAndGet();
            }
            queue.addLast(event);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the publisher, e.g. after a (re)connect. */
    void wake() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            Event e;
            lock.lock();
            try {
                e = queue.peekFirst();
                Connection c = connection.get();
                if (e == null || c == null || c.getStatus() != Connection.Status.CONNECTED) {
                    changed.await(e == null ? 1000 : 200, TimeUnit.MILLISECONDS);
                    continue;
                }
                queue.pollFirst();
            } catch (InterruptedException ie) {
                return;
            } finally {
                lock.unlock();
            }
            Connection c = connection.get();
            try {
                c.publish(Subjects.event(hostId, e.topic()), body(e));
                published.incrementAndGet();
            } catch (IllegalStateException notConnected) {
                // lost the connection between the check and the publish: nothing was sent, keep it first in line
                lock.lock();
                try {
                    if (queue.size() >= capacity) {
                        dropped.incrementAndGet();
                    } else {
                        queue.addFirst(e);
                    }
                } finally {
                    lock.unlock();
                }
            } catch (RuntimeException bad) {
                dropped.incrementAndGet();
            }
        }
    }

    static byte[] body(Event e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("topic", e.topic());
        n.put("type", e.type());
        n.put("ts", e.timestamp());
        n.put("source", e.source());
        n.set("payload", e.payload());
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException ex) {
            throw new IllegalStateException("event " + e.topic() + ": payload cannot be serialised", ex);
        }
    }

    long published() {
        return published.get();
    }

    long dropped() {
        return dropped.get();
    }

    long skipped() {
        return skipped.get();
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
