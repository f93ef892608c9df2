package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
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
 */
final class Connection {
    /** Longest accepted request line, bytes, excluding the newline: 1 MiB. */
    static final int MAX_LINE = 1 << 20;
    static final int MAX_CONTROL = 1024;
    static final int MAX_SUBS = 256;
    static final int MAX_ID = 128;

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
    private volatile boolean closed;
    private Thread reader;
    private Thread writer;

    private record Frame(SocketSub sub, Event event) {
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
        byte[] line = new byte[4096];
        int len = 0;
        try {
            InputStream in = socket.getInputStream();
            int n;
            while (!closed && (n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        int seg = i - start;
                        if (len + seg > MAX_LINE) {
                            oversize();
                            return;
                        }
                        line = append(line, len, buf, start, seg);
                        len += seg;
                        handleLine(line, len);
                        len = 0;
                        start = i + 1;
                        if (line.length > 64 * 1024) {
                            line = new byte[4096];
                        }
                    }
                }
                int seg = n - start;
                if (len + seg > MAX_LINE) {
                    oversize();
                    return;
                }
                line = append(line, len, buf, start, seg);
                len += seg;
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

    private void handleLine(byte[] line, int len) {
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        boolean blank = true;
        for (int i = 0; i < len && blank; i++) {
            blank = line[i] == ' ' || line[i] == '\t';
        }
        if (blank) {
            return;
        }
        received.incrementAndGet();
        JsonNode req;
        try {
            req = engine.mapper.readTree(line, 0, len);
        } catch (IOException e) {
            sendControl(error(null, "json: malformed line: " + firstLine(e.getMessage())));
            return;
        }
        if (req == null || !req.isObject()) {
            sendControl(error(null, "json: a request must be a JSON object"));
            return;
        }
        JsonNode idNode = req.get("id");
        String reqId = null;
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual() || idNode.asText().isEmpty() || idNode.asText().length() > MAX_ID) {
                sendControl(error(null, "id: must be a non-empty string of at most " + MAX_ID + " characters"));
                return;
            }
            reqId = idNode.asText();
        }
        JsonNode opNode = req.get("op");
        if (opNode == null || !opNode.isTextual()) {
            sendControl(error(reqId, "op: missing or not a string (expected pub, sub, unsub or ping)"));
            return;
        }
        try {
            switch (opNode.asText()) {
                case "pub" -> pub(req, reqId);
                case "sub" -> sub(req, reqId);
                case "unsub" -> unsub(reqId);
                case "ping" -> {
                    ObjectNode pong = frame("pong", reqId);
                    pong.put("ts", System.currentTimeMillis());
                    sendControl(pong);
                }
                default -> sendControl(error(reqId, "op: unknown op '" + opNode.asText()
                        + "' (expected pub, sub, unsub or ping)"));
            }
        } catch (IllegalArgumentException e) {
            sendControl(error(reqId, e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private void pub(JsonNode req, String reqId) {
        JsonNode topic = req.get("topic");
        if (topic == null || !topic.isTextual()) {
            throw new IllegalArgumentException("topic: missing or not a string");
        }
        JsonNode type = req.get("type");
        if (type != null && !type.isNull() && !type.isTextual()) {
            throw new IllegalArgumentException("type: must be a string");
        }
        engine.publishOwned(source, topic.asText(), req.get("payload"),
                type == null || type.isNull() ? null : type.asText());
        if (reqId != null) {
            sendControl(frame("ok", reqId));
        }
    }

    private void sub(JsonNode req, String reqId) {
        JsonNode pattern = req.get("pattern");
        if (pattern == null || !pattern.isTextual()) {
            throw new IllegalArgumentException("pattern: missing or not a string");
        }
        String[][] compiled = engine.compile(List.of(pattern.asText()));
        String sid = reqId;
        if (sid == null) {
            do {
                sid = "a" + autoIds.incrementAndGet();
            } while (subs.containsKey(sid));
        }
        if (subs.size() >= MAX_SUBS) {
            throw new IllegalArgumentException("sub: at most " + MAX_SUBS + " subscriptions per connection");
        }
        SocketSub s = new SocketSub(sid, pattern.asText(), compiled);
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
                lock.notifyAll();
            }
        }
        if (overflow) {
            BusEngine.LOG.log(Level.WARNING, "bus: conn:" + id + " does not read its replies; disconnecting");
            shutdown();
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            while (true) {
                byte[] ctl = null;
                Frame ev = null;
                boolean more;
                boolean finish = false;
                synchronized (lock) {
                    while (!closed && control.isEmpty() && !closeAfterControl && events.isEmpty()) {
                        lock.wait();
                    }
                    if (closed) {
                        break;
                    }
                    if (!control.isEmpty()) {
                        ctl = control.pollFirst();
                    } else if (closeAfterControl) {
                        finish = true;
                    } else {
                        ev = events.pollFirst();
                    }
                    more = !control.isEmpty() || (!closeAfterControl && !events.isEmpty());
                }
                if (finish) {
                    out.flush();
                    break;
                }
                if (ctl != null) {
                    out.write(ctl);
                } else {
                    ObjectNode n = frame("event", ev.sub.id);
                    n.put("topic", ev.event.topic());
                    n.put("type", ev.event.type());
                    n.put("ts", ev.event.timestamp());
                    n.put("source", ev.event.source());
                    n.set("payload", ev.event.payload());
                    engine.mapper.writeValue(new NoClose(out), n);
                    ev.sub.countDelivered();
                }
                out.write('\n');
                if (!more) {
                    out.flush();
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

    /** Jackson closes the target stream after writeValue unless told otherwise; this stream ignores close. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // keep the socket stream open
        }

        @Override
        public void flush() {
            // flushing is the writer loop's decision
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

    /** A subscription of this connection: offering enqueues a frame on the connection's event queue. */
    final class SocketSub extends BusEngine.Sub {
        SocketSub(String sid, String pattern, String[][] compiled) {
            engine.super(sid, List.of(pattern), compiled, "conn:" + Connection.this.id);
        }

        @Override
        void offer(Event e) {
            SocketSub victim = null;
            synchronized (lock) {
                if (closed || subClosed) {
                    return;
                }
                if (events.size() >= engine.settings.queueSize()) {
                    victim = events.pollFirst().sub;
                }
                events.addLast(new Frame(this, e));
                lock.notifyAll();
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
