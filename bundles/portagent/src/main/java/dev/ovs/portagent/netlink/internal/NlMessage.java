package dev.ovs.portagent.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One received netlink message: header fields and the payload after {@code nlmsghdr}, plus static
 * parsers for a datagram holding several messages and for {@code rtattr} lists (netlink(7)).
 *
 * @param type    {@code nlmsg_type}
 * @param flags   {@code nlmsg_flags}
 * @param seq     {@code nlmsg_seq}
 * @param pid     {@code nlmsg_pid}
 * @param payload bytes after the 16-byte header (own copy, host order, position 0)
 */
public record NlMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {

    /**
     * Splits a datagram into messages.
     *
     * @param data the received bytes (positions 0..length)
     * @param length number of valid bytes
     * @return the messages, in order
     * @throws IllegalArgumentException if a header length is impossible (malformed)
     */
    public static List<NlMessage> parse(byte[] data, int length) {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        int pos = 0;
        while (length - pos >= Nl.NLMSG_HDRLEN) {
            int len = b.getInt(pos);
            if (len < Nl.NLMSG_HDRLEN || len > length - pos) {
                throw new IllegalArgumentException("malformed netlink message: nlmsg_len " + len + " at offset " + pos
                        + " of " + length);
            }
            int type = b.getShort(pos + 4) & 0xFFFF;
            int flags = b.getShort(pos + 6) & 0xFFFF;
            int seq = b.getInt(pos + 8);
            int pid = b.getInt(pos + 12);
            byte[] p = new byte[len - Nl.NLMSG_HDRLEN];
            System.arraycopy(data, pos + Nl.NLMSG_HDRLEN, p, 0, p.length);
            out.add(new NlMessage(type, flags, seq, pid, ByteBuffer.wrap(p).order(ByteOrder.nativeOrder())));
            pos += NlBuilder.align(len);
        }
        return out;
    }

    /**
     * Parses the {@code rtattr}s of a region; the type is masked with {@link Nl#NLA_TYPE_MASK}; a
     * repeated type keeps the last occurrence. Truncated trailing bytes are ignored, as the kernel's
     * own parser does for lenient families.
     *
     * @param buf    the buffer (host order)
     * @param offset first attribute
     * @param end    end of region (exclusive)
     * @return type → payload (a host-order slice starting at position 0)
     */
    public static Map<Integer, ByteBuffer> attrs(ByteBuffer buf, int offset, int end) {
        Map<Integer, ByteBuffer> m = new HashMap<>();
        int pos = offset;
        while (end - pos >= 4) {
            int len = buf.getShort(pos) & 0xFFFF;
            int type = buf.getShort(pos + 2) & Nl.NLA_TYPE_MASK;
            if (len < 4 || len > end - pos) {
                break;
            }
            m.put(type, buf.duplicate().position(pos + 4).limit(pos + len).slice().order(ByteOrder.nativeOrder()));
            pos += NlBuilder.align(len);
        }
        return m;
    }

    /** @return all attributes of a whole payload slice (see {@link #attrs(ByteBuffer, int, int)}) */
    public static Map<Integer, ByteBuffer> attrs(ByteBuffer slice) {
        return attrs(slice, 0, slice.limit());
    }

    /**
     * Checks that a message's payload holds its fixed family header ({@code ifinfomsg}, {@code rtmsg}, ...).
     *
     * @param struct the header's name for the message, e.g. {@code "ifinfomsg"}
     * @param size   the header's size in bytes
     * @return the payload
     * @throws IllegalArgumentException if the payload is shorter (malformed)
     */
    public ByteBuffer payload(String struct, int size) {
        if (payload.limit() < size) {
            throw new IllegalArgumentException("malformed netlink message type " + type + ": payload of "
                    + payload.limit() + " bytes, " + struct + " needs " + size);
        }
        return payload;
    }

    /**
     * @param a a fixed-size attribute (rtnetlink {@code u32}, {@code s32})
     * @return its value (host order)
     * @throws IllegalArgumentException if the attribute is shorter than 4 bytes (malformed)
     */
    public static int u32(ByteBuffer a) {
        if (a.limit() < 4) {
            throw new IllegalArgumentException("malformed netlink attribute: " + a.limit() + " bytes, a u32 needs 4");
        }
        return a.getInt(0);
    }

    /**
     * @param a a one-byte attribute (rtnetlink {@code u8})
     * @return its value, 0..255
     * @throws IllegalArgumentException if the attribute is empty (malformed)
     */
    public static int u8(ByteBuffer a) {
        if (a.limit() < 1) {
            throw new IllegalArgumentException("malformed netlink attribute: empty, a u8 needs 1 byte");
        }
        return a.get(0) & 0xFF;
    }

    /** @return a NUL-terminated (or unterminated) string attribute */
    public static String string(ByteBuffer a) {
        int n = a.limit();
        while (n > 0 && a.get(n - 1) == 0) {
            n--;
        }
        byte[] raw = new byte[n];
        a.duplicate().position(0).get(raw, 0, n);
        return new String(raw, StandardCharsets.UTF_8);
    }

    /** @return the raw bytes of an attribute */
    public static byte[] bytes(ByteBuffer a) {
        byte[] raw = new byte[a.limit()];
        a.duplicate().position(0).get(raw);
        return raw;
    }
}
