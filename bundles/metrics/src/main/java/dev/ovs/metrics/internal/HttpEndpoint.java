package dev.ovs.metrics.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A minimal HTTP/1.1 server (RFC 9112) for one resource: {@code GET /metrics} (and {@code HEAD}). One request per
 * connection ({@code Connection: close}); the request head is read up to {@value #MAX_HEAD} bytes and
 * {@value #READ_TIMEOUT_MS} ms; the body of a request is never read (GET and HEAD have none).
 * <ul>
 * <li>{@code 200} with the exposition; its {@code Content-Type} follows the {@code Accept} header
 * ({@link MetricsService#scrape(String)});</li>
 * <li>{@code 404} for any other path, {@code 405} (with {@code Allow: GET, HEAD}) for another method on
 * {@code /metrics}, {@code 400} for a malformed request line or header, {@code 431} for a head over
 * {@value #MAX_HEAD} bytes, {@code 505} for an HTTP version other than 1.0 and 1.1, {@code 500} if the scrape
 * fails.</li>
 * </ul>
 * Listens on a Unix socket ({@link #unix}: unix(7), mode 0660) or on {@code 127.0.0.1} ({@link #loopback}). One
 * accept thread and up to {@value #WORKERS} worker threads; {@link #close()} stops them all and closes every
 * connection.
 */
final class HttpEndpoint implements Closeable {
    private static final System.Logger LOG = System.getLogger(HttpEndpoint.class.getName());
    /** Longest request head (request line and headers), bytes. */
    static final int MAX_HEAD = 8192;
    /** How long a client may take to send its request head, ms. */
    static final int READ_TIMEOUT_MS = 5000;
    /** Connections served at once; more wait in a queue of {@value #QUEUE}, beyond that they are closed. */
    static final int WORKERS = 2;
    static final int QUEUE = 16;
    /** accept(2) wakes up this often to notice {@link #close()}, ms. */
    private static final int ACCEPT_TIMEOUT_MS = 1000;

    /** RFC 9112 §3: request-line = method SP request-target SP HTTP-version. */
    private static final Pattern REQUEST_LINE = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\\S+) (HTTP/\\d\\.\\d)");
    /** RFC 9110 §5.1: field-name is a token, then ':' and the value. */
    private static final Pattern FIELD = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*(.*?)[ \\t]*");

    /** One HTTP response. */
    record Response(int status, String reason, String contentType, byte[] body, boolean headOnly, String allow) {
        byte[] bytes() {
            StringBuilder h = new StringBuilder(160);
            h.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            h.append("Content-Type: ").append(contentType).append("\r\n");
            h.append("Content-Length: ").append(body.length).append("\r\n");
            if (allow != null) {
                h.append("Allow: ").append(allow).append("\r\n");
            }
            h.append("Cache-Control: no-store\r\n");
            h.append("Connection: close\r\n\r\n");
            byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
            if (headOnly) {
                return head;
            }
            byte[] all = new byte[head.length + body.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }
    }

    private final ServerSocket server;
    private final String name;
    private final Path socketFile;
    private final Object socketFileKey;
    private final Function<String, MetricsService.Scrape> scraper;
    private final ThreadPoolExecutor workers;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private HttpEndpoint(ServerSocket server, String name, Path socketFile, Object socketFileKey,
            Function<String, MetricsService.Scrape> scraper) {
        this.server = server;
        this.name = name;
        this.socketFile = socketFile;
        this.socketFileKey = socketFileKey;
        this.scraper = scraper;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "patchbay-metrics-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
        this.acceptor = new Thread(this::acceptLoop, "patchbay-metrics-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Serves on a Unix socket: parent directories created, a stale socket file (nobody listens) replaced, mode
     * 0660, group {@code group} if given.
     *
     * @param path    socket path
     * @param group   group of the socket file, or null to keep the process's
     * @param scraper makes the exposition for an {@code Accept} header
     * @return the running endpoint
     * @throws IOException if {@code path} exists and is not a socket, another server listens there, or bind(2) fails
     */
    static HttpEndpoint unix(Path path, GroupPrincipal group, Function<String, MetricsService.Scrape> scraper)
            throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IOException("socket: " + path + " exists and is not a socket; not replacing it");
            }
            if (isLive(path)) {
                throw new IOException("socket: " + path + " is in use by a running server; not replacing it");
            }
            Files.delete(path);
        }
        AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
        boolean ok = false;
        try {
            s.setDeleteOnClose(false);
            s.bind(AFUNIXSocketAddress.of(path), 16);
            s.setSoTimeout(ACCEPT_TIMEOUT_MS);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
            }
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            HttpEndpoint e = new HttpEndpoint(s, "unix", path, key, scraper);
            ok = true;
            return e;
        } finally {
            if (!ok) {
                s.close();
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Serves on {@code 127.0.0.1:port} (the loopback address only, never a wildcard address).
     *
     * @param port    TCP port, 1..65535 (0 picks a free one, for tests)
     * @param scraper makes the exposition for an {@code Accept} header
     * @return the running endpoint
     * @throws IOException if the port cannot be bound (e.g. in use)
     */
    static HttpEndpoint loopback(int port, Function<String, MetricsService.Scrape> scraper) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            s.setSoTimeout(ACCEPT_TIMEOUT_MS);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw new IOException("http.port: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        return new HttpEndpoint(s, "tcp", null, null, scraper);
    }

    /** @return the bound TCP address, or null for a Unix socket */
    InetSocketAddress tcpAddress() {
        return socketFile == null ? (InetSocketAddress) server.getLocalSocketAddress() : null;
    }

    /** @return the socket file, or null for TCP */
    Path socketFile() {
        return socketFile;
    }

    private static boolean isLive(Path p) {
        try (AFUNIXSocket probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(p))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket c;
            try {
                c = server.accept();
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "metrics: accept on " + where() + " failed: " + e);
                    if (server.isClosed()) {
                        return; // the socket file was removed or replaced: the endpoint is gone until reconfigured
                    }
                }
                continue;
            }
            open.add(c);
            try {
                workers.execute(() -> serve(c));
            } catch (RejectedExecutionException busy) {
                close(c);
            }
            if (closed) {
                close(c);
            }
        }
    }

    private void serve(Socket c) {
        try {
            c.setSoTimeout(READ_TIMEOUT_MS);
            Response r = respond(c.getInputStream(), scraper);
            if (r != null) {
                OutputStream out = c.getOutputStream();
                out.write(r.bytes());
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "metrics: connection on " + where() + ": " + e);
        } finally {
            close(c);
        }
    }

    /**
     * Reads one request head from {@code in} and answers it.
     *
     * @param in      the connection's input
     * @param scraper makes the exposition for an {@code Accept} header
     * @return the response, or null if the client closed the connection before sending a complete head
     * @throws IOException if reading fails (including the read timeout)
     */
    static Response respond(InputStream in, Function<String, MetricsService.Scrape> scraper) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int state = 0; // CR LF CR LF (or LF LF, RFC 9112 §2.2) seen so far
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (head.size() >= MAX_HEAD) {
                return error(431, "Request Header Fields Too Large", "request head longer than " + MAX_HEAD + " bytes");
            }
            head.write(b);
            if (b == '\n') {
                state = state == 1 || state == 3 ? state + 1 : (state == 2 ? 4 : 2);
                if (state == 4) {
                    break;
                }
            } else if (b == '\r') {
                state = state == 2 ? 3 : 1;
            } else {
                state = 0;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r?\n");
        Matcher rl = REQUEST_LINE.matcher(lines[0]);
        if (!rl.matches()) {
            return error(400, "Bad Request", "malformed request line (method SP request-target SP HTTP-version)");
        }
        String version = rl.group(3);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return error(505, "HTTP Version Not Supported", "HTTP/1.0 and HTTP/1.1 only");
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            Matcher f = FIELD.matcher(lines[i]);
            if (!f.matches()) {
                return error(400, "Bad Request", "malformed header field line " + i);
            }
            if (f.group(1).equalsIgnoreCase("Accept")) {
                accept = accept == null ? f.group(2) : accept + ", " + f.group(2);
            }
        }
        String target = rl.group(2);
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        if (!path.equals("/metrics")) {
            return error(404, "Not Found", "no resource " + path + "; the metrics are at /metrics");
        }
        String method = rl.group(1);
        boolean headOnly = method.equals("HEAD");
        if (!method.equals("GET") && !headOnly) {
            return new Response(405, "Method Not Allowed", "text/plain; charset=utf-8",
                    ("method " + method + " not allowed on /metrics; use GET or HEAD\n").getBytes(StandardCharsets.UTF_8),
                    false, "GET, HEAD");
        }
        MetricsService.Scrape s;
        try {
            s = scraper.apply(accept);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics: scrape failed", e);
            return error(500, "Internal Server Error", "scrape failed: " + e);
        }
        return new Response(200, "OK", s.contentType(), s.body(), headOnly, null);
    }

    private static Response error(int status, String reason, String text) {
        return new Response(status, reason, "text/plain; charset=utf-8",
                (status + " " + reason + ": " + text + "\n").getBytes(StandardCharsets.UTF_8), false, null);
    }

    private String where() {
        return socketFile != null ? socketFile.toString() : String.valueOf(server.getLocalSocketAddress());
    }

    private void close(Socket c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /**
     * Stops accepting, closes every connection, stops the threads and removes the socket file (if it is still the
     * one this endpoint bound).
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        workers.shutdownNow();
        for (Socket c : open) {
            close(c);
        }
        try {
            acceptor.join(5000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (socketFile != null) {
            try {
                Object key = Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                if (Objects.equals(key, socketFileKey)) {
                    Files.delete(socketFile);
                }
            } catch (IOException goneOrReplaced) {
                // nothing of ours to remove
            }
        }
    }

    @Override
    public String toString() {
        return "metrics endpoint " + name + " " + where();
    }
}
