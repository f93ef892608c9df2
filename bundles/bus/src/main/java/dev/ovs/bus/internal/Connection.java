package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
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
 * frames first, then event frames). The event queue is bounded by {@code queue.size} events and by
 * {@code queue.bytes} bytes ({@link Msg#size()}, counting the batch the writer is writing too; the newest event is
 * always kept) and drops the oldest frame (counted on the subscription it belonged to); the control queue is
 * bounded by
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
    private static final String NOT_TEXT = Request.NOT_TEXT;

    final long id;
    private final BusEngine engine;
    private final SocketServer server;
    private final AFUNIXSocket socket;
    final long pid;
    final long uid;
    final long gid;
    /** Who this client is, as its events carry it. */
    private final Origin origin;
    /** What the permissions let this client do. */
    private final Permissions.Access access;
    private final AtomicLong denied = new AtomicLong();
    private final Map<String, SocketSub> subs = new ConcurrentHashMap<>();
    private final AtomicLong autoIds = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Object lock = new Object();
    /** Control frames to send (guarded by lock); the writer swaps it with {@link #controlBatch}. */
    private ArrayDeque<byte[]> control = new ArrayDeque<>();
    /** The writer's batch of control frames, empty between batches; writer thread (swapped under lock). */
    private ArrayDeque<byte[]> controlBatch = new ArrayDeque<>();
    /** Bytes ({@link Msg#size()}) of the batch the writer is writing (guarded by lock). */
    private long inflightBytes;
    /** Event frames to send (guarded by lock); the writer swaps it with {@link #eventBatch}. */
    private FrameRing events;
    /** The writer's batch of event frames, empty between batches; writer thread (swapped under lock). */
    private FrameRing eventBatch;
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
     * 256 (about two wake-ups per full read of small publishes) rather than 32: on a 2-core host, 1 → 10
     * subscribers, fewer and larger batches (fewer futex wake-ups, write(2) calls and client reader wake-ups)
     * gave 1.5-1.7x the throughput in alternating runs; a lone publish is still written at once (end of read).
     */
    static final int WAKE_EVERY_LINES = 256;
    private int linesSinceWake;
    private volatile boolean closed;
    private volatile Thread reader;
    private volatile Thread writer;
    /** Bytes of a line begun in an earlier read; reader thread only. */
    private byte[] line = new byte[4096];
    private int lineLen;
    /** Last validated pub topic, its bytes and tokens (publishers mostly repeat a topic); reader thread only. */
    private String lastTopic;
    private byte[] lastTopicBytes;
    private String[] lastTokens;
    private String lastDefaultType;
    /** {@link Permissions.Access#publishDenied} of {@link #lastTopic}: null if allowed. */
    private String lastDenial;
    /** Last explicit pub type seen by the scanner and its bytes; reader thread only. */
    private String lastType;
    private byte[] lastTypeBytes;
    /** Frame body head {@code "topic":…,"type":…,"ts":} of {@link #headTopic} and {@link #headType}. */
    private byte[] head;
    private String headTopic;
    private String headType;
    /** {@code ,"source":"unix:…","payload":}: the part of every frame body of this connection after the ts. */
    private final byte[] tail;
    private final RequestScanner scanner = new RequestScanner();
    private final Request request = new Request();

    Connection(BusEngine engine, SocketServer server, long id, AFUNIXSocket socket, long pid, long uid, long gid,
            Permissions.Access access) {
        this.engine = engine;
        this.server = server;
        this.id = id;
        this.socket = socket;
        this.pid = pid;
        this.uid = uid;
        this.gid = gid;
        this.access = access;
        this.origin = Origin.socket(uid, gid, pid);
        this.tail = Msg.tail(origin.source());
        int cap = engine.settings.queueSize();
        this.events = new FrameRing(cap);
        this.eventBatch = new FrameRing(cap);
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
        return new BusStats.ConnectionStats("conn:" + id, pid, uid, gid, subs.size(), received.get(), denied.get());
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
        while (start < n) {
            if (lineLen == 0) {
                // a line of the common shape: scanned and its end found in one pass (RequestScanner#scanLine)
                int nl = scanner.scanLine(buf, start, n);
                if (nl >= 0) {
                    countLine();
                    received.incrementAndGet();
                    fromScanner(buf, start, request);
                    handleRequest(buf, start);
                    start = nl + 1;
                    continue;
                }
            }
            int nl = start;
            while (nl < n && buf[nl] != '\n') {
                nl++;
            }
            if (nl == n) {
                break;
            }
            int seg = nl - start;
            if (lineLen + seg > MAX_LINE) {
                return false;
            }
            countLine();
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
            start = nl + 1;
        }
        int seg = n - start;
        if (lineLen + seg > MAX_LINE) {
            return false;
        }
        line = append(line, lineLen, buf, start, seg);
        lineLen += seg;
        return true;
    }

    private void countLine() {
        if (++linesSinceWake >= WAKE_EVERY_LINES) {
            wakeDeferred();
        }
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
     * One request line, {@code b[off, off+len)} without the newline. The common shape (see {@link RequestScanner})
     * is checked and read without building any object but the strings of new field values; anything else is read
     * with Jackson's streaming parser ({@link Request#parse}). Errors and their order are those of the documented
     * protocol.
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
        Request r = request;
        if (scanner.scan(b, off, len)) {
            fromScanner(b, off, r);
        } else {
            try {
                if (!r.parse(engine.mapper.getFactory(), b, off, len)) {
                    sendControl(error(null, "json: a request must be a JSON object"));
                    return;
                }
            } catch (IOException | IllegalArgumentException e) {
                sendControl(error(null, "json: malformed line: " + firstLine(e.getMessage())));
                return;
            }
        }
        handleRequest(b, off);
    }

    /** The {@link #request} just read from the line at {@code b[off...]}: checked, then carried out. */
    private void handleRequest(byte[] b, int off) {
        Request r = request;
        String reqId = r.id;
        String op = r.op;
        if (reqId != null && (reqId == Request.NOT_TEXT || reqId.isEmpty() || reqId.length() > MAX_ID)) {
            sendControl(error(null, "id: must be a non-empty string of at most " + MAX_ID + " characters"));
            return;
        }
        if (op == null || op == Request.NOT_TEXT) {
            sendControl(error(reqId, "op: missing or not a string (expected pub, sub, unsub or ping)"));
            return;
        }
        try {
            switch (op) {
                case "pub" -> pub(reqId, r.topic, r.type, b, off, r.payloadStart, r.payloadEnd);
                case "sub" -> sub(reqId, r.pattern);
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

    /**
     * Turns the scanner's offsets into the request's fields: known ops are constants, a topic or type equal to the
     * previous line's is that line's string (publishers mostly repeat them), so a repeated publish allocates none.
     */
    private void fromScanner(byte[] b, int off, Request r) {
        RequestScanner s = scanner;
        r.op = op(b, s.start(RequestScanner.OP), s.length(RequestScanner.OP));
        r.id = string(b, s.start(RequestScanner.ID), s.length(RequestScanner.ID));
        r.pattern = string(b, s.start(RequestScanner.PATTERN), s.length(RequestScanner.PATTERN));
        int ts = s.start(RequestScanner.TOPIC);
        int tn = s.length(RequestScanner.TOPIC);
        if (tn >= 0 && lastTopic != null && same(lastTopicBytes, b, ts, tn)) {
            r.topic = lastTopic;
        } else {
            r.topic = string(b, ts, tn);
        }
        int ys = s.start(RequestScanner.TYPE);
        int yn = s.length(RequestScanner.TYPE);
        if (yn >= 0 && lastType != null && same(lastTypeBytes, b, ys, yn)) {
            r.type = lastType;
        } else {
            r.type = string(b, ys, yn);
            if (yn >= 0) {
                lastType = r.type;
                lastTypeBytes = Arrays.copyOfRange(b, ys, ys + yn);
            }
        }
        r.payloadStart = s.payloadStart() < 0 ? -1 : s.payloadStart() - off;
        r.payloadEnd = s.payloadStart() < 0 ? -1 : s.payloadEnd() - off;
    }

    private static String op(byte[] b, int s, int n) {
        if (n == 3 && b[s + 1] == 'u' && b[s + 2] == 'b') {
            if (b[s] == 'p') {
                return "pub";
            }
            if (b[s] == 's') {
                return "sub";
            }
        }
        return string(b, s, n);
    }

    /** @return the printable-ASCII string at {@code b[s, s+n)}; null if the field was JSON null or absent (n < 0) */
    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exact for ASCII, no decoder
    private static String string(byte[] b, int s, int n) {
        return n < 0 ? null : new String(b, 0, s, n);
    }

    private static boolean same(byte[] a, byte[] b, int s, int n) {
        return a.length == n && Arrays.equals(a, 0, n, b, s, s + n);
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
        if (topic == lastTopic || topic.equals(lastTopic)) {
            tokens = lastTokens;
        } else {
            tokens = BusEngine.tokens(topic);
            lastTopic = topic;
            lastTopicBytes = topic.getBytes(StandardCharsets.UTF_8);
            lastTokens = tokens;
            lastDefaultType = Topics.decode(tokens[tokens.length - 1]);
            lastDenial = access.publishDenied(topic, tokens);
        }
        if (type == null) {
            type = lastDefaultType;
        }
        BusEngine.checkType(type);
        if (lastDenial != null) {
            denied.incrementAndGet();
            throw new IllegalArgumentException(lastDenial);
        }
        if (engine.accepting()) {
            if (topic != headTopic || type != headType) {
                head = Msg.head(topic, type);
                headTopic = topic;
                headType = type;
            }
            Msg m = Msg.ofText(engine.mapper, topic, type, System.currentTimeMillis(), origin, head, tail, b,
                    payloadStart < 0 ? -1 : off + payloadStart, payloadEnd - payloadStart);
            engine.publishMsg(tokens, m, this);
        }
        if (reqId != null) {
            sendControl(ok(reqId));
        }
    }

    private void sub(String reqId, String pattern) {
        if (pattern == null || pattern == NOT_TEXT) {
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
        synchronized (lock) {
            engine.addSocketSub(s);
            sendControl(ok(sid));
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
        sendControl(ok(reqId));
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

    private static final byte[] OK_PREFIX = "{\"op\":\"ok\",\"id\":".getBytes(StandardCharsets.US_ASCII);

    /** @return {@code {"op":"ok","id":<id>}} as {@link #frame} would serialise it, without a tree */
    private static byte[] ok(String reqId) {
        byte[] q = Msg.quoted(reqId);
        byte[] out = Arrays.copyOf(OK_PREFIX, OK_PREFIX.length + q.length + 1);
        System.arraycopy(q, 0, out, OK_PREFIX.length, q.length);
        out[out.length - 1] = '}';
        return out;
    }

    private void sendControl(ObjectNode frame) {
        byte[] bytes;
        try {
            bytes = engine.mapper.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        sendControl(bytes);
    }

    private void sendControl(byte[] bytes) {
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
     * Takes everything queued (control frames first, then events) under one lock acquisition by swapping the
     * queues with the writer's empty ones (no copy, no allocation), writes it through a 64 KiB buffer and flushes
     * once per batch. A batch holds at most what the queues held, so memory stays bounded by twice the queue
     * limits.
     */
    private void writeLoop() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            while (true) {
                boolean finish;
                ArrayDeque<byte[]> ctl;
                FrameRing evs;
                synchronized (lock) {
                    inflightBytes = 0; // the previous batch is written
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
                    ctl = control;
                    control = controlBatch;
                    controlBatch = ctl;
                    finish = closeAfterControl;
                    evs = eventBatch;
                    if (!finish) {
                        eventBatch = events;
                        events = evs;
                        evs = eventBatch;
                        inflightBytes = evs.bytes();
                    }
                }
                byte[] c;
                while ((c = ctl.pollFirst()) != null) {
                    out.write(c);
                    out.write('\n');
                }
                for (int i = 0, n = evs.size(); i < n; i++) {
                    SocketSub sub = evs.sub(i);
                    Msg m = evs.msg(i);
                    byte[] body;
                    try {
                        body = m.body();
                    } catch (UncheckedIOException e) {
                        BusEngine.LOG.log(Level.WARNING, "bus: event on " + m.topic + " cannot be serialised; dropped", e);
                        sub.countDropped(1);
                        continue;
                    }
                    out.write(sub.prefix);
                    out.write(body);
                    sub.countDelivered();
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

    /**
     * A bounded FIFO of event frames (subscription, event) in two parallel ring arrays: no object per frame. Grows
     * by doubling up to {@code max} (the connection's {@code queue.size}); when full, {@link #add} drops the oldest.
     * Not thread-safe (used under the connection's lock, or by the writer alone after a swap).
     */
    static final class FrameRing {
        private final int max;
        private SocketSub[] subs;
        private Msg[] msgs;
        private int head;
        private int size;
        /** Sum of {@link Msg#size()} of the frames held. */
        private long bytes;

        FrameRing(int max) {
            this.max = max;
            int cap = Math.min(max, 16);
            subs = new SocketSub[cap];
            msgs = new Msg[cap];
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** @return the sum of {@link Msg#size()} of the frames held */
        long bytes() {
            return bytes;
        }

        /**
         * Removes the oldest frame.
         *
         * @return its subscription, null if the ring is empty
         */
        SocketSub dropOldest() {
            if (size == 0) {
                return null;
            }
            SocketSub victim = subs[head];
            bytes -= msgs[head].size();
            subs[head] = null;
            msgs[head] = null;
            head = head + 1 == subs.length ? 0 : head + 1;
            size--;
            return victim;
        }

        /** @return the subscription of the dropped oldest frame if the ring was full, else null */
        SocketSub add(SocketSub s, Msg m) {
            SocketSub victim = null;
            if (size == subs.length) {
                if (size < max) {
                    grow();
                } else {
                    victim = dropOldest();
                }
            }
            int at = head + size;
            if (at >= subs.length) {
                at -= subs.length;
            }
            subs[at] = s;
            msgs[at] = m;
            size++;
            bytes += m.size();
            return victim;
        }

        private void grow() {
            int cap = (int) Math.min(max, subs.length * 2L);
            SocketSub[] ns = new SocketSub[cap];
            Msg[] nm = new Msg[cap];
            for (int i = 0; i < size; i++) {
                ns[i] = sub(i);
                nm[i] = msg(i);
            }
            subs = ns;
            msgs = nm;
            head = 0;
        }

        /** @return the subscription of the i-th frame from the oldest */
        SocketSub sub(int i) {
            int at = head + i;
            return subs[at >= subs.length ? at - subs.length : at];
        }

        /** @return the event of the i-th frame from the oldest */
        Msg msg(int i) {
            int at = head + i;
            return msgs[at >= msgs.length ? at - msgs.length : at];
        }

        int count(SocketSub s) {
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (sub(i) == s) {
                    n++;
                }
            }
            return n;
        }

        /** Empties the ring (references released for the GC). */
        void clear() {
            for (int i = 0; i < size; i++) {
                int at = head + i;
                if (at >= subs.length) {
                    at -= subs.length;
                }
                subs[at] = null;
                msgs[at] = null;
            }
            head = 0;
            size = 0;
            bytes = 0;
        }
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
            // the writer's batch is its own: it stops at its next write (socket closed) or check of closed
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
        boolean permits(String[] topic) {
            return access.receivesAll() || access.mayReceive(topic);
        }

        @Override
        void offer(Msg m, BusEngine.Waker waker) {
            SocketSub victim = null;
            synchronized (lock) {
                if (closed || subClosed) {
                    return;
                }
                victim = events.add(this, m);
                long limit = engine.settings.queueBytes() - inflightBytes;
                while (events.bytes() > limit && events.size() > 1) {
                    events.dropOldest().countDropped(1);
                }
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
            synchronized (lock) {
                return events.count(this);
            }
        }

        @Override
        public void close() {
            super.close();
            subs.remove(id, this);
        }
    }
}
