package dev.ovs.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The HTTP handling of the metrics endpoints: request parsing and status codes in memory, then real requests with
 * curl over the Unix socket and over the loopback TCP listener.
 */
class HttpEndpointTest {
    private static final String BODY = "# HELP x_total a\n# TYPE x_total counter\nx_total 1.0\n";
    private final AtomicReference<String> lastAccept = new AtomicReference<>();
    private final Function<String, MetricsService.Scrape> scraper = accept -> {
        lastAccept.set(accept);
        return new MetricsService.Scrape(accept != null && accept.contains("openmetrics") ? MetricsService.OPENMETRICS_TEXT
                : MetricsService.PROMETHEUS_TEXT, BODY.getBytes(StandardCharsets.UTF_8));
    };
    private final ShortTempDir dir = ShortTempDir.create();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    private String respond(String request) throws IOException {
        HttpEndpoint.Response r = HttpEndpoint.respond(
                new ByteArrayInputStream(request.getBytes(StandardCharsets.ISO_8859_1)), scraper);
        return r == null ? null : new String(r.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void getMetricsAnswersWithTheExpositionAndItsContentType() throws IOException {
        String r = respond("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n",
                        "\r\nContent-Length: " + BODY.length() + "\r\n", "\r\nConnection: close\r\n")
                .endsWith("\r\n\r\n" + BODY);
        assertThat(lastAccept.get()).isEqualTo("text/plain");
        // bare LF line ends (RFC 9112 §2.2), a query string, OpenMetrics negotiated through Accept
        r = respond("GET /metrics?name[]=x HTTP/1.0\nAccept: application/openmetrics-text;version=1.0.0\n\n");
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: application/openmetrics-text");
    }

    @Test
    void headHasTheHeadersWithoutTheBody() throws IOException {
        String r = respond("HEAD /metrics HTTP/1.1\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: " + BODY.length()).endsWith("\r\n\r\n");
    }

    @Test
    void errorsHaveTheirStatus() throws IOException {
        assertThat(respond("GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertThat(respond("GET /metrics/x HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertThat(respond("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"))
                .startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("\r\nAllow: GET, HEAD\r\n");
        assertThat(respond("GET  /metrics HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(respond("GET /metrics\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(respond("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(respond("GET /metrics HTTP/2.0\r\n\r\n")).startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n");
        assertThat(respond("GET /metrics HTTP/1.1\r\nX: " + "a".repeat(HttpEndpoint.MAX_HEAD) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        // the client went away before the end of its head: nothing to answer
        assertThat(respond("GET /metrics HTTP/1.1\r\n")).isNull();
        // a failing scrape is a 500, not a dropped connection
        HttpEndpoint.Response r = HttpEndpoint.respond(new ByteArrayInputStream(
                "GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), a -> {
                    throw new IllegalStateException("boom");
                });
        assertThat(r.status()).isEqualTo(500);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("boom");
    }

    @Test
    void curlOverTheUnixSocket() throws Exception {
        Tools.require("curl");
        Path sock = dir.resolve("state/metrics.sock");
        try (HttpEndpoint e = HttpEndpoint.unix(sock, null, scraper)) {
            assertThat(e.socketFile()).isEqualTo(sock);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
            String out = Cmd.run("curl", "-sS", "-i", "--unix-socket", sock.toString(), "http://localhost/metrics");
            assertThat(out).startsWith("HTTP/1.1 200 OK").contains("Content-Type: text/plain; version=0.0.4")
                    .endsWith(BODY);
            String code = Cmd.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", sock.toString(),
                    "http://localhost/nothing");
            assertThat(code).isEqualTo("404");
            code = Cmd.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "--unix-socket",
                    sock.toString(), "http://localhost/metrics");
            assertThat(code).isEqualTo("405");
            // a second server on the same path is refused while this one listens
            assertThatThrownBy(() -> HttpEndpoint.unix(sock, null, scraper)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use");
        }
        assertThat(sock).as("socket file removed on close").doesNotExist();
        assertThat(threadsNamed("patchbay-metrics-unix")).as("threads stopped on close").isEmpty();
    }

    @Test
    void aStaleSocketIsReplacedAndAnythingElseIsKept() throws Exception {
        Path sock = dir.resolve("metrics.sock");
        // a crashed server leaves its socket file behind: nobody listens there
        try (AFUNIXServerSocket crashed = AFUNIXServerSocket.newInstance()) {
            crashed.setDeleteOnClose(false);
            crashed.bind(AFUNIXSocketAddress.of(sock));
        }
        assertThat(sock).exists();
        try (HttpEndpoint again = HttpEndpoint.unix(sock, null, scraper)) {
            assertThat(again.tcpAddress()).isNull();
            assertThat(Cmd.run("curl", "-sS", "--unix-socket", sock.toString(), "http://localhost/metrics")).isEqualTo(BODY);
        }
        Path file = dir.resolve("plain");
        Files.writeString(file, "data");
        assertThatThrownBy(() -> HttpEndpoint.unix(file, null, scraper)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("data");
    }

    @Test
    void loopbackListenerBindsOnly127001() throws Exception {
        Tools.require("curl");
        Tools.require("ss");
        try (HttpEndpoint e = HttpEndpoint.loopback(0, scraper)) {
            InetSocketAddress a = e.tcpAddress();
            assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            // the kernel's view: one listener on the port, on 127.0.0.1 and nowhere else (a dual-stack socket shows
            // it as the IPv4-mapped address)
            List<String> listeners = Cmd.run("ss", "-Hltn", "sport = :" + a.getPort()).lines()
                    .filter(l -> !l.isBlank()).toList();
            assertThat(listeners).hasSize(1);
            assertThat(listeners.get(0).split("\\s+")[3]).isIn("127.0.0.1:" + a.getPort(),
                    "[::ffff:127.0.0.1]:" + a.getPort());
            String out = Cmd.run(List.of("curl", "-sS", "-H", "Accept: application/openmetrics-text; version=1.0.0",
                    "-D", "-", "http://127.0.0.1:" + a.getPort() + "/metrics"), Duration.ofSeconds(30));
            assertThat(out).contains("Content-Type: application/openmetrics-text").endsWith(BODY);
            assertThat(lastAccept.get()).contains("application/openmetrics-text");
        }
        assertThat(threadsNamed("patchbay-metrics-tcp")).isEmpty();
    }

    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix))
                .toList();
    }
}
