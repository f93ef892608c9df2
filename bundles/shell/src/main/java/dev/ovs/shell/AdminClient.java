package dev.ovs.shell;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Client of the admin socket ({@link AdminProtocol}); {@code bin/patchbay shell} runs {@link #main}.
 *
 * <p>Not thread-safe: one command at a time per client.
 */
public final class AdminClient implements AutoCloseable {
    private final SocketChannel channel;
    private final DataInputStream in;
    private final OutputStream out;

    private AdminClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(Channels.newInputStream(channel));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects to an admin socket.
     *
     * @param socket path of the socket, e.g. {@code /var/lib/patchbay/admin.sock}
     * @return a connected client
     * @throws IOException if nothing listens there or permission is denied
     */
    public static AdminClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to admin socket " + socket + ": " + e.getMessage(), e);
        }
        return new AdminClient(ch);
    }

    /**
     * Runs one command and streams its output.
     *
     * @param command a Gogo command line without a line break, e.g. {@code lb}
     * @param stdout where {@link AdminProtocol#OUT} bytes go
     * @param stderr where {@link AdminProtocol#ERR} bytes go
     * @return the exit status: 0 success, 1 the command failed, 2 refused or unparsable
     * @throws IllegalArgumentException if the command contains a line break or exceeds
     *         {@link AdminProtocol#MAX_COMMAND_BYTES}
     * @throws IOException if the connection fails or the server breaks the protocol
     */
    public int execute(String command, OutputStream stdout, OutputStream stderr) throws IOException {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("command: must be one line (no line breaks)");
        }
        byte[] line = (command + "\n").getBytes(StandardCharsets.UTF_8);
        if (line.length > AdminProtocol.MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException("command: longer than " + AdminProtocol.MAX_COMMAND_BYTES + " bytes");
        }
        IOException writeFailed = null;
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            // the server may have refused and closed already; its frames are still in our receive buffer
            writeFailed = e;
        }
        while (true) {
            AdminProtocol.Frame f;
            try {
                f = AdminProtocol.readFrame(in);
            } catch (IOException e) {
                if (writeFailed != null) {
                    writeFailed.addSuppressed(e);
                    throw writeFailed;
                }
                throw e;
            }
            switch (f.type()) {
                case AdminProtocol.OUT -> { stdout.write(f.payload()); stdout.flush(); }
                case AdminProtocol.ERR -> { stderr.write(f.payload()); stderr.flush(); }
                default -> {
                    try {
                        return Integer.parseInt(f.text().trim());
                    } catch (NumberFormatException e) {
                        throw new IOException("admin protocol: bad exit status '" + f.text() + "'");
                    }
                }
            }
        }
    }

    /** Closes the connection; a command still running on the server is interrupted. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Command line entry point: {@code [--state DIR | --socket PATH] [-c COMMAND]}. Without {@code -c},
     * reads commands from standard input, one per line ({@code exit} or end of input ends it).
     * The socket defaults to {@code $PATCHBAY_STATE/admin.sock}, else {@code /var/lib/patchbay/admin.sock}.
     * Exits with the command's status for {@code -c}, 3 if the socket cannot be reached, 64 on bad usage.
     *
     * @param args the arguments above
     */
    public static void main(String[] args) {
        String state = System.getenv().getOrDefault("PATCHBAY_STATE", "/var/lib/patchbay");
        Path socket = null;
        String command = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--state") || a.equals("--socket") || a.equals("-c")) && i + 1 >= args.length) {
                System.err.println("patchbay shell: " + a + " needs a value");
                System.exit(64);
            }
            switch (a) {
                case "--state" -> state = args[++i];
                case "--socket" -> socket = Path.of(args[++i]);
                case "-c" -> command = args[++i];
                case "-h", "--help" -> {
                    System.out.println("usage: patchbay shell [--state DIR | --socket PATH] [-c 'COMMAND']");
                    System.exit(0);
                }
                default -> {
                    System.err.println("patchbay shell: unknown argument '" + a + "'");
                    System.exit(64);
                }
            }
        }
        if (socket == null) {
            socket = Path.of(state, AdminProtocol.SOCKET_NAME);
        }
        PrintStream stdout = System.out;
        try (AdminClient c = connect(socket)) {
            if (command != null) {
                System.exit(c.execute(command, stdout, System.err));
            }
            boolean tty = System.console() != null;
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int last = 0;
            while (true) {
                if (tty) {
                    stdout.print("patchbay> ");
                    stdout.flush();
                }
                String line = r.readLine();
                if (line == null || line.trim().equals("exit") || line.trim().equals("quit")) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                last = c.execute(line, stdout, System.err);
            }
            System.exit(last);
        } catch (EOFException e) {
            System.err.println("patchbay shell: the appliance closed the connection");
            System.exit(3);
        } catch (IOException e) {
            System.err.println("patchbay shell: " + e.getMessage());
            System.exit(3);
        }
    }
}
