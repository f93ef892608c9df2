package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.RestartTorture.Call;
import dev.ovs.itests.harness.RestartTorture.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link RestartTorture} reads its clients' logs and classifies gdbus's outcomes (no daemons). */
class RestartTortureTest {

    @Test
    void outcomesFromGdbusExitStatusAndMessages() {
        assertThat(RestartTorture.classify(0, "()")).isEqualTo(Outcome.OK);
        // the appliance answered with an error: FAILED, whatever the error
        assertThat(RestartTorture.classify(1, "Error: GDBus.Error:org.openvswitch.ovsdb.Error.Unavailable: no connection"))
                .isEqualTo(Outcome.FAILED);
        assertThat(RestartTorture.classify(1, "Error: GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: uid 1"))
                .isEqualTo(Outcome.FAILED);
        // the bus answered that no one owns the name: never delivered
        assertThat(RestartTorture.classify(1, "Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name "
                + "org.openvswitch.ovsdb was not provided by any .service files")).isEqualTo(Outcome.UNDELIVERED);
        assertThat(RestartTorture.classify(1, "Error connecting: Could not connect: No such file or directory"))
                .isEqualTo(Outcome.UNDELIVERED);
        // sent, no answer
        assertThat(RestartTorture.classify(1, "Error: The connection is closed")).isEqualTo(Outcome.UNANSWERED);
        assertThat(RestartTorture.classify(1, "Error: GDBus.Error:org.freedesktop.DBus.Error.NoReply: no reply"))
                .isEqualTo(Outcome.UNANSWERED);
        assertThat(RestartTorture.classify(1, "Error: Timeout was reached")).isEqualTo(Outcome.UNANSWERED);
    }

    @Test
    void clientLogLinesAreCalls(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("client3.log");
        Files.writeString(log, """
                CreateBridge t3b1 - 1795000000000001 1795000000020001 0 ()
                AddPort t3b1 t3p1 1795000000020002 1795000000040002 1 Error: GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: not found: no bridge named 't3b1'
                """);
        List<Call> calls = RestartTorture.parseCalls(3, log);
        assertThat(calls).containsExactly(
                new Call(3, "CreateBridge", "t3b1", "", 1795000000000001L, 1795000000020001L, Outcome.OK, "()"),
                new Call(3, "AddPort", "t3b1", "t3p1", 1795000000020002L, 1795000000040002L, Outcome.FAILED,
                        "Error: GDBus.Error:org.openvswitch.ovsdb.Error.NotFound: not found: no bridge named 't3b1'"));
        assertThat(RestartTorture.parseCalls(4, dir.resolve("client4.log"))).isEmpty();
    }
}
