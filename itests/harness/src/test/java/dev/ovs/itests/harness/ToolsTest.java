package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Tool lookup policy and command runner behaviour. */
class ToolsTest {

    @Test
    void missingToolSkipsOrFailsUnderCi() {
        Class<? extends Throwable> expected = Tools.ci() ? IllegalStateException.class : TestAbortedException.class;
        assertThatThrownBy(() -> Tools.require("pbt-no-such-tool-xyz")).isInstanceOf(expected)
                .hasMessageContaining("pbt-no-such-tool-xyz");
    }

    @Test
    void findsDaemonsOutsideUserPath() {
        assertThat(Tools.find("sh")).isNotNull();
        assertThatThrownBy(() -> Tools.find(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool");
    }

    @Test
    void cmdReportsExitCodeAndStderr() {
        assertThat(Cmd.run("sh", "-c", "echo out")).isEqualTo("out\n");
        assertThatThrownBy(() -> Cmd.run("sh", "-c", "echo oops >&2; exit 3"))
                .isInstanceOfSatisfying(Cmd.Failed.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(3);
                    assertThat(f.stderr()).isEqualTo("oops\n");
                }).hasMessageContaining("exit code 3").hasMessageContaining("oops");
    }

    @Test
    void cmdKillsOnTimeout() {
        assertThatThrownBy(() -> Cmd.run(List.of("sleep", "30"), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(Cmd.Failed.class, f -> assertThat(f.exitCode()).isEqualTo(-1))
                .hasMessageContaining("timed out");
    }

    @Test
    void socketPathLimitIsEnforced() {
        java.nio.file.Path longPath = java.nio.file.Path.of("/tmp/" + "x".repeat(120) + "/db.sock");
        assertThatThrownBy(() -> ShortTempDir.checkSocketPath(longPath)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("108");
    }
}
