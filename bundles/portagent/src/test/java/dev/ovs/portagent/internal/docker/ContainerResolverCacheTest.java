package dev.ovs.portagent.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.internal.Container;
import dev.ovs.portagent.ContainerRef;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver's cache of Docker answers, against a fake Docker API on a Unix socket that counts inspect
 * requests and answers with a PID the test controls (a {@code sleep} child it can kill).
 */
class ContainerResolverCacheTest {
    private ShortTempDir dir;
    private ServerSocketChannel server;
    private Thread serverThread;
    private final AtomicInteger inspects = new AtomicInteger();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private ContainerResolver resolver;
    private Process child;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        serverThread = new Thread(this::serve, "fake-docker");
        serverThread.start();
        resolver = new ContainerResolver(new DockerClient(dir.resolve("api.sock"), Duration.ofSeconds(5)), now::get);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
        server.close();
        serverThread.join(5000);
        dir.close();
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(1);
                while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n") && ch.read(b) > 0) {
                    head.write(b.get(0));
                    b.clear();
                }
                if (head.toString(StandardCharsets.US_ASCII).startsWith("GET /containers/c1/json")) {
                    inspects.incrementAndGet();
                }
                byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
                ch.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                ch.write(ByteBuffer.wrap(body));
            } catch (Exception e) {
                // closed
            }
        }
    }

    private void answerPid(long pid, String id) {
        answer.set("{\"Id\":\"" + id + "\",\"Name\":\"/c1\",\"State\":{\"Running\":true,\"Pid\":" + pid
                + "},\"Config\":{\"Labels\":{}}}");
    }

    private long startSleeper() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
        child = new ProcessBuilder("sleep", "300").start();
        return child.pid();
    }

    @Test
    void reusesAnAnswerWhileTheProcessLivesAndAsksAgainWhenItIsGoneOldOrForgotten() throws Exception {
        ContainerRef ref = ContainerRef.parse("container", "c1");
        long pid = startSleeper();
        answerPid(pid, "a".repeat(64));
        Container first = resolver.resolve(ref);
        assertThat(first.pid()).isEqualTo(pid);
        assertThat(resolver.resolve(ref)).isEqualTo(first);
        assertThat(resolver.resolve(ref)).isEqualTo(first);
        assertThat(inspects.get()).isEqualTo(1);

        // the container's process ended (container stopped, restarted or replaced): Docker is asked again
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long pid2 = startSleeper();
        answerPid(pid2, "b".repeat(64));
        Container second = resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(2);
        assertThat(second.pid()).isEqualTo(pid2);
        assertThat(second.id()).isEqualTo("b".repeat(64));

        // older than the maximum age: asked again
        now.addAndGet(ContainerResolver.MAX_AGE_NANOS + 1);
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(3);
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(3);

        // forgotten by ID prefix (as a container event names it) and by name
        resolver.forget("bbbb");
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(4);
        resolver.forget("c1");
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(5);
        resolver.forgetAll();
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(6);
        resolver.forget("unrelated");
        resolver.resolve(ref);
        assertThat(inspects.get()).isEqualTo(6);
    }

    @Test
    void aStoppedContainerIsNeverCachedAndStaysAnError() {
        ContainerRef ref = ContainerRef.parse("container", "c1");
        answer.set("{\"Id\":\"" + "c".repeat(64) + "\",\"Name\":\"/c1\",\"State\":{\"Running\":false,\"Pid\":0},\"Config\":{}}");
        assertThatThrownBy(() -> resolver.resolve(ref)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not running");
        assertThatThrownBy(() -> resolver.resolve(ref)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not running");
        assertThat(inspects.get()).isEqualTo(2);
    }

    @Test
    void startTimeIsReadFromProc() {
        long self = ProcessHandle.current().pid();
        assertThat(ContainerResolver.startTime(self)).isPositive();
        assertThat(ContainerResolver.startTime(self)).isEqualTo(ContainerResolver.startTime(self));
        assertThat(ContainerResolver.startTime(Integer.MAX_VALUE)).isEqualTo(-1);
    }
}
