package dev.ovs.bus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Client of the bus's Unix-socket line protocol (one JSON object per line, UTF-8; see {@code docs/bus.md}).
 * Usable inside OSGi and from any other JVM process (needs jackson-databind and junixsocket on the
 * class path). Thread-safe. Events and replies are read by one daemon thread
 * ({@code patchbay-bus-client}); listeners run on that thread, sequentially and in order, so they must be
 * quick.
 *
 * <p>The command line tool behind {@code bin/patchbay bus} is built on this class; it is not part of it (see
 * {@code docs/bus.md}, "Command line").
 */
public final class BusClient implements AutoCloseable {
    /** Socket path {@value}: the one the shipped {@code etc/dev.ovs.bus.cfg} names (the bus serves none without that key). */
    public static final String DEFAULT_SOCKET = "/run/patchbay/bus.sock";
    /** Default time to wait for a reply: 10 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final ObjectMapper mapper = new ObjectMapper();
    private final AFUNIXSocket socket;
    /** Request lines to send and the flusher thread. */
    private final LineSender sender;
    /** Encoding of {@code pub} requests. */
    private final PublishEncoder encoder = new PublishEncoder(mapper);
    /** Calls waiting for their reply, by request id. */
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, ClientSubscription> subs = new ConcurrentHashMap<>();
    /** Frames received, dispatched to {@link #subs} and {@link #pending}. */
    private final FrameReader frames = new FrameReader(mapper, subs, pending);
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final Thread reader;

    private BusClient(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.sender = new LineSender(mapper.getFactory(), socket.getOutputStream());
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> frames.readLoop(in, this::finish), "patchbay-bus-client");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to a bus socket.
     *
     * @param socket path of the bus socket (config key {@code socket})
     * @return a connected client; close it when done
     * @throws IOException if the socket does not exist, refuses, or permission is denied (mode 0660)
     */
    public static BusClient connect(Path socket) throws IOException {
        if (socket == null) {
            throw new IllegalArgumentException("socket: must not be null");
        }
        return new BusClient(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket)));
    }

    /**
     * Publishes without waiting (fire-and-forget; line {@code {"op":"pub",...}} without id).
     *
     * @param topic literal topic, validated locally first ({@link Topics#checkTopic(String)})
     * @param payload JSON payload, null for JSON null
     * @param type event type or null (server default: last topic token)
     * @throws IllegalArgumentException invalid topic
     * @throws IOException connection closed or write failed
     */
    public void publish(String topic, JsonNode payload, String type) throws IOException {
        Topics.checkTopic(topic);
        sender.send(g -> encoder.writePub(g, topic, payload, type, null));
    }

    /**
     * Publishes a payload that is already JSON text, without waiting (like {@link #publish}); the bytes are sent
     * as they are (a newline or carriage return, which valid JSON has only as whitespace between tokens, is sent
     * as a space), so no tree is built on either side of the socket. Subscribers get the payload byte for byte.
     *
     * @param topic literal topic, validated locally first ({@link Topics#checkTopic(String)})
     * @param payloadJson exactly one JSON value (RFC 8259), UTF-8 without a byte order mark; checked locally with
     *        a streaming parser
     * @param type event type or null (server default: last topic token)
     * @throws IllegalArgumentException invalid topic, or {@code payloadJson} null or not exactly one well-formed
     *         JSON value (message starts with {@code payload: })
     * @throws IOException connection closed or write failed
     */
    public void publishJson(String topic, byte[] payloadJson, String type) throws IOException {
        byte[] head = encoder.jsonHead(topic, type);
        encoder.checkPayload(payloadJson);
        sender.sendLine(head, payloadJson);
    }

    /**
     * Publishes and waits for the server's {@code ok} (request carries an id).
     *
     * @param topic literal topic
     * @param payload JSON payload or null
     * @param type event type or null
     * @param timeout how long to wait for the reply
     * @throws IllegalArgumentException invalid topic, or the server answered with an error frame (its message)
     * @throws IOException connection closed, write failed, or no reply within {@code timeout}
     */
    public void publishAndWait(String topic, JsonNode payload, String type, Duration timeout) throws IOException {
        String id = nextId();
        Topics.checkTopic(topic);
        call(id, g -> encoder.writePub(g, topic, payload, type, id), timeout);
    }

    /**
     * Subscribes; returns after the server's {@code ok}, so events published after this call returns are
     * delivered (at most once).
     *
     * @param pattern pattern, validated locally first ({@link Topics#checkPattern(String)})
     * @param listener called on the client's reader thread
     * @return the subscription; {@link Subscription#close()} sends {@code unsub}
     * @throws IllegalArgumentException invalid pattern, null listener, or an error frame from the server
     * @throws IOException connection closed, or no reply within {@link #DEFAULT_TIMEOUT}
     */
    public Subscription subscribe(String pattern, EventListener listener) throws IOException {
        Topics.checkPattern(pattern);
        if (listener == null) {
            throw new IllegalArgumentException("listener: must not be null");
        }
        String id = nextId();
        ClientSubscription s = new ClientSubscription(id, pattern, listener, this);
        subs.put(id, s);
        try {
            call(id, request("sub", id).put("pattern", pattern), DEFAULT_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            subs.remove(id);
            throw e;
        }
        return s;
    }

    /**
     * Round trip ({@code ping} / {@code pong}): when it returns, every request sent before was processed.
     *
     * @param timeout how long to wait
     * @return the server's clock, milliseconds since the epoch
     * @throws IOException connection closed or timeout
     */
    public long ping(Duration timeout) throws IOException {
        String id = nextId();
        return call(id, request("ping", id), timeout).path("ts").asLong();
    }

    /** @return whether the connection is open (false after {@link #close()} or EOF from the server) */
    public boolean isOpen() {
        return !sender.isClosed();
    }

    /** @return the message of the last error frame that carried no request id, or empty */
    public String lastError() {
        return frames.lastError();
    }

    /**
     * Waits until the connection is closed (by {@link #close()} or by the server: EOF).
     *
     * @param timeout maximum wait
     * @return true if closed, false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Closes the connection and ends every subscription; idempotent, never throws. */
    @Override
    public void close() {
        sender.drain();
        sender.close();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        if (reader != Thread.currentThread()) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        finish();
    }

    /** Removes a subscription and sends its {@code unsub} (nothing if the connection is gone). */
    void unsubscribe(String id) {
        subs.remove(id);
        try {
            send(request("unsub", id));
        } catch (IOException ignored) {
            // connection gone: nothing to unsubscribe
        }
    }

    private String nextId() {
        return "c" + ids.incrementAndGet();
    }

    /** @return {@code {"op":<op>,"id":<id>}} */
    private ObjectNode request(String op, String id) {
        ObjectNode n = mapper.createObjectNode();
        n.put("op", op);
        n.put("id", id);
        return n;
    }

    private JsonNode call(String id, ObjectNode frame, Duration timeout) throws IOException {
        return call(id, g -> mapper.writeTree(g, frame), timeout);
    }

    /**
     * Sends the request written by {@code w}, whose id is {@code id}, and waits for its reply.
     *
     * @return the reply ({@code ok} or {@code pong})
     * @throws IllegalArgumentException the reply is an error frame (its message)
     * @throws IOException closed, write failed, interrupted, or no reply within {@code timeout}
     */
    private JsonNode call(String id, LineSender.FrameWriter w, Duration timeout) throws IOException {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            sender.send(w);
            JsonNode reply = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if ("error".equals(reply.path("op").asText())) {
                throw new IllegalArgumentException(reply.path("message").asText());
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("bus: interrupted while waiting for a reply", e);
        } catch (ExecutionException e) {
            throw new IOException("bus: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("bus: no reply within " + timeout.toMillis() + " ms");
        } finally {
            pending.remove(id);
        }
    }

    private void send(ObjectNode frame) throws IOException {
        sender.send(g -> mapper.writeTree(g, frame));
    }

    /** The connection ended (EOF, read error or {@link #close()}): fails waiting calls, closes subscriptions. */
    private void finish() {
        sender.close();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        for (CompletableFuture<JsonNode> f : pending.values()) {
            f.completeExceptionally(new IOException("connection closed"));
        }
        for (ClientSubscription s : subs.values()) {
            s.markClosed();
        }
        closedLatch.countDown();
    }
}
