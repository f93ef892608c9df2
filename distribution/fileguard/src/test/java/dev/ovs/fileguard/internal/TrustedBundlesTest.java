package dev.ovs.fileguard.internal;

import static dev.ovs.fileguard.internal.TrustRuleTest.chmod;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedBundlesTest {
    @TempDir
    Path tmp;
    private Path deploy;
    private Path bundle;
    private TrustedBundles guard;

    @BeforeEach
    void setUp() throws IOException {
        deploy = Files.createDirectory(tmp.resolve("deploy"));
        chmod(deploy, "rwxr-xr-x");
        bundle = jar(deploy.resolve("b.jar"), "dev.ovs.example");
        guard = new TrustedBundles(TrustRule.forThisProcess());
    }

    @Test
    void handlesTheFilesFileinstallsBundleHandlerHandles() throws IOException {
        assertThat(guard.canHandle(bundle.toFile())).isTrue();
        assertThat(guard.canHandle(jar(deploy.resolve("plain.jar"), null).toFile())).as("no Bundle-SymbolicName")
                .isFalse();
        assertThat(guard.canHandle(Files.writeString(deploy.resolve("a.cfg"), "k=v").toFile())).isFalse();
        assertThat(guard.canHandle(Files.createDirectory(deploy.resolve("d.jar")).toFile())).isFalse();
    }

    @Test
    void answersTheFilesOwnUrlOnlyWhenTrusted() throws Exception {
        URL url = bundle.toUri().toURL();
        assertThat(guard.transform(url)).isEqualTo(url);
        chmod(bundle, "rw-rw-r--");
        assertThat(guard.transform(url)).isNull();
        chmod(bundle, "rw-r--r--");
        chmod(deploy, "rwxrwxrwx");
        assertThat(guard.transform(url)).isNull();
        chmod(deploy, "rwxr-xr-x");
        assertThat(guard.transform(url)).isEqualTo(url);
    }

    @Test
    void neverAcceptsWhatIsNotAPlainFile() throws Exception {
        assertThat(guard.transform(URI.create("http://localhost/b.jar").toURL())).isNull();
    }

    private static Path jar(Path path, String bsn) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        }
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        chmod(path, "rw-r--r--");
        return path;
    }
}
