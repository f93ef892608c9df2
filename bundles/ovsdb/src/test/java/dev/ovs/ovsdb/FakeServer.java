package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A scripted, possibly hostile JSON-RPC peer on a Unix socket (test only). */
final class FakeServer implements AutoCloseable {
    final Path dir;
    final Path path;
    final ServerSocketChannel ss;
    final ObjectMapper mapper = new ObjectMapper();
    final LinkedBlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
    final Thread acceptor;

    FakeServer() throws IOException {
        dir = Files.createTempDirectory("pb-fake-");
        path = dir.resolve("s");
        ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ss.bind(UnixDomainSocketAddress.of(path));
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(ss.accept());
                }
            } catch (IOException e) {
                // closed
            }
        }, "fake-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String remote() {
        return "unix:" + path;
    }

    SocketChannel next() throws InterruptedException {
        SocketChannel c = accepted.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("client did not connect");
        }
        return c;
    }

    /** Reads one JSON message (simple: messages from our client are single objects). */
    JsonNode read(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(1);
        int depth = 0;
        boolean str = false;
        boolean esc = false;
        while (true) {
            b.clear();
            if (c.read(b) < 0) {
                throw new IOException("eof");
            }
            char ch = (char) b.get(0);
            sb.append(ch);
            if (str) {
                if (esc) {
                    esc = false;
                } else if (ch == '\\') {
                    esc = true;
                } else if (ch == '"') {
                    str = false;
                }
            } else if (ch == '"') {
                str = true;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if ((ch == '}' || ch == ']') && --depth == 0) {
                return mapper.readTree(sb.toString());
            }
        }
    }

    static void write(SocketChannel c, String s) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (bb.hasRemaining()) {
            c.write(bb);
        }
    }

    @Override
    public void close() throws IOException {
        ss.close();
        SocketChannel c;
        while ((c = accepted.poll()) != null) {
            c.close();
        }
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }
}
