package dev.ovs.bus.internal;

import dev.ovs.bus.BusStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The Unix-socket server (unix(7), SOCK_STREAM): binds {@code socket} with mode 0660 (and group {@code group}),
 * accepts connections on thread {@code patchbay-bus-accept}, two threads per connection.
 *
 * <p>Binding: the socket is bound under a temporary name in the same directory, given its mode and group,
 * then renamed over the final path (rename(2) is atomic), so the final path is never reachable with wrong
 * permissions. An existing final path is replaced only if it is a socket nobody listens on (stale); a live
 * socket or a non-socket file is an error.
 */
final class SocketServer {
    static final int MAX_CONNECTIONS = 256;

    private final BusEngine engine;
    private final Path path;
    private final GroupPrincipal group;
    private final ConcurrentHashMap<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong connIds = new AtomicLong();
    private AFUNIXServerSocket server;
    private Object fileKey;
    private Thread acceptor;
    private volatile boolean closed;

    SocketServer(BusEngine engine, Path path, GroupPrincipal group) {
        this.engine = engine;
        this.path = path;
        this.group = group;
    }

    void start() throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isOther()) {
                throw new IOException("socket: " + path + " exists and is not a socket; not replacing it");
            }
            if (isLive(path)) {
                throw new IOException("socket: " + path + " is in use by a running server; not replacing it");
            }
        }
        byte[] rnd = new byte[4];
        new SecureRandom().nextBytes(rnd);
        Path tmp = dir.resolve("." + HexFormat.of().formatHex(rnd) + ".tmp");
        AFUNIXServerSocket s = AFUNIXServerSocket.newInstance();
        boolean ok = false;
        try {
            s.setDeleteOnClose(false);
            s.bind(AFUNIXSocketAddress.of(tmp), 64);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("socket: cannot rename " + tmp + " to " + path, e);
            }
            fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            ok = true;
        } finally {
            if (!ok) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
                Files.deleteIfExists(tmp);
            }
        }
        server = s;
        acceptor = new Thread(this::acceptLoop, BusEngine.THREAD_PREFIX + "accept");
        acceptor.setDaemon(true);
        acceptor.start();
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
            AFUNIXSocket sock;
            try {
                sock = (AFUNIXSocket) server.accept();
            } catch (IOException e) {
                if (!closed) {
                    BusEngine.LOG.log(Level.WARNING, "bus: accept on " + path + " failed: " + e);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                continue;
            }
            if (closed) {
                closeQuietly(sock);
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                try {
                    OutputStream out = sock.getOutputStream();
                    out.write(("{\"op\":\"error\",\"message\":\"too many connections (max " + MAX_CONNECTIONS + ")\"}\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException ignored) {
                    // best effort
                }
                closeQuietly(sock);
                continue;
            }
            long pid = -1;
            long uid = -1;
            long gid = -1;
            try {
                var cred = sock.getPeerCredentials();
                if (cred != null) {
                    pid = cred.getPid();
                    uid = cred.getUid();
                    gid = cred.getGid();
                }
            } catch (IOException e) {
                BusEngine.LOG.log(Level.DEBUG, "bus: no peer credentials: " + e);
            }
            long id = connIds.incrementAndGet();
            Connection c = new Connection(engine, this, id, sock, pid, uid, gid);
            connections.put(id, c);
            if (closed) {
                c.shutdown();
            } else {
                c.start();
            }
        }
    }

    void removed(Connection c) {
        connections.remove(c.id, c);
    }

    List<BusStats.ConnectionStats> connections() {
        List<BusStats.ConnectionStats> out = new ArrayList<>();
        connections.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(c -> out.add(c.stats()));
        return out;
    }

    Path path() {
        return path;
    }

    /** Stops accepting, closes every connection, removes the socket file if it is still ours. */
    void close() {
        closed = true;
        closeQuietly(server);
        join(acceptor);
        List<Connection> cs = new ArrayList<>(connections.values());
        for (Connection c : cs) {
            c.shutdown();
        }
        for (Connection c : cs) {
            c.join();
        }
        try {
            if (fileKey != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                Object k = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                if (fileKey.equals(k)) {
                    Files.deleteIfExists(path);
                }
            }
        } catch (IOException e) {
            BusEngine.LOG.log(Level.WARNING, "bus: cannot remove " + path + ": " + e);
        }
    }

    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            BusEngine.LOG.log(Level.WARNING, "bus: thread " + t.getName() + " did not stop within 5 s");
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
