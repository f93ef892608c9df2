package dev.ovs.shell.internal;

import dev.ovs.base.ConfigValues;
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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Serves the Gogo shell on the admin Unix socket (see {@link AdminProtocol}). One platform thread
 * accepts; one thread per connection runs that connection's commands in its own
 * {@link CommandSession}. Everything is closed, and the socket file removed, on deactivate. Registered as a service
 * of its own class so that components of this bundle can wait for the socket to be bound ({@link SystemdNotifier}),
 * and as the command {@code shell:status} ({@link #status()}). A configuration change is applied in place
 * ({@link #modified}): a refused one never takes the admin socket away.
 */
@Component(service = AdminShellServer.class, immediate = true, configurationPid = "dev.ovs.shell",
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {"osgi.command.scope=shell", "osgi.command.function=status"})
@Designate(ocd = AdminShellServer.Config.class)
public final class AdminShellServer {

    /** Configuration of PID {@code dev.ovs.shell}. */
    @ObjectClassDefinition(name = "Patchbay admin shell", description = "Gogo shell on a Unix socket")
    public @interface Config {
        /** @return socket path, absolute; empty means {@code <patchbay.state>/admin.sock} */
        @AttributeDefinition(description = "Admin socket path, absolute; empty: <state dir>/admin.sock")
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
    private final String stateDir;
    private final Set<AFUNIXSocket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private final long ownUid;
    /** The bound socket; replaced by {@link #modified} when the configured path changes. */
    private volatile Listener listener;
    /** The last configuration refused by {@link #modified} with the reason, empty when the last one was applied. */
    private volatile String configError = "";
    private volatile boolean open = true;

    /** One bound listening socket and its accepting thread. */
    private final class Listener {
        final Path path;
        final AFUNIXServerSocket server;
        /** Identity (device + inode) of the socket file this listener bound, so it only ever deletes its own. */
        final Object fileKey;
        final Thread acceptor;
        volatile boolean listening = true;

        Listener(Path path) throws IOException {
            this.path = path;
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.deleteIfExists(path);
            this.server = AFUNIXServerSocket.newInstance();
            // junixsocket would delete the path when this socket closes, even if a newer instance (after an
            // 'update' issued from an admin session) has bound it since; close() deletes only its own file.
            server.setDeleteOnClose(false);
            try {
                server.bind(AFUNIXSocketAddress.of(path.toFile()));
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
                stamp(path);
            } catch (IOException | RuntimeException e) {
                closeQuietly(server);
                throw e;
            }
            this.fileKey = fileKey(path);
            this.acceptor = new Thread(() -> acceptLoop(this), "patchbay-admin-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Stops accepting and removes the socket file if it is still the one bound here; connections stay. */
        void close() {
            listening = false;
            // Closing a junixsocket server socket while a thread is blocked in accept() leaks a file descriptor
            // (junixsocket 2.11: one per update of this bundle), so the acceptor is woken by a
            // connection of our own and leaves accept() before the server socket is closed (as the bus does).
            if (fileKey != null && fileKey.equals(fileKey(path))) {
                try (AFUNIXSocket wake = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path.toFile()))) {
                    wake.getOutputStream().flush();
                } catch (IOException ignored) {
                    // not accepting any more
                }
                joinQuietly(acceptor, 2000);
            }
            closeQuietly(server);
            acceptor.interrupt();
            joinQuietly(acceptor, 2000);
            try {
                // a new instance (after 'update' from an admin session) may already have bound the same path
                if (fileKey != null && fileKey.equals(fileKey(path))) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // best effort: the next activation deletes it too
            }
        }
    }

    /**
     * Binds the socket with mode 0600 and starts accepting. A refused {@code socket} (not absolute) does not lock
     * the administrator out: the default {@code <patchbay.state>/admin.sock} is bound instead and
     * {@link #status()} and the log say why.
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
        this.stateDir = state == null || state.isBlank() ? "/var/lib/patchbay" : state;
        this.ownUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        Path path;
        try {
            path = socketPath(stateDir, config);
        } catch (IllegalArgumentException e) {
            path = Path.of(stateDir, AdminProtocol.SOCKET_NAME);
            configError = e.getMessage() + " (configuration refused; the admin socket is the default " + path + ")";
            LOG.log(System.Logger.Level.ERROR, "dev.ovs.shell: " + configError);
        }
        this.listener = new Listener(path);
    }

    /**
     * @param stateDir the state directory
     * @param config   the configuration
     * @return {@code socket}, or {@code <stateDir>/admin.sock} when it is empty
     * @throws dev.ovs.base.InvalidArgumentException ({@code socket}: {@code must be an absolute path or empty}) for a
     *                                               relative path
     */
    static Path socketPath(String stateDir, Config config) {
        Path p = ConfigValues.absolutePath("socket", config.socket(), true);
        return p == null ? Path.of(stateDir, AdminProtocol.SOCKET_NAME) : p;
    }

    /**
     * A configuration change, applied without closing the admin sessions: the same path keeps the socket; another
     * valid path is bound first and the old socket closed after; a refused one ({@link #socketPath}) keeps the
     * socket as it is, logs the reason and shows it in {@link #status()}.
     *
     * @param config the new configuration
     */
    @Modified
    void modified(Config config) {
        Path next;
        try {
            next = socketPath(stateDir, config);
        } catch (IllegalArgumentException e) {
            configError = e.getMessage() + " (configuration refused; the admin socket stays " + listener.path + ")";
            LOG.log(System.Logger.Level.ERROR, "dev.ovs.shell: " + configError);
            return;
        }
        Listener old = listener;
        if (next.equals(old.path)) {
            configError = "";
            return;
        }
        try {
            listener = new Listener(next);
        } catch (IOException | RuntimeException e) {
            configError = "socket: cannot bind " + next + ": " + e.getMessage()
                    + " (configuration refused; the admin socket stays " + old.path + ")";
            LOG.log(System.Logger.Level.ERROR, "dev.ovs.shell: " + configError);
            return;
        }
        configError = "";
        old.close();
    }

    /** @return the path of the bound admin socket */
    Path socketPath() {
        return listener.path;
    }

    /**
     * @return {@code shell:status}: {@code socket: PATH}, {@code sessions: N} (open admin connections) and
     *         {@code configuration: applied} or {@code configuration: refused: KEY: RULE (...)} for the last
     *         {@code dev.ovs.shell} configuration that was not applied, one per line
     */
    public String status() {
        String err = configError;
        return "socket: " + listener.path + "\nsessions: " + connections.size() + "\nconfiguration: "
                + (err.isEmpty() ? "applied" : "refused: " + err) + "\n";
    }

    /**
     * Closes the listening socket and every connection, joins the threads (briefly for session threads,
     * which end when their command returns), removes the socket file if it is still the one bound here.
     */
    @Deactivate
    public void deactivate() {
        open = false;
        listener.close();
        for (AFUNIXSocket s : connections) {
            closeQuietly(s);
        }
        // Session threads are not interrupted: Gogo passes an interrupt on to the command it runs, and that
        // command may be the very 'update'/'stop' of this bundle that is calling this method (from Gogo's
        // pipe thread). Their sockets are closed above, so they end when their command returns.
        for (Thread t : workers) {
            joinQuietly(t, 200);
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

    private void acceptLoop(Listener l) {
        while (open && l.listening) {
            AFUNIXSocket s;
            try {
                s = l.server.accept();
            } catch (IOException e) {
                if (open && l.listening) {
                    LOG.log(System.Logger.Level.ERROR, "admin shell: accept failed, no more connections: " + e);
                }
                return;
            }
            if (!open || !l.listening) {
                closeQuietly(s); // the wake-up connection of Listener.close()
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
