package dev.ovs.bus.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import dev.ovs.bus.Topics;
import dev.ovs.bus.protocol.JsonText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
    /** Default socket path {@value}, as in {@code dev.ovs.bus.cfg}. */
    public static final String DEFAULT_SOCKET = "/run/patchbay/bus.sock";
    /** Default time to wait for a reply: 10 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final ObjectMapper mapper = new ObjectMapper();
    private final AFUNIXSocket socket;
    private final OutputStream out;
    /** Lines waiting for the flusher thread; swapped with {@link #spare} by it (double buffering). */
    private LineBuffer pendingLines = new LineBuffer(64 * 1024);
    private LineBuffer spare = new LineBuffer(64 * 1024);
    private final Object writeLock = new Object();
    private boolean draining;
    private IOException writeError;
    private final Thread flusher;
    /** Bytes of unsent lines above which {@code publish} waits for the flusher (backpressure). */
    private static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, ClientSubscription> subs = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final Thread reader;
    private volatile boolean closed;
    private volatile String lastError = "";

    private BusClient(AFUNIXSocket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> readLoop(in), "patchbay-bus-client");
        reader.setDaemon(true);
        this.flusher = new Thread(this::flushLoop, "patchbay-bus-client-flusher");
        flusher.setDaemon(true);
        flusher.start();
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
        send(g -> {
            pubHead(g, topic, type, null);
            g.writeFieldName("payload");
            if (payload == null) {
                g.writeNull();
            } else {
                mapper.writeTree(g, payload);
            }
            g.writeEndObject();
        });
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
        PubHead h = pubHead;
        if (h == null || !h.topic.equals(topic) || !java.util.Objects.equals(h.type, type)) {
            Topics.checkTopic(topic);
            h = PubHead.of(topic, type);
            if (h != null) {
                pubHead = h;
            }
        }
        if (payloadJson == null || !JsonText.isOneValue(payloadJson)) {
            checkJson(payloadJson); // throws with Jackson's message, or accepts what the fast check left to it
        }
        if (h != null) {
            sendLine(h.bytes, payloadJson);
            return;
        }
        send(g -> {
            pubHead(g, topic, type, null);
            g.writeFieldName("payload");
            g.writeRawValue(""); // the ':' and the generator's state; the value itself follows unencoded
            g.flush();
            pendingLines.writeJson(payloadJson);
            g.writeEndObject();
        });
    }

    /** Last {@link #publishJson} topic and type as the start of a request line (any thread; immutable). */
    private volatile PubHead pubHead;

    /** {@code {"op":"pub","topic":"<topic>"[,"type":"<type>"],"payload":} for a topic and type needing no escapes. */
    private record PubHead(String topic, String type, byte[] bytes) {
        /** @return the head, or null if topic or type has a character that JSON must escape or that is not ASCII */
        static PubHead of(String topic, String type) {
            if (!plain(topic) || type != null && !plain(type)) {
                return null;
            }
            String line = "{\"op\":\"pub\",\"topic\":\"" + topic + "\"" + (type == null ? "" : ",\"type\":\"" + type + "\"")
                    + ",\"payload\":";
            return new PubHead(topic, type, line.getBytes(StandardCharsets.US_ASCII));
        }

        private static boolean plain(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    return false;
                }
            }
            return true;
        }
    }

    private void checkJson(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("payload: must not be null (use the bytes of JSON null)");
        }
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("payload: empty; expected one JSON value");
            }
            p.skipChildren();
            p.finishToken();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("payload: more than one JSON value");
            }
        } catch (IOException e) {
            throw refused("not well-formed JSON", e);
        }
        // As the bus reads it: inside the request line, UTF-8 without a byte order mark (alone, Jackson detects the
        // encoding: it skips a byte order mark and reads UTF-16/32; RFC 8259 section 8.1), and every string decoded as
        // a tree decodes it for in-process subscribers (skipChildren above passes over the strings in containers)
        byte[] inLine = new byte[json.length + 2];
        inLine[0] = '[';
        System.arraycopy(json, 0, inLine, 1, json.length);
        inLine[inLine.length - 1] = ']';
        try {
            mapper.readTree(inLine);
        } catch (IOException e) {
            throw refused("not UTF-8 JSON text as the bus reads it (no byte order mark, RFC 8259 section 8.1)", e);
        }
    }

    private static IllegalArgumentException refused(String rule, IOException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return new IllegalArgumentException("payload: " + rule + ": " + (nl < 0 ? m : m.substring(0, nl)), e);
    }

    private static void pubHead(JsonGenerator g, String topic, String type, String id) throws IOException {
        g.writeStartObject();
        g.writeStringField("op", "pub");
        if (id != null) {
            g.writeStringField("id", id);
        }
        g.writeStringField("topic", topic);
        if (type != null) {
            g.writeStringField("type", type);
        }
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
        call(id, pubFrame(topic, payload, type, id), timeout);
    }

    private ObjectNode pubFrame(String topic, JsonNode payload, String type, String id) {
        Topics.checkTopic(topic);
        ObjectNode n = mapper.createObjectNode();
        n.put("op", "pub");
        if (id != null) {
            n.put("id", id);
        }
        n.put("topic", topic);
        if (type != null) {
            n.put("type", type);
        }
        n.set("payload", payload);
        return n;
    }

    /** Writes one request object with a generator. */
    @FunctionalInterface
    private interface FrameWriter {
        void write(JsonGenerator g) throws IOException;
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
        ClientSubscription s = new ClientSubscription(id, pattern, listener);
        subs.put(id, s);
        ObjectNode n = mapper.createObjectNode();
        n.put("op", "sub");
        n.put("id", id);
        n.put("pattern", pattern);
        try {
            call(id, n, DEFAULT_TIMEOUT);
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
        ObjectNode n = mapper.createObjectNode();
        n.put("op", "ping");
        n.put("id", id);
        return call(id, n, timeout).path("ts").asLong();
    }

    /** @return whether the connection is open (false after {@link #close()} or EOF from the server) */
    public boolean isOpen() {
        return !closed;
    }

    /** @return the message of the last error frame that carried no request id, or empty */
    public String lastError() {
        return lastError;
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
        drain();
        closed = true;
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

    private String nextId() {
        return "c" + ids.incrementAndGet();
    }

    private JsonNode call(String id, ObjectNode frame, Duration timeout) throws IOException {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            send(frame);
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
        send(g -> mapper.writeTree(g, frame));
    }

    /**
     * Queues one line for the flusher thread, which writes whatever has accumulated in one system call:
     * a publisher never waits for the socket unless {@link #MAX_PENDING_BYTES} are already unsent. The line is
     * generated straight into the pending buffer (no intermediate tree or array); if generating fails, the
     * partial line is removed and the exception thrown.
     */
    private void send(FrameWriter w) throws IOException {
        synchronized (writeLock) {
            awaitRoom();
            int mark = pendingLines.size();
            try (JsonGenerator g = mapper.getFactory().createGenerator(pendingLines)) {
                w.write(g);
            } catch (IOException | RuntimeException e) {
                pendingLines.truncate(mark);
                throw e;
            }
            pendingLines.write('\n');
            writeLock.notifyAll();
        }
    }

    /**
     * Queues the line {@code head json }} (as {@link #send(FrameWriter)} does, without a generator: the bytes the
     * generator would have written for the same plain topic and type).
     */
    private void sendLine(byte[] head, byte[] json) throws IOException {
        synchronized (writeLock) {
            awaitRoom();
            pendingLines.write(head, 0, head.length);
            pendingLines.writeJson(json);
            pendingLines.write('}');
            pendingLines.write('\n');
            writeLock.notifyAll();
        }
    }

    /** Waits while {@link #MAX_PENDING_BYTES} are unsent; call with writeLock held. */
    private void awaitRoom() throws IOException {
        if (closed) {
            throw new IOException("bus: connection closed");
        }
        while (pendingLines.size() > MAX_PENDING_BYTES && writeError == null && !draining && !closed) {
            try {
                writeLock.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("bus: interrupted while waiting to send", e);
            }
        }
        if (writeError != null) {
            throw new IOException("bus: write failed: " + writeError.getMessage(), writeError);
        }
        if (closed || draining) {
            throw new IOException("bus: connection closed");
        }
    }

    /** A byte buffer that can drop a partly written line and copy JSON text with its line breaks as spaces. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer(int size) {
            super(size);
        }

        void truncate(int size) {
            count = size;
        }

        void writeJson(byte[] json) {
            int start = count;
            write(json, 0, json.length);
            for (int i = start; i < count; i++) {
                if (buf[i] == '\n' || buf[i] == '\r') {
                    buf[i] = ' ';
                }
            }
        }

        @Override
        public void close() {
            // the generator closes its target; this buffer lives on
        }
    }

    private void flushLoop() {
        while (true) {
            LineBuffer batch;
            synchronized (writeLock) {
                while (pendingLines.size() == 0 && !draining && !closed) {
                    try {
                        writeLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pendingLines.size() == 0) {
                    return; // draining or closed, nothing left
                }
                batch = pendingLines;
                pendingLines = spare;
                spare = batch;
            }
            try {
                batch.writeTo(out);
                out.flush();
            } catch (IOException e) {
                synchronized (writeLock) {
                    writeError = e;
                    writeLock.notifyAll();
                }
                return;
            }
            synchronized (writeLock) {
                batch.reset();
                writeLock.notifyAll();
            }
        }
    }

    /** Lets the flusher write what is queued (at most 2 s), then stops it. */
    private void drain() {
        synchronized (writeLock) {
            draining = true;
            writeLock.notifyAll();
        }
        if (Thread.currentThread() != flusher) {
            try {
                flusher.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Bytes of a line begun in an earlier read (reader thread only). */
    private byte[] partial = new byte[4096];
    private int partialLen;

    /** Splits the byte stream into lines (no decoding to strings first) and handles each. */
    private void readLoop(InputStream in) {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                lines(buf, n);
            }
        } catch (IOException e) {
            // EOF or closed
        } finally {
            finish();
        }
    }

    /** One read's bytes (a method of its own, called per read, so that the JIT compiles the scan loop early). */
    private void lines(byte[] buf, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                if (partialLen == 0) {
                    frame(buf, start, i - start);
                } else {
                    partial = append(partial, partialLen, buf, start, i - start);
                    frame(partial, 0, partialLen + i - start);
                    partialLen = 0;
                    if (partial.length > 64 * 1024) {
                        partial = new byte[4096];
                    }
                }
                start = i + 1;
            }
        }
        partial = append(partial, partialLen, buf, start, n - start);
        partialLen += n - start;
    }

    private static byte[] append(byte[] line, int len, byte[] src, int off, int n) {
        if (len + n > line.length) {
            line = java.util.Arrays.copyOf(line, Math.max(len + n, line.length * 2));
        }
        System.arraycopy(src, off, line, len, n);
        return line;
    }

    private static final byte[] EVENT_HEAD = "{\"op\":\"event\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOPIC_FIELD = ",\"topic\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_FIELD = ",\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS_FIELD = ",\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE_FIELD = ",\"source\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    /** Last decoded value of each envelope string (reader thread only): events mostly repeat them. */
    private final Recent recentId = new Recent();
    private final Recent recentTopic = new Recent();
    private final Recent recentType = new Recent();
    private final Recent recentSource = new Recent();
    /** {@link Origin#ofSource} of the last source string (reader thread only). */
    private String lastSource;
    private Origin lastOrigin;

    /** @return the origin of a source string, parsed once per distinct string in a row */
    private Origin origin(String source) {
        if (source != lastSource) {
            lastOrigin = Origin.ofSource(source);
            lastSource = source;
        }
        return lastOrigin;
    }

    /** The last string decoded from a byte range, returned again while the same bytes come. */
    private static final class Recent {
        private byte[] bytes = new byte[0];
        private String value = "";

        String get(byte[] b, int from, int to) {
            int n = to - from;
            if (n != bytes.length || !java.util.Arrays.equals(bytes, 0, n, b, from, to)) {
                bytes = java.util.Arrays.copyOfRange(b, from, to);
                value = new String(bytes, StandardCharsets.UTF_8);
            }
            return value;
        }
    }

    /**
     * One frame from the bus. An event frame exactly as the bus writes it ({@code op id topic type ts source
     * payload}, in that order, strings without escapes) is read by {@link #fastEvent}: no parser, the payload kept
     * as text for {@link Event#payload()} to parse on demand. Any other event frame is read with a streaming parser
     * (only the payload becomes a tree). Replies are rare and read as a whole tree.
     */
    private void frame(byte[] b, int off, int len) {
        if (fastEvent(b, off, off + len)) {
            return;
        }
        try (JsonParser p = mapper.getFactory().createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            String id = null;
            String topic = "";
            String type = "";
            String source = "";
            long ts = 0;
            JsonNode payload = null;
            boolean event = false;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "op" -> {
                        event = t == JsonToken.VALUE_STRING && "event".equals(p.getText());
                        if (!event) {
                            reply(b, off, len);
                            return;
                        }
                    }
                    case "id" -> id = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "topic" -> topic = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "type" -> type = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "source" -> source = t.isScalarValue() ? p.getValueAsString("") : skip(p, "");
                    case "ts" -> ts = t.isScalarValue() ? p.getValueAsLong() : skipLong(p);
                    case "payload" -> payload = p.readValueAsTree();
                    default -> p.skipChildren();
                }
            }
            if (!event) {
                reply(b, off, len);
                return;
            }
            ClientSubscription s = id == null ? null : subs.get(id);
            if (s != null && !s.closed) {
                Event e;
                try {
                    e = new Event(topic, payload, type, ts, source);
                } catch (IllegalArgumentException ex) {
                    return;
                }
                s.deliver(e);
            }
        } catch (IOException e) {
            // not a frame of the protocol: ignored
        }
    }

    /** @return false if the frame is not in the bus's own event layout (then the caller parses it in full) */
    private boolean fastEvent(byte[] b, int pos, int end) {
        if (end > pos && b[end - 1] == '\r') {
            end--;
        }
        if (!at(b, pos, end, EVENT_HEAD) || b[end - 1] != '}') {
            return false;
        }
        pos += EVENT_HEAD.length;
        int q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TOPIC_FIELD)) {
            return false;
        }
        int idFrom = pos;
        int idTo = q;
        pos = q + 1 + TOPIC_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TYPE_FIELD)) {
            return false;
        }
        int topicFrom = pos;
        int topicTo = q;
        pos = q + 1 + TYPE_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, TS_FIELD)) {
            return false;
        }
        int typeFrom = pos;
        int typeTo = q;
        pos = q + 1 + TS_FIELD.length;
        boolean negative = pos < end && b[pos] == '-';
        if (negative) {
            pos++;
        }
        long ts = 0;
        int digits = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9' && digits < 18) {
            ts = ts * 10 + (b[pos++] - '0');
            digits++;
        }
        if (digits == 0 || !at(b, pos, end, SOURCE_FIELD)) {
            return false;
        }
        pos += SOURCE_FIELD.length;
        q = closingQuote(b, pos, end);
        if (q < 0 || !at(b, q + 1, end, PAYLOAD_FIELD)) {
            return false;
        }
        int sourceFrom = pos;
        int sourceTo = q;
        pos = q + 1 + PAYLOAD_FIELD.length;
        if (pos >= end - 1) {
            return false;
        }
        ClientSubscription s = subs.get(recentId.get(b, idFrom, idTo));
        if (s != null && !s.closed) {
            Event e;
            try {
                e = Event.ofJson(recentTopic.get(b, topicFrom, topicTo), java.util.Arrays.copyOfRange(b, pos, end - 1),
                        recentType.get(b, typeFrom, typeTo), negative ? -ts : ts,
                        origin(recentSource.get(b, sourceFrom, sourceTo)));
            } catch (IllegalArgumentException ex) {
                return true; // not an event of a well-behaved bus: ignored, as the parsed path does
            }
            s.deliver(e);
        }
        return true;
    }

    private static boolean at(byte[] b, int pos, int end, byte[] what) {
        return end - pos >= what.length && java.util.Arrays.equals(b, pos, pos + what.length, what, 0, what.length);
    }

    /** @return index of the closing quote of a string starting at pos, or -1 if it has an escape or no end */
    private static int closingQuote(byte[] b, int pos, int end) {
        for (int i = pos; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            if (c == '\\' || (c >= 0 && c < 0x20)) {
                return -1;
            }
        }
        return -1;
    }

    private static String skip(JsonParser p, String v) throws IOException {
        p.skipChildren();
        return v;
    }

    private static long skipLong(JsonParser p) throws IOException {
        p.skipChildren();
        return 0;
    }

    private void reply(byte[] b, int off, int len) throws IOException {
        JsonNode n = mapper.readTree(b, off, len);
        if (n == null) {
            return;
        }
        String op = n.path("op").asText();
        String id = n.hasNonNull("id") ? n.get("id").asText() : null;
        if (id != null && pending.containsKey(id)) {
            pending.get(id).complete(n);
        } else if ("error".equals(op)) {
            lastError = n.path("message").asText();
        }
    }

    private void finish() {
        closed = true;
        synchronized (writeLock) {
            writeLock.notifyAll();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        for (CompletableFuture<JsonNode> f : pending.values()) {
            f.completeExceptionally(new IOException("connection closed"));
        }
        for (ClientSubscription s : subs.values()) {
            s.closed = true;
        }
        closedLatch.countDown();
    }

    private final class ClientSubscription implements Subscription {
        private final String id;
        private final String pattern;
        private final EventListener listener;
        private final AtomicLong delivered = new AtomicLong();
        volatile boolean closed;

        ClientSubscription(String id, String pattern, EventListener listener) {
            this.id = id;
            this.pattern = pattern;
            this.listener = listener;
        }

        void deliver(Event e) {
            try {
                listener.onEvent(e);
            } catch (RuntimeException ex) {
                System.getLogger("dev.ovs.bus").log(System.Logger.Level.WARNING, "bus client: listener threw", ex);
            }
            delivered.incrementAndGet();
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
            subs.remove(id);
            ObjectNode n = mapper.createObjectNode();
            n.put("op", "unsub");
            n.put("id", id);
            try {
                send(n);
            } catch (IOException ignored) {
                // connection gone: nothing to unsubscribe
            }
        }
    }
}
