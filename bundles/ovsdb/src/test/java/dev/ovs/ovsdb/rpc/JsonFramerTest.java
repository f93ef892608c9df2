package dev.ovs.ovsdb.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fuzz and edge cases of the bounded framing decoder. */
class JsonFramerTest {
    final ObjectMapper mapper = new ObjectMapper();

    JsonNode randomJson(Random r, int depth) {
        ObjectNode o = mapper.createObjectNode();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            String k = "k" + i + (r.nextBoolean() ? "{[\"\\" : "");
            switch (depth > 3 ? r.nextInt(3) : r.nextInt(5)) {
                case 0 -> o.put(k, r.nextLong());
                case 1 -> o.put(k, "s}]" + r.nextInt() + "\"\\\u00e9\u2603\n");
                case 2 -> o.put(k, r.nextBoolean());
                case 3 -> o.set(k, randomJson(r, depth + 1));
                default -> {
                    ArrayNode a = o.putArray(k);
                    a.add(randomJson(r, depth + 1)).add("x]").add(1.5);
                }
            }
        }
        return o;
    }

    @Test
    void randomValidMessagesSplitAtRandomBoundaries() throws Exception {
        Random r = new Random(1);
        for (int round = 0; round < 200; round++) {
            List<JsonNode> sent = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1 + r.nextInt(5); i++) {
                JsonNode j = randomJson(r, 0);
                sent.add(j);
                sb.append(mapper.writeValueAsString(j)).append(r.nextBoolean() ? "\n" : " \t");
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            List<JsonNode> got = new ArrayList<>();
            JsonFramer f = new JsonFramer(1 << 20, 100);
            int off = 0;
            while (off < bytes.length) {
                int n = Math.min(bytes.length - off, 1 + r.nextInt(17));
                f.feed(bytes, off, n, (b, len) -> {
                    try {
                        got.add(mapper.readTree(b, 0, len));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                off += n;
            }
            assertThat(got).isEqualTo(sent);
            assertThat(f.buffered()).isZero();
        }
    }

    @Test
    void garbageNeverExceedsLimitAndFailsCleanly() {
        Random r = new Random(2);
        int max = 4096;
        for (int round = 0; round < 2000; round++) {
            byte[] junk = new byte[r.nextInt(20000)];
            r.nextBytes(junk);
            if (r.nextBoolean() && junk.length > 0) {
                junk[0] = '{';
            }
            JsonFramer f = new JsonFramer(max, 64);
            try {
                f.feed(junk, 0, junk.length, (b, len) -> {
                    assertThat(len).isLessThanOrEqualTo(max);
                    try {
                        new ObjectMapper().readTree(b, 0, len); // may fail: the connection maps that to a protocol error
                    } catch (Exception e) {
                        // fine
                    }
                });
            } catch (JsonFramer.FramingException e) {
                assertThat(e.getMessage()).isNotEmpty();
            }
            assertThat(f.buffered()).isLessThanOrEqualTo(max);
        }
    }

    @Test
    void oversizedAndTooDeepAndNonObject() {
        JsonFramer f = new JsonFramer(1024, 10);
        byte[] big = ("{\"a\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> f.feed(big, 0, big.length, (b, l) -> { })).hasMessageContaining("exceeds 1024 bytes");
        byte[] deep = "[[[[[[[[[[[[[[[[".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new JsonFramer(1024, 10).feed(deep, 0, deep.length, (b, l) -> { }))
                .hasMessageContaining("nesting deeper than 10");
        byte[] num = "42".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new JsonFramer(1024, 10).feed(num, 0, num.length, (b, l) -> { }))
                .hasMessageContaining("unexpected byte");
    }
}
