package dev.ovs.portagent.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message (netlink(7)): {@code nlmsghdr} (16 bytes), a family header
 * ({@code ifinfomsg} 16, {@code ifaddrmsg} 8, {@code rtmsg} 12 bytes; rtnetlink(7)) and
 * {@code rtattr}s (4-byte header, payload padded to 4 bytes), which may nest. Host byte order.
 * Not thread-safe; one builder per message.
 */
public final class NlBuilder {
    private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

    /**
     * Starts a message.
     *
     * @param type  message type, e.g. {@link Nl#RTM_NEWLINK}
     * @param flags {@code NLM_F_*} flags
     */
    public NlBuilder(int type, int flags) {
        b.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    private void ensure(int n) {
        if (b.remaining() < n) {
            ByteBuffer nb = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n + 64)).order(ByteOrder.nativeOrder());
            b.flip();
            nb.put(b);
            b = nb;
        }
    }

    /**
     * Appends {@code struct ifinfomsg}.
     *
     * @return this
     */
    public NlBuilder ifinfomsg(int family, int type, int index, int flags, int change) {
        ensure(16);
        b.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /**
     * Appends {@code struct ifaddrmsg}.
     *
     * @return this
     */
    public NlBuilder ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
        ensure(8);
        b.put((byte) family).put((byte) prefixLen).put((byte) flags).put((byte) scope).putInt(index);
        return this;
    }

    /**
     * Appends {@code struct rtmsg}.
     *
     * @return this
     */
    public NlBuilder rtmsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type, int flags) {
        ensure(12);
        b.put((byte) family).put((byte) dstLen).put((byte) srcLen).put((byte) tos).put((byte) table)
                .put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
        return this;
    }

    /**
     * Appends an attribute with a raw payload, padded to 4 bytes.
     *
     * @param type attribute type
     * @param data payload (at most 65531 bytes)
     * @return this
     */
    public NlBuilder attr(int type, byte[] data) {
        int len = 4 + data.length;
        if (len > 0xFFFF) {
            throw new IllegalArgumentException("rtattr payload too long: " + data.length);
        }
        ensure(align(len));
        b.putShort((short) len).putShort((short) type).put(data);
        pad();
        return this;
    }

    /** Appends a 32-bit attribute (host order). @return this */
    public NlBuilder attrU32(int type, int value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** Appends a NUL-terminated string attribute. @return this */
    public NlBuilder attrString(int type, String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(raw, raw.length + 1));
    }

    /**
     * Opens a nested attribute; close it with {@link #nestEnd(int)}.
     *
     * @param type attribute type
     * @return the start offset, to pass to {@link #nestEnd(int)}
     */
    public int nestStart(int type) {
        ensure(4);
        int pos = b.position();
        b.putShort((short) 0).putShort((short) type);
        return pos;
    }

    /**
     * Closes a nested attribute, fixing its length.
     *
     * @param start the value {@link #nestStart(int)} returned
     * @return this
     */
    public NlBuilder nestEnd(int start) {
        b.putShort(start, (short) (b.position() - start));
        return this;
    }

    private void pad() {
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /**
     * Finishes the message.
     *
     * @param seq sequence number
     * @return the wire bytes, {@code nlmsg_len} set
     */
    public byte[] build(int seq) {
        pad();
        b.putInt(0, b.position());
        b.putInt(8, seq);
        return Arrays.copyOf(b.array(), b.position());
    }
}
