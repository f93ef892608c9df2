package dev.ovs.ovsdb.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.ConnectionException;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.RequestTimeoutException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One JSON-RPC 1.0 connection (RFC 7047 §4): pipelined requests matched by numeric id, bounded framing,
 * echo replies to the server's echo, inactivity probe, request timeouts. All received messages are handled
 * in order on one reader thread.
 */
final class JsonRpcConnection implements dev.ovs.ovsdb.replica.ReplicaHost.Channel {
    /** Callbacks from the reader thread. */
    interface Handler {
        void onNotification(String method, JsonNode params);

        void onClosed(JsonRpcConnection c, Throwable cause);
    }

    private static final class Pending {
        final String method;
        final CompletableFuture<Object> future;
        final Function<JsonNode, ?> onReader;
        volatile ScheduledFuture<?> timeout;

        Pending(String method, CompletableFuture<Object> future, Function<JsonNode, ?> onReader) {
            this.method = method;
            this.future = future;
            this.onReader = onReader;
        }
    }

    private final ClientOptions options;
    private final String remote;
    private final Transport transport;
    private final ObjectMapper mapper;
    private final ScheduledExecutorService timer;
    private final Handler handler;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile long writeStarted;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Thread reader;
    private volatile long lastReceived = System.nanoTime();
    private volatile boolean probing;
    private ScheduledFuture<?> probeTask;
    private volatile Throwable closeCause;

    /**
     * @param options   probe interval, request timeout, message limit
     * @param remote    the remote the transport is connected to (for messages)
     * @param transport the open byte stream; closed with this connection
     * @param mapper    JSON mapper
     * @param timer     probe and request timeouts
     * @param handler   notifications and close, on the reader thread
     */
    JsonRpcConnection(ClientOptions options, String remote, Transport transport, ObjectMapper mapper,
            ScheduledExecutorService timer, Handler handler) {
        this.options = options;
        this.remote = remote;
        this.transport = transport;
        this.mapper = mapper;
        this.timer = timer;
        this.handler = handler;
    }

    /** Starts the reader thread and the inactivity probe on the open transport. */
    void start() {
        lastReceived = System.nanoTime();
        reader = new Thread(this::readLoop, "ovsdb-reader " + remote);
        reader.setDaemon(true);
        reader.start();
        long base = watchdogMillis();
        if (base > 0) {
            long period = Math.max(50, base / 4);
            probeTask = timer.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** @return the remote this connection goes to (one of the client's remotes) */
    String remote() {
        return remote;
    }

    /** @return why the connection closed, or null while open */
    Throwable closeCause() {
        return closeCause;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** How long a write may stay blocked: 2 probe intervals, capped by the request timeout; 0 = never checked. */
    private long watchdogMillis() {
        long probe = options.probeIntervalMillis();
        long rt = options.requestTimeoutMillis();
        if (probe > 0 && rt > 0) {
            return Math.min(2 * probe, rt);
        }
        return probe > 0 ? 2 * probe : rt;
    }

    private void probe() {
        long interval = options.probeIntervalMillis();
        long limit = watchdogMillis();
        long ws = writeStarted;
        if (ws != 0 && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ws) >= limit) {
            close(new ConnectionException("connection lost", "peer " + remote
                    + " stopped reading: a write is blocked for more than " + limit + " ms", null));
            return;
        }
        if (interval <= 0) {
            return;
        }
        long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReceived);
        if (idle >= 2 * interval && probing) {
            close(new ConnectionException("connection lost", "inactivity probe: no reply from "
                    + remote + " for " + idle + " ms", null));
        } else if (idle >= interval && !probing) {
            probing = true;
            requestNoWait("echo", mapper.createArrayNode()).whenComplete((r, e) -> probing = false);
        }
    }

    /** Like request without timeout, but never blocks the calling (timer) thread on a busy writer. */
    private CompletableFuture<Object> requestNoWait(String method, ArrayNode params) {
        long id = nextId.getAndIncrement();
        CompletableFuture<Object> f = new CompletableFuture<>();
        pending.put(id, new Pending(method, f, null));
        ObjectNode msg = mapper.createObjectNode();
        msg.put("method", method);
        msg.set("params", params);
        msg.put("id", id);
        try {
            if (!send(msg, true)) {
                pending.remove(id);
                f.complete(null); // a write is in progress: traffic is flowing, try again next period
            }
        } catch (ConnectionException e) {
            if (pending.remove(id) != null) {
                f.completeExceptionally(e);
            }
        }
        return f;
    }

    private void readLoop() {
        JsonFramer framer = new JsonFramer(options.maxMessageBytes(), 1000);
        byte[] buf = new byte[64 * 1024];
        try {
            while (!closed.get()) {
                int n = transport.read(buf);
                if (n < 0) {
                    throw new ConnectionException("connection lost", "connection closed by " + remote, null);
                }
                lastReceived = System.nanoTime();
                framer.feed(buf, 0, n, this::dispatch);
            }
        } catch (JsonFramer.FramingException e) {
            close(new ConnectionException("protocol error", e.getMessage(), e));
        } catch (ConnectionException e) {
            close(e);
        } catch (javax.net.ssl.SSLException e) {
            close(new ConnectionException("connection lost", remote + ": " + e.getMessage(), e));
        } catch (IOException e) {
            close(new ConnectionException("connection lost", "I/O error on " + remote + ": " + e, e));
        } catch (RuntimeException e) {
            close(new ConnectionException("protocol error", String.valueOf(e.getMessage()), e));
        }
    }

    private void dispatch(byte[] buf, int len) {
        JsonNode msg;
        try {
            msg = mapper.readTree(buf, 0, len);
        } catch (IOException e) {
            throw new ConnectionException("protocol error", "malformed JSON: " + e.getMessage(), e);
        }
        if (!msg.isObject()) {
            throw new ConnectionException("protocol error", "message is not a JSON object", null);
        }
        JsonNode method = msg.get("method");
        JsonNode id = msg.get("id");
        if (method != null && !method.isNull()) {
            if (!method.isTextual()) {
                throw new ConnectionException("protocol error", "method is not a string", null);
            }
            JsonNode params = msg.path("params");
            if (id == null || id.isNull()) {
                handler.onNotification(method.asText(), params);
            } else if ("echo".equals(method.asText())) {
                ObjectNode reply = mapper.createObjectNode();
                reply.set("result", params.isMissingNode() ? mapper.createArrayNode() : params);
                reply.putNull("error");
                reply.set("id", id);
                send(reply);
            } else {
                ObjectNode reply = mapper.createObjectNode();
                reply.putNull("result");
                reply.put("error", "unknown method");
                reply.set("id", id);
                send(reply);
            }
            return;
        }
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 1
                || id.asLong() >= nextId.get()) {
            throw new ConnectionException("protocol error", "response with an id never sent: " + id, null);
        }
        Pending p = pending.remove(id.asLong());
        if (p == null) {
            return; // late reply after timeout or cancel
        }
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        JsonNode error = msg.get("error");
        if (error != null && !error.isNull()) {
            String err = error.isTextual() ? error.asText() : error.path("error").asText(error.toString());
            String details = error.isObject() && error.path("details").isTextual() ? error.get("details").asText() : null;
            p.future.completeExceptionally(new OvsdbServerException(err, details, -1));
            return;
        }
        JsonNode result = msg.get("result");
        Object value = result;
        if (p.onReader != null) {
            try {
                value = p.onReader.apply(result);
            } catch (RuntimeException e) {
                p.future.completeExceptionally(e);
                return;
            }
        }
        p.future.complete(value);
    }

    /**
     * Sends a request.
     *
     * @param method    method
     * @param params    params
     * @param onReader  applied to the result on the reader thread before completion (in wire order), or null
     * @param timeoutMs request timeout, 0 for none
     * @return future
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> request(String method, ArrayNode params, Function<JsonNode, T> onReader, long timeoutMs) {
        long id = nextId.getAndIncrement();
        CompletableFuture<Object> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterrupt) {
                boolean c = super.cancel(mayInterrupt);
                if (c && pending.remove(id) != null) {
                    sendCancel(id);
                }
                return c;
            }
        };
        if (closed.get()) {
            f.completeExceptionally(closeError());
            return (CompletableFuture<T>) f;
        }
        Pending p = new Pending(method, f, onReader);
        pending.put(id, p);
        if (timeoutMs > 0) {
            p.timeout = timer.schedule(() -> {
                if (pending.remove(id) != null) {
                    if ("transact".equals(method)) {
                        sendCancel(id);
                    }
                    f.completeExceptionally(new RequestTimeoutException(method, timeoutMs));
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        }
        ObjectNode msg = mapper.createObjectNode();
        msg.put("method", method);
        msg.set("params", params);
        msg.put("id", id);
        try {
            send(msg);
        } catch (ConnectionException e) {
            if (pending.remove(id) != null) {
                f.completeExceptionally(e);
            }
        }
        if (closed.get() && pending.remove(id) != null) {
            f.completeExceptionally(closeError());
        }
        return (CompletableFuture<T>) f;
    }

    private void sendCancel(long id) {
        ObjectNode msg = mapper.createObjectNode();
        msg.put("method", "cancel");
        msg.set("params", mapper.createArrayNode().add(id));
        msg.putNull("id");
        try {
            send(msg, true); // best effort; never block the timer thread
        } catch (RuntimeException e) {
            // connection gone: nothing to cancel
        }
    }

    /** Sends a notification (id null). */
    void notify(String method, ArrayNode params) {
        ObjectNode msg = mapper.createObjectNode();
        msg.put("method", method);
        msg.set("params", params);
        msg.putNull("id");
        send(msg);
    }

    private void send(ObjectNode msg) {
        send(msg, false);
    }

    /**
     * Writes one message. Timer-thread callers (probe, cancel) pass {@code tryOnly}: they never wait for a
     * writer that a peer which stopped reading has blocked; the probe closes such a connection instead.
     *
     * @return false if tryOnly and another write was in progress
     */
    private boolean send(ObjectNode msg, boolean tryOnly) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(msg);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialize request: " + e.getMessage(), e);
        }
        if (tryOnly) {
            if (!writeLock.tryLock()) {
                return false;
            }
        } else {
            writeLock.lock();
        }
        try {
            if (closed.get()) {
                throw closeError();
            }
            writeStarted = System.nanoTime();
            transport.write(bytes);
            return true;
        } catch (IOException e) {
            // the peer closed: what it said last (a TLS alert such as certificate_required) is the better reason, and
            // the reader is about to read it; give it a moment before closing with the write error
            Thread r = reader;
            if (r != null && r != Thread.currentThread()) {
                try {
                    r.join(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            close(new ConnectionException("connection lost", "write to " + remote + " failed: " + e, e));
            throw closeError();
        } finally {
            writeStarted = 0;
            writeLock.unlock();
        }
    }

    private ConnectionException closeError() {
        Throwable c = closeCause;
        if (c instanceof ConnectionException ce) {
            return new ConnectionException(ce.error(), ce.details(), ce);
        }
        return new ConnectionException("connection lost", "connection to " + remote + " closed", c);
    }

    /** Closes, fails all pending requests. Idempotent. */
    @Override
    public void close(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeCause = cause;
        if (probeTask != null) {
            probeTask.cancel(false);
        }
        transport.close();
        ConnectionException ce = closeError();
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                if (p.timeout != null) {
                    p.timeout.cancel(false);
                }
                p.future.completeExceptionally(ce);
            }
        }
        handler.onClosed(this, cause);
    }

    /** Waits for the reader thread to end (after close). */
    void join(long millis) {
        Thread r = reader;
        if (r != null && r != Thread.currentThread()) {
            try {
                r.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    ObjectMapper mapper() {
        return mapper;
    }
}
