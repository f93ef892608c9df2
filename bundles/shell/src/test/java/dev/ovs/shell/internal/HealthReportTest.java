package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.shell.internal.HealthReport.BundleState;
import dev.ovs.shell.internal.HealthReport.Check;
import dev.ovs.shell.internal.HealthReport.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overall status, the one-line summary, the text and the JSON of a health report. */
class HealthReportTest {
    private static final List<BundleState> BUNDLES = List.of(new BundleState(0, "org.apache.felix.framework", "7.0.5",
            "ACTIVE", true), new BundleState(12, "dev.ovs.shell", "0.1.0", "ACTIVE", true));

    @Test
    void theWorstCountedCheckDecidesAndIgnoredOrNotApplicableOnesDoNot() {
        HealthReport r = HealthReport.of(List.of(new Check("bundles", Status.OK, "2 bundles running", true),
                new Check("ovsdb", Status.OK, "connected to unix:/db", true),
                new Check("docker", Status.DOWN, "no Docker API socket", false),
                new Check("nats", Status.SKIPPED, "fleet not enabled", true)), BUNDLES, Instant.EPOCH);
        assertThat(r.status()).isEqualTo(Status.OK);
        assertThat(r.healthy()).isTrue();
        assertThat(r.summary()).isEqualTo("healthy: 2 bundles active; ovsdb ok");
        assertThat(r.text()).startsWith("status: healthy\n")
                .contains("  docker      down      no Docker API socket (ignored)\n")
                .contains("  nats        n/a       fleet not enabled\n")
                .contains("   12 ACTIVE    dev.ovs.shell 0.1.0\n");
    }

    @Test
    void notHealthyNamesEveryCountedCheckThatIsNotOk() throws Exception {
        HealthReport r = HealthReport.of(List.of(new Check("bundles", Status.OK, "2 bundles running", true),
                new Check("networkd", Status.DEGRADED, "systemd-networkd is not running", true),
                new Check("ovsdb", Status.DOWN, "not connected to unix:/db", true)), List.of(BUNDLES.get(0),
                new BundleState(5, "dev.ovs.x", "1", "RESOLVED", false)), Instant.EPOCH);
        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.summary()).isEqualTo("down: networkd: systemd-networkd is not running; ovsdb: not connected to "
                + "unix:/db");
        assertThat(r.text()).startsWith("status: down\n").contains("    5 RESOLVED  dev.ovs.x 1  <- not running\n");
        JsonNode j = new ObjectMapper().readTree(r.json());
        assertThat(j.get("status").asText()).isEqualTo("down");
        assertThat(j.get("healthy").asBoolean()).isFalse();
        assertThat(j.get("at").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(j.get("checks").get(1).get("name").asText()).isEqualTo("networkd");
        assertThat(j.get("checks").get(1).get("status").asText()).isEqualTo("degraded");
        assertThat(j.get("bundles").get(1).get("ok").asBoolean()).isFalse();
    }
}
