package dev.ovs.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The frame format of the admin socket: round trip and every way a frame can be broken. */
class AdminProtocolTest {

    private static DataInputStream in(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    @Test
    void framesRoundTrip() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        AdminProtocol.writeFrame(out, AdminProtocol.OUT, "héllo\n".getBytes(StandardCharsets.UTF_8));
        AdminProtocol.writeFrame(out, AdminProtocol.ERR, new byte[0]);
        AdminProtocol.writeFrame(out, AdminProtocol.EXIT, "0".getBytes(StandardCharsets.US_ASCII));
        byte[] wire = buf.toByteArray();
        // type byte, big-endian length, payload
        assertThat(wire[0]).isEqualTo((byte) 'o');
        assertThat(new byte[] {wire[1], wire[2], wire[3], wire[4]}).containsExactly(0, 0, 0, 7);
        DataInputStream in = in(wire);
        AdminProtocol.Frame a = AdminProtocol.readFrame(in);
        assertThat(a.type()).isEqualTo(AdminProtocol.OUT);
        assertThat(a.text()).isEqualTo("héllo\n");
        assertThat(AdminProtocol.readFrame(in).payload()).isEmpty();
        assertThat(AdminProtocol.readFrame(in).text()).isEqualTo("0");
        assertThatThrownBy(() -> AdminProtocol.readFrame(in)).isInstanceOf(EOFException.class);
    }

    @Test
    void brokenFramesAreProtocolErrors() {
        assertThatThrownBy(() -> AdminProtocol.readFrame(in(new byte[] {'q', 0, 0, 0, 0})))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown frame type 113");
        assertThatThrownBy(() -> AdminProtocol.readFrame(in(new byte[] {'o', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})))
                .isInstanceOf(IOException.class).hasMessageContaining("frame length -1");
        assertThatThrownBy(() -> AdminProtocol.readFrame(in(new byte[] {'o', 0x01, 0, 0, 1})))
                .isInstanceOf(IOException.class).hasMessageContaining("outside 0.." + AdminProtocol.MAX_FRAME_BYTES);
        assertThatThrownBy(() -> AdminProtocol.readFrame(in(new byte[] {'o', 0, 0, 0, 5, 'a', 'b'})))
                .isInstanceOf(EOFException.class).hasMessageContaining("truncated");
    }
}
