package dev.ovs.fileguard.internal;

import static dev.ovs.fileguard.internal.TrustRuleTest.chmod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedInstallersTest {
    @TempDir
    Path tmp;
    private Path dir;
    private File cfg;
    private TrustedInstallers guard;
    private final Recorder config = new Recorder("config", ".cfg");

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectory(tmp.resolve("etc"));
        chmod(dir, "rwxr-xr-x");
        Path p = Files.writeString(dir.resolve("a.cfg"), "k=v\n");
        chmod(p, "rw-r--r--");
        cfg = p.toFile();
        guard = new TrustedInstallers(TrustRule.forThisProcess());
        guard.addDelegate(config, Map.of("service.id", 7L));
    }

    @Test
    void handlesWhatAnotherInstallerHandles() {
        assertThat(guard.canHandle(cfg)).isTrue();
        assertThat(guard.canHandle(dir.resolve("b.jar").toFile())).isFalse();
        guard.removeDelegate(config);
        assertThat(guard.canHandle(cfg)).isFalse();
    }

    @Test
    void passesTrustedFilesOn() throws Exception {
        guard.install(cfg);
        guard.update(cfg);
        guard.uninstall(cfg);
        assertThat(config.calls).containsExactly("config install a.cfg", "config update a.cfg", "config uninstall a.cfg");
    }

    @Test
    void keepsUntrustedFilesAndChangesBack() throws Exception {
        chmod(cfg.toPath(), "rw-rw-rw-");
        guard.install(cfg);
        guard.update(cfg);
        assertThat(config.calls).isEmpty();
        // once fixed (and touched, which makes fileinstall call update), the change goes through
        chmod(cfg.toPath(), "rw-r--r--");
        guard.update(cfg);
        assertThat(config.calls).containsExactly("config update a.cfg");
    }

    @Test
    void ignoresRemovalsFromAnUntrustedDirectory() throws Exception {
        chmod(dir, "rwxrwxrwx");
        Files.delete(cfg.toPath());
        guard.uninstall(cfg);
        assertThat(config.calls).isEmpty();
        chmod(dir, "rwxr-xr-x");
        guard.uninstall(cfg);
        assertThat(config.calls).containsExactly("config uninstall a.cfg");
    }

    @Test
    void asksTheHighestRankingInstallerFirstAsFileinstallDoes() throws Exception {
        Recorder high = new Recorder("high", ".cfg");
        Recorder older = new Recorder("older", ".cfg");
        guard.addDelegate(high, Map.of("service.ranking", 5, "service.id", 9L));
        guard.addDelegate(older, Map.of("service.ranking", 5, "service.id", 3L));
        guard.install(cfg);
        assertThat(config.calls).isEmpty();
        assertThat(high.calls).isEmpty();
        assertThat(older.calls).containsExactly("older install a.cfg");
    }

    @Test
    void refusesToRecordAnInstallWhenNoInstallerIsLeft() {
        guard.removeDelegate(config);
        assertThatThrownBy(() -> guard.install(cfg)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no installer for " + cfg);
    }

    /** A fake installer (unit test): records the calls. */
    private static final class Recorder implements ArtifactInstaller {
        final List<String> calls = new ArrayList<>();
        private final String name;
        private final String suffix;

        Recorder(String name, String suffix) {
            this.name = name;
            this.suffix = suffix;
        }

        @Override
        public boolean canHandle(File artifact) {
            return artifact.getName().endsWith(suffix);
        }

        @Override
        public void install(File artifact) {
            calls.add(name + " install " + artifact.getName());
        }

        @Override
        public void update(File artifact) {
            calls.add(name + " update " + artifact.getName());
        }

        @Override
        public void uninstall(File artifact) {
            calls.add(name + " uninstall " + artifact.getName());
        }
    }
}
