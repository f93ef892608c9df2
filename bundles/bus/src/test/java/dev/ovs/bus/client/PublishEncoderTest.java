package dev.ovs.bus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link PublishEncoder}: the head of a {@code publishJson} line, followed by the payload text and the closing brace,
 * is byte for byte the line the generator writes for the same request, for plain topics and types (the cached
 * head) and for ones that JSON must escape or that are not ASCII (the generator's head).
 */
class PublishEncoderTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final PublishEncoder enc = new PublishEncoder(mapper);

    @Test
    void jsonHeadPlusPayloadIsTheGeneratorsLine() throws Exception {
        String payload = "{\"a\":[1,\"x\"],\"b\":null}";
        String[][] cases = {
            {"a.b", null}, {"a.b", "t"}, {"k.a", "t\u00e9"}, {"q\\x.\"y\"", "line\nbreak"}, {"caf\u00e9.b", null},
        };
        for (String[] c : cases) {
            byte[] head = enc.jsonHead(c[0], c[1]);
            String line = new String(head, StandardCharsets.UTF_8) + payload + "}";
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (JsonGenerator g = mapper.getFactory().createGenerator(expected)) {
                enc.writePub(g, c[0], mapper.readTree(payload), c[1], null);
            }
            assertThat(line).as(c[0] + " / " + c[1]).isEqualTo(expected.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void plainHeadIsKeptInvalidTopicIsRefused() {
        byte[] first = enc.jsonHead("a.b", "t");
        assertThat(enc.jsonHead("a.b", "t")).isSameAs(first);
        assertThat(enc.jsonHead("a.b", null)).isNotSameAs(first);
        assertThatThrownBy(() -> enc.jsonHead("a.*", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topic: ");
        assertThatThrownBy(() -> enc.checkPayload("1 2".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("payload: ");
    }

    /**
     * What Jackson reads alone but the bus does not inside the request line (byte order mark, UTF-16/32), and a string
     * in a container that a tree cannot decode (encoded surrogate ED A0 80, unpaired surrogate escape in a name).
     */
    @Test
    void payloadsTheBusRefusesAreRefused() {
        byte[][] refused = {
            {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE),
            "{\"a\":1}".getBytes(java.nio.charset.Charset.forName("UTF-32LE")),
            {'[', '"', 'x', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', ']'},
            "{\"\\ud800x\":1}".getBytes(StandardCharsets.US_ASCII),
        };
        for (byte[] p : refused) {
            assertThatThrownBy(() -> enc.checkPayload(p)).as(new String(p, StandardCharsets.ISO_8859_1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("payload: ");
        }
        enc.checkPayload("[\"x\u00e9\\ud83d\\ude00\"]".getBytes(StandardCharsets.UTF_8));
    }
}
