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
}
