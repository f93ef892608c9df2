package dev.ovs.portagent.internal.docker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client (RFC 9112) over a Unix domain socket (JEP 380), enough for the Docker
 * Engine API: one request per connection ({@code Connection: close}), GET/POST/DELETE, bodies by
 * {@code Content-Length}, {@code chunked} or end of stream. Response heads are limited to 64 KiB,
 * bodies of {@link #request} to 16 MiB.
 */
public final class UnixHttp {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private final Path socket;

    /**
     * @param socket the Unix socket path, e.g. {@code /var/run/docker.sock}
     */
    public UnixHttp(Path socket) {
        this.socket = socket;
    }

    /** @return the socket path */
    public Path socket() {
        return socket;
    }

    /**
     * A response.
     *
     * @param status  status code
     * @param reason  reason phrase
     * @param headers header fields, names lower-cased (last one wins)
     * @param body    the complete body
     */
    public record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        /** @return the body as UTF-8 text */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An open streaming response; {@link #close()} closes the connection and unblocks readers. */
    public static final class Stream implements Closeable {
        private final SocketChannel channel;
        private final int status;
        private final InputStream body;

        Stream(SocketChannel channel, int status, InputStream body) {
            this.channel = channel;
            this.status = status;
            this.body = body;
        }

        /** @return the status code */
        public int status() {
            return status;
        }

        /** @return the de-chunked body stream; reads block until data or end of stream */
        public InputStream body() {
            return body;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Sends one request and reads the whole response.
     *
     * @param method  e.g. {@code GET}
     * @param target  request target, e.g. {@code /containers/abc/json}
     * @param body    request body (JSON), or null
     * @param timeout maximum time for connect, send and the whole response
     * @return the response
     * @throws SocketTimeoutException if the peer does not complete the response in time
     * @throws IOException            if the socket is missing (e.g. {@code NoSuchFileException},
     *                                connection refused) or the response is malformed or too large
     */
    public Response request(String method, String target, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            send(ch, method, target, body);
            ch.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                InputStream in = new TimedInput(ch, sel, deadline, method + " " + target);
                Head h = readHead(in);
                InputStream b = bodyStream(h, in);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = b.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    if (out.size() > MAX_BODY) {
                        throw new IOException(method + " " + target + ": response body larger than " + MAX_BODY + " bytes");
                    }
                }
                return new Response(h.status, h.reason, h.headers, out.toByteArray());
            }
        }
    }

    /**
     * Sends a GET and returns the open response for streaming (e.g. {@code /events}); the response
     * head must arrive within {@code headTimeout}, the body then blocks without time limit.
     *
     * @param target      request target
     * @param headTimeout time limit for connecting and receiving the head
     * @return the open stream; the caller closes it
     * @throws IOException on connection failure or a malformed head
     */
    public Stream stream(String target, Duration headTimeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            send(ch, "GET", target, null);
            Head h;
            InputStream raw = Channels.newInputStream(ch);
            ch.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                TimedInput ti = new TimedInput(ch, sel, System.nanoTime() + headTimeout.toNanos(), "GET " + target);
                h = readHead(ti);
                ch.keyFor(sel).cancel();
                sel.selectNow();
                ch.configureBlocking(true);
                raw = new PrefixedInput(ti.leftover(), raw);
            }
            return new Stream(ch, h.status, bodyStream(h, raw));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void send(SocketChannel ch, String method, String target, byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: docker\r\nUser-Agent: patchbay-portagent\r\nAccept: application/json\r\nConnection: close\r\n");
        if (body != null) {
            sb.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer bb = ByteBuffer.allocate(head.length + (body == null ? 0 : body.length));
        bb.put(head);
        if (body != null) {
            bb.put(body);
        }
        bb.flip();
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    private record Head(int status, String reason, Map<String, String> headers) {
    }

    private static Head readHead(InputStream in) throws IOException {
        String status = readLine(in, true);
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("malformed HTTP status line: '" + status + "'");
        }
        String[] parts = status.split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new IOException("malformed HTTP status line: '" + status + "'", e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int total = status.length();
        while (true) {
            String line = readLine(in, true);
            total += line.length() + 2;
            if (total > MAX_HEAD) {
                throw new IOException("HTTP response head larger than " + MAX_HEAD + " bytes");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return new Head(code, parts.length > 2 ? parts[2] : "", headers);
    }

    static String readLine(InputStream in, boolean required) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (required || sb.length() > 0) {
                    throw new EOFException("connection closed in the middle of an HTTP line");
                }
                return null;
            }
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() > MAX_HEAD) {
                throw new IOException("HTTP line longer than " + MAX_HEAD + " bytes");
            }
            sb.append((char) c);
        }
    }

    private static InputStream bodyStream(Head h, InputStream in) throws IOException {
        String te = h.headers.getOrDefault("transfer-encoding", "");
        if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInput(in);
        }
        String cl = h.headers.get("content-length");
        if (cl != null) {
            long n;
            try {
                n = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length '" + cl + "'", e);
            }
            return new LimitedInput(in, n);
        }
        if (h.status == 204 || h.status == 304) {
            return InputStream.nullInputStream();
        }
        return in;
    }

    /** Reads from a non-blocking channel with a deadline; buffers internally. */
    private static final class TimedInput extends InputStream {
        private final SocketChannel ch;
        private final Selector sel;
        private final long deadline;
        private final String what;
        private final ByteBuffer buf = ByteBuffer.allocate(16384);
        private boolean eof;

        TimedInput(SocketChannel ch, Selector sel, long deadline, String what) {
            this.ch = ch;
            this.sel = sel;
            this.deadline = deadline;
            this.what = what;
            buf.flip();
        }

        byte[] leftover() {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            return b;
        }

        private boolean fill() throws IOException {
            while (!buf.hasRemaining() && !eof) {
                buf.clear();
                int n = ch.read(buf);
                buf.flip();
                if (n < 0) {
                    eof = true;
                } else if (n == 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new SocketTimeoutException(what + ": no complete response in time");
                    }
                    sel.select(left);
                    sel.selectedKeys().clear();
                }
            }
            return buf.hasRemaining();
        }

        @Override
        public int read() throws IOException {
            return fill() ? buf.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }

    /** Bytes already buffered, then the rest of the stream. */
    private static final class PrefixedInput extends InputStream {
        private final byte[] prefix;
        private int pos;
        private final InputStream rest;

        PrefixedInput(byte[] prefix, InputStream rest) {
            this.prefix = prefix;
            this.rest = rest;
        }

        @Override
        public int read() throws IOException {
            return pos < prefix.length ? prefix[pos++] & 0xFF : rest.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos < prefix.length) {
                int n = Math.min(len, prefix.length - pos);
                System.arraycopy(prefix, pos, b, off, n);
                pos += n;
                return n;
            }
            return rest.read(b, off, len);
        }
    }

    /** A body of known length. */
    private static final class LimitedInput extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInput(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed before Content-Length was reached");
            }
            left--;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection closed before Content-Length was reached");
            }
            left -= n;
            return n;
        }
    }

    /** {@code Transfer-Encoding: chunked} decoder (RFC 9112 section 7.1); trailers are skipped. */
    static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        private boolean next() throws IOException {
            if (done) {
                return false;
            }
            if (left > 0) {
                return true;
            }
            String line = readLine(in, false);
            if (line == null) {
                done = true;
                return false;
            }
            if (line.isEmpty()) { // CRLF after the previous chunk's data
                line = readLine(in, true);
            }
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
            try {
                left = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size '" + line + "'", e);
            }
            if (left < 0) {
                throw new IOException("malformed chunk size '" + line + "'");
            }
            if (left == 0) {
                while (true) {
                    String t = readLine(in, false);
                    if (t == null || t.isEmpty()) {
                        break;
                    }
                }
                done = true;
                return false;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!next()) {
                return -1;
            }
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left--;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!next()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left -= n;
            return n;
        }
    }
}
