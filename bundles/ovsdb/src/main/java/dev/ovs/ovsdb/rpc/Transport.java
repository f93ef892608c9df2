package dev.ovs.ovsdb.rpc;

import dev.ovs.ovsdb.ClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * The byte stream under one JSON-RPC connection: a Unix socket ({@code unix:PATH}), TCP ({@code tcp:HOST:PORT}) or
 * TLS over TCP ({@code ssl:HOST:PORT}). One reader thread calls {@link #read}, writers call {@link #write} under the
 * connection's write lock, and {@link #close} may come from any thread and unblocks both.
 */
interface Transport {
    /** Connect and TLS handshake timeout: 10 s. */
    int CONNECT_TIMEOUT_MS = 10_000;

    /**
     * @param buf destination
     * @return bytes read (blocking until at least one), or -1 at end of stream
     * @throws IOException on a read error or after {@link #close()}
     */
    int read(byte[] buf) throws IOException;

    /**
     * @param bytes whole message, written completely (blocking)
     * @throws IOException on a write error or after {@link #close()}
     */
    void write(byte[] bytes) throws IOException;

    /** Closes the stream without waiting for the peer (no TLS close_notify exchange). Idempotent. */
    void close();

    /**
     * Opens a transport to one remote.
     *
     * @param remote   {@code unix:PATH}, {@code tcp:HOST:PORT} or {@code ssl:HOST:PORT}
     * @param tls      the TLS context for {@code ssl:} (ignored otherwise)
     * @param onSocket receives the socket as soon as it exists, so that another thread can close it to abort a
     *                 connect or handshake in progress (closing the client)
     * @return the connected (and for {@code ssl:} handshaken) transport
     * @throws IOException with a message that says what failed (connect, handshake: untrusted server certificate,
     *                     client certificate refused by the server)
     */
    static Transport open(String remote, SSLContext tls, java.util.function.Consumer<java.io.Closeable> onSocket)
            throws IOException {
        if (remote.startsWith("unix:")) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            onSocket.accept(ch);
            try {
                ch.connect(UnixDomainSocketAddress.of(Path.of(remote.substring(5))));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new ChannelTransport(ch);
        }
        String[] hp = ClientOptions.parseTcp(remote);
        if (remote.startsWith("tcp:")) {
            SocketChannel ch = SocketChannel.open();
            onSocket.accept(ch);
            try {
                ch.socket().connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), CONNECT_TIMEOUT_MS);
                ch.socket().setTcpNoDelay(true);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new ChannelTransport(ch);
        }
        Socket plain = new Socket();
        onSocket.accept(plain);
        try {
            plain.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), CONNECT_TIMEOUT_MS);
            plain.setTcpNoDelay(true);
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, hp[0], Integer.parseInt(hp[1]), true);
            s.setUseClientMode(true);
            s.setSoTimeout(CONNECT_TIMEOUT_MS);
            try {
                s.startHandshake();
            } catch (SSLException e) {
                throw new SSLHandshakeException(explain(e));
            } catch (java.net.SocketException e) {
                // the server closed while the client's certificate flight was still being written: its alert is
                // lost with the connection (RST), so say what a close at this point means
                throw new SSLHandshakeException("the server closed the connection during the TLS handshake ("
                        + e.getMessage() + "): it refused the client certificate (is certificate signed by a CA the "
                        + "server trusts?) or the TLS version or ciphers");
            }
            s.setSoTimeout(0);
            return new TlsTransport(plain, s);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * Says in plain words why a TLS handshake failed: the server's certificate is not signed by {@code ca.cert}, or
     * the server refused the client's certificate (TLS alerts {@code unknown_ca}, {@code bad_certificate},
     * {@code certificate_unknown}, {@code certificate_required}, ...; with TLS 1.3 such an alert arrives after the
     * client's side of the handshake finished, on the first read).
     *
     * @param e the handshake or read failure
     * @return the explanation followed by the JSSE message
     */
    static String explain(SSLException e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String lower = all.toString().toLowerCase(Locale.ROOT);
        String why;
        if (!lower.contains("received fatal alert") && (lower.contains("pkix") || lower.contains("certpath"))) {
            why = "the server's certificate is not signed by a CA in ca.cert";
        } else if (lower.contains("received fatal alert") && (lower.contains("unknown_ca") || lower.contains("bad_certificate")
                || lower.contains("certificate_unknown") || lower.contains("certificate_required")
                || lower.contains("unsupported_certificate") || lower.contains("certificate_expired")
                || lower.contains("certificate_revoked") || lower.contains("access_denied"))) {
            why = "the server refused the client certificate (is certificate signed by a CA the server trusts?)";
        } else {
            why = "TLS handshake failed";
        }
        return why + " (" + e.getMessage() + ")";
    }

    /** Unix and plain TCP: an NIO channel. */
    final class ChannelTransport implements Transport {
        private final SocketChannel ch;

        ChannelTransport(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read(byte[] buf) throws IOException {
            return ch.read(ByteBuffer.wrap(buf));
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    /**
     * TLS: a JSSE socket layered on a plain socket. Closing closes the plain socket, so a writer blocked on a peer
     * that stopped reading (which holds the TLS socket's write lock) cannot block the close.
     */
    final class TlsTransport implements Transport {
        private final Socket plain;
        private final InputStream in;
        private final OutputStream out;

        TlsTransport(Socket plain, SSLSocket tls) throws IOException {
            this.plain = plain;
            this.in = tls.getInputStream();
            this.out = tls.getOutputStream();
        }

        @Override
        public int read(byte[] buf) throws IOException {
            try {
                return in.read(buf);
            } catch (SSLException e) {
                throw new SSLException(explain(e), e);
            }
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() {
            try {
                plain.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }
}
