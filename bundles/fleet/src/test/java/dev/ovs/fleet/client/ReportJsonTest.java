package dev.ovs.fleet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.fleet.HostState;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
    @Test
    void pinnedShapeRoundTrip() {
        Report r = new Report(42, ReportStatus.ROLLED_BACK, "cp-7", "probe down", 1700000000000L);
        String json = new String(ReportJson.write(r), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"revision\":42,\"status\":\"rolled-back\",\"checkpoint\":\"cp-7\","
                + "\"error\":\"probe down\",\"ts\":1700000000000}");
        assertThat(ReportJson.read(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
        Report n = ReportJson.read("{\"revision\":1,\"status\":\"applied\",\"checkpoint\":null,\"error\":null,\"ts\":5}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(n.checkpoint()).isNull();
        assertThat(n.error()).isNull();
    }

    @Test
    void badReportsNameTheField() {
        assertThatThrownBy(() -> ReportJson.read("[]".getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("report: ");
        assertThatThrownBy(() -> ReportJson.read("{".getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("report: ");
        assertThatThrownBy(() -> ReportJson.read("{\"status\":\"applied\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("revision: ");
        assertThatThrownBy(() -> ReportJson.read("{\"revision\":1,\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("status: ");
    }

    @Test
    void statusTable() {
        String t = FleetCli.table(List.of(new HostState("h1", 5, new Report(5, ReportStatus.APPLIED, "c", null, 1000)),
                new HostState("h2", 6, new Report(4, ReportStatus.FAILED, null, "bad\ndoc", 0)), new HostState("h3", 0, null)),
                1000 + 7200_000);
        List<String> lines = t.lines().toList();
        assertThat(lines.get(0)).startsWith("HOST").contains("DESIRED", "REPORTED", "STATUS", "AGE", "ERROR");
        assertThat(lines.get(1)).matches("h1 +5 +5 applied +2h +");
        assertThat(lines.get(2)).contains("failed").endsWith("bad doc");
        assertThat(lines.get(3)).matches("h3 +- +- +- +- +");
    }
}
