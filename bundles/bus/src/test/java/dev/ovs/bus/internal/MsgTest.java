package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.ovs.bus.Origin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frame bodies built from a socket publisher's line equal the ones serialised from a tree for the same event. */
class MsgTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void bodyFromTheLineEqualsTheSerialisedBody() throws Exception {
        String payload = "{\"a\":[1,2.5,\"\u00e9\"],\"b\":null}";
        byte[] line = ("xx{\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
        int off = "xx{\"payload\":".length();
        int len = payload.getBytes(StandardCharsets.UTF_8).length;
        Origin source = Origin.socket(0, 0, 1);
        for (long ts : new long[] {0, 7, 1795292493944L, Long.MAX_VALUE, -1, -1795292493944L}) {
            for (String[] tt : new String[][] {{"a.b", "b"}, {"q.\"x\\y", "t\u00e9\n"}}) {
                Msg text = Msg.ofText(mapper, tt[0], tt[1], ts, source, Msg.head(tt[0], tt[1]), Msg.tail(source.source()), line,
                        off, len);
                Msg tree = new Msg(mapper, tt[0], tt[1], ts, source, mapper.readTree(payload));
                assertThat(new String(text.body(), StandardCharsets.UTF_8)).isEqualTo(new String(tree.body(), StandardCharsets.UTF_8));
                assertThat(text.event().payload()).isEqualTo(mapper.readTree(payload));
                assertThat(text.event().timestamp()).isEqualTo(ts);
                // no payload field: JSON null
                Msg none = Msg.ofText(mapper, tt[0], tt[1], ts, source, Msg.head(tt[0], tt[1]), Msg.tail(source.source()), line,
                        -1, 0);
                assertThat(none.body()).isEqualTo(new Msg(mapper, tt[0], tt[1], ts, source, null).body());
                assertThat(none.event().payload()).isEqualTo(NullNode.getInstance());
            }
        }
    }
}
