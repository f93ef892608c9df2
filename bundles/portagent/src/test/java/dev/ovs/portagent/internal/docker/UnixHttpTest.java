package dev.ovs.portagent.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.PortAgentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 client against a scripted server on a Unix socket. */
class UnixHttpTest {
    private ShortTempDir dir;
    private Path sock;
    private ServerSocketChannel server;
    private final CompletableFuture<String> requestSeen = new CompletableFuture<>();
    private Thread serverThread;

    @BeforeEach
    void setUp() throws IOException {
        dir = ShortTempDir.create();
        sock = dir.resolve("api.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        if (serverThread != null) {
            serverThread.join(5000);
        }
        dir.close();
    }

    /** Serves one connection: reads the request head, then writes the parts (flushing each), then closes unless hold. */
    private void serve(boolean hold, String... parts) {
        serverThread = new Thread(() -> {
            try (SocketChannel ch = server.accept()) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(1);
                while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n") && ch.read(b) > 0) {
                    head.write(b.get(0));
                    b.clear();
                }
                requestSeen.complete(head.toString(StandardCharsets.US_ASCII));
                for (String p : parts) {
                    ch.write(ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8)));
                    Thread.sleep(20);
                }
                if (hold) {
                    ch.read(ByteBuffer.allocate(1)); // until the client closes
                }
            } catch (Exception e) {
                requestSeen.completeExceptionally(e);
            }
        }, "fake-docker");
        serverThread.start();
    }

    private static String chunk(String s) {
        return Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + s + "\r\n";
    }

    @Test
    void contentLengthBodyAndRequestShape() throws Exception {
        serve(false, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Le", "ngth: 17\r\n\r\n{\"Id\":\"abc\",\"x\":1}EXTRA");
        UnixHttp.Response r = new UnixHttp(sock).request("GET", "/containers/abc/json", null, Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(r.text()).isEqualTo("{\"Id\":\"abc\",\"x\":1");
        assertThat(requestSeen.get(5, TimeUnit.SECONDS)).startsWith("GET /containers/abc/json HTTP/1.1\r\n")
                .contains("Host: docker\r\n").contains("Connection: close\r\n");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() throws Exception {
        serve(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "5;ext=1\r\nhello\r\n", "7\r\n, world\r\n",
                "0\r\nX-Trailer: 1\r\n\r\n");
        UnixHttp.Response r = new UnixHttp(sock).request("GET", "/x", null, Duration.ofSeconds(10));
        assertThat(r.text()).isEqualTo("hello, world");
    }

    @Test
    void bodyUntilEndOfStreamWhenNoLength() throws Exception {
        serve(false, "HTTP/1.0 404 Not Found\r\n\r\n{\"message\":\"no such container\"}");
        UnixHttp.Response r = new UnixHttp(sock).request("GET", "/x", null, Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.reason()).isEqualTo("Not Found");
        assertThat(r.text()).contains("no such container");
    }

    @Test
    void silentPeerTimesOut() {
        serve(true);
        assertThatThrownBy(() -> new UnixHttp(sock).request("GET", "/x", null, Duration.ofMillis(300)))
                .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("GET /x");
    }

    @Test
    void malformedResponsesAreErrors() {
        serve(false, "SSH-2.0-OpenSSH\r\n\r\n");
        assertThatThrownBy(() -> new UnixHttp(sock).request("GET", "/x", null, Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed HTTP status line");
    }

    @Test
    void truncatedChunkIsAnError() {
        serve(false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "10\r\nshort");
        assertThatThrownBy(() -> new UnixHttp(sock).request("GET", "/x", null, Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class).hasMessageContaining("inside a chunk");
    }

    @Test
    void eventsStreamDeliversObjectsAndCloseUnblocks() throws Exception {
        serve(true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                chunk("{\"Type\":\"container\",\"Action\":\"start\",\"n\":1}\n"),
                chunk("{\"Type\":\"container\",\"Actio"), chunk("n\":\"die\",\"n\":2}"));
        DockerClient c = new DockerClient(sock, Duration.ofSeconds(10));
        try (DockerClient.Events ev = c.events(Map.of("type", List.of("container")))) {
            JsonNode a = ev.next();
            JsonNode b = ev.next();
            assertThat(a.path("Action").asText()).isEqualTo("start");
            assertThat(b.path("Action").asText()).isEqualTo("die");
            assertThat(b.path("n").asInt()).isEqualTo(2);
            CompletableFuture<JsonNode> third = CompletableFuture.supplyAsync(ev::next);
            Thread.sleep(100);
            assertThat(third).isNotDone();
            ev.close();
            assertThat(third.get(5, TimeUnit.SECONDS)).isNull();
        }
        assertThat(requestSeen.get(5, TimeUnit.SECONDS)).startsWith("GET /events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D ");
    }

    @Test
    void dockerClientMapsStatusAndMissingSocket() throws Exception {
        serve(false, "HTTP/1.1 404 Not Found\r\nContent-Length: 37\r\n\r\n{\"message\":\"no such container: nope\"}");
        DockerClient c = new DockerClient(sock, Duration.ofSeconds(10));
        assertThatThrownBy(() -> c.inspect("nope")).isInstanceOf(PortAgentException.class)
                .hasMessageContaining("container 'nope': no such container").hasMessageContaining("404 no such container: nope")
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.NotFound));
        DockerClient missing = new DockerClient(dir.resolve("missing.sock"), Duration.ofSeconds(10));
        assertThatThrownBy(() -> missing.inspect("x")).isInstanceOf(PortAgentException.class)
                .hasMessageContaining("missing.sock: cannot connect")
                .satisfies(e -> assertThat(((PortAgentException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.Unavailable));
        assertThat(missing.ping()).isFalse();
    }
}
