package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing one key of a .cfg file: other lines kept, value escaped so it reads back unchanged, atomic replace. */
class CfgFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheKeyKeepsEverythingElseAndReadsBackTheSameValue() throws Exception {
        Path f = dir.resolve("dev.ovs.bus.cfg");
        Files.writeString(f, "# Event bus\nsocket=/run/x.sock\n\nqueue.size = 10\n# queue.size=99\nenabled=true\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        CfgFile.set(f, "queue.size", "2048");
        assertThat(Files.readString(f)).isEqualTo(
                "# Event bus\nsocket=/run/x.sock\n\nqueue.size=2048\n# queue.size=99\nenabled=true\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
        assertThat(load(f).getProperty("queue.size")).isEqualTo("2048");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("dev.ovs.bus.cfg");
        }
    }

    @Test
    void appendsAnAbsentKeyAndCreatesAMissingFile() throws Exception {
        Path f = dir.resolve("etc/dev.ovs.log.cfg");
        CfgFile.set(f, "level", "INFO");
        assertThat(Files.readString(f)).isEqualTo("level=INFO\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r--r--");
        CfgFile.set(f, "other", "x");
        assertThat(Files.readString(f)).isEqualTo("level=INFO\nother=x\n");
    }

    @Test
    void awkwardValuesRoundTripThroughPropertiesSyntax() throws Exception {
        Path f = dir.resolve("p.cfg");
        Files.writeString(f, "multi=a,\\\n  b,\\\n  c\nkeep=1\n");
        String value = " lead\\back=eq:colon#hash ünï ${patchbay.state}";
        CfgFile.set(f, "multi", value);
        assertThat(Files.readString(f)).endsWith("keep=1\n").doesNotContain("  b,");
        assertThat(load(f).getProperty("multi")).isEqualTo(value);
        assertThat(load(f).getProperty("keep")).isEqualTo("1");
    }

    @Test
    void badKeysAndControlCharactersAreRefusedBeforeWriting() throws Exception {
        Path f = dir.resolve("p.cfg");
        Files.writeString(f, "a=1\n");
        assertThatThrownBy(() -> CfgFile.set(f, "a b", "1")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("key: must be 1..200 characters of [A-Za-z0-9._-]");
        assertThatThrownBy(() -> CfgFile.set(f, "a", "x\ny")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("value: must not contain control characters (found U+000A at index 1)");
        assertThat(Files.readString(f)).isEqualTo("a=1\n");
    }

    private static Properties load(Path f) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
            p.load(r);
        }
        return p;
    }
}
