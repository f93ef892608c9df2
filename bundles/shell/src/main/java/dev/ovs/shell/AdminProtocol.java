package dev.ovs.shell;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Wire protocol of the admin socket.
 *
 * <p>Client to server: UTF-8 text, one Gogo command per line ({@code \n}-terminated, at most
 * {@link #MAX_COMMAND_BYTES} bytes). Server to client: frames, each a 1-byte type, a 4-byte big-endian
 * payload length (bytes) and the payload:
 * <ul>
 *   <li>{@link #OUT} bytes the command wrote to its standard output (also the formatted result);</li>
 *   <li>{@link #ERR} bytes written to standard error, and error messages;</li>
 *   <li>{@link #EXIT} end of one command: payload is the ASCII exit status, {@code 0} success,
 *       {@code 1} the command threw, {@code 2} the connection was refused. (Gogo's built-in
 *       {@code felix:*} commands print some failures and return normally: status 0.)</li>
 * </ul>
 * Commands on one connection run one after the other. Updating or stopping the shell bundle itself
 * (e.g. {@code update <id of dev.ovs.shell>}) closes every connection; the new revision listens again
 * on the same path at once. A peer that is neither root nor the appliance's own user gets one {@link #ERR} frame
 * and an {@link #EXIT} {@code 2} frame, then the connection is closed.
 */
public final class AdminProtocol {
    /** Frame type: standard output bytes. */
    public static final byte OUT = 'o';
    /** Frame type: standard error bytes. */
    public static final byte ERR = 'e';
    /** Frame type: command finished; payload is the ASCII exit status. */
    public static final byte EXIT = 'x';
    /** Largest accepted command line, in bytes (64 KiB). */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;
    /** Largest frame payload a client accepts, in bytes (16 MiB); larger frames are a protocol error. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** File name of the admin socket inside the state directory. */
    public static final String SOCKET_NAME = "admin.sock";

    private AdminProtocol() {
    }

    /**
     * Writes one frame and flushes.
     *
     * @param out the stream; callers serialise concurrent writers themselves
     * @param type {@link #OUT}, {@link #ERR} or {@link #EXIT}
     * @param payload bytes to send, at most {@link #MAX_FRAME_BYTES}
     * @throws IOException if the peer went away
     */
    public static void writeFrame(DataOutputStream out, byte type, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /**
     * One server frame.
     *
     * @param type {@link #OUT}, {@link #ERR} or {@link #EXIT}
     * @param payload its bytes
     */
    public record Frame(byte type, byte[] payload) {
        /** @return the payload decoded as UTF-8 */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads one frame.
     *
     * @param in the stream
     * @return the frame
     * @throws EOFException if the server closed the connection
     * @throws IOException on a read error, or a frame larger than {@link #MAX_FRAME_BYTES} or of unknown type
     */
    public static Frame readFrame(DataInputStream in) throws IOException {
        byte type = in.readByte();
        int len = in.readInt();
        if (type != OUT && type != ERR && type != EXIT) {
            throw new IOException("admin protocol: unknown frame type " + (type & 0xff));
        }
        if (len < 0 || len > MAX_FRAME_BYTES) {
            throw new IOException("admin protocol: frame length " + len + " outside 0.." + MAX_FRAME_BYTES);
        }
        byte[] payload = in.readNBytes(len);
        if (payload.length != len) {
            throw new EOFException("admin protocol: truncated frame");
        }
        return new Frame(type, payload);
    }
}
