package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the packaged appliance ships is what the build checked (docs/security.md, "Supply chain"): bundle/ holds
 * exactly the committed {@code -runbundles} of {@code distribution/patchbay.bndrun}; the CycloneDX SBOM in the
 * tarball ({@code share/sbom/}) names every jar of bundle/, lib/ and share/examples by its SHA-256; the tarball
 * and the .deb carry it and hold etc/ and deploy/ root-owned, 0755 directories and 0644 files.
 */
class SupplyChainEndToEndTest {
    private static final Pattern RUNBUNDLE = Pattern.compile("([\\w.-]+);version='\\[([\\d.]+),([\\d.]+)\\)'");

    private final Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
            "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
    private final Path deb = Path.of(System.getenv().getOrDefault("PATCHBAY_DEB",
            "../../distribution/target/patchbay_0.1.0~SNAPSHOT_all.deb")).toAbsolutePath().normalize();
    private final Path bndrun = Path.of("../../distribution/patchbay.bndrun").toAbsolutePath().normalize();

    @Test
    void bundleDirectoryHoldsExactlyTheCommittedRunbundles() throws IOException {
        String text = Files.readString(bndrun);
        String runbundles = text.substring(text.indexOf("-runbundles:"));
        List<String> expected = new ArrayList<>();
        Matcher m = RUNBUNDLE.matcher(runbundles);
        while (m.find()) {
            expected.add(m.group(1) + " " + m.group(2));
        }
        assertThat(expected).as("-runbundles of " + bndrun).hasSizeGreaterThan(10);
        List<String> shipped = new ArrayList<>();
        for (Path jar : jars(dist.resolve("bundle"))) {
            try (JarFile j = new JarFile(jar.toFile())) {
                String bsn = j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
                String[] v = j.getManifest().getMainAttributes().getValue("Bundle-Version").split("\\.");
                shipped.add(bsn + " " + v[0] + "." + (v.length > 1 ? v[1] : "0") + "." + (v.length > 2 ? v[2] : "0"));
            }
        }
        assertThat(shipped).as("bundle/ (symbolic name and version) against -runbundles")
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theSbomNamesEveryShippedJarByItsSha256() throws Exception {
        Path sbom = dist.resolve("share/sbom/patchbay.cdx.json");
        assertThat(sbom).as("CycloneDX SBOM in the tarball (cyclonedx-maven-plugin runs only in an online build)")
                .isRegularFile();
        assertThat(dist.resolve("share/sbom/patchbay.cdx.xml")).isRegularFile();
        JsonNode bom = new ObjectMapper().readTree(sbom.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("metadata").path("component").path("name").asText()).isEqualTo("patchbay-distribution");
        Set<String> hashes = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (JsonNode c : bom.path("components")) {
            names.add(c.path("name").asText());
            for (JsonNode h : c.path("hashes")) {
                if (h.path("alg").asText().equals("SHA-256")) {
                    hashes.add(h.path("content").asText());
                }
            }
        }
        List<Path> shipped = new ArrayList<>(jars(dist.resolve("bundle")));
        shipped.addAll(jars(dist.resolve("lib")));
        shipped.addAll(jars(dist.resolve("share/examples")));
        assertThat(shipped).hasSizeGreaterThan(20);
        for (Path jar : shipped) {
            assertThat(hashes).as(dist.relativize(jar) + " (SHA-256) in the SBOM").contains(sha256(jar));
        }
        // the third-party code packed into the wrapper bundles is named too
        assertThat(names).contains("dbus-java-core", "dbus-java-transport-native-unixsocket", "junixsocket-common",
                "junixsocket-native-common", "slf4j-api");
    }

    @Test
    void theDebianPackageCarriesTheSbomAndRootOwnedEtcAndDeploy() {
        Tools.require("dpkg-deb");
        List<String> entries = Cmd.run("dpkg-deb", "-c", deb.toString()).lines().toList();
        assertThat(entries).anySatisfy(l -> assertThat(l).endsWith(" ./opt/patchbay/share/sbom/patchbay.cdx.json"));
        List<String> etcAndDeploy = entries.stream()
                .filter(l -> l.contains(" ./etc/patchbay/") || l.endsWith(" ./opt/patchbay/deploy/")).toList();
        assertThat(etcAndDeploy).hasSizeGreaterThan(2);
        for (String l : etcAndDeploy) {
            String[] f = l.trim().split("\\s+");
            assertThat(f[1]).as(l).isEqualTo("root/root");
            assertThat(f[0]).as(l).isEqualTo(l.endsWith("/") ? "drwxr-xr-x" : "-rw-r--r--");
        }
    }

    @Test
    void theTarballStoresEtcAndDeployRootOwnedWithOwnerOnlyWrite() {
        Path tarball = dist.resolveSibling(dist.getFileName() + ".tar.gz");
        List<String> entries = Cmd.run("tar", "--numeric-owner", "-tvzf", tarball.toString()).lines().toList();
        String top = dist.getFileName() + "/";
        List<String> etcAndDeploy = entries.stream().filter(l -> l.contains(" " + top + "etc/")
                || l.contains(" " + top + "deploy/")).toList();
        assertThat(etcAndDeploy).hasSizeGreaterThan(3);
        for (String l : etcAndDeploy) {
            String[] f = l.trim().split("\\s+");
            assertThat(f[1]).as(l).isEqualTo("0/0");
            assertThat(f[0]).as(l).isEqualTo(l.endsWith("/") ? "drwxr-xr-x" : "-rw-r--r--");
        }
        assertThat(entries).anySatisfy(l -> assertThat(l).endsWith(" " + top + "share/sbom/patchbay.cdx.json"));
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
