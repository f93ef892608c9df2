package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.Topics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bus itself, free of OSGi: subscriber registry, matching, per-subscriber bounded queues, delivery
 * threads, heartbeat and (optionally) the socket server. Created by {@link BusCore}; outside a framework by
 * {@code dev.ovs.bus.embedded.EmbeddedBus} (its public members are for that class) and by this bundle's tests.
 *
 * <p>Threads: a cached pool {@code patchbay-bus-deliver-N} (a thread only while a subscriber has queued
 * events; one subscriber is drained by at most one thread at a time, so order is kept and a stuck listener
 * holds only its own thread), {@code patchbay-bus-heartbeat}, and the socket server's threads. All are
 * stopped by {@link #close()}.
 */
public final class BusEngine implements AutoCloseable {
    static final System.Logger LOG = System.getLogger("dev.ovs.bus");
    static final String THREAD_PREFIX = "patchbay-bus-";
    static final int MAX_TYPE = 256;
    /** Origin of the bus's own events (heartbeat, bundle events): {@code bus}. */
    static final Origin BUS = Origin.bundle("bus");

    final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    final Settings settings;
    private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
    private final LongAdder published = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    private final AtomicLong subIds = new AtomicLong();
    private final long started = System.nanoTime();
    private final Object lifecycle = new Object();
    private ThreadPoolExecutor delivery;
    private ScheduledThreadPoolExecutor heartbeat;
    private SocketServer server;
    private volatile String socketError = "";
    private volatile String configError = "";
    private volatile boolean closed;

    /**
     * An engine that is not started yet.
     *
     * @param settings validated settings
     */
    public BusEngine(Settings settings) {
        this.settings = settings;
    }

    /** Starts threads and the socket server (a socket failure is logged and reported in stats, not thrown). */
    public void start() {
        synchronized (lifecycle) {
            if (!settings.enabled() || closed) {
                return;
            }
            delivery = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                    threads("deliver-"));
            if (settings.heartbeatSeconds() > 0) {
                heartbeat = new ScheduledThreadPoolExecutor(1, threads("heartbeat"));
                heartbeat.setRemoveOnCancelPolicy(true);
                long p = settings.heartbeatSeconds();
                heartbeat.scheduleAtFixedRate(this::beat, p, p, TimeUnit.SECONDS);
            }
            if (settings.socket() != null) {
                SocketServer s = new SocketServer(this, settings.socket(), settings.group());
                try {
                    s.start();
                    server = s;
                } catch (IOException | RuntimeException e) {
                    socketError = String.valueOf(e.getMessage());
                    LOG.log(Level.ERROR, "bus: socket server on " + settings.socket() + " not started: " + e, e);
                }
            }
        }
    }

    /** Threads of the pools, joined by {@link #close()} (a terminated pool's last worker may still be exiting). */
    private final java.util.Set<Thread> poolThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            String suffix = name.endsWith("-") ? name + n.incrementAndGet() : name;
            Thread t = new Thread(r, THREAD_PREFIX + suffix);
            t.setDaemon(true);
            poolThreads.removeIf(x -> x.getState() == Thread.State.TERMINATED);
            poolThreads.add(t);
            return t;
        };
    }

    private void beat() {
        try {
            ObjectNode p = mapper.createObjectNode();
            p.put("ts", System.currentTimeMillis());
            p.put("uptime_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            publishOwned(BUS, Topics.BUS_HEALTH, p, "health");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "bus: heartbeat failed", e);
        }
    }

    /** @return false for the null bus ({@code enabled=false}) */
    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * Sets the reason shown in {@link BusStats#configError()}.
     *
     * @param reason why the configuration given last is not in effect, or empty
     */
    public void configError(String reason) {
        configError = reason == null ? "" : reason;
    }

    /**
     * Publishes; the payload is deep-copied.
     *
     * @param source the publisher, see {@link dev.ovs.bus.Event#origin()}
     * @param topic literal topic
     * @param payload JSON payload or null (JSON null)
     * @param type event type, null: the last topic token, decoded
     * @throws IllegalArgumentException invalid topic or type
     */
    public void publish(Origin source, String topic, JsonNode payload, String type) {
        publishOwned(source, topic, payload == null ? null : payload.deepCopy(), type);
    }

    /**
     * Publishes a payload converted by Jackson, see {@link dev.ovs.bus.EventBus#publish(String, Map, String)}.
     *
     * @param source the publisher
     * @param topic literal topic
     * @param payload JSON object content or null
     * @param type event type or null
     * @throws IllegalArgumentException invalid topic or type, or a value Jackson cannot convert
     */
    public void publish(Origin source, String topic, Map<String, ?> payload, String type) {
        Topics.checkTopic(topic);
        JsonNode tree;
        try {
            tree = payload == null ? null : mapper.valueToTree(payload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload: cannot be converted to JSON: " + e.getMessage(), e);
        }
        publishOwned(source, topic, tree, type);
    }

    /** Publishes a payload the bus may keep (no copy). */
    void publishOwned(Origin source, String topic, JsonNode payload, String type) {
        String[] tokens = tokens(topic);
        type = type(tokens, type);
        if (!settings.enabled() || closed) {
            return;
        }
        dispatch(tokens, new Msg(mapper, topic, type, System.currentTimeMillis(), source, payload), null);
    }

    /** @return whether a publish now would be dispatched (enabled and not closed) */
    boolean accepting() {
        return settings.enabled() && !closed;
    }

    /**
     * Publishes an event the socket server built ({@link Msg#ofText}): no tree is built unless an in-process
     * listener matches. Dropped if the bus is disabled or closed.
     *
     * @param tokens {@link #tokens(String)} of the event's topic
     * @param waker see {@link Waker}
     */
    void publishMsg(String[] tokens, Msg m, Waker waker) {
        if (accepting()) {
            dispatch(tokens, m, waker);
        }
    }

    /**
     * Collects socket connections whose writer must be woken, so that a publishing connection wakes each
     * subscriber's writer once per read of its input rather than once per event (as nats-server flushes its
     * pending clients at the end of each read): the writer then takes all events of that read in one batch.
     */
    interface Waker {
        /** Called by the publishing thread while it holds {@code c}'s queue lock; {@code c} is woken later. */
        void defer(Connection c);
    }

    /**
     * @return the tokens of a valid literal topic
     * @throws IllegalArgumentException invalid topic, see {@link Topics#checkTopic(String)}
     */
    static String[] tokens(String topic) {
        Topics.checkTopic(topic);
        return Topics.split(topic);
    }

    private static String type(String[] tokens, String type) {
        if (type == null) {
            type = Topics.decode(tokens[tokens.length - 1]);
        }
        checkType(type);
        return type;
    }

    /** @throws IllegalArgumentException if {@code type} is longer than {@link #MAX_TYPE} characters */
    static void checkType(String type) {
        if (type.length() > MAX_TYPE) {
            throw new IllegalArgumentException("type: longer than " + MAX_TYPE + " characters");
        }
    }

    private void dispatch(String[] tokens, Msg m, Waker waker) {
        published.increment();
        for (Sub s : subs) {
            if (s.matches(tokens) && s.permits(tokens)) {
                s.offer(m, waker);
            }
        }
    }

    /**
     * Subscribes an in-process listener to one or more patterns (an event matching several is delivered once).
     *
     * @param owner who subscribes, shown in {@link BusStats.SubscriberStats#owner()}
     * @param patterns one or more patterns
     * @param listener called on a delivery thread
     * @return the subscription
     * @throws IllegalArgumentException invalid pattern, no pattern, or null listener
     */
    public Subscription subscribe(String owner, List<String> patterns, EventListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener: must not be null");
        }
        String[][] compiled = compile(patterns);
        String id = "s" + subIds.incrementAndGet();
        if (!settings.enabled() || closed) {
            return new InertSubscription(id, String.join(",", patterns));
        }
        ListenerSub s = new ListenerSub(id, patterns, compiled, owner, listener);
        subs.add(s);
        if (closed) {
            s.close();
        }
        return s;
    }

    /** Registers a socket subscription (called by {@link ConnectionSubs}). */
    void addSocketSub(Sub s) {
        subs.add(s);
        if (closed) {
            s.close();
        }
    }

    String[][] compile(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            throw new IllegalArgumentException("pattern: at least one pattern is required");
        }
        String[][] out = new String[patterns.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Topics.split(Topics.checkPattern(patterns.get(i)));
        }
        return out;
    }

    /** @return a snapshot of the counters */
    public BusStats stats() {
        List<BusStats.SubscriberStats> ss = new ArrayList<>();
        for (Sub s : subs) {
            ss.add(new BusStats.SubscriberStats(s.id, s.pattern, s.owner, s.delivered.get(), s.dropped.get(), s.queued()));
        }
        SocketServer srv = server;
        return new BusStats(settings.enabled(), published.sum(), delivered.sum(), dropped.sum(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                srv == null ? "" : settings.socket().toString(), socketError, ss,
                srv == null ? List.of() : srv.connections(), configError);
    }

    SocketServer server() {
        return server;
    }

    /** Stops every thread, closes the socket server and every subscription; idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (server != null) {
                server.close();
            }
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
            for (Sub s : subs) {
                s.close();
            }
            subs.clear();
            if (delivery != null) {
                delivery.shutdownNow();
            }
            await(heartbeat);
            await(delivery);
            for (Thread t : poolThreads) {
                SocketServer.join(t);
            }
            poolThreads.clear();
        }
    }

    private static void await(java.util.concurrent.ExecutorService ex) {
        if (ex == null) {
            return;
        }
        try {
            if (!ex.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "bus: a listener did not return within 5 s of shutdown (interrupted)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Base of all subscribers: patterns, counters, registry membership. */
    abstract class Sub implements Subscription {
        final String id;
        final String pattern;
        final List<String> patterns;
        final String[][] compiled;
        final String owner;
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        volatile boolean subClosed;

        Sub(String id, List<String> patterns, String[][] compiled, String owner) {
            this.id = id;
            this.patterns = List.copyOf(patterns);
            this.pattern = String.join(",", patterns);
            this.compiled = compiled;
            this.owner = owner;
        }

        final boolean matches(String[] topic) {
            for (String[] p : compiled) {
                if (Topics.matchTokens(p, topic)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * @param topic tokens of an event's topic that {@link #matches} this subscription
         * @return whether the subscriber may receive it (socket subscribers: their subscribe permissions)
         */
        boolean permits(String[] topic) {
            return true;
        }

        /**
         * Queues one event (never blocks on the subscriber; drops the oldest when full).
         *
         * @param waker null: wake the consumer now; else a socket consumer may be handed to it to be woken later
         */
        abstract void offer(Msg m, Waker waker);

        final void countDelivered() {
            delivered.incrementAndGet();
            BusEngine.this.delivered.increment();
        }

        final void countDropped(long n) {
            dropped.addAndGet(n);
            BusEngine.this.dropped.add(n);
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
            return dropped.get();
        }

        @Override
        public boolean isClosed() {
            return subClosed;
        }

        @Override
        public void close() {
            subClosed = true;
            subs.remove(this);
        }

        @Override
        public String toString() {
            return "Subscription[" + id + " " + pattern + " owner=" + owner + "]";
        }
    }

    /**
     * In-process listener with its own drop-oldest queue, bounded by {@code queue.size} events and by
     * {@code queue.bytes} bytes ({@link Msg#size()}; the newest event is always kept, so one larger event makes the
     * queue hold that one alone), drained by one pool thread at a time.
     */
    final class ListenerSub extends Sub {
        private final EventListener listener;
        private final ArrayDeque<Msg> queue = new ArrayDeque<>();
        private long queuedBytes;
        private boolean scheduled;

        ListenerSub(String id, List<String> patterns, String[][] compiled, String owner, EventListener listener) {
            super(id, patterns, compiled, owner);
            this.listener = listener;
        }

        @Override
        void offer(Msg e, Waker ignored) {
            boolean schedule;
            synchronized (this) {
                if (subClosed) {
                    return;
                }
                if (queue.size() >= settings.queueSize()) {
                    queuedBytes -= queue.pollFirst().size();
                    countDropped(1);
                }
                queue.addLast(e);
                queuedBytes += e.size();
                while (queuedBytes > settings.queueBytes() && queue.size() > 1) {
                    queuedBytes -= queue.pollFirst().size();
                    countDropped(1);
                }
                schedule = !scheduled;
                scheduled = true;
            }
            if (schedule) {
                try {
                    delivery.execute(this::drain);
                } catch (RejectedExecutionException | NullPointerException ex) {
                    synchronized (this) {
                        scheduled = false;
                    }
                }
            }
        }

        private void drain() {
            while (true) {
                Msg m;
                synchronized (this) {
                    m = subClosed ? null : queue.pollFirst();
                    if (m == null) {
                        scheduled = false;
                        return;
                    }
                    queuedBytes -= m.size();
                }
                try {
                    listener.onEvent(m.event());
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "bus: listener of " + this + " threw on " + m.topic, t);
                    if (t instanceof VirtualMachineError) {
                        synchronized (this) {
                            scheduled = false;
                        }
                        throw (VirtualMachineError) t;
                    }
                }
                countDelivered();
            }
        }

        @Override
        public synchronized int queued() {
            return queue.size();
        }

        @Override
        public void close() {
            super.close();
            synchronized (this) {
                queue.clear();
                queuedBytes = 0;
            }
        }
    }

    /** Null-bus subscription: never receives anything. */
    static final class InertSubscription implements Subscription {
        private final String id;
        private final String pattern;
        private volatile boolean closed;

        InertSubscription(String id, String pattern) {
            this.id = id;
            this.pattern = pattern;
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
            return 0;
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
            closed = true;
        }
    }
}
