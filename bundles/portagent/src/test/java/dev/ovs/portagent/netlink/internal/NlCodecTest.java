package dev.ovs.portagent.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NlCodecTest {

    @Test
    void headerFamilyHeaderAndPaddedAttributes() {
        byte[] m = new NlBuilder(Nl.RTM_NEWLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK)
                .ifinfomsg(0, 0, 7, 1, 1).attrString(Nl.IFLA_IFNAME, "eth1").attrU32(Nl.IFLA_MTU, 1400).build(42);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        // 16 header + 16 ifinfomsg + (4+5 -> 12) name + 8 mtu
        assertThat(m.length).isEqualTo(16 + 16 + 12 + 8);
        assertThat(b.getInt(0)).isEqualTo(m.length);
        assertThat(b.getShort(4)).isEqualTo((short) Nl.RTM_NEWLINK);
        assertThat(b.getShort(6)).isEqualTo((short) 5);
        assertThat(b.getInt(8)).isEqualTo(42);
        assertThat(b.getInt(16 + 4)).isEqualTo(7);
        assertThat(b.getShort(32)).isEqualTo((short) 9); // rta_len excludes padding
        assertThat(b.getShort(34)).isEqualTo((short) Nl.IFLA_IFNAME);
        assertThat(new String(m, 36, 4)).isEqualTo("eth1");
        assertThat(m[40]).isZero();
        assertThat(b.getShort(44)).isEqualTo((short) 8);
        assertThat(b.getInt(48)).isEqualTo(1400);
    }

    @Test
    void nestedAttributesRoundTrip() {
        NlBuilder bld = new NlBuilder(Nl.RTM_NEWLINK, 1).ifinfomsg(0, 0, 0, 0, 0);
        int li = bld.nestStart(Nl.IFLA_LINKINFO);
        bld.attrString(Nl.IFLA_INFO_KIND, "veth");
        int data = bld.nestStart(Nl.IFLA_INFO_DATA);
        int peer = bld.nestStart(Nl.VETH_INFO_PEER);
        bld.ifinfomsg(0, 0, 0, 0, 0).attrString(Nl.IFLA_IFNAME, "peer0");
        bld.nestEnd(peer).nestEnd(data).nestEnd(li);
        byte[] m = bld.build(1);
        List<NlMessage> msgs = NlMessage.parse(m, m.length);
        assertThat(msgs).hasSize(1);
        ByteBuffer p = msgs.get(0).payload();
        Map<Integer, ByteBuffer> top = NlMessage.attrs(p, 16, p.limit());
        Map<Integer, ByteBuffer> info = NlMessage.attrs(top.get(Nl.IFLA_LINKINFO));
        assertThat(NlMessage.string(info.get(Nl.IFLA_INFO_KIND))).isEqualTo("veth");
        ByteBuffer peerAttr = NlMessage.attrs(info.get(Nl.IFLA_INFO_DATA)).get(Nl.VETH_INFO_PEER);
        assertThat(NlMessage.string(NlMessage.attrs(peerAttr, 16, peerAttr.limit()).get(Nl.IFLA_IFNAME))).isEqualTo("peer0");
        // nest length covers everything up to the end of the message
        ByteBuffer whole = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertThat(whole.getShort(32) & 0xFFFF).isEqualTo(m.length - 32);
    }

    @Test
    void parsesSeveralMessagesInOneDatagram() {
        byte[] a = new NlBuilder(Nl.NLMSG_NOOP, 2).attrU32(1, 5).build(1);
        byte[] b = new NlBuilder(Nl.NLMSG_DONE, 2).attrU32(1, 6).build(2);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        List<NlMessage> msgs = NlMessage.parse(both, both.length);
        assertThat(msgs).extracting(NlMessage::type).containsExactly(Nl.NLMSG_NOOP, Nl.NLMSG_DONE);
        assertThat(msgs).extracting(NlMessage::seq).containsExactly(1, 2);
        assertThat(NlMessage.attrs(msgs.get(1).payload()).get(1).getInt(0)).isEqualTo(6);
    }

    @Test
    void rejectsImpossibleLengths() {
        byte[] m = new NlBuilder(Nl.RTM_NEWLINK, 0).ifinfomsg(0, 0, 0, 0, 0).build(1);
        ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).putInt(0, m.length + 100);
        assertThatThrownBy(() -> NlMessage.parse(m, m.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed netlink message");
        ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).putInt(0, 3);
        assertThatThrownBy(() -> NlMessage.parse(m, m.length)).hasMessageContaining("nlmsg_len 3");
    }

    @Test
    void truncatedAttributesAreIgnoredNotOverread() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) 8).putShort((short) 1).putInt(9).putShort((short) 200).putShort((short) 2);
        Map<Integer, ByteBuffer> a = NlMessage.attrs(b, 0, 12);
        assertThat(a).containsOnlyKeys(1);
    }
}
