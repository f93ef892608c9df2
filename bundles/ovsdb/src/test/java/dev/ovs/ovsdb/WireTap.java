package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test fixture: a Unix socket relay between a client and a real ovsdb-server that records the JSON-RPC
 * messages in both directions, so a test can see what went over the wire and how the server answered.
 * Serves one connection at a time; closing it closes every socket and stops its threads.
 */
public final class WireTap implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Path path;
    private final Path upstream;
    private final ServerSocketChannel server;
    private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile int connections;

    /**
     * @param path     socket to listen on (created; removed on close)
     * @param upstream the ovsdb-server's Unix socket
     * @throws IOException if the socket cannot be bound
     */
    public WireTap(Path path, Path upstream) throws IOException {
        this.path = path;
        this.upstream = upstream;
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        acceptor = new Thread(this::acceptLoop, "wiretap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the remote to give a client: {@code unix:<path>} */
    public String remote() {
        return "unix:" + path;
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
                open.add(c);
                open.add(s);
                connections++;
                pump(c, s, toServer, "wiretap-c2s");
                pump(s, c, toClient, "wiretap-s2c");
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(SocketChannel from, SocketChannel to, ByteArrayOutputStream record, String name) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(65536);
            try {
                while (from.read(b) >= 0) {
                    b.flip();
                    synchronized (record) {
                        record.write(b.array(), 0, b.limit());
                    }
                    while (b.hasRemaining()) {
                        to.write(b);
                    }
                    b.clear();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** @return how many client connections were relayed so far */
    public int connections() {
        return connections;
    }

    /** @return the complete messages the client sent so far, in order */
    public List<JsonNode> sent() {
        return parse(toServer);
    }

    /** @return the complete messages the server sent so far, in order */
    public List<JsonNode> received() {
        return parse(toClient);
    }

    private static List<JsonNode> parse(ByteArrayOutputStream record) {
        byte[] bytes;
        synchronized (record) {
            bytes = record.toByteArray();
        }
        List<JsonNode> l = new ArrayList<>();
        try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(bytes)) {
            while (it.hasNextValue()) {
                l.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            // a message still incomplete at the end: the complete ones before it are returned
        }
        return l;
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }
}
