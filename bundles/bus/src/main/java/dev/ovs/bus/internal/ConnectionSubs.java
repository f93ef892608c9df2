package dev.ovs.bus.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscriptions of one socket {@link Connection}: carries out its {@code sub} and {@code unsub} requests
 * (pattern and subscribe-permission checks, ids, at most {@link #MAX_SUBS}), registers each {@link SocketSub} with
 * the engine and closes them all when the connection ends. Thread-safe (requests come from the reader thread,
 * {@link SocketSub#close()} and {@link #closeAll()} from any).
 */
final class ConnectionSubs {
    /** Most subscriptions per connection. */
    static final int MAX_SUBS = 256;

    private final BusEngine engine;
    private final Outbox outbox;
    private final Permissions.Access access;
    /** The connection's count of denied requests. */
    private final AtomicLong denied;
    /** {@code conn:<id>}, the owner of the subscriptions in statistics. */
    private final String owner;
    private final Map<String, SocketSub> subs = new ConcurrentHashMap<>();
    private final AtomicLong autoIds = new AtomicLong();

    ConnectionSubs(BusEngine engine, Outbox outbox, Permissions.Access access, AtomicLong denied, String owner) {
        this.engine = engine;
        this.outbox = outbox;
        this.access = access;
        this.denied = denied;
        this.owner = owner;
    }

    /** @return the number of open subscriptions */
    int size() {
        return subs.size();
    }

    /**
     * The {@code sub} request: subscribes and queues the ok (with the generated id {@code a<n>} if the request has
     * none).
     *
     * @throws IllegalArgumentException with the message of the error frame: pattern missing, invalid or denied;
     *         {@link #MAX_SUBS} reached; id taken
     */
    void sub(String reqId, String pattern) {
        if (pattern == null || pattern == Request.NOT_TEXT) {
            throw new IllegalArgumentException("pattern: missing or not a string");
        }
        String[][] compiled = engine.compile(List.of(pattern));
        String denial = access.subscribeDenied(pattern, compiled[0]);
        if (denial != null) {
            denied.incrementAndGet();
            throw new IllegalArgumentException(denial);
        }
        String sid = reqId;
        if (sid == null) {
            do {
                sid = "a" + autoIds.incrementAndGet();
            } while (subs.containsKey(sid));
        }
        if (subs.size() >= MAX_SUBS) {
            throw new IllegalArgumentException("sub: at most " + MAX_SUBS + " subscriptions per connection");
        }
        SocketSub s = new SocketSub(sid, pattern, compiled);
        if (subs.putIfAbsent(sid, s) != null) {
            throw new IllegalArgumentException("id: a subscription with id '" + sid + "' already exists on this connection");
        }
        // Registered before the ok is sent (an event published after the client saw ok is delivered), and
        // under the queue lock so that no event of it is queued before the ok (control frames go first).
        outbox.sendOkAfter(() -> engine.addSocketSub(s), sid);
    }

    /**
     * The {@code unsub} request: closes the subscription and queues the ok.
     *
     * @throws IllegalArgumentException with the message of the error frame: no id, or no such subscription
     */
    void unsub(String reqId) {
        if (reqId == null) {
            throw new IllegalArgumentException("id: unsub needs the id of the subscription");
        }
        SocketSub s = subs.remove(reqId);
        if (s == null) {
            throw new IllegalArgumentException("id: no subscription '" + reqId + "' on this connection");
        }
        s.close();
        outbox.sendOk(reqId);
    }

    /** Closes every subscription (the connection ends). */
    void closeAll() {
        for (SocketSub s : subs.values()) {
            s.close();
        }
        subs.clear();
    }

    /** A subscription of the connection: offering queues an event frame on the connection's {@link Outbox}. */
    final class SocketSub extends BusEngine.Sub {
        /** {@code {"op":"event","id":"<sid>",}: the part of an event frame that differs per subscription. */
        final byte[] prefix;

        SocketSub(String sid, String pattern, String[][] compiled) {
            engine.super(sid, List.of(pattern), compiled, ConnectionSubs.this.owner);
            prefix = outbox.eventPrefix(sid);
        }

        @Override
        boolean permits(String[] topic) {
            return access.receivesAll() || access.mayReceive(topic);
        }

        @Override
        void offer(Msg m, BusEngine.Waker waker) {
            outbox.offer(this, m, waker);
        }

        @Override
        public int queued() {
            return outbox.queued(this);
        }

        @Override
        public void close() {
            super.close();
            subs.remove(id, this);
        }
    }
}
