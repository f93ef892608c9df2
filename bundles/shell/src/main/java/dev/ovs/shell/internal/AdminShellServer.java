package dev.ovs.shell.internal;

import dev.ovs.shell.AdminProtocol;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Serves the Gogo shell on the admin Unix socket (see {@link AdminProtocol}). One platform thread
 * accepts; one thread per connection runs that connection's commands in its own
 * {@link CommandSession}. Everything is closed, and the socket file removed, on deactivate. Registered as a service
 * of its own class so that components of this bundle can wait for the socket to be bound ({@link SystemdNotifier}).
 */
@Component(service = AdminShellServer.class, immediate = true, configurationPid = "dev.ovs.shell",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AdminShellServer.Config.class)
public final class AdminShellServer {

    /** Configuration of PID {@code dev.ovs.shell}. */
    @ObjectClassDefinition(name = "Patchbay admin shell", description = "Gogo shell on a Unix socket")
    public @interface Config {
        /** @return socket path; empty means {@code <patchbay.state>/admin.sock} */
        @AttributeDefinition(description = "Admin socket path; empty: <state dir>/admin.sock")
        String socket() default "";
    }

    private static final int MAX_CONNECTIONS = 16;
    private static final System.Logger LOG = System.getLogger(AdminShellServer.class.getName());
    /**
     * Session variable a command may set to an Integer to end with that exit status while still printing its
     * result (e.g. {@code health}: its report, and 1 when unhealthy); removed after each command.
     */
    static final String EXIT_STATUS = "patchbay.exit.status";
    /** Command lookup order of every admin session: Gogo's own scope first, as on the console (gosh_profile). */
    static final String SCOPE = "gogo:*";

    private final CommandProcessor processor;
    private final Path socketPath;
    private final AFUNIXServerSocket server;
    private final Thread acceptor;
    private final Set<AFUNIXSocket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private final long ownUid;
    /** Identity (device + inode) of the socket file this instance bound, so it only ever deletes its own. */
    private final Object socketFileKey;
    private volatile boolean open = true;

    /**
     * Binds the socket with mode 0600 and starts accepting.
     *
     * @param processor Gogo's command processor
     * @param context for the {@code patchbay.state} framework property
     * @param config the socket path
     * @throws IOException if the socket cannot be bound
     */
    @Activate
    public AdminShellServer(@Reference CommandProcessor processor, BundleContext context, Config config)
            throws IOException {
        this.processor = processor;
        String state = context.getProperty("patchbay.state");
        if (state == null || state.isBlank()) {
            state = "/var/lib/patchbay";
        }
        this.socketPath = config.socket().isBlank()
                ? Path.of(state, AdminProtocol.SOCKET_NAME) : Path.of(config.socket());
        Files.createDirectories(socketPath.toAbsolutePath().getParent());
        Files.deleteIfExists(socketPath);
        this.ownUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        this.server = AFUNIXServerSocket.newInstance();
        // junixsocket would delete the path when this socket closes, even if a newer instance (after an
        // 'update' issued from an admin session) has bound it since; deactivate deletes only its own file.
        server.setDeleteOnClose(false);
        server.bind(AFUNIXSocketAddress.of(socketPath.toFile()));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        stamp(socketPath);
        this.socketFileKey = fileKey(socketPath);
        this.acceptor = new Thread(this::acceptLoop, "patchbay-admin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Closes the listening socket and every connection, joins the threads (briefly for session threads,
     * which end when their command returns), removes the socket file if it is still the one bound here.
     */
    @Deactivate
    public void deactivate() {
        open = false;
        // Closing a junixsocket server socket while a thread is blocked in accept() leaks a file descriptor
        // (junixsocket 2.11: one per update of this bundle), so the acceptor is woken by a
        // connection of our own and leaves accept() before the server socket is closed (as the bus does).
        if (socketFileKey != null && socketFileKey.equals(fileKey(socketPath))) {
            try (AFUNIXSocket wake = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socketPath.toFile()))) {
                wake.getOutputStream().flush();
            } catch (IOException ignored) {
                // not accepting any more
            }
            joinQuietly(acceptor, 2000);
        }
        closeQuietly(server);
        for (AFUNIXSocket s : connections) {
            closeQuietly(s);
        }
        acceptor.interrupt();
        joinQuietly(acceptor, 2000);
        // Session threads are not interrupted: Gogo passes an interrupt on to the command it runs, and that
        // command may be the very 'update'/'stop' of this bundle that is calling this method (from Gogo's
        // pipe thread). Their sockets are closed above, so they end when their command returns.
        for (Thread t : workers) {
            joinQuietly(t, 200);
        }
        try {
            // a new instance (after 'update' from an admin session) may already have bound the same path
            if (socketFileKey != null && socketFileKey.equals(fileKey(socketPath))) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException ignored) {
            // best effort: the next activation deletes it too
        }
    }

    private static void joinQuietly(Thread t, long millis) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the flag for our caller; finish deactivating first
        }
    }

    /**
     * @return the identity of the file at {@code p}: device, inode and modification time, or null if absent. The
     *         inode alone is not enough: a file system may give a new socket file the inode number of the one just
     *         deleted, so each instance stamps its socket with a modification time of its own ({@link #stamp})
     */
    private static Object fileKey(Path p) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return java.util.List.of(a.fileKey(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sets the socket file's modification time to now with random sub-millisecond digits, so that this instance
     * recognises its own file even when a later one got the same inode number (chmod and connections leave the
     * modification time alone).
     */
    private static void stamp(Path p) throws IOException {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                .plusNanos(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 1_000_000));
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(now));
    }

    private void acceptLoop() {
        while (open) {
            AFUNIXSocket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (open) {
                    LOG.log(System.Logger.Level.ERROR, "admin shell: accept failed, no more connections: " + e);
                }
                return;
            }
            if (!open) {
                closeQuietly(s); // the wake-up connection of deactivate()
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                refuse(s, "too many admin connections (limit " + MAX_CONNECTIONS + ")");
                continue;
            }
            connections.add(s);
            Thread t = new Thread(() -> serve(s), "patchbay-admin-" + ids.incrementAndGet());
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    private void refuse(AFUNIXSocket s, String why) {
        try (s) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            AdminProtocol.writeFrame(out, AdminProtocol.ERR, (why + "\n").getBytes(StandardCharsets.UTF_8));
            AdminProtocol.writeFrame(out, AdminProtocol.EXIT, "2".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // peer gone
        }
    }

    private void serve(AFUNIXSocket s) {
        try {
            AFUNIXSocketCredentials cred = s.getPeerCredentials();
            long uid = cred.getUid();
            if (uid != 0 && uid != ownUid) {
                refuse(s, "permission denied: uid " + uid + " is neither root nor the appliance's user (uid "
                        + ownUid + ")");
                return;
            }
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            FrameStream stdout = new FrameStream(out, AdminProtocol.OUT);
            FrameStream stderr = new FrameStream(out, AdminProtocol.ERR);
            InputStream in = new BufferedInputStream(s.getInputStream());
            try (CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr)) {
                session.put("patchbay.caller", "shell uid=" + uid + " pid=" + cred.getPid());
                session.put("patchbay.caller.uid", uid);
                session.put("SCOPE", SCOPE);
                String line;
                while (open && (line = readLine(in)) != null) {
                    int status = run(session, line, stdout, stderr);
                    stdout.flush();
                    stderr.flush();
                    AdminProtocol.writeFrame(out, AdminProtocol.EXIT,
                            Integer.toString(status).getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException e) {
            // peer went away or protocol violation: close the connection
        } finally {
            connections.remove(s);
            closeQuietly(s);
            workers.remove(Thread.currentThread());
        }
    }

    private static int run(CommandSession session, String line, FrameStream stdout, FrameStream stderr)
            throws IOException {
        if (line.isBlank()) {
            return 0;
        }
        session.put(EXIT_STATUS, null);
        try {
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                stdout.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            }
            // Not "wrote to stderr => failed": whatever runs on this thread during the command (e.g. a bundle
            // activated by 'update' logging its start) also lands on the session's stderr.
            return session.get(EXIT_STATUS) instanceof Integer status ? status : 0;
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            stderr.write(("error: " + msg + "\n").getBytes(StandardCharsets.UTF_8));
            return 1;
        } finally {
            session.put(EXIT_STATUS, null);
        }
    }

    /** Reads one {@code \n}-terminated UTF-8 line; null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return buf.toString(StandardCharsets.UTF_8).replace("\r", "");
            }
            if (buf.size() >= AdminProtocol.MAX_COMMAND_BYTES) {
                throw new IOException("command line longer than " + AdminProtocol.MAX_COMMAND_BYTES + " bytes");
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    /** Buffers output and sends it as frames of one type at each line end, when full, and on flush. */
    private static final class FrameStream extends OutputStream {
        private final DataOutputStream out;
        private final byte type;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);

        FrameStream(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (out) {
                buf.write(b);
                if (b == '\n' || buf.size() >= 8192) {
                    flushLocked();
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (out) {
                buf.write(b, off, len);
                if (buf.size() >= 8192 || (len > 0 && b[off + len - 1] == '\n')) {
                    flushLocked();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (out) {
                flushLocked();
            }
        }

        private void flushLocked() throws IOException {
            if (buf.size() > 0) {
                AdminProtocol.writeFrame(out, type, buf.toByteArray());
                buf.reset();
            }
        }
    }
}
