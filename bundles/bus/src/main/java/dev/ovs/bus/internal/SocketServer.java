package dev.ovs.bus.internal;

import dev.ovs.bus.BusStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
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
 * <p>An existing path is replaced only if it is a socket nobody listens on (stale); a live socket or a
 * non-socket file is an error. If the socket file is deleted or replaced while running, junixsocket aborts
 * the listening socket; the server then binds the path again (existing connections are unaffected).
 */
final class SocketServer {
    static final int MAX_CONNECTIONS = 256;
    /** accept(2) wakes up this often to notice a shutdown, ms. */
    static final int ACCEPT_TIMEOUT_MS = 1000;
    /** Where a peer's supplementary groups are read, proc(5). */
    private static final Path PROC = Path.of("/proc");

    private final BusEngine engine;
    private final Path path;
    private final GroupPrincipal group;
    private final ConcurrentHashMap<Long, Connection> connections = new ConcurrentHashMap<>();
    /**
     * Every connection whose threads may still run, including those that closed themselves (client EOF) and
     * left {@link #connections}: {@link #close()} joins them all. Pruned of finished ones at each accept.
     */
    private final java.util.Set<Connection> unjoined = ConcurrentHashMap.newKeySet();
    private final AtomicLong connIds = new AtomicLong();
    private volatile AFUNIXServerSocket server;
    private Object fileKey;
    private Thread acceptor;
    private volatile boolean closed;

    SocketServer(BusEngine engine, Path path, GroupPrincipal group) {
        this.engine = engine;
        this.path = path;
        this.group = group;
    }

    void start() throws IOException {
        server = bind();
        acceptor = new Thread(this::acceptLoop, BusEngine.THREAD_PREFIX + "accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Binds the socket file: parent directories created, a stale socket replaced, mode 0660, group set.
     * junixsocket watches the inode of the bound path (a replaced or deleted file aborts accept), so the
     * socket is bound at its final path, not renamed into place; the mode a new socket gets from the
     * process umask (normally 022: only the owner may connect, connect(2) needs write permission) is
     * tightened/widened to 0660 right after bind(2).
     */
    private AFUNIXServerSocket bind() throws IOException {
        Files.createDirectories(path.getParent());
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isOther()) {
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
            s.bind(AFUNIXSocketAddress.of(path), 64);
            s.setSoTimeout(ACCEPT_TIMEOUT_MS);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
            }
            fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            ok = true;
        } finally {
            if (!ok) {
                closeQuietly(s);
                Files.deleteIfExists(path);
            }
        }
        return s;
    }

    /** The socket file was removed or replaced (junixsocket closed the server socket): bind again. */
    private void rebind() {
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                server = bind();
                BusEngine.LOG.log(Level.WARNING, "bus: socket file " + path + " was removed or replaced; bound again");
            } catch (IOException | RuntimeException e) {
                BusEngine.LOG.log(Level.WARNING, "bus: cannot bind " + path + " again: " + e);
            }
        }
    }

    private boolean pause(long ms) {
        try {
            Thread.sleep(ms);
            return !closed;
        } catch (InterruptedException ie) {
            return false;
        }
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
                sock = server.accept();
            } catch (java.net.SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (!closed) {
                    BusEngine.LOG.log(Level.WARNING, "bus: accept on " + path + " failed: " + e);
                    if (!pause(server.isClosed() ? 1000 : 100)) {
                        return;
                    }
                    if (server.isClosed()) {
                        rebind();
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
            Permissions.Access access = engine.settings.permissions().forPeer(uid,
                    Permissions.peerGroups(PROC, pid, uid, gid));
            Connection c = new Connection(engine, this, id, sock, pid, uid, gid, access);
            unjoined.removeIf(x -> !connections.containsKey(x.id) && !x.alive());
            unjoined.add(c);
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
        synchronized (this) {
            closed = true;
        }
        // Closing a junixsocket server socket while a thread is blocked in accept() leaks a file descriptor
        // (seen with 2.11.1), so the acceptor is woken by a connection of our own (or, if that fails, by
        // its SO_TIMEOUT) and has left accept() before the server socket is closed.
        try (AFUNIXSocket wake = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path))) {
            wake.getOutputStream().flush();
        } catch (IOException ignored) {
            // the acceptor wakes up by its timeout
        }
        join(acceptor);
        synchronized (this) {
            closeQuietly(server);
        }
        List<Connection> cs = new ArrayList<>(connections.values());
        for (Connection c : cs) {
            c.shutdown();
        }
        for (Connection c : cs) {
            c.join();
        }
        for (Connection c : unjoined) {
            c.join(); // also those that had closed themselves: their threads may still be finishing
        }
        unjoined.clear();
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
