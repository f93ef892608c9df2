package dev.ovs.itests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs last (junit-platform.properties orders classes by {@link Order}): proves that the leftover
 * check can fail, then that the whole suite left no namespace, process, mount or directory.
 */
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SuiteCleanupIT {

    @Test
    @Order(1)
    void leftoverCheckDetectsAnUnclosedNamespaceProcessAndDir() {
        Tools.requireRoot();
        Leftovers before = Leftovers.snapshot();
        ShortTempDir tmp = ShortTempDir.create();
        Netns ns = Netns.create();
        Daemon sleeper = Daemon.start("sleep", ns, List.of("sleep", "600"), java.util.Map.of(), tmp.resolve("s.log"));
        try {
            assertThatThrownBy(() -> before.assertNoneSince(200)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ns.name()).hasMessageContaining("process " + sleeper.pid())
                    .hasMessageContaining(tmp.path().toString());
            assertThatThrownBy(() -> Leftovers.assertHarnessClean(200)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ns.name());
        } finally {
            ns.close(); // stops the sleeper (tracked in ns) by PID
            tmp.close();
        }
        assertThat(sleeper.alive()).isFalse();
        assertThat(Files.exists(tmp.path())).isFalse();
        before.assertNoneSince();
    }

    @Test
    @Order(2)
    void wholeSuiteLeftNothingBehind() {
        Leftovers.assertHarnessClean();
    }
}
