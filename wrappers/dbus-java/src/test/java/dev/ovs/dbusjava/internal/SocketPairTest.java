package dev.ovs.dbusjava.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.ShortTempDir;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.exceptions.MessageProtocolVersionException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.Endian;
import org.freedesktop.dbus.spi.message.ISocketProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reader and writer over a connected pair of Unix stream sockets, without a bus daemon: framing of
 * several messages per read, both byte orders, messages larger than the buffers, the errors that must
 * disconnect, and the provider's registration and declining rules.
 */
class SocketPairTest {
    private ShortTempDir dir;
    private ServerSocketChannel server;
    private SocketChannel a;
    private SocketChannel b;

    @BeforeEach
    void setUp() throws IOException {
        dir = ShortTempDir.create();
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(addr);
        a = SocketChannel.open(addr);
        b = server.accept();
    }

    @AfterEach
    void tearDown() throws IOException {
        a.close();
        b.close();
        server.close();
        dir.close();
    }

    private static MethodCall call(byte endian, String member, Object... args) throws Exception {
        String sig = args.length == 0 ? null : "s".repeat(args.length);
        return new MessageFactory(endian).createMethodCall(null, "dev.ovs.test", "/dev/ovs/test", "dev.ovs.test.I", member,
                (byte) 0, sig, args);
    }

    private static Object[] params(Message m) throws Exception {
        Object[] p = m.getParameters();
        return p == null ? new Object[0] : p;
    }

    @Test
    void theOnlyRegisteredSocketProviderIsOurs() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(ISocketProvider.class, ISocketProvider.class.getClassLoader())
                .forEach(p -> names.add(p.getClass().getName()));
        assertThat(names).containsExactly(CoalescingSocketProvider.class.getName());
    }

    @Test
    void providerDeclinesNonBlockingChannelsAndFdPassing() throws IOException {
        CoalescingSocketProvider p = new CoalescingSocketProvider();
        assertThat(p.isFileDescriptorPassingSupported()).isFalse();
        assertThat(p.createWriter(a)).isInstanceOf(CoalescingMessageWriter.class);
        assertThat(p.createReader(a)).isInstanceOf(BufferedMessageReader.class);
        p.setFileDescriptorSupport(true);
        assertThat(p.createWriter(a)).isNull();
        assertThat(p.createReader(a)).isNull();
        p.setFileDescriptorSupport(false);
        a.configureBlocking(false);
        assertThat(p.createWriter(a)).isNull();
        assertThat(p.createReader(a)).isNull();
        assertThat(p.createWriter(null)).isNull();
    }

    @Test
    void severalMessagesInBothByteOrdersArriveIntactAndOneWriteEach() throws Exception {
        CoalescingMessageWriter w = new CoalescingMessageWriter(a);
        BufferedMessageReader r = new BufferedMessageReader(b);
        List<MethodCall> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte endian = i % 2 == 0 ? Endian.LITTLE : Endian.BIG;
            MethodCall m = i % 3 == 0 ? call(endian, "NoArgs") : call(endian, "M" + i, "arg-" + i, "ü€ " + "x".repeat(i * 37));
            sent.add(m);
            long before = w.writeCalls();
            w.writeMessage(m);
            assertThat(w.writeCalls() - before).as("write calls for message %d", i).isEqualTo(1);
        }
        // all 20 are in the socket now: the reader takes them in one read and cuts them apart
        for (MethodCall m : sent) {
            Message got = r.readMessage();
            assertThat(got).isInstanceOf(MethodCall.class);
            assertThat(got.getSerial()).isEqualTo(m.getSerial());
            assertThat(got.getName()).isEqualTo(m.getName());
            assertThat(got.getPath()).isEqualTo("/dev/ovs/test");
            assertThat(got.getInterface()).isEqualTo("dev.ovs.test.I");
            assertThat(got.getEndianess()).isEqualTo(m.getEndianess());
            assertThat(params(got)).containsExactly(params(m));
        }
    }

    @Test
    void messagesLargerThanTheBuffersAreChunkedAndReassembled() throws Exception {
        CoalescingMessageWriter w = new CoalescingMessageWriter(a);
        BufferedMessageReader r = new BufferedMessageReader(b);
        int[] sizes = {CoalescingMessageWriter.BUFFER_SIZE - 200, CoalescingMessageWriter.BUFFER_SIZE,
            CoalescingMessageWriter.BUFFER_SIZE + 1, 3 * CoalescingMessageWriter.BUFFER_SIZE + 17, 1 << 20};
        List<MethodCall> sent = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            StringBuilder s = new StringBuilder(sizes[i]);
            for (int j = 0; j < sizes[i]; j++) {
                s.append((char) ('a' + (j * 7 + i) % 26));
            }
            sent.add(call(i % 2 == 0 ? Endian.LITTLE : Endian.BIG, "Big", s.toString()));
        }
        // the socket buffer holds less than 1 MiB: write from another thread while this one reads
        CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
            try {
                long before = w.writeCalls();
                for (MethodCall m : sent) {
                    w.writeMessage(m);
                }
                return w.writeCalls() - before;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        for (MethodCall m : sent) {
            Message got = r.readMessage();
            assertThat(got.getSerial()).isEqualTo(m.getSerial());
            assertThat(params(got)).containsExactly(params(m));
        }
        long wireBytes = 0;
        for (MethodCall m : sent) {
            for (byte[] seg : m.getWireData()) {
                wireBytes += seg == null ? 0 : seg.length;
            }
        }
        // at most one write per full buffer and one for each message's tail
        long buffers = (wireBytes + CoalescingMessageWriter.BUFFER_SIZE - 1) / CoalescingMessageWriter.BUFFER_SIZE;
        assertThat(writer.get(60, TimeUnit.SECONDS)).isBetween(buffers, buffers + sizes.length);
    }

    private static ByteBuffer fixedHeader(byte endian, int version, long bodyLength, long fieldsLength) {
        ByteBuffer bb = ByteBuffer.allocate(16).order(endian == Endian.BIG ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        bb.put(endian).put((byte) 1).put((byte) 0).put((byte) version).putInt((int) bodyLength).putInt(1).putInt((int) fieldsLength);
        return bb.flip();
    }

    @Test
    void unsupportedProtocolVersionIsFatal() throws IOException {
        a.write(fixedHeader(Endian.LITTLE, 2, 0, 0));
        assertThatThrownBy(() -> new BufferedMessageReader(b).readMessage())
                .isInstanceOf(MessageProtocolVersionException.class).hasMessageContaining("version 2");
    }

    @Test
    void invalidEndiannessIsFatal() throws IOException {
        a.write(fixedHeader((byte) 'x', 1, 0, 0));
        assertThatThrownBy(() -> new BufferedMessageReader(b).readMessage())
                .isInstanceOf(IOException.class).hasMessageContaining("endianness byte 0x78");
    }

    @Test
    void oversizedMessageIsFatalBeforeAnyAllocation() throws IOException {
        a.write(fixedHeader(Endian.BIG, 1, 0xFFFF_FFF0L, 8));
        assertThatThrownBy(() -> new BufferedMessageReader(b).readMessage())
                .isInstanceOf(IOException.class).hasMessageContaining("exceeds the maximum of " + Message.MAXIMUM_MESSAGE_LENGTH);
        a.write(fixedHeader(Endian.LITTLE, 1, 0, Message.MAXIMUM_ARRAY_LENGTH + 8L));
        assertThatThrownBy(() -> new BufferedMessageReader(b).readMessage())
                .isInstanceOf(IOException.class).hasMessageContaining("header field array");
    }

    @Test
    void endOfStreamInsideAMessageIsEof() throws IOException {
        a.write(fixedHeader(Endian.LITTLE, 1, 100, 8));
        a.write(ByteBuffer.wrap(new byte[5]));
        a.close();
        BufferedMessageReader r = new BufferedMessageReader(b);
        assertThatThrownBy(r::readMessage).isInstanceOf(EOFException.class);
    }

    @Test
    void endOfStreamBetweenMessagesIsEof() throws Exception {
        new CoalescingMessageWriter(a).writeMessage(call(Endian.LITTLE, "Last"));
        a.close();
        BufferedMessageReader r = new BufferedMessageReader(b);
        assertThat(r.readMessage().getName()).isEqualTo("Last");
        assertThatThrownBy(r::readMessage).isInstanceOf(EOFException.class);
    }

    @Test
    void aWriteThatFailsHalfwayClosesTheChannel() throws Exception {
        CoalescingMessageWriter w = new CoalescingMessageWriter(a);
        MethodCall huge = call(Endian.LITTLE, "Huge", "y".repeat(8 << 20));
        // the peer reads nothing: the writer blocks once the socket buffer is full, then the peer goes away
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                w.writeMessage(huge);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        ByteBuffer some = ByteBuffer.allocate(1024);
        assertThat(b.read(some)).isPositive(); // the writer has started
        b.close();
        assertThat(failure.get(60, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        assertThat(w.isClosed()).isTrue();
        assertThatThrownBy(() -> w.writeMessage(call(Endian.LITTLE, "After"))).isInstanceOf(IOException.class);
    }

    @Test
    void aNullMessageIsIgnoredAndCloseClosesTheChannel() throws Exception {
        CoalescingMessageWriter w = new CoalescingMessageWriter(a);
        w.writeMessage(null);
        assertThat(w.writeCalls()).isZero();
        assertThat(w.isClosed()).isFalse();
        w.close();
        assertThat(w.isClosed()).isTrue();
        BufferedMessageReader r = new BufferedMessageReader(b);
        r.close();
        assertThat(r.isClosed()).isTrue();
    }
}
