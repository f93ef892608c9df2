package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.netstate.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kill at every step: a separate JVM ({@link CrashMain}) dies at each named step of apply and rollback; a new
 * engine on the same journal (the next start) must bring the Open_vSwitch database back to the before-image
 * (ovsdb-client dump compared without volatile columns). Prints a step × outcome table.
 */
class CrashIT {
    static RealOvs real;

    static final String DOC = """
            interfaces:
            - name: kb0
              type: ovs-bridge
              bridge:
                options: {fail-mode: secure}
                port:
                - {name: k1, vlan: {mode: access, tag: 20}}
                - {name: k3, vlan: {tag: 30}}
              ovs-db: {external_ids: {owner: crash}}
            - {name: k3, type: ovs-interface, mtu: 1300}
            - {name: k2, type: ovs-interface, state: absent}
            - {name: kb1, type: ovs-bridge, state: absent}
            """;

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
    }

    @AfterAll
    static void down() {
        if (real != null) {
            real.close();
        }
    }

    void baseState() {
        for (String b : real.vsctl("list-br").lines().toList()) {
            real.vsctl("--if-exists", "del-br", b);
        }
        real.vsctl("add-br", "kb0", "--", "set", "Bridge", "kb0", "datapath_type=netdev", "--", "add-port", "kb0", "k1", "tag=10",
                "--", "set", "Interface", "k1", "type=internal", "--", "add-port", "kb0", "k2", "--", "set", "Interface", "k2",
                "type=internal", "--", "add-br", "kb1", "--", "set", "Bridge", "kb1", "datapath_type=netdev", "--", "add-port",
                "kb1", "k9", "--", "set", "Interface", "k9", "type=internal", "external_ids:x=y");
    }

    int runChild(Path journal, Path doc, long confirm, String mode, String step) throws Exception {
        return CrashMain.runChild(List.of(real.ovs.db().remote(), journal.toString(), doc.toString(), String.valueOf(confirm), mode,
                step), journal.resolveSibling(journal.getFileName() + ".log"));
    }

    @Test
    void killedAtEveryStepTheNextStartRestoresTheBeforeImage() throws Exception {
        Path doc = Files.createTempFile("pb-crash-", ".yaml");
        Files.writeString(doc, DOC);
        Map<String, String> table = new LinkedHashMap<>();
        List<String[]> cases = List.of(new String[] {"apply", "journaled", "0"}, new String[] {"apply", "before-transaction", "0"},
                new String[] {"apply", "after-transaction", "0"}, new String[] {"apply", "verified", "0"},
                new String[] {"apply", "pending", "2"}, new String[] {"rollback", "rollback-journaled", "600"},
                new String[] {"rollback", "rollback-transaction", "600"});
        List<String> failures = new ArrayList<>();
        for (String[] c : cases) {
            baseState();
            var before = real.dump();
            Path journal = Files.createTempDirectory("pb-crash-journal-");
            int exit = runChild(journal, doc, Long.parseLong(c[2]), c[0], c[1]);
            boolean changed = !real.dump().equals(before);
            NetStateEngine e = new NetStateEngine(() -> real.vs, new dev.ovs.netstate.internal.journal.Journal(journal),
                    new NetStateEngine.Settings("netdev", 20000, 100), java.time.Clock.systemUTC(), null);
            try {
                long until = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < until && (e.recovering()
                        || e.checkpoints().stream().anyMatch(cp -> cp.state() == Checkpoint.State.PENDING))) {
                    Thread.sleep(50);
                }
                boolean restored = real.dump().equals(before);
                String states = e.checkpoints().stream().map(cp -> cp.state().wire() + "(" + cp.reason() + ")").toList().toString();
                String outcome = "exit=" + exit + " changed-before-restart=" + changed + " restored=" + restored + " " + states;
                table.put(c[0] + " @ " + c[1], outcome);
                if (exit != 137 || !restored || e.checkpoints().stream().anyMatch(cp -> cp.state() != Checkpoint.State.ROLLED_BACK)) {
                    failures.add(c[0] + " @ " + c[1] + ": " + outcome);
                }
            } finally {
                e.close();
                try (Stream<Path> s = Files.walk(journal)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.out.println("step × outcome (kill, restart, compare with the before-image):");
        table.forEach((k, v) -> System.out.printf("  %-32s %s%n", k, v));
        assertThat(failures).isEmpty();
        // the kill after the transaction really left changes behind that the restart undid
        assertThat(table.get("apply @ after-transaction")).contains("changed-before-restart=true");
        assertThat(table.get("apply @ pending")).contains("changed-before-restart=true");
    }
}
