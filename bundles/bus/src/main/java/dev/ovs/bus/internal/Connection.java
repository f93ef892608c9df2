package dev.ovs.bus.internal;

import dev.ovs.bus.BusStats;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Topics;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * One socket client: who it is (peer credentials, permissions), its two threads and what its requests mean. A
 * reader thread ({@link LineReader}) reads request lines and hands each to {@link #handleRequest}, which checks it
 * and carries out {@code pub} and {@code ping} here, {@code sub} and {@code unsub} in {@link ConnectionSubs}; a
 * writer thread drains the connection's {@link Outbox} (control frames first, then event frames).
 *
 * <p>Cost model: a {@code pub}'s payload is checked to be one well-formed JSON value and kept as the bytes the
 * client sent; its topic's tokens, default type and permission are computed once per distinct topic in a row, the
 * frame body's head once per distinct topic and type in a row.
 */
final class Connection {
    /** Longest accepted request line, bytes, excluding the newline: 1 MiB. */
    static final int MAX_LINE = 1 << 20;
    /** Longest request id, characters. */
    static final int MAX_ID = 128;
    private static final String NOT_TEXT = Request.NOT_TEXT;

    final long id;
    final BusEngine engine;
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
    /** The frames to send and the writer thread's loop. */
    final Outbox outbox;
    private final ConnectionSubs subs;
    private final LineReader lines;
    private volatile Thread reader;
    private volatile Thread writer;
    /** Last validated pub topic, its tokens and default type (publishers mostly repeat a topic); reader thread only. */
    private String lastTopic;
    private String[] lastTokens;
    private String lastDefaultType;
    /** {@link Permissions.Access#publishDenied} of {@link #lastTopic}: null if allowed. */
    private String lastDenial;
    /** Frame body head {@code "topic":…,"type":…,"ts":} of {@link #headTopic} and {@link #headType}. */
    private byte[] head;
    private String headTopic;
    private String headType;
    /** {@code ,"source":"unix:…","payload":}: the part of every frame body of this connection after the ts. */
    private final byte[] tail;

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
        this.outbox = new Outbox(this, engine);
        this.subs = new ConnectionSubs(engine, outbox, access, denied, "conn:" + id);
        this.lines = new LineReader(this);
    }

    void start() {
        reader = new Thread(() -> lines.readLoop(socket), BusEngine.THREAD_PREFIX + "conn-" + id + "-reader");
        writer = new Thread(() -> outbox.writeLoop(socket), BusEngine.THREAD_PREFIX + "conn-" + id + "-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        writer.start();
        reader.start();
    }

    BusStats.ConnectionStats stats() {
        return new BusStats.ConnectionStats("conn:" + id, pid, uid, gid, subs.size(), lines.received(), denied.get());
    }

    /** @return whether {@link #shutdown()} was called */
    boolean isClosed() {
        return outbox.isClosed();
    }

    /** A line longer than {@link #MAX_LINE}: the error is written, then the connection closes; nothing more is read. */
    void oversize() {
        outbox.sendErrorAndFinish("line: longer than " + MAX_LINE + " bytes; closing the connection");
        try {
            socket.shutdownInput();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Carries out one request just read from the line at {@code b[off...]} (its payload offsets are relative to
     * {@code off}): checks id and op, then the op; an invalid request gets an error frame, in the order of the
     * documented protocol.
     */
    void handleRequest(Request r, byte[] b, int off) {
        String reqId = r.id;
        String op = r.op;
        if (reqId != null && (reqId == Request.NOT_TEXT || reqId.isEmpty() || reqId.length() > MAX_ID)) {
            outbox.sendError(null, "id: must be a non-empty string of at most " + MAX_ID + " characters");
            return;
        }
        if (op == null || op == Request.NOT_TEXT) {
            outbox.sendError(reqId, "op: missing or not a string (expected pub, sub, unsub or ping)");
            return;
        }
        try {
            switch (op) {
                case "pub" -> pub(reqId, r.topic, r.type, b, off, r.payloadStart, r.payloadEnd);
                case "sub" -> subs.sub(reqId, r.pattern);
                case "unsub" -> subs.unsub(reqId);
                case "ping" -> outbox.sendPong(reqId);
                default -> outbox.sendError(reqId, "op: unknown op '" + op + "' (expected pub, sub, unsub or ping)");
            }
        } catch (IllegalArgumentException e) {
            outbox.sendError(reqId, e.getMessage());
        }
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
            engine.publishMsg(tokens, m, lines);
        }
        if (reqId != null) {
            outbox.sendOk(reqId);
        }
    }

    /** Idempotent: closes the socket, the subscriptions, and unregisters from the server. */
    void shutdown() {
        if (!outbox.close()) {
            return;
        }
        subs.closeAll();
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
}
