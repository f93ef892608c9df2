package dev.ovs.bus.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * The reading side of one socket {@link Connection}: reads the socket in 64 KiB reads, splits them into request
 * lines of at most {@link Connection#MAX_LINE} bytes, reads each line into one reused {@link Request} and hands it
 * to {@link Connection#handleRequest}. As the {@link BusEngine.Waker} of the connection's publishes it collects the
 * subscribers' writers to wake and wakes them at the end of each read (and every {@link #WAKE_EVERY_LINES} lines).
 * Used by the connection's reader thread only.
 *
 * <p>Cost model: a line of the common shape is checked and read by {@link RequestScanner} without building any
 * object but the strings of new field values (a topic or type equal to the previous line's is that line's string);
 * anything else is read with Jackson's streaming parser ({@link Request#parse}). A line that came whole in one read
 * is not copied.
 */
final class LineReader implements BusEngine.Waker {
    /**
     * Lines after which deferred wake-ups are done even within one read: a 64 KiB read holds hundreds of
     * small publishes, and subscribers should get the first of them while the rest are parsed (pipelining).
     * 256 (about two wake-ups per full read of small publishes) rather than 32: on a 2-core host, 1 → 10
     * subscribers, fewer and larger batches (fewer futex wake-ups, write(2) calls and client reader wake-ups)
     * gave 1.5-1.7x the throughput in alternating runs; a lone publish is still written at once (end of read).
     */
    static final int WAKE_EVERY_LINES = 256;

    private final Connection conn;
    private final RequestScanner scanner = new RequestScanner();
    private final Request request = new Request();
    /** Non-blank request lines read. */
    private final AtomicLong received = new AtomicLong();
    /** Connections to wake after the current read's lines are handled. */
    private final List<Connection> toWake = new ArrayList<>();
    private int linesSinceWake;
    /** Bytes of a line begun in an earlier read. */
    private byte[] line = new byte[4096];
    private int lineLen;
    /** Last topic and last explicit type seen by the scanner (publishers mostly repeat them). */
    private final Recent lastTopic = new Recent();
    private final Recent lastType = new Recent();

    LineReader(Connection conn) {
        this.conn = conn;
    }

    /** @return the number of non-blank request lines read */
    long received() {
        return received.get();
    }

    /**
     * The reader thread's loop: reads {@code socket} until EOF, a read error or a line longer than {@link Connection#MAX_LINE} (then
     * {@link Connection#oversize()} and return, so that the error frame is written before the connection closes);
     * otherwise ends with {@link Connection#shutdown()}.
     */
    void readLoop(AFUNIXSocket socket) {
        byte[] buf = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while (!conn.isClosed() && (n = in.read(buf)) > 0) {
                boolean ok;
                try {
                    ok = lines(buf, n);
                } finally {
                    wakeDeferred();
                }
                if (!ok) {
                    conn.oversize();
                    return;
                }
            }
        } catch (IOException e) {
            if (!conn.isClosed()) {
                BusEngine.LOG.log(Level.DEBUG, "bus: conn:" + conn.id + " read failed: " + e);
            }
        } catch (RuntimeException e) {
            BusEngine.LOG.log(Level.WARNING, "bus: conn:" + conn.id + " reader failed", e);
        }
        conn.shutdown();
    }

    @Override
    public void defer(Connection c) {
        toWake.add(c);
    }

    /** Wakes the writers of the connections that got events from this read's publishes. */
    private void wakeDeferred() {
        linesSinceWake = 0;
        for (int i = 0; i < toWake.size(); i++) {
            toWake.get(i).outbox.wake();
        }
        toWake.clear();
    }

    /**
     * Handles the complete lines of one read and keeps the rest for the next (a method of its own, called per
     * read, so that the JIT compiles the scan loop early).
     *
     * @return false if a line exceeds {@link Connection#MAX_LINE}
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
                    conn.handleRequest(request, buf, start);
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
            if (lineLen + seg > Connection.MAX_LINE) {
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
        if (lineLen + seg > Connection.MAX_LINE) {
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
            line = Arrays.copyOf(line, Math.max(len + n, Math.min(line.length * 2, Connection.MAX_LINE)));
        }
        System.arraycopy(src, off, line, len, n);
        return line;
    }

    /**
     * One request line, {@code b[off, off+len)} without the newline: blank lines are skipped; the common shape
     * (see {@link RequestScanner}) is read from the scanner's offsets, anything else with {@link Request#parse}.
     * Errors and their order are those of the documented protocol.
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
                if (!r.parse(conn.engine.mapper.getFactory(), b, off, len)) {
                    conn.outbox.sendError(null, "json: a request must be a JSON object");
                    return;
                }
            } catch (IOException | IllegalArgumentException e) {
                conn.outbox.sendError(null, "json: malformed line: " + firstLine(e.getMessage()));
                return;
            }
        }
        conn.handleRequest(r, b, off);
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
        r.topic = lastTopic.get(b, s.start(RequestScanner.TOPIC), s.length(RequestScanner.TOPIC));
        r.type = lastType.get(b, s.start(RequestScanner.TYPE), s.length(RequestScanner.TYPE));
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

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The last string read for one field, returned again (the same object) while the same bytes come. */
    private static final class Recent {
        private byte[] bytes;
        private String value;

        /** @return the string at {@code b[s, s+n)} as {@link #string}, null if {@code n < 0} */
        String get(byte[] b, int s, int n) {
            if (n < 0) {
                return null;
            }
            if (value == null || bytes.length != n || !Arrays.equals(bytes, 0, n, b, s, s + n)) {
                value = string(b, s, n);
                bytes = Arrays.copyOfRange(b, s, s + n);
            }
            return value;
        }
    }
}
