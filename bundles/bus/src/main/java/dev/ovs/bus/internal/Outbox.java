package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.internal.ConnectionSubs.SocketSub;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * The writing side of one socket {@link Connection}: the frames to send in two queues and the writer thread that
 * drains them, control frames (replies, errors) first, then event frames.
 *
 * <p>The event queue is bounded by {@code queue.size} events and by {@code queue.bytes} bytes ({@link Msg#size()},
 * counting the batch the writer is writing too; the newest event is always kept) and drops the oldest frame (counted
 * on the subscription it belonged to). The control queue is bounded by {@link #MAX_CONTROL}; a client that overflows
 * it (sends requests but never reads replies) is disconnected.
 *
 * <p>Cost model: an event frame is the subscription's {@link SocketSub#prefix} ({@code {"op":"event","id":"<sid>",},
 * made once per subscription) followed by the event's {@link Msg#body()} (made once per publish, shared by all
 * connections). The writer takes everything queued under one lock acquisition and writes it with one flush; a
 * producer notifies the writer only while it waits, and a publishing connection's reader defers that wake-up to
 * the end of its read ({@link BusEngine.Waker}).
 */
final class Outbox {
    /** Most control frames queued per connection. */
    static final int MAX_CONTROL = 1024;
    private static final byte[] OK_PREFIX = "{\"op\":\"ok\",\"id\":".getBytes(StandardCharsets.US_ASCII);

    private final Connection conn;
    private final BusEngine engine;
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
    /** A publishing connection's reader has this outbox's connection to wake (guarded by lock). */
    private boolean wakeQueued;
    private volatile boolean closed;

    Outbox(Connection conn, BusEngine engine) {
        this.conn = conn;
        this.engine = engine;
        int cap = engine.settings.queueSize();
        this.events = new FrameRing(cap);
        this.eventBatch = new FrameRing(cap);
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- control frames

    /** @return {@code {"op":<op>[,"id":<reqId>]}} as a tree to add fields to */
    ObjectNode frame(String op, String reqId) {
        ObjectNode n = engine.mapper.createObjectNode();
        n.put("op", op);
        if (reqId != null) {
            n.put("id", reqId);
        }
        return n;
    }

    /** @return {@code {"op":"event","id":"<sid>",}}: an event frame's start, without the closing brace */
    byte[] eventPrefix(String sid) {
        byte[] b = bytes(frame("event", sid));
        b[b.length - 1] = ','; // {"op":"event","id":"…"} without its closing brace
        return b;
    }

    /** Queues {@code {"op":"error"[,"id":<reqId>],"message":<message>}}. */
    void sendError(String reqId, String message) {
        ObjectNode n = frame("error", reqId);
        n.put("message", message);
        sendControl(bytes(n));
    }

    /** Queues {@code {"op":"pong"[,"id":<reqId>],"ts":<now, ms since the epoch>}}. */
    void sendPong(String reqId) {
        ObjectNode pong = frame("pong", reqId);
        pong.put("ts", System.currentTimeMillis());
        sendControl(bytes(pong));
    }

    /** Queues {@code {"op":"ok","id":<reqId>}} (as {@link #frame} would serialise it, without a tree). */
    void sendOk(String reqId) {
        byte[] q = Msg.quoted(reqId);
        byte[] out = Arrays.copyOf(OK_PREFIX, OK_PREFIX.length + q.length + 1);
        System.arraycopy(q, 0, out, OK_PREFIX.length, q.length);
        out[out.length - 1] = '}';
        sendControl(out);
    }

    /**
     * Runs {@code register} and queues the ok of {@code sid} under the queue lock, so that no event frame of what
     * {@code register} adds is queued before the ok (control frames go first).
     */
    void sendOkAfter(Runnable register, String sid) {
        synchronized (lock) {
            register.run();
            sendOk(sid);
        }
    }

    /**
     * Queues an error frame without id and makes the writer close the connection once the control frames queued so
     * far are written (pending events are not sent).
     */
    void sendErrorAndFinish(String message) {
        sendError(null, message);
        synchronized (lock) {
            closeAfterControl = true;
            lock.notifyAll();
        }
    }

    private byte[] bytes(ObjectNode frame) {
        try {
            return engine.mapper.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
            BusEngine.LOG.log(Level.WARNING, "bus: conn:" + conn.id + " does not read its replies; disconnecting");
            conn.shutdown();
        }
    }

    // ---------------------------------------------------------------- event frames

    /**
     * Queues an event frame of {@code s} (never blocks; drops the oldest frames over the limits).
     *
     * @param waker null: wake the writer now; else the writer is handed to it to be woken at the end of the read
     */
    void offer(SocketSub s, Msg m, BusEngine.Waker waker) {
        SocketSub victim = null;
        synchronized (lock) {
            if (closed || s.subClosed) {
                return;
            }
            victim = events.add(s, m);
            long limit = engine.settings.queueBytes() - inflightBytes;
            while (events.bytes() > limit && events.size() > 1) {
                events.dropOldest().countDropped(1);
            }
            if (writerWaiting) {
                if (waker == null) {
                    lock.notifyAll();
                } else if (!wakeQueued) {
                    wakeQueued = true;
                    waker.defer(conn);
                }
            }
        }
        if (victim != null) {
            victim.countDropped(1);
        }
    }

    /** @return the number of queued event frames of {@code s} */
    int queued(SocketSub s) {
        synchronized (lock) {
            return events.count(s);
        }
    }

    /** Wakes the writer after a deferred wake-up ({@link BusEngine.Waker#defer}). */
    void wake() {
        synchronized (lock) {
            wakeQueued = false;
            lock.notifyAll();
        }
    }

    // ---------------------------------------------------------------- writer thread

    /**
     * The writer thread's loop: takes everything queued (control frames first, then events) under one lock
     * acquisition by swapping the queues with the writer's empty ones (no copy, no allocation), writes it through a
     * 64 KiB buffer and flushes once per batch. A batch holds at most what the queues held, so memory stays bounded
     * by twice the queue limits. Ends with {@link Connection#shutdown()}.
     */
    void writeLoop(AFUNIXSocket socket) {
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
                writeEvents(out, evs);
                out.flush();
                if (finish) {
                    break;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                BusEngine.LOG.log(Level.DEBUG, "bus: conn:" + conn.id + " write failed: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        conn.shutdown();
    }

    /** Writes and empties one batch of event frames; an event that cannot be serialised is dropped. */
    private static void writeEvents(OutputStream out, FrameRing evs) throws IOException {
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
    }

    /**
     * Marks the outbox closed, drops what is queued and wakes the writer (which stops at its next check or write;
     * the batch it is writing is its own).
     *
     * @return true the first time, false if already closed
     */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            control.clear();
            events.clear();
            lock.notifyAll();
            return true;
        }
    }
}
