package dev.ovs.dbusjava.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.MessageProtocolVersionException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.Endian;
import org.freedesktop.dbus.spi.message.IMessageReader;

/**
 * Reads D-Bus messages through one direct buffer of {@value #BUFFER_SIZE} bytes: each {@code read(2)} takes
 * whatever the socket holds (often the whole message, or several), and messages are cut out of the buffer.
 * dbus-java's built-in reader makes four reads per message (fixed header, header-field array length, header
 * fields, body). A message longer than the buffer is assembled from consecutive buffer-sized reads.
 *
 * <p>Wire format (D-Bus Specification, "Message Format"): 12 fixed bytes (endianness {@code 'l'} or
 * {@code 'B'}, type, flags, major protocol version 1, body length {@code u32}, serial {@code u32}), then the
 * header-field array {@code a(yv)} (length {@code u32}, elements 8-aligned), padding to 8, then the body.
 * The parts are handed to {@link MessageFactory#createMessage(byte, byte[], byte[], byte[], java.util.List)}
 * in exactly the layout dbus-java 5.2.0's {@code AbstractInputStreamMessageReader} uses: the 12 fixed bytes;
 * the header as {@code [array length (4)][0 (4)][fields padded to 8]}; the body.
 *
 * <p>Errors: end of stream (also in the middle of a message) is an {@link EOFException}, which dbus-java treats
 * as the peer going away. A message that cannot be framed, so that the stream cannot be resynchronised, is an
 * {@link IOException} that makes dbus-java disconnect: a major protocol version other than 1
 * ({@link MessageProtocolVersionException}, as dbus-java's own reader), an endianness byte other than
 * {@code 'l'}/{@code 'B'}, a header-field array longer than {@link Message#MAXIMUM_ARRAY_LENGTH} (64 MiB) or a
 * message longer than {@link Message#MAXIMUM_MESSAGE_LENGTH} (128 MiB). A framed message whose header or body
 * dbus-java cannot decode is a {@link DBusException} (the message was consumed; the connection goes on, as with
 * dbus-java's own reader for a header). Header fields are read through their typed accessors and the body is decoded
 * here ({@link Message#getParameters()} keeps the arguments for dbus-java's later calls of it): dbus-java does both
 * lazily, a header field of the wrong type ({@code MEMBER} as an object path: {@code ClassCastException}) or a
 * malformed body (a string length beyond it: {@code StringIndexOutOfBoundsException}) then throws a
 * {@link RuntimeException}, and dbus-java's reader thread, which reads them while dispatching, ends on one, leaving
 * the connection deaf. A bus daemon validates messages before it routes them; a peer that does not is the case
 * covered.
 *
 * <p>Thread safety: not thread-safe; dbus-java reads from one thread per connection. {@link #close()} may be
 * called from another thread (the blocked read then fails with an {@link IOException}).
 */
final class BufferedMessageReader implements IMessageReader {
    /** Size of the direct receive buffer in bytes. */
    static final int BUFFER_SIZE = 64 * 1024;

    private static final int FIXED_HEADER = 12;
    private static final int PREFIX = FIXED_HEADER + 4;

    private final SocketChannel channel;
    /** Unread bytes are {@code [position, limit)}. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_SIZE).flip();
    private final byte[] prefix = new byte[PREFIX];
    /** The method call {@link #readMessage} returned last, until {@link #takeJustRead} takes it. */
    private MethodCall justRead;
    /** The thread that read {@link #justRead}. */
    private Thread justReadBy;

    /**
     * @param channel connected channel in blocking mode, not null
     */
    BufferedMessageReader(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Reads the next message, blocking until it is complete.
     *
     * @return the message, never {@code null}
     * @throws EOFException if the stream ends
     * @throws IOException if reading fails or the message cannot be framed (see the class comment)
     * @throws DBusException if dbus-java cannot decode a framed message's header or body
     */
    @Override
    public Message readMessage() throws IOException, DBusException {
        readFully(prefix, 0, PREFIX);
        byte endian = prefix[0];
        if (endian != Endian.LITTLE && endian != Endian.BIG) {
            throw new IOException(String.format("D-Bus message endianness byte 0x%02x is neither 'l' nor 'B'", endian & 0xff));
        }
        byte version = prefix[3];
        if (version != Message.PROTOCOL) { // dbus-java 5.2.0 rejects > 1; 0 and negative are invalid too
            throw new MessageProtocolVersionException(String.format("Protocol version %s is unsupported", version));
        }
        long bodyLength = Message.demarshallint(prefix, 4, endian, 4);
        long fieldsLength = Message.demarshallint(prefix, 12, endian, 4);
        if (fieldsLength > Message.MAXIMUM_ARRAY_LENGTH) {
            throw new IOException("D-Bus header field array of " + fieldsLength + " bytes exceeds the maximum of "
                    + Message.MAXIMUM_ARRAY_LENGTH);
        }
        long paddedFields = (fieldsLength + 7) & ~7L;
        long total = PREFIX + paddedFields + bodyLength;
        if (total > Message.MAXIMUM_MESSAGE_LENGTH) {
            throw new IOException("D-Bus message of " + total + " bytes exceeds the maximum of " + Message.MAXIMUM_MESSAGE_LENGTH);
        }
        byte[] fixed = new byte[FIXED_HEADER];
        System.arraycopy(prefix, 0, fixed, 0, FIXED_HEADER);
        byte[] header = new byte[(int) paddedFields + 8];
        System.arraycopy(prefix, FIXED_HEADER, header, 0, 4);
        readFully(header, 8, (int) paddedFields);
        byte[] body = new byte[(int) bodyLength];
        readFully(body, 0, body.length);
        Message m;
        try {
            m = MessageFactory.createMessage(fixed[1], fixed, header, body, null);
            // header fields through their typed accessors, and the body decoded (and kept): see the class comment
            m.getSource();
            m.getDestination();
            m.getPath();
            m.getInterface();
            m.getName();
            m.getSig();
            m.getReplySerial();
            m.getParameters();
        } catch (RuntimeException e) {
            throw new DBusException("cannot decode D-Bus message (type " + fixed[1] + ", " + total + " bytes): " + e, e);
        }
        justRead = m instanceof MethodCall mc ? mc : null;
        justReadBy = Thread.currentThread();
        return m;
    }

    /**
     * The method call this reader returned last, for {@link InlineDispatcher.Calls}: dbus-java's reader thread
     * hands a message it has read to the connection's dispatcher before it reads the next one, so on that
     * thread the call being dispatched is the one just read. Returns it once (and forgets it).
     *
     * @return the method call just read, or {@code null} if the last message was not a method call, it was
     *         taken already, or the calling thread is not the one that read it
     */
    MethodCall takeJustRead() {
        if (justReadBy != Thread.currentThread()) {
            return null;
        }
        MethodCall m = justRead;
        justRead = null;
        return m;
    }

    /** Copies {@code len} bytes into {@code dst}, refilling the buffer with one read at a time when empty. */
    private void readFully(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (!in.hasRemaining()) {
                in.clear();
                int n;
                try {
                    n = channel.read(in);
                } finally {
                    in.flip();
                }
                if (n < 0) {
                    throw new EOFException("D-Bus connection closed by peer");
                }
                if (n == 0) {
                    throw new IOException("socket channel read 0 bytes in blocking mode; refusing to spin");
                }
            }
            int n = Math.min(len, in.remaining());
            in.get(dst, off, n);
            off += n;
            len -= n;
        }
    }

    /** @return {@code true} once the channel is closed */
    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    /**
     * Closes the channel (also ending the writer of the same connection).
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
        return "BufferedMessageReader[" + channel + "]";
    }
}
