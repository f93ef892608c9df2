package dev.ovs.dbusjava.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.spi.message.IMessageWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each D-Bus message with one {@code write(2)}: the message's wire segments
 * ({@link Message#getWireData()}, up to the first {@code null} entry, as dbus-java's own writer does) are
 * copied into one reused direct buffer of {@value #BUFFER_SIZE} bytes, which is then written until drained.
 * A message longer than the buffer goes out in consecutive buffer-sized chunks (one {@code write(2)} per
 * {@value #BUFFER_SIZE} bytes), so memory stays bounded whatever the message size (D-Bus allows up to
 * 128 MiB, {@link Message#MAXIMUM_MESSAGE_LENGTH}).
 *
 * <p>Errors: any {@link IOException} of the channel is thrown to the caller; dbus-java's sender then
 * disconnects the connection ({@code AbstractConnectionBase.sendMessageInternally}: "Fatal IOException while
 * sending message, disconnecting"). If the failure happens after part of a message was written, the stream's
 * framing is lost, so this writer also closes the channel before rethrowing: no later message can follow a
 * truncated one.
 *
 * <p>Thread safety: {@link #writeMessage} is synchronized, so messages written from several threads are
 * never interleaved. The channel must be in blocking mode ({@link CoalescingSocketProvider} declines
 * otherwise).
 *
 * <p>Source: D-Bus Specification, "Message Format"; dbus-java 5.2.0
 * {@code org.freedesktop.dbus.spi.message.AbstractOutputStreamMessageWriter} (the behaviour replaced).
 */
final class CoalescingMessageWriter implements IMessageWriter {
    /** Size of the direct send buffer in bytes; messages up to this size go out with one system call. */
    static final int BUFFER_SIZE = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CoalescingMessageWriter.class);

    private final SocketChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private long writeCalls;
    private long messageBytesSent;

    /**
     * @param channel connected channel in blocking mode, not null
     */
    CoalescingMessageWriter(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Sends one message. A {@code null} message is ignored; a message without wire data (not marshalled) is
     * logged and ignored, both as in dbus-java's built-in writer.
     *
     * @param message the marshalled message
     * @throws IOException if the channel is closed or a write fails (the channel is closed if the message was
     *         partly written)
     */
    @Override
    public synchronized void writeMessage(Message message) throws IOException {
        if (message == null) {
            return;
        }
        byte[][] wire = message.getWireData();
        if (wire == null) {
            LOG.warn("Message {} wire-data was null!", message);
            return;
        }
        messageBytesSent = 0;
        boolean done = false;
        out.clear();
        try {
            for (byte[] segment : wire) {
                if (segment == null) {
                    break;
                }
                int off = 0;
                while (off < segment.length) {
                    if (!out.hasRemaining()) {
                        drain();
                    }
                    int n = Math.min(out.remaining(), segment.length - off);
                    out.put(segment, off, n);
                    off += n;
                }
            }
            drain();
            done = true;
        } finally {
            out.clear();
            if (!done && messageBytesSent > 0) {
                closeQuietly();
            }
        }
    }

    /** Writes the buffer's content until drained, counting the bytes in {@link #messageBytesSent}. */
    private void drain() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            int n = channel.write(out);
            writeCalls++;
            if (n <= 0) {
                // A blocking channel writes everything or throws; 0 means a non-blocking channel was handed in.
                throw new IOException("socket channel wrote " + n + " bytes in blocking mode; refusing to spin");
            }
            messageBytesSent += n;
        }
        out.clear();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the channel after a partial write failed", e);
        }
    }

    /**
     * Number of {@code SocketChannel.write} calls made so far (one per message up to {@value #BUFFER_SIZE}
     * bytes); for tests.
     *
     * @return the count since construction
     */
    synchronized long writeCalls() {
        return writeCalls;
    }

    /** @return {@code true} once the channel is closed */
    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    /**
     * Closes the channel (also ending the reader of the same connection).
     *
     * @throws IOException if closing the channel fails
     */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "CoalescingMessageWriter[" + channel + "]";
    }
}
