package dev.ovs.bus.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The sending side of a {@link BusClient}'s connection: request lines are queued in a buffer and written by one
 * flusher thread ({@code patchbay-bus-client-flusher}), which takes whatever has accumulated and writes it with
 * one system call (double buffering: the callers fill one buffer while the flusher writes the other). A caller
 * never waits for the socket unless {@link #MAX_PENDING_BYTES} are already unsent (backpressure). Thread-safe.
 */
final class LineSender {
    /** Bytes of unsent lines above which a sender waits for the flusher (backpressure): 4 MiB. */
    static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

    /** Writes one request object with a generator. */
    @FunctionalInterface
    interface FrameWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private final JsonFactory json;
    private final OutputStream out;
    private final Object writeLock = new Object();
    /** Lines waiting for the flusher thread; swapped with {@link #spare} by it (guarded by writeLock). */
    private LineBuffer pendingLines = new LineBuffer(64 * 1024);
    private LineBuffer spare = new LineBuffer(64 * 1024);
    private boolean draining;
    private IOException writeError;
    private volatile boolean closed;
    private final Thread flusher;

    /** Starts the flusher thread writing to {@code out}. */
    LineSender(JsonFactory json, OutputStream out) {
        this.json = json;
        this.out = out;
        this.flusher = new Thread(this::flushLoop, "patchbay-bus-client-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed() {
        return closed;
    }

    /**
     * Queues one line generated straight into the pending buffer (no intermediate tree or array); if generating
     * fails, the partial line is removed and the exception thrown.
     *
     * @throws IOException closed, draining, a failed earlier write, or interrupted while waiting for room
     */
    void send(FrameWriter w) throws IOException {
        synchronized (writeLock) {
            awaitRoom();
            int mark = pendingLines.size();
            try (JsonGenerator g = json.createGenerator(pendingLines)) {
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
     * Queues the line {@code head json }}, {@code json}'s line breaks (whitespace between JSON tokens) sent as
     * spaces.
     *
     * @throws IOException as {@link #send(FrameWriter)}
     */
    void sendLine(byte[] head, byte[] json) throws IOException {
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

    /** Lets the flusher write what is queued (at most 2 s), then stops it; later sends fail. */
    void drain() {
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

    /** Marks the connection closed and wakes the flusher and waiting senders; idempotent. */
    void close() {
        closed = true;
        synchronized (writeLock) {
            writeLock.notifyAll();
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
}
