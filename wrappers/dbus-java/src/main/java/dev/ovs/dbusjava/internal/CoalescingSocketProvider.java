package dev.ovs.dbusjava.internal;

import java.nio.channels.SocketChannel;
import org.freedesktop.dbus.spi.message.IMessageReader;
import org.freedesktop.dbus.spi.message.IMessageWriter;
import org.freedesktop.dbus.spi.message.ISocketProvider;

/**
 * dbus-java socket provider that moves each D-Bus message with as few system calls as possible: a writer that
 * gathers a message's wire segments into one direct buffer and sends them with one {@code write(2)}, and a
 * reader that reads whatever the socket holds (up to {@value BufferedMessageReader#BUFFER_SIZE} bytes) with one
 * {@code read(2)} and cuts messages out of that buffer.
 *
 * <p>Why: dbus-java 5.2.0's built-in {@code OutputStreamMessageWriter} issues one {@code write(2)} per wire
 * segment (a small method return is about 18 segments) and {@code InputStreamMessageReader} four {@code read(2)}s
 * per message; on a round trip through the bus daemon those system calls were a large part of the latency
 * (issue 5, docs/benchmarks.md).
 *
 * <p>How dbus-java finds it: {@code AbstractTransport} loads {@link ISocketProvider}s with
 * {@code ServiceLoader.load(ISocketProvider.class, AbstractTransport.class.getClassLoader())} and uses the
 * first provider whose {@link #createReader} and {@link #createWriter} both return non-null; if none does, it
 * falls back to its built-in reader and writer. This class is the only entry of this bundle's
 * {@code META-INF/services/org.freedesktop.dbus.spi.message.ISocketProvider}, and neither dbus-java jar wrapped
 * here registers a provider, so inside the OSGi framework (the bundle's own class loader) it is always the one
 * chosen. On a flat class path (tests, the benchmark client) another jar could register a provider too; then
 * class-path order decides.
 *
 * <p>Declines (returns {@code null}, so dbus-java uses the next provider or its built-ins) when the channel is
 * in non-blocking mode (both classes rely on blocking reads and writes) or when dbus-java asked for Unix file
 * descriptor passing, which these classes do not implement (the native-unixsocket transport never asks: it
 * has no fd passing).
 *
 * <p>Thread safety: instances are created by {@code ServiceLoader} (one per transport) and are safe to use
 * from any thread. The reader is used by dbus-java's single receiving thread; the writer is synchronized
 * (dbus-java writes from its single sender thread, but {@code AbstractTransport.writeMessage} is public).
 *
 * <p>Source: dbus-java 5.2.0 {@code org.freedesktop.dbus.connections.transports.AbstractTransport#createInputOutput}
 * and {@code org.freedesktop.dbus.spi.message}; D-Bus Specification, "Message Format".
 */
public final class CoalescingSocketProvider implements ISocketProvider {
    private volatile boolean fileDescriptorsRequested;

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public CoalescingSocketProvider() {
        // stateless apart from the fd flag
    }

    /**
     * Creates the buffered reader for a connected, authenticated channel.
     *
     * @param channel the transport's socket channel, in blocking mode, after SASL authentication
     * @return a {@link BufferedMessageReader}, or {@code null} (declined) if {@code channel} is {@code null},
     *         non-blocking, or file descriptor passing was requested
     */
    @Override
    public IMessageReader createReader(SocketChannel channel) {
        return usable(channel) ? new BufferedMessageReader(channel) : null;
    }

    /**
     * Creates the coalescing writer for a connected, authenticated channel.
     *
     * @param channel the transport's socket channel, in blocking mode, after SASL authentication
     * @return a {@link CoalescingMessageWriter}, or {@code null} (declined) if {@code channel} is {@code null},
     *         non-blocking, or file descriptor passing was requested
     */
    @Override
    public IMessageWriter createWriter(SocketChannel channel) {
        return usable(channel) ? new CoalescingMessageWriter(channel) : null;
    }

    /**
     * Records whether dbus-java wants Unix file descriptor passing on the next reader/writer pair
     * ({@code transport supports it && bus agreed to NEGOTIATE_UNIX_FD}). When {@code true}, this provider
     * declines, so that dbus-java's fallback disables fd passing consistently instead of silently dropping
     * descriptors.
     *
     * @param requested {@code true} if fd passing was negotiated for the connection
     */
    @Override
    public void setFileDescriptorSupport(boolean requested) {
        fileDescriptorsRequested = requested;
    }

    /**
     * Whether this provider's reader and writer pass Unix file descriptors (SCM_RIGHTS).
     *
     * @return always {@code false}
     */
    @Override
    public boolean isFileDescriptorPassingSupported() {
        return false;
    }

    private boolean usable(SocketChannel channel) {
        return channel != null && channel.isBlocking() && !fileDescriptorsRequested;
    }

    @Override
    public String toString() {
        return "CoalescingSocketProvider";
    }
}
