package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * One socket client: a reader thread parsing request lines, a writer thread draining two queues (control
 * frames first, then event frames). The event queue is bounded by {@code queue.size} and drops the oldest
 * frame (counted on the subscription it belonged to); the control queue is bounded by
 * {@link #MAX_CONTROL} and a client that overflows it (sends requests but never reads replies) is
 * disconnected.
 *
 * <p>Cost model: a request line is read with a streaming parser (no tree); a {@code pub}'s payload is checked
 * to be one well-formed JSON value and kept as the bytes the client sent. An event frame is
 * {@code {"op":"event","id":"<sid>",} (made once per subscription) followed by the event's
 * {@link Msg#body()} (made once per publish, shared by all connections). The writer takes everything queued under
 * one lock acquisition and writes it with one flush.
 */
final class Connection implements BusEngine.Waker {
    /** Longest accepted request line, bytes, excluding the newline: 1 MiB. */
    static final int MAX_LINE = 1 << 20;
    static final int MAX_CONTROL = 1024;
    static final int MAX_SUBS = 256;
    static final int MAX_ID = 128;
    /** Marks a request field that is present but neither a string nor null (compared by identity). */
    private static final String NOT_TEXT = new String("<not a string>");

    final long id;
    private final BusEngine engine;
    private final SocketServer server;
    private final AFUNIXSocket socket;
    final long pid;
    final long uid;
    final long gid;
    private final String source;
    private final Map<String, SocketSub> subs = new ConcurrentHashMap<>();
    private final AtomicLong autoIds = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Object lock = new Object();
    private final ArrayDeque<byte[]> control = new ArrayDeque<>();
    private final ArrayDeque<Frame> events = new ArrayDeque<>();
    private boolean closeAfterControl;
    /** The writer is in {@code lock.wait()}: only then does a producer need to notify (guarded by lock). */
    private boolean writerWaiting;
    /** A publishing connection has this connection in its {@link #toWake} list (guarded by lock). */
    private boolean wakeQueued;
    /** Connections to wake after the current read's lines are handled; this connection's reader thread only. */
    private final List<Connection> toWake = new ArrayList<>();
    /**
     * Lines after which deferred wake-ups are done even within one read: a 64 KiB read holds hundreds of
     * small publishes, and subscribers should get the first of them while the rest are parsed (pipelining).
     */
    static final int WAKE_EVERY_LINES = 32;
    private int linesSinceWake;
    private volatile boolean closed;
    private volatile Thread reader;
    private volatile Thread writer;
    /** Bytes of a line begun in an earlier read; reader thread only. */
    private byte[] line = new byte[4096];
    private int lineLen;
    /** Last validated pub topic and its tokens (publishers mostly repeat a topic); reader thread only. */
    private String lastTopic;
    private String[] lastTokens;
    private String lastDefaultType;

    private record Frame(SocketSub sub, Msg msg) {
    }

    Connection(BusEngine engine, SocketServer server, long id, AFUNIXSocket socket, long pid, long uid, long gid) {
        this.engine = engine;
        this.server = server;
        this.id = id;
        this.socket = socket;
        this.pid = pid;
        this.uid = uid;
        this.gid = gid;
        this.source = "unix:pid=" + pid + ",uid=" + uid + ",gid=" + gid;
    }

    void start() {
        reader = new Thread(this::readLoop, BusEngine.THREAD_PREFIX + "conn-" + id + "-reader");
        writer = new Thread(this::writeLoop, BusEngine.THREAD_PREFIX + "conn-" + id + "-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        writer.start();
        reader.start();
    }

    BusStats.ConnectionStats stats() {
        return new BusStats.ConnectionStats("conn:" + id, pid, uid, gid, subs.size(), received.get());
    }

    // ---------------------------------------------------------------- reading

    private void readLoop() {
        byte[] buf = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while (!closed && (n = in.read(buf)) > 0) {
                boolean ok;
                try {
                    ok = lines(buf, n);
                } finally {
                    wakeDeferred();
                }
                if (!ok) {
                    oversize();
                    return;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                BusEngine.LOG.log(Level.DEBUG, "bus: conn:" + id + " read failed: " + e);
            }
        } catch (RuntimeException e) {
            BusEngine.LOG.log(Level.WARNING, "bus: conn:" + id + " reader failed", e);
        }
        shutdown();
    }

    @Override
    public void defer(Connection c) {
        toWake.add(c);
    }

    /** Wakes the writers of the connections that got events from this read's publishes. */
    private void wakeDeferred() {
        linesSinceWake = 0;
        for (int i = 0; i < toWake.size(); i++) {
            Connection c = toWake.get(i);
            synchronized (c.lock) {
                c.wakeQueued = false;
                c.lock.notifyAll();
            }
        }
        toWake.clear();
    }

    /**
     * Handles the complete lines of one read and keeps the rest for the next (a method of its own, called per
     * read, so that the JIT compiles the scan loop early).
     *
     * @return false if a line exceeds {@link #MAX_LINE}
     */
    private boolean lines(byte[] buf, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                int seg = i - start;
                if (lineLen + seg > MAX_LINE) {
                    return false;
                }
                if (++linesSinceWake >= WAKE_EVERY_LINES) {
                    wakeDeferred();
                }
                if (lineLen == 0) {
                    handleLine(buf, start, seg); // the whole line came in this read: no copy
                } else {
                    line = append(line, lineLen, buf, start, seg);
                    handleLine(line, 0, lineLen + seg);
                    lineLen = 0;
                    if (line.length > 64 * 1024) {
                        line = new byte[4096];
                    }
                }
                start = i + 1;
            }
        }
        int seg = n - start;
        if (lineLen + seg > MAX_LINE) {
            return false;
        }
        line = append(line, lineLen, buf, start, seg);
        lineLen += seg;
        return true;
    }

    private static byte[] append(byte[] line, int len, byte[] src, int off, int n) {
        if (len + n > line.length) {
            line = java.util.Arrays.copyOf(line, Math.max(len + n, Math.min(line.length * 2, MAX_LINE)));
        }
        System.arraycopy(src, off, line, len, n);
        return line;
    }

    private void oversize() {
        sendControl(error(null, "line: longer than " + MAX_LINE + " bytes; closing the connection"));
        synchronized (lock) {
            closeAfterControl = true;
            lock.notifyAll();
        }
        try {
            socket.shutdownInput();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * One request line, {@code b[off, off+len)} without the newline, read with a streaming parser: the fields
     * {@code op id topic type pattern} as strings; {@code payload} read to its end by the parser (which rejects
     * anything but one well-formed JSON value: syntax, string escapes, UTF-8, nesting) and kept as the bytes
     * sent; other fields skipped; a repeated field: the last one counts. Errors and their order are those of
     * the documented protocol.
     */
    private void handleLine(byte[] b, int off, int len) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        boolean blank = true;
        for (int i = off; i < off + len && blank; i++) {
            blank = b[i] == ' ' || b[i] == '\t';
        }
        if (blank) {
            return;
        }
        received.incrementAndGet();
        String op = null;
        String reqId = null;
        String topic = null;
        String type = null;
        String pattern = null;
        int payloadStart = -1;
        int payloadEnd = -1;
        try (JsonParser p = engine.mapper.getFactory().createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                p.finishToken();
                if (p.nextToken() != null) {
                    throw new JsonParseException(p, "trailing token after the value");
                }
                sendControl(error(null, "json: a request must be a JSON object"));
                return;
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "op" -> op = text(p, t);
                    case "id" -> reqId = text(p, t);
                    case "topic" -> topic = text(p, t);
                    case "type" -> type = text(p, t);
                    case "pattern" -> pattern = text(p, t);
                    case "payload" -> {
                        payloadStart = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        p.finishToken();
                        payloadEnd = (int) p.currentLocation().getByteOffset();
                    }
                    default -> {
                        p.skipChildren();
                        p.finishToken();
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new JsonParseException(p, "trailing token after the request object");
            }
        } catch (IOException | IllegalArgumentException e) {
            sendControl(error(null, "json: malformed line: " + firstLine(e.getMessage())));
            return;
        }
        if (reqId != null && (reqId == NOT_TEXT || reqId.isEmpty() || reqId.length() > MAX_ID)) {
            sendControl(error(null, "id: must be a non-empty string of at most " + MAX_ID + " characters"));
            return;
        }
        if (op == null || op == NOT_TEXT) {
            sendControl(error(reqId, "op: missing or not a string (expected pub, sub, unsub or ping)"));
            return;
        }
        try {
            switch (op) {
                case "pub" -> pub(reqId, topic, type, b, off, payloadStart, payloadEnd);
                case "sub" -> sub(reqId, pattern);
                case "unsub" -> unsub(reqId);
                case "ping" -> {
                    ObjectNode pong = frame("pong", reqId);
                    pong.put("ts", System.currentTimeMillis());
                    sendControl(pong);
                }
                default -> sendControl(error(reqId, "op: unknown op '" + op + "' (expected pub, sub, unsub or ping)"));
            }
        } catch (IllegalArgumentException e) {
            sendControl(error(reqId, e.getMessage()));
        }
    }

    /** @return the string value, null for JSON null, {@link #NOT_TEXT} for anything else (read to its end) */
    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        p.skipChildren();
        p.finishToken();
        return NOT_TEXT;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private void pub(String reqId, String topic, String type, byte[] b, int off, int payloadStart, int payloadEnd) {
        if (topic == null || topic == NOT_TEXT) {
            throw new IllegalArgumentException("topic: missing or not a string");
        }
        if (type == NOT_TEXT) {
            throw new IllegalArgumentException("type: must be a string");
        }
        String[] tokens;
        if (topic.equals(lastTopic)) {
            tokens = lastTokens;
        } else {
            tokens = BusEngine.tokens(topic);
            lastTopic = topic;
            lastTokens = tokens;
            lastDefaultType = Topics.decode(tokens[tokens.length - 1]);
        }
        if (type == null) {
            type = lastDefaultType;
        }
        byte[] payload = payloadStart < 0 ? null : Arrays.copyOfRange(b, off + payloadStart, off + payloadEnd);
        engine.publishRaw(source, topic, tokens, payload, type, this);
        if (reqId != null) {
            sendControl(frame("ok", reqId));
        }
    }

    private void sub(String reqId, String pattern) {
        if (pattern == null || pattern == NOT_TEXT) {
            throw new IllegalArgumentException("pattern: missing or not a string");
        }
        String[][] compiled = engine.compile(List.of(pattern));
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
        synchronized (lock) {
            engine.addSocketSub(s);
            sendControl(frame("ok", sid));
        }
    }

    private void unsub(String reqId) {
        if (reqId == null) {
            throw new IllegalArgumentException("id: unsub needs the id of the subscription");
        }
        SocketSub s = subs.remove(reqId);
        if (s == null) {
            throw new IllegalArgumentException("id: no subscription '" + reqId + "' on this connection");
        }
        s.close();
        sendControl(frame("ok", reqId));
    }

    // ---------------------------------------------------------------- writing

    private ObjectNode frame(String op, String reqId) {
        ObjectNode n = engine.mapper.createObjectNode();
        n.put("op", op);
        if (reqId != null) {
            n.put("id", reqId);
        }
        return n;
    }

    private ObjectNode error(String reqId, String message) {
        ObjectNode n = frame("error", reqId);
        n.put("message", message);
        return n;
    }

    private void sendControl(ObjectNode frame) {
        byte[] bytes;
        try {
            bytes = engine.mapper.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        boolean overflow;
        synchronized (lock) {
            overflow = control.size() >= MAX_CONTROL;
            if (!overflow) {
                control.addLast(bytes);
                if (writerWaiting) {
                    lock.notifyAll();
                }
            }
        }
        if (overflow) {
            BusEngine.LOG.log(Level.WARNING, "bus: conn:" + id + " does not read its replies; disconnecting");
            shutdown();
        }
    }

    /**
     * Takes everything queued (control frames first, then events) under one lock acquisition, writes it through a
     * 64 KiB buffer and flushes once per batch. A batch holds at most what the queues held, so memory stays
     * bounded by twice the queue limits.
     */
    private void writeLoop() {
        List<byte[]> ctl = new ArrayList<>();
        List<Frame> evs = new ArrayList<>();
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            while (true) {
                boolean finish;
                synchronized (lock) {
                    while (!closed && control.isEmpty() && !closeAfterControl && events.isEmpty()) {
                        writerWaiting = true;
                        try {
                            lock.wait();
                        } finally {
                            writerWaiting = false;
                        }
                    }
                    if (closed) {
                        break;
                    }
                    ctl.addAll(control);
                    control.clear();
                    finish = closeAfterControl;
                    if (!finish) {
                        evs.addAll(events);
                        events.clear();
                    }
                }
                for (byte[] c : ctl) {
                    out.write(c);
                    out.write('\n');
                }
                ctl.clear();
                for (Frame f : evs) {
                    byte[] body;
                    try {
                        body = f.msg.body();
                    } catch (UncheckedIOException e) {
                        BusEngine.LOG.log(Level.WARNING, "bus: event on " + f.msg.topic + " cannot be serialised; dropped", e);
                        f.sub.countDropped(1);
                        continue;
                    }
                    out.write(f.sub.prefix);
                    out.write(body);
                    f.sub.countDelivered();
                }
                evs.clear();
                out.flush();
                if (finish) {
                    break;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                BusEngine.LOG.log(Level.DEBUG, "bus: conn:" + id + " write failed: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown();
    }

    /** Idempotent: closes the socket, the subscriptions, and unregisters from the server. */
    void shutdown() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            control.clear();
            events.clear();
            lock.notifyAll();
        }
        for (SocketSub s : subs.values()) {
            s.close();
        }
        subs.clear();
        SocketServer.closeQuietly(socket);
        server.removed(this);
    }

    void join() {
        SocketServer.join(reader);
        SocketServer.join(writer);
    }

    /** @return whether a thread of this connection is (still) running */
    boolean alive() {
        Thread r = reader;
        Thread w = writer;
        return r != null && r.isAlive() || w != null && w.isAlive();
    }

    /** A subscription of this connection: offering enqueues a frame on the connection's event queue. */
    final class SocketSub extends BusEngine.Sub {
        /** {@code {"op":"event","id":"<sid>",}: the part of an event frame that differs per subscription. */
        final byte[] prefix;

        SocketSub(String sid, String pattern, String[][] compiled) {
            engine.super(sid, List.of(pattern), compiled, "conn:" + Connection.this.id);
            byte[] b;
            try {
                b = engine.mapper.writeValueAsBytes(frame("event", sid));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            b[b.length - 1] = ','; // {"op":"event","id":"…"} without its closing brace
            prefix = b;
        }

        @Override
        void offer(Msg m, BusEngine.Waker waker) {
            SocketSub victim = null;
            synchronized (lock) {
                if (closed || subClosed) {
                    return;
                }
                if (events.size() >= engine.settings.queueSize()) {
                    victim = events.pollFirst().sub;
                }
                events.addLast(new Frame(this, m));
                if (writerWaiting) {
                    if (waker == null) {
                        lock.notifyAll();
                    } else if (!wakeQueued) {
                        wakeQueued = true;
                        waker.defer(Connection.this);
                    }
                }
            }
            if (victim != null) {
                victim.countDropped(1);
            }
        }

        @Override
        public int queued() {
            int n = 0;
            synchronized (lock) {
                for (Frame f : events) {
                    if (f.sub == this) {
                        n++;
                    }
                }
            }
            return n;
        }

        @Override
        public void close() {
            super.close();
            subs.remove(id, this);
        }
    }
}
