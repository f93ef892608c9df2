package dev.ovs.dbus.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.dbus.ledger.LedgerStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyed ledger on a real file: intents and outcomes chained with HMAC-SHA-256, what verification catches
 * (an altered line, the same line with a recomputed plain SHA-256, a line removed at the end, a foreign append),
 * when {@code stats()} re-verifies (the file changed behind the ledger), the key file (0600, made once, fixed when
 * too open), torn final lines, the lock, and the JSON of {@code GetBlockchainStats}.
 */
class FileLedgerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("state/ledger.jsonl");
    }

    private List<String> lines() throws Exception {
        return Files.readAllLines(file(), StandardCharsets.UTF_8);
    }

    private void write(List<String> lines) throws Exception {
        Files.writeString(file(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void intentsAndOutcomesAreChainedAndVerify() throws Exception {
        try (FileLedger l = FileLedger.open(file(), true, CLOCK)) {
            Ledger.Intent a = l.begin("dbus::1.7 uid=0 pid=9", "org.openvswitch.ovsdb.CreateBridge", Map.of("arg0", "br0"));
            Ledger.Intent b = l.begin("shell:root", "port.add", Map.of("bridge", "br0", "container", "c1"));
            assertThat(b.succeeded("0123456789abc_l")).isTrue();
            assertThat(a.failed("org.openvswitch.ovsdb.Error.AlreadyExists: CreateBridge: exists")).isTrue();
            assertThat(a.succeeded("again")).as("one outcome per intent").isFalse();

            List<LedgerEntry> t = l.tail(10);
            assertThat(t).extracting(LedgerEntry::seq).containsExactly(1L, 2L, 3L, 4L);
            assertThat(t).extracting(LedgerEntry::result).containsExactly("intent", "intent", "ok: 0123456789abc_l",
                    "error: org.openvswitch.ovsdb.Error.AlreadyExists: CreateBridge: exists");
            assertThat(t).extracting(LedgerEntry::of).containsExactly(0L, 0L, 2L, 1L);
            assertThat(t.get(0).prev()).isEqualTo(FileLedger.GENESIS);
            assertThat(t.get(1).prev()).isEqualTo(t.get(0).hash());
            assertThat(t.get(0).caller()).isEqualTo("dbus::1.7 uid=0 pid=9");
            assertThat(t.get(0).args()).containsEntry("arg0", "br0");
            assertThat(l.tail(1)).extracting(LedgerEntry::seq).containsExactly(4L);

            LedgerStats s = l.verify();
            assertThat(s.verified()).as(s.problem()).isTrue();
            assertThat(s.height()).isEqualTo(4);
            assertThat(s.headHash()).isEqualTo(t.get(3).hash());
        }
        // a line is exactly the documented field order
        assertThat(lines().get(2)).startsWith("{\"seq\":3,\"time\":\"2026-01-02T03:04:05Z\",\"caller\":\"shell:root\","
                + "\"op\":\"port.add\",\"args\":{},\"result\":\"ok: 0123456789abc_l\",\"of\":2,\"prev\":\"");
        // reopened: verified from the file, appends continue the chain
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            assertThat(l.stats().verified()).isTrue();
            assertThat(l.stats().height()).isEqualTo(4);
            l.begin("auto", "port.remove", Map.of()).succeeded(null);
            assertThat(l.verify().verified()).isTrue();
            assertThat(l.tail(1).get(0).result()).isEqualTo("ok");
        }
    }

    @Test
    void aRewriteWithRecomputedPlainHashesFailsVerification() throws Exception {
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            for (int i = 0; i < 3; i++) {
                l.begin("dbus::1.1 uid=0 pid=1", "x.Set", Map.of("arg0", "v" + i)).succeeded(null);
            }
        }
        // an attacker without the key rewrites line 1 and recomputes every hash the way an unkeyed chain does
        List<String> forged = new ArrayList<>();
        String prev = FileLedger.GENESIS;
        for (String line : lines()) {
            ObjectNode o = (ObjectNode) JSON.readTree(line);
            if (o.path("seq").asLong() == 1) {
                ((ObjectNode) o.path("args")).put("arg0", "forged");
            }
            o.remove("hash");
            o.put("prev", prev);
            String h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(o.toString().getBytes(StandardCharsets.UTF_8)));
            o.put("hash", h);
            prev = h;
            forged.add(o.toString());
        }
        write(forged);
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            LedgerStats s = l.stats();
            assertThat(s.verified()).isFalse();
            assertThat(s.problem()).startsWith("line 1: hash mismatch");
        }
    }

    @Test
    void statsVerifiesAgainWhenTheFileChangedBehindTheLedger() throws Exception {
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            l.begin("a", "x.Set", Map.of("arg0", "aaaa")).succeeded(null);
            l.begin("a", "x.Set", Map.of("arg0", "bbbb")).succeeded(null);
            assertThat(l.stats().verified()).isTrue();

            // same length, other content, new mtime: a tampered line that stats() must notice without verify()
            List<String> ls = lines();
            ls.set(0, ls.get(0).replace("aaaa", "zzzz"));
            write(ls);
            Files.setLastModifiedTime(file(), FileTime.from(Instant.now().plusSeconds(5)));
            LedgerStats s = l.stats();
            assertThat(s.verified()).isFalse();
            assertThat(s.problem()).startsWith("line 1: hash mismatch");

            // restored, and the ledger's own appends do not count as a change by someone else
            ls.set(0, ls.get(0).replace("zzzz", "aaaa"));
            write(ls);
            assertThat(l.stats().verified()).isTrue();
            l.begin("a", "x.Set", Map.of()).succeeded(null);
            assertThat(l.stats().verified()).isTrue();

            // the last line cut off: the file holds less than was written
            ls = lines();
            write(ls.subList(0, ls.size() - 1));
            s = l.stats();
            assertThat(s.verified()).isFalse();
            assertThat(s.problem()).contains("lines removed at the end");
        }
    }

    @Test
    void keyFileIsMadeOnceWithMode0600AndFixedWhenTooOpen() throws Exception {
        Path key;
        String hex;
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            key = l.keyPath();
            assertThat(key).isEqualTo(tmp.resolve("state/ledger.key"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            hex = Files.readString(key).trim();
            assertThat(hex).hasSize(64).matches("[0-9a-f]+");
            l.begin("a", "x.Set", Map.of()).succeeded(null);
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            assertThat(l.stats().verified()).isTrue();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key).trim()).as("same key").isEqualTo(hex);

        // another key (the file copied to a machine with its own key): nothing verifies
        Files.writeString(key, "ab".repeat(32) + "\n");
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            assertThat(l.stats().verified()).isFalse();
            assertThat(l.stats().problem()).contains("hash mismatch");
        }
        Files.writeString(key, "not hex\n");
        assertThatThrownBy(() -> FileLedger.open(file(), false, CLOCK)).hasMessageContaining("64 hex digits");
    }

    @Test
    void aTornFinalLineIsCutOffAndTheChainGoesOn() throws Exception {
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            l.begin("a", "x.Set", Map.of()).succeeded(null);
        }
        Files.writeString(file(), "{\"seq\":3,\"time\":\"2026", java.nio.file.StandardOpenOption.APPEND);
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            assertThat(l.repairNote()).contains("torn final line");
            assertThat(l.stats().verified()).isTrue();
            assertThat(l.stats().height()).isEqualTo(2);
            l.begin("a", "x.Set", Map.of()).succeeded(null);
            assertThat(l.verify().verified()).isTrue();
        }
        assertThat(Files.readString(file())).endsWith("}\n");
    }

    @Test
    void aLedgerIsLockedAgainstASecondOne() throws Exception {
        try (FileLedger l = FileLedger.open(file(), false, CLOCK)) {
            assertThatThrownBy(() -> FileLedger.open(file(), false, CLOCK)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("locked");
            FileLedger waiting = FileLedger.openOrRetry(file(), false, CLOCK);
            assertThat(waiting.isOpen()).isFalse();
            assertThat(waiting.stats().problem()).contains("locked");
            assertThatThrownBy(() -> waiting.begin("a", "x.Set", Map.of())).isInstanceOfSatisfying(DomainException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.Unavailable)).hasMessageStartingWith("ledger: ");
            l.close();
            waiting.begin("a", "x.Set", Map.of()).succeeded(null); // opens on the next use
            assertThat(waiting.isOpen()).isTrue();
            waiting.close();
        }
    }

    @Test
    void aMissingDirectoryThatCannotBeMadeIsUnavailableUntilItCanBe() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "a file where the directory should be");
        FileLedger l = FileLedger.openOrRetry(blocker.resolve("ledger.jsonl"), false, CLOCK);
        assertThat(l.isOpen()).isFalse();
        assertThatThrownBy(() -> l.begin("a", "x.Set", Map.of())).isInstanceOf(DomainException.class)
                .hasMessageStartingWith("ledger: ");
        Files.delete(blocker);
        l.begin("a", "x.Set", Map.of()).succeeded(null);
        assertThat(l.verify().verified()).isTrue();
        l.close();
        assertThatThrownBy(() -> l.begin("a", "x.Set", Map.of())).hasMessage("ledger: closed");
    }

    @Test
    void statsJsonKeepsThePinnedShape() {
        LedgerStats s = new LedgerStats(2, "ab", true, "t1", null, "line \"1\"\n", "/x");
        assertThat(s.toJson()).isEqualTo("{\"height\":2,\"head_hash\":\"ab\",\"verified\":true,\"first_time\":\"t1\","
                + "\"last_time\":null,\"problem\":\"line \\\"1\\\"\\n\",\"path\":\"/x\"}");
    }

    @Test
    void reasonsAreTheOperatingSystemsWithoutThePath() {
        assertThat(FileLedger.reason(new java.io.IOException("No space left on device"))).isEqualTo("No space left on device");
        assertThat(FileLedger.reason(new java.nio.file.FileSystemException("/x/ledger.jsonl", null, "Read-only file system")))
                .isEqualTo("Read-only file system");
        assertThat(FileLedger.reason(new java.io.FileNotFoundException("/x/ledger.jsonl (Permission denied)")))
                .isEqualTo("Permission denied");
    }
}
