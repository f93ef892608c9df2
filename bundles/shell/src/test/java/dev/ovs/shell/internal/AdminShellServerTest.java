package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import dev.ovs.shell.AdminClient;
import dev.ovs.shell.AdminProtocol;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/**
 * The admin shell server on a real Unix socket with Gogo's real command processor (no framework): the
 * frame protocol, exit statuses, the caller recorded in the session, limits, peer credentials and
 * deactivation.
 */
class AdminShellServerTest {
    private ShortTempDir tmp;
    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;
    private AdminShellServer server;
    private Path socket;

    /** Commands of scope {@code t} the tests call. */
    public static final class TestCommands {
        /** @param name who @return a greeting */
        public String greet(String name) {
            return "hello " + name;
        }

        /** @param s the session @return the caller the server put into the session */
        public Object caller(CommandSession s) {
            return s.get("patchbay.caller");
        }

        /** @param why message @return never */
        public String fail(String why) {
            throw new IllegalStateException(why);
        }

        /**
         * @param s      the session
         * @param status the exit status to end with
         * @return a report printed despite the status
         */
        public String report(CommandSession s, int status) {
            s.put(AdminShellServer.EXIT_STATUS, status);
            return "report " + status;
        }

        /** Writes to standard output and standard error. */
        public void both() {
            System.out.println("to-out");
            System.err.println("to-err");
        }
    }

    @BeforeEach
    void start() throws IOException {
        tmp = ShortTempDir.create();
        socket = tmp.path().resolve("admin.sock");
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("t", new TestCommands());
        server = new AdminShellServer(processor, context(Map.of()), config(socket.toString()));
    }

    @AfterEach
    void stop() {
        server.deactivate();
        processor.stop();
        threadIo.stop();
        tmp.close();
    }

    static BundleContext context(Map<String, String> props) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> {
                    if (m.getName().equals("getProperty")) {
                        return props.get((String) a[0]);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    static AdminShellServer.Config config(String socket) {
        return (AdminShellServer.Config) Proxy.newProxyInstance(AdminShellServer.Config.class.getClassLoader(),
                new Class<?>[] {AdminShellServer.Config.class}, (p, m, a) -> switch (m.getName()) {
                    case "socket" -> socket;
                    case "annotationType" -> AdminShellServer.Config.class;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(AdminClient c, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = c.execute(command, out, err);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void socketIsPrivateToItsOwner() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    }

    @Test
    void commandsRunOneAfterTheOtherOnOneConnectionWithTheirExitStatus() throws IOException {
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "t:greet world")).isEqualTo(new Run(0, "hello world\n", ""));
            Run failed = run(c, "t:fail boom");
            assertThat(failed.status()).isEqualTo(1);
            assertThat(failed.out()).isEmpty();
            assertThat(failed.err()).isEqualTo("error: boom\n");
            Run both = run(c, "t:both");
            assertThat(both.status()).isZero();
            assertThat(both.out()).isEqualTo("to-out\n");
            assertThat(both.err()).isEqualTo("to-err\n");
            assertThat(run(c, "")).isEqualTo(new Run(0, "", ""));
            assertThat(run(c, "t:nosuchcommand").status()).isEqualTo(1);
            assertThat(run(c, "t:greet again")).isEqualTo(new Run(0, "hello again\n", ""));
        }
    }

    @Test
    void aCommandMaySetItsExitStatusAndStillPrintItsResult() throws IOException {
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "t:report 1")).isEqualTo(new Run(1, "report 1\n", ""));
            assertThat(run(c, "t:report 0")).isEqualTo(new Run(0, "report 0\n", ""));
            assertThat(run(c, "t:report 1")).isEqualTo(new Run(1, "report 1\n", ""));
            // the status is the command's own: the next command starts from 0 again
            assertThat(run(c, "t:greet next")).isEqualTo(new Run(0, "hello next\n", ""));
        }
    }

    @Test
    void sessionsLookUpGogosScopeFirstAsTheConsoleDoes() throws IOException {
        processor.addCommand("zz", new Object() {
            @SuppressWarnings("unused")
            public String echo(String s) {
                return "zz " + s;
            }
        }, "echo");
        processor.addCommand("gogo", new Object() {
            @SuppressWarnings("unused")
            public String echo(String s) {
                return "gogo " + s;
            }
        }, "echo");
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "$SCOPE").out()).isEqualTo(AdminShellServer.SCOPE + "\n");
            assertThat(run(c, "echo x").out()).isEqualTo("gogo x\n");
        }
    }

    @Test
    void theSessionNamesTheCallerByPeerCredentials() throws IOException {
        try (AdminClient c = AdminClient.connect(socket)) {
            Run r = run(c, "t:caller");
            assertThat(r.status()).isZero();
            assertThat(r.out()).isEqualTo("shell uid=" + uid() + " pid=" + ProcessHandle.current().pid() + "\n");
        }
    }

    @Test
    void connectionsAreIndependent() throws IOException {
        try (AdminClient a = AdminClient.connect(socket); AdminClient b = AdminClient.connect(socket)) {
            assertThat(run(a, "x = 1").status()).isZero();
            assertThat(run(b, "x = 2").status()).isZero();
            assertThat(run(a, "$x").out()).isEqualTo("1\n");
            assertThat(run(b, "$x").out()).isEqualTo("2\n");
        }
    }

    @Test
    void anOverlongCommandLineClosesTheConnection() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] line = "t:greet ".concat("x".repeat(AdminProtocol.MAX_COMMAND_BYTES)).concat("\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                ch.write(ByteBuffer.wrap(line));
            } catch (IOException e) {
                // the server may close before the whole line is written
            }
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            assertThatThrownBy(() -> AdminProtocol.readFrame(in)).isInstanceOf(IOException.class);
        }
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "t:greet still").out()).isEqualTo("hello still\n");
        }
        assertThatThrownBy(() -> {
            try (AdminClient c = AdminClient.connect(socket)) {
                c.execute("a\nb", OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("command: ");
    }

    @Test
    void aPeerThatIsNeitherRootNorTheOwnerIsRefused() throws IOException {
        Tools.requireRoot();
        Tools.require("setpriv");
        Path python = Tools.require("/usr/bin/python3"); // not a per-user shim: the peer runs as uid 65534
        // the socket's mode 0600 already keeps others out; the peer-credential check is the second line
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(tmp.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = """
                import socket, struct, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                i = 0
                while i < len(data):
                    t, n = data[i:i + 1].decode(), struct.unpack(">i", data[i + 1:i + 5])[0]
                    print(t + ":" + data[i + 5:i + 5 + n].decode().strip())
                    i += 5 + n
                """;
        String out = Cmd.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                python.toString(), "-c", script, socket.toString()), Duration.ofSeconds(20));
        assertThat(out).isEqualTo("e:permission denied: uid 65534 is neither root nor the appliance's user (uid "
                + uid() + ")\nx:2\n");
    }

    @Test
    void deactivateClosesConnectionsAndRemovesItsSocket() throws IOException {
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "t:greet before").status()).isZero();
            // an administrator opening the mode does not make the file someone else's
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            server.deactivate();
            assertThat(Files.exists(socket)).isFalse();
            assertThatThrownBy(() -> run(c, "t:greet after")).isInstanceOf(IOException.class);
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("patchbay-admin"));
        assertThatThrownBy(() -> AdminClient.connect(socket)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to admin socket");
        // a second deactivate (the @AfterEach) is harmless
    }

    @Test
    void aNewInstanceOnTheSamePathIsNotRemovedByTheOldOne() throws IOException {
        AdminShellServer second = new AdminShellServer(processor, context(Map.of()), config(socket.toString()));
        try {
            server.deactivate(); // the old instance: the file is the new one's now
            assertThat(Files.exists(socket)).isTrue();
            try (AdminClient c = AdminClient.connect(socket)) {
                assertThat(run(c, "t:greet second").out()).isEqualTo("hello second\n");
            }
        } finally {
            second.deactivate();
        }
        assertThat(Files.exists(socket)).isFalse();
    }

    @Test
    void theDefaultSocketLivesInTheStateDirectory() throws IOException {
        Path state = tmp.path().resolve("state");
        AdminShellServer s = new AdminShellServer(processor, context(Map.of("patchbay.state", state.toString())),
                config(""));
        try (AdminClient c = AdminClient.connect(state.resolve(AdminProtocol.SOCKET_NAME))) {
            assertThat(run(c, "t:greet state").out()).isEqualTo("hello state\n");
        } finally {
            s.deactivate();
        }
    }

    @Test
    void clientSeesTheServerClosing() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            server.deactivate();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            // EOF once accepted, a reset when the listening socket closed before accepting it
            assertThatThrownBy(() -> AdminProtocol.readFrame(in)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aRefusedSocketPathKeepsTheSocketAndTheOpenSessionsAndSaysWhy() throws IOException {
        try (AdminClient c = AdminClient.connect(socket)) {
            server.modified(config("relative/admin.sock"));
            assertThat(Files.exists(socket)).isTrue();
            assertThat(run(c, "t:greet kept").out()).isEqualTo("hello kept\n");
            assertThat(server.status()).contains("socket: " + socket + "\n")
                    .contains("configuration: refused: socket: must be an absolute path or empty, got "
                            + "'relative/admin.sock' (configuration refused; the admin socket stays " + socket + ")");
            assertThat(tmp.path().resolve("relative")).doesNotExist();
        }
        try (AdminClient c = AdminClient.connect(socket)) {
            assertThat(run(c, "t:greet again").out()).isEqualTo("hello again\n");
        }
        // at activation there is no last good path: the default one, so that the administrator is never locked out
        Path state = tmp.path().resolve("state");
        AdminShellServer s = new AdminShellServer(processor, context(Map.of("patchbay.state", state.toString())),
                config("rel.sock"));
        try (AdminClient c = AdminClient.connect(state.resolve(AdminProtocol.SOCKET_NAME))) {
            assertThat(run(c, "t:greet default").out()).isEqualTo("hello default\n");
            assertThat(s.status()).contains("configuration: refused: socket: must be an absolute path or empty, got "
                    + "'rel.sock' (configuration refused; the admin socket is the default "
                    + state.resolve(AdminProtocol.SOCKET_NAME) + ")");
        } finally {
            s.deactivate();
        }
    }

    @Test
    void anotherValidPathIsBoundBeforeTheOldOneCloses() throws IOException {
        Path moved = tmp.path().resolve("moved.sock");
        try (AdminClient c = AdminClient.connect(socket)) {
            // an established session (accepted and answered), not one still in the listen backlog: closing the old
            // socket drops a connection nobody has accepted yet
            assertThat(run(c, "t:greet before").out()).isEqualTo("hello before\n");
            server.modified(config(moved.toString()));
            assertThat(Files.exists(socket)).isFalse();
            assertThat(run(c, "t:greet open").out()).as("a session survives the move").isEqualTo("hello open\n");
        }
        try (AdminClient c = AdminClient.connect(moved)) {
            assertThat(run(c, "t:greet moved").out()).isEqualTo("hello moved\n");
        }
        assertThat(server.status()).startsWith("socket: " + moved + "\n").contains("configuration: applied");
        server.modified(config(moved.toString()));
        assertThat(Files.exists(moved)).isTrue();
    }

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
