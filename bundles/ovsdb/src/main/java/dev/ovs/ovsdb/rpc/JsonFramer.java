package dev.ovs.ovsdb.rpc;

import java.util.Arrays;

/**
 * Splits a byte stream into top-level JSON texts (objects or arrays) without parsing them, with a hard size
 * limit and a nesting-depth limit, so memory stays bounded whatever the peer sends. Strings and escapes are
 * tracked so brackets inside strings do not count. Not thread-safe (one per connection reader).
 */
public final class JsonFramer {
    /** Receives complete messages; the array is only valid during the call. */
    public interface Sink {
        /**
         * @param buf buffer
         * @param len message length (starting at 0)
         */
        void message(byte[] buf, int len);
    }

    /** Thrown for framing violations. */
    public static final class FramingException extends Exception {
        private static final long serialVersionUID = 1L;

        FramingException(String m) {
            super(m);
        }
    }

    private static final int INITIAL = 4096;
    private static final int SHRINK_ABOVE = 1 << 20;
    private final int maxBytes;
    private final int maxDepth;
    private byte[] buf = new byte[INITIAL];
    private int len;
    private int depth;
    private boolean inString;
    private boolean escape;

    /**
     * @param maxBytes largest message
     * @param maxDepth deepest nesting
     */
    public JsonFramer(int maxBytes, int maxDepth) {
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
    }

    /** @return bytes currently buffered for an incomplete message */
    public int buffered() {
        return len;
    }

    /**
     * Feeds bytes.
     *
     * @param data bytes
     * @param off  offset
     * @param n    count
     * @param sink receives each complete message
     * @throws FramingException if a message exceeds the limits or the stream is not a sequence of JSON
     *                          objects/arrays
     */
    public void feed(byte[] data, int off, int n, Sink sink) throws FramingException {
        int end = off + n;
        for (int i = off; i < end; i++) {
            byte b = data[i];
            if (depth == 0) {
                if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                    continue;
                }
                if (b != '{' && b != '[') {
                    throw new FramingException("unexpected byte 0x" + Integer.toHexString(b & 0xff)
                            + " between messages");
                }
            }
            if (len >= maxBytes) {
                throw new FramingException("message exceeds " + maxBytes + " bytes");
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min((long) maxBytes, 2L * buf.length));
            }
            buf[len++] = b;
            if (inString) {
                if (escape) {
                    escape = false;
                } else if (b == '\\') {
                    escape = true;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            switch (b) {
                case '"':
                    inString = true;
                    break;
                case '{':
                case '[':
                    if (++depth > maxDepth) {
                        throw new FramingException("nesting deeper than " + maxDepth);
                    }
                    break;
                case '}':
                case ']':
                    if (--depth == 0) {
                        sink.message(buf, len);
                        len = 0;
                        if (buf.length > SHRINK_ABOVE) {
                            buf = new byte[INITIAL];
                        }
                    }
                    break;
                default:
                    break;
            }
        }
    }
}
