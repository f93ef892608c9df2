package dev.ovs.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTest {
    @Test
    void subjectsAndHostIds() {
        assertThat(Subjects.event("host3", "ovsdb.bridge.br0.added")).isEqualTo("patchbay.host3.ovsdb.bridge.br0.added");
        assertThat(Subjects.events("*")).isEqualTo("patchbay.*.>");
        assertThat(Subjects.stateShow("h")).isEqualTo("patchbay.h.state.show");
        assertThat(Subjects.health("h")).isEqualTo("patchbay.h.health");
        assertThat(Subjects.hostIdViolation("0123456789abcdef0123456789abcdef")).isNull();
        assertThat(Subjects.hostIdViolation("host_3-a")).isNull();
        assertThat(Subjects.hostIdViolation("")).isEqualTo("must not be empty");
        assertThat(Subjects.hostIdViolation("a.b")).contains("A-Z");
        assertThat(Subjects.hostIdViolation("a>")).contains("A-Z");
        assertThat(Subjects.hostIdViolation("x".repeat(129))).contains("at most 128");
        assertThatThrownBy(() -> Subjects.checkHostId("host.id", "a b")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("host.id: ");
    }

    @Test
    void reportStatusWireNames() {
        assertThat(ReportStatus.fromWire("rolled-back")).isEqualTo(ReportStatus.ROLLED_BACK);
        assertThat(ReportStatus.APPLIED.wire()).isEqualTo("applied");
        assertThat(ReportStatus.PENDING.terminal()).isFalse();
        assertThat(ReportStatus.FAILED.terminal()).isTrue();
        assertThatThrownBy(() -> ReportStatus.fromWire("done")).hasMessageContaining("status: must be applied");
        assertThatThrownBy(() -> new Report(0, ReportStatus.APPLIED, null, null, 0)).hasMessageStartingWith("revision:");
    }

    @Test
    void rolloutOptions() {
        RolloutOptions o = RolloutOptions.hosts(List.of("a", "b")).withMaxUnavailable(2).withTimeout(Duration.ofSeconds(5));
        assertThat(o.hostList()).containsExactly("a", "b");
        assertThat(o.allHosts()).isFalse();
        assertThat(o.maxUnavailable()).isEqualTo(2);
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(RolloutOptions.all().allHosts()).isTrue();
        assertThat(RolloutOptions.all().timeout()).isEqualTo(RolloutOptions.DEFAULT_TIMEOUT);
        assertThatThrownBy(() -> RolloutOptions.hosts(List.of())).hasMessageStartingWith("hosts: ");
        assertThatThrownBy(() -> RolloutOptions.hosts(List.of("a", "a"))).hasMessageStartingWith("hosts[1]: duplicate");
        assertThatThrownBy(() -> RolloutOptions.hosts(List.of("a", "b.c"))).hasMessageStartingWith("hosts[1]: ");
        assertThatThrownBy(() -> o.withMaxUnavailable(0)).hasMessageStartingWith("max-unavailable: ");
        assertThatThrownBy(() -> o.withTimeout(Duration.ZERO)).hasMessageStartingWith("timeout: ");
    }

    @Test
    void resultsAndStates() {
        HostOutcome ok = new HostOutcome("a", 3, HostOutcome.Result.APPLIED, null, 10);
        HostOutcome bad = new HostOutcome("b", 4, HostOutcome.Result.ROLLED_BACK, "x", 10);
        HostOutcome skipped = new HostOutcome("c", 0, HostOutcome.Result.NOT_STARTED, null, 0);
        assertThat(new RolloutResult(List.of(ok), 1).complete()).isTrue();
        RolloutResult r = new RolloutResult(List.of(ok, bad, skipped), 1);
        assertThat(r.complete()).isFalse();
        assertThat(r.firstFailure()).isEqualTo(bad);
        assertThat(new HostState("a", 3, new Report(3, ReportStatus.APPLIED, "c", null, 1)).converged()).isTrue();
        assertThat(new HostState("a", 4, new Report(3, ReportStatus.APPLIED, "c", null, 1)).converged()).isFalse();
        assertThat(new HostState("a", 0, null).converged()).isFalse();
    }
}
