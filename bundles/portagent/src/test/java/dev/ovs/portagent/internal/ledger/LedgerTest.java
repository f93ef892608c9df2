package dev.ovs.portagent.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerTest {
    private ShortTempDir dir;
    private Path file;
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        file = dir.resolve("sub/ledger.jsonl");
    }

    @AfterEach
    void tearDown() {
        dir.close();
    }

    private void write3() throws Exception {
        try (Ledger l = Ledger.open(file, true, clock)) {
            l.append("shell:root", "add-port", Map.of("bridge", "br0", "interface", "eth1", "container", "c1"), "ok: 0123456789abc_l");
            l.append("dbus::1.7 uid=0", "set-vlan", Map.of("bridge", "br0", "vlan", "10"), "ok");
            l.append("auto", "del-port", Map.of("bridge", "br0", "interface", "eth1", "container", "c1"), "error: no port");
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void emptyLedger() throws Exception {
        try (Ledger l = Ledger.open(file, false, clock)) {
            LedgerStats s = l.stats();
            assertThat(s.height()).isZero();
            assertThat(s.headHash()).isEqualTo("0".repeat(64));
            assertThat(s.verified()).isTrue();
            assertThat(s.firstTime()).isNull();
            assertThat(l.tail(5)).isEmpty();
        }
        assertThat(Files.exists(file)).isTrue();
    }

    @Test
    void chainIsIndependentlyVerifiableAndSurvivesReopen() throws Exception {
        write3();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        String prev = "0".repeat(64);
        ObjectMapper m = new ObjectMapper();
        for (String line : lines) {
            int cut = line.lastIndexOf(",\"hash\":\"");
            String body = line.substring(0, cut) + "}";
            JsonNode n = m.readTree(line);
            assertThat(n.get("prev").asText()).isEqualTo(prev);
            assertThat(n.get("hash").asText()).isEqualTo(sha256(body));
            prev = n.get("hash").asText();
        }
        assertThat(lines.get(0)).startsWith("{\"seq\":1,\"time\":\"2026-11-21T10:00:00Z\",\"caller\":\"shell:root\",\"op\":\"add-port\","
                + "\"args\":{\"bridge\":\"br0\",\"container\":\"c1\",\"interface\":\"eth1\"},\"result\":\"ok: 0123456789abc_l\"");
        try (Ledger l = Ledger.open(file, false, clock)) {
            LedgerStats s = l.stats();
            assertThat(s.height()).isEqualTo(3);
            assertThat(s.headHash()).isEqualTo(prev);
            assertThat(s.verified()).isTrue();
            assertThat(s.problem()).isNull();
            assertThat(s.firstTime()).isEqualTo("2026-11-21T10:00:00Z");
            assertThat(l.tail(2)).extracting(LedgerEntry::operation).containsExactly("set-vlan", "del-port");
            assertThat(l.tail(2).get(0).args()).containsEntry("vlan", "10");
            LedgerEntry e = l.append("shell:root", "del-ports", Map.of("container", "c1"), "ok");
            assertThat(e.seq()).isEqualTo(4);
            assertThat(e.prev()).isEqualTo(prev);
            assertThat(l.verify().verified()).isTrue();
            JsonNode json = m.readTree(Ledger.toJson(l.stats()));
            assertThat(json.get("height").asLong()).isEqualTo(4);
            assertThat(json.get("head_hash").asText()).isEqualTo(e.hash());
            assertThat(json.get("verified").asBoolean()).isTrue();
            assertThat(json.get("first_time").asText()).isEqualTo("2026-11-21T10:00:00Z");
            assertThat(json.get("last_time").asText()).isEqualTo("2026-11-21T10:00:00Z");
        }
    }

    private LedgerStats reopen() throws Exception {
        try (Ledger l = Ledger.open(file, false, clock)) {
            return l.stats();
        }
    }

    @Test
    void alteredEntryIsDetected() throws Exception {
        write3();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("\"vlan\":\"10\"", "\"vlan\":\"11\""));
        Files.write(file, lines);
        LedgerStats s = reopen();
        assertThat(s.verified()).isFalse();
        assertThat(s.problem()).isEqualTo("line 2: hash mismatch (entry altered)");
        assertThat(s.height()).isEqualTo(3);
    }

    @Test
    void alteredEntryWithRecomputedHashBreaksTheNextLink() throws Exception {
        write3();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String l2 = lines.get(1).replace("\"vlan\":\"10\"", "\"vlan\":\"11\"");
        String body = l2.substring(0, l2.lastIndexOf(",\"hash\":\"")) + "}";
        lines.set(1, body.substring(0, body.length() - 1) + ",\"hash\":\"" + sha256(body) + "\"}");
        Files.write(file, lines);
        LedgerStats s = reopen();
        assertThat(s.verified()).isFalse();
        assertThat(s.problem()).startsWith("line 3: prev does not match the hash of line 2");
    }

    @Test
    void removedOrReorderedEntriesAreDetected() throws Exception {
        write3();
        List<String> lines = Files.readAllLines(file);
        Files.write(file, List.of(lines.get(0), lines.get(2)));
        assertThat(reopen().problem()).isEqualTo("line 2: seq 3, expected 2 (entry inserted or removed)");
        Files.write(file, List.of(lines.get(1), lines.get(0), lines.get(2)));
        assertThat(reopen().problem()).startsWith("line 1: seq 2, expected 1");
        Files.write(file, List.of(lines.get(0), "garbage", lines.get(1), lines.get(2)));
        assertThat(reopen().problem()).isEqualTo("line 2: not a JSON object (entry corrupted)");
    }

    @Test
    void tamperingWhileOpenIsFoundByVerify() throws Exception {
        write3();
        try (Ledger l = Ledger.open(file, false, clock)) {
            assertThat(l.stats().verified()).isTrue();
            String text = Files.readString(file).replace("error: no port", "ok");
            Files.writeString(file, text, StandardOpenOption.TRUNCATE_EXISTING);
            LedgerStats s = l.verify();
            assertThat(s.verified()).isFalse();
            assertThat(s.problem()).isEqualTo("line 3: hash mismatch (entry altered)");
        }
        try (Ledger l = Ledger.open(file, false, clock)) {
            // dropping the last entry keeps a valid chain, but the open instance notices the head changed
            List<String> lines = Files.readAllLines(file);
            Files.write(file, List.of(lines.get(0), lines.get(1)));
            assertThat(l.verify().problem()).contains("entries removed at the end");
        }
    }

    @Test
    void tornFinalLineIsCutOffAndChainContinues() throws Exception {
        write3();
        Files.writeString(file, "{\"seq\":4,\"time\":\"2026-", StandardOpenOption.APPEND);
        try (Ledger l = Ledger.open(file, false, clock)) {
            assertThat(l.repairNote()).contains("torn final line of 22 bytes");
            assertThat(l.stats().verified()).isTrue();
            assertThat(l.stats().height()).isEqualTo(3);
            l.append("auto", "reconcile", Map.of(), "ok");
        }
        LedgerStats s = reopen();
        assertThat(s.verified()).isTrue();
        assertThat(s.height()).isEqualTo(4);
    }

    @Test
    void anInterruptedAppenderDoesNotCloseTheLedger() throws Exception {
        try (Ledger l = Ledger.open(file, true, clock)) {
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                l.append("t", "interrupted", Map.of(), "ok");
            });
            t.start();
            t.join();
            l.append("t", "after", Map.of(), "ok");
            assertThat(l.verify().height()).isEqualTo(2);
            assertThat(l.stats().verified()).isTrue();
        }
    }

    @Test
    void secondOpenIsRefusedWhileLocked() throws Exception {
        try (Ledger l = Ledger.open(file, false, clock)) {
            assertThatThrownBy(() -> Ledger.open(file, false, clock)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("locked by another agent");
            l.append("a", "b", Map.of(), "ok");
        }
        assertThat(reopen().height()).isEqualTo(1);
        Ledger closed = Ledger.open(file, false, clock);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.append("a", "b", Map.of(), "ok")).hasMessageContaining("closed");
        try (Ledger l = Ledger.open(file, false, clock)) {
            assertThatThrownBy(() -> l.tail(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
