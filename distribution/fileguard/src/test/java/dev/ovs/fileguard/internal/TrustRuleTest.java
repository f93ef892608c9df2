package dev.ovs.fileguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustRuleTest {
    @TempDir
    Path tmp;
    private Path dir;
    private Path file;
    private TrustRule rule;

    @BeforeEach
    void setUp() throws IOException {
        rule = TrustRule.forThisProcess();
        dir = Files.createDirectory(tmp.resolve("etc"));
        chmod(dir, "rwxr-xr-x");
        file = Files.writeString(dir.resolve("a.cfg"), "k=v\n");
        chmod(file, "rw-r--r--");
    }

    @Test
    void theProcessUidIsTheOwnerOfAFileItCreates() throws IOException {
        assertThat(rule.ownUid()).isEqualTo(Files.getAttribute(file, "unix:uid"));
    }

    @Test
    void aFileWritableOnlyByItsOwnerInSuchADirectoryIsTrusted() throws IOException {
        assertThat(rule.check(file)).isEmpty();
        chmod(file, "r--------");
        assertThat(rule.check(file)).isEmpty();
    }

    @Test
    void groupOrOthersWriteOnTheFileIsRefusedWithPathAndMode() throws IOException {
        chmod(file, "rw-rw-r--");
        assertThat(rule.check(file)).hasValue(file + " is writable by group or others (mode 0664)");
        chmod(file, "rw-r--rw-");
        assertThat(rule.check(file)).hasValue(file + " is writable by group or others (mode 0646)");
    }

    @Test
    void groupOrOthersWriteOnTheDirectoryIsRefusedNamingTheDirectory() throws IOException {
        chmod(dir, "rwxrwxr-x");
        assertThat(rule.check(file)).hasValue(file + " is in " + dir + ", which is writable by group or others (mode 0775)");
        assertThat(rule.checkPath(dir)).hasValue(dir + " is writable by group or others (mode 0775)");
        chmod(dir, "rwxr-xrwx");
        assertThat(rule.check(file)).hasValue(file + " is in " + dir + ", which is writable by group or others (mode 0757)");
    }

    @Test
    void aSymbolicLinkIsCheckedAtItsTarget() throws IOException {
        Path target = Files.writeString(tmp.resolve("elsewhere.cfg"), "k=v\n");
        chmod(target, "rw-rw-rw-");
        Path link = Files.createSymbolicLink(dir.resolve("b.cfg"), target);
        assertThat(rule.check(link)).hasValue(link + " is writable by group or others (mode 0666)");
    }

    @Test
    void aFileThatCannotBeReadIsRefused() {
        Path missing = dir.resolve("gone.cfg");
        assertThat(rule.check(missing)).hasValueSatisfying(p -> assertThat(p).startsWith(missing + " is unreadable (java.nio.file.NoSuchFileException"));
    }

    @Test
    void anOwnerOtherThanRootAndTheAppliancesUserIsRefused() throws IOException {
        assumeTrue(rule.ownUid() == 0, "chown needs root");
        Files.setAttribute(file, "unix:uid", 65534);
        TrustRule asRoot = new TrustRule(0);
        assertThat(asRoot.check(file)).hasValueSatisfying(p -> assertThat(p)
                .startsWith(file + " is owned by uid 65534 (")
                .endsWith("), neither root nor the appliance's user (uid 0) (mode 0644)"));
        // the appliance's own user may own its files
        assertThat(new TrustRule(65534).check(file)).isEmpty();
        // and root may own them whoever runs the appliance
        Files.setAttribute(file, "unix:uid", 0);
        assertThat(new TrustRule(65534).check(file)).isEmpty();
        // the directory's owner counts too
        Files.setAttribute(dir, "unix:uid", 65534);
        assertThat(asRoot.check(file)).hasValueSatisfying(p -> assertThat(p)
                .startsWith(file + " is in " + dir + ", which is owned by uid 65534"));
    }

    static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }
}
