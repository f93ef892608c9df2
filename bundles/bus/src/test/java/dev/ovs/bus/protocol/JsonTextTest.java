package dev.ovs.bus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.ovs.bus.internal.RequestScannerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsonText}, the payload check of {@link dev.ovs.bus.client.BusClient#publishJson}, against Jackson on generated values. */
class JsonTextTest {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** The check BusClient falls back to: one value, nothing after it. */
    private static boolean jackson(byte[] b) {
        try (JsonParser p = FACTORY.createParser(b)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            p.finishToken();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void acceptsCommonValuesAndLeavesTheRestToJackson() {
        for (String v : List.of("{\"t\":\"0000000000000000042\",\"p\":\"xxxx\"}", " 1 ", "-0.5e+7", "\"\\u00e9\\n\"",
                "[true,false,null,{},[]]", "\"caf\u00e9 \ud83d\ude00\"")) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            assertThat(JsonText.isOneValue(b)).as(v).isTrue();
            assertThat(jackson(b)).as(v).isTrue();
        }
        for (String v : List.of("", " ", "1 2", "{}x", "01", "[1,]", "{\"a\"}", "tru", "\"\t\"", "[".repeat(70) + "]".repeat(70),
                "1" + "0".repeat(120))) {
            assertThat(JsonText.isOneValue(v.getBytes(StandardCharsets.UTF_8))).as(v).isFalse();
        }
        assertThat(JsonText.isOneValue(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'})).isFalse();
    }

    @Test
    void generatedValuesAgreeWithJackson() {
        Random rnd = new Random(42);
        int accepted = 0;
        int mutatedAccepted = 0;
        for (int n = 0; n < 40_000; n++) {
            byte[] b = RequestScannerTest.value(rnd, 0).getBytes(StandardCharsets.UTF_8);
            boolean mutated = n % 2 == 1;
            if (mutated) {
                b = RequestScannerTest.mutate(rnd, b);
            }
            if (JsonText.isOneValue(b)) {
                assertThat(jackson(b)).as(new String(b, StandardCharsets.ISO_8859_1)).isTrue();
                accepted++;
                mutatedAccepted += mutated ? 1 : 0;
            }
        }
        assertThat(accepted).isGreaterThan(20_000);
        assertThat(mutatedAccepted).isGreaterThan(100);
    }
}
