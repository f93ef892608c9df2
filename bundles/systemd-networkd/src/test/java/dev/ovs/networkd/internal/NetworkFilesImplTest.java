package dev.ovs.networkd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.networkd.NetworkdException;
import dev.ovs.networkd.NetworkdFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owned file store: atomic writes with the owner header, foreign files untouched, validation first. */
class NetworkFilesImplTest {
    @TempDir
    Path dir;
    final AtomicInteger reloads = new AtomicInteger();

    private NetworkFilesImpl store() {
        return new NetworkFilesImpl(dir, reloads::incrementAndGet);
    }

    @Test
    void configureStaticWritesOwnedFileAndReloads() throws Exception {
        Path p = store().configureStatic("br0", List.of("10.0.0.1/24", "fd00::1/64"), "10.0.0.254");
        assertThat(p).isEqualTo(dir.resolve("10-patchbay-br0.network"));
        String text = Files.readString(p);
        assertThat(text).startsWith(NetworkdFile.OWNER_HEADER + "\n").contains("[Match]\nName=br0\n")
                .contains("Address=10.0.0.1/24\nAddress=fd00::1/64\nGateway=10.0.0.254\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-r--r--");
        assertThat(reloads).hasValue(1);
        assertThat(store().owned()).containsExactly("10-patchbay-br0.network");
        try (var s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("10-patchbay-br0.network");
        }
        assertThat(store().read("10-patchbay-br0.network")).get()
                .satisfies(f -> assertThat(f.values("Network", "Address")).hasSize(2));
    }

    @Test
    void replaceAndRemoveOwnFile() throws Exception {
        NetworkFilesImpl s = store();
        s.configureStatic("br0", List.of("10.0.0.1/24"), null);
        s.configureDhcp("br0", "yes");
        assertThat(Files.readString(dir.resolve("10-patchbay-br0.network"))).contains("DHCP=yes")
                .doesNotContain("Address=");
        assertThat(s.unconfigure("br0")).isTrue();
        assertThat(dir.resolve("10-patchbay-br0.network")).doesNotExist();
        assertThat(s.unconfigure("br0")).isFalse();
        assertThat(reloads).hasValue(3);
    }

    @Test
    void foreignFilesAreNeverTouched() throws Exception {
        Path foreign = dir.resolve("10-patchbay-eth0.network");
        Files.writeString(foreign, "[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
        NetworkFilesImpl s = store();
        assertThatThrownBy(() -> s.configureStatic("eth0", List.of("10.0.0.1/24"), null))
                .isInstanceOf(NetworkdException.class)
                .isInstanceOf(dev.ovs.networkd.FileNotOwnedException.class);
        assertThatThrownBy(() -> s.unconfigure("eth0"))
                .isInstanceOf(dev.ovs.networkd.FileNotOwnedException.class);
        assertThat(Files.readString(foreign)).isEqualTo("[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
        assertThat(s.owned()).isEmpty();
        assertThat(reloads).hasValue(0);
    }

    @Test
    void invalidInputWritesNothing() throws Exception {
        NetworkFilesImpl s = store();
        assertThatThrownBy(() -> s.configureStatic("br0", List.of("10.0.0.1"), null))
                .hasMessageContaining("address: must be ADDRESS/PREFIX");
        assertThatThrownBy(() -> s.configureStatic("br0", List.of(), null)).hasMessageContaining("addresses");
        assertThatThrownBy(() -> s.configureDhcp("br0", "no")).hasMessageContaining("mode");
        assertThatThrownBy(() -> s.configureStatic("../../etc", List.of("10.0.0.1/24"), null))
                .hasMessageContaining("link");
        NetworkdFile f = NetworkdFile.network().section("Match").add("Name", "x").build();
        assertThatThrownBy(() -> s.write("../x.network", f, false)).hasMessageContaining("fileName");
        assertThatThrownBy(() -> s.write(".hidden.network", f, false)).hasMessageContaining("fileName");
        assertThatThrownBy(() -> s.write("x.netdev", f, false)).hasMessageContaining("does not match");
        assertThatThrownBy(() -> s.write("x.conf", f, false)).hasMessageContaining(".network or .netdev");
        try (var l = Files.list(dir)) {
            assertThat(l).isEmpty();
        }
        assertThat(reloads).hasValue(0);
    }

    @Test
    void reloadFailureSaysTheFileWasWritten() {
        NetworkFilesImpl s = new NetworkFilesImpl(dir, () -> {
            throw new NetworkdException(dev.ovs.base.ErrorKind.Unavailable, "no D-Bus connection");
        });
        assertThatThrownBy(() -> s.configureDhcp("br0", "ipv4")).isInstanceOf(NetworkdException.class)
                .hasMessageContaining("wrote " + dir.resolve("10-patchbay-br0.network"))
                .hasMessageContaining("Reload failed: no D-Bus connection")
                .satisfies(e -> assertThat(((NetworkdException) e).kind()).isEqualTo(dev.ovs.base.ErrorKind.Unavailable));
        assertThat(dir.resolve("10-patchbay-br0.network")).exists();
    }
}
