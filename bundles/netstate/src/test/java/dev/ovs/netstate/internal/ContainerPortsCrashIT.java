package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Netns;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.portagent.ContainerPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kill at every step of an apply and a rollback that change container ports (a VLAN change, an address change that
 * detaches and attaches again, a new port) and an OVSDB row: a separate JVM ({@link CrashMain}, with a port agent
 * of its own) dies there; a new engine on the same journal must bring back the before-image: the OVSDB tables
 * (host port names replaced by their container and interface, since a port attached again gets a new one), the
 * containers' addresses, MACs, MTUs and routes. Prints a step × outcome table.
 */
class ContainerPortsCrashIT {
    static RealOvs real;
    static Netns c1;
    static Netns c2;
    static Netns c3;

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
        real.startAgent();
        c1 = Netns.create();
        c2 = Netns.create();
        c3 = Netns.create();
    }

    @AfterAll
    static void down() {
        try {
            if (real != null && real.agent != null) {
                for (ContainerPort p : real.agent.listPorts()) {
                    real.agent.deletePorts("kb0", p.containerId(), "test-cleanup");
                }
            }
        } finally {
            for (Netns n : new Netns[] {c1, c2, c3}) {
                if (n != null) {
                    n.close();
                }
            }
            if (real != null) {
                real.close();
            }
        }
    }

    static String ref(Netns n) {
        return "netns:" + n.name();
    }

    void baseState() throws Exception {
        for (ContainerPort p : real.agent.listPorts()) {
            real.agent.deletePorts("kb0", p.containerId(), "test-reset");
        }
        for (String b : real.vsctl("list-br").lines().toList()) {
            real.vsctl("--if-exists", "del-br", b);
        }
        real.vsctl("add-br", "kb0", "--", "set", "Bridge", "kb0", "datapath_type=netdev");
        Path j = Files.createTempDirectory("pb-crash-base-");
        try (NetStateEngine e = new NetStateEngine(() -> real.vs, () -> real.agent, new Journal(j),
                new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null)) {
            e.apply("""
                    container-ports:
                    - {container: %s, interface: eth1, bridge: kb0, ipv4: 10.40.0.1/24, vlan: 10}
                    - {container: %s, interface: eth1, bridge: kb0, ipv4: 10.40.0.2/24, mac: "02:00:00:00:40:02", vlan: 10,
                       gateway: 10.40.0.254}
                    """.formatted(ref(c1), ref(c2)), 0, "base");
        } finally {
            delete(j);
        }
    }

    static final String DOC = """
            interfaces:
            - {name: kb0, type: ovs-bridge, ovs-db: {external_ids: {owner: crash}}}
            container-ports:
            - {container: %s, interface: eth1, bridge: kb0, vlan: 20}
            - {container: %s, interface: eth1, bridge: kb0, ipv4: 10.40.0.12/24, gateway: 10.40.0.253, mtu: 1300}
            - {container: %s, interface: eth1, bridge: kb0, ipv4: 10.40.0.3/24, vlan: 20}
            """;

    /** The state compared: OVSDB (host ports named by container/interface) and each container's link, addresses, routes. */
    Map<String, Object> state() throws Exception {
        Map<String, String> rename = new TreeMap<>();
        for (ContainerPort p : real.agent.listPorts()) {
            rename.put(p.port(), "{" + p.containerId() + "/" + p.containerIface() + "}");
        }
        Map<String, Object> out = new TreeMap<>();
        for (var row : real.dump().entrySet()) {
            String key = row.getKey();
            String value = row.getValue().toString();
            for (var r : rename.entrySet()) {
                key = key.replace(r.getKey(), r.getValue());
                value = value.replace(r.getKey(), r.getValue());
            }
            out.put(key, sortSets(value));
        }
        for (Netns n : List.of(c1, c2, c3)) {
            List<String> view = new ArrayList<>();
            for (String l : Cmd.run(List.of("ip", "-n", n.name(), "-o", "link"), Cmd.DEFAULT_TIMEOUT).lines().toList()) {
                // name, MTU and MAC; not the ifindex or the peer's index (a new veth gets new ones)
                view.add(l.replaceAll("^\\d+: ", "").replaceAll("@if\\d+", "").replaceAll("link-netns \\S+", "")
                        .replaceAll(" qlen \\d+", "").replaceAll("state \\S+ ", "").replaceAll("\\\\ .*$", "").trim()
                        + " " + (l.contains("link/ether") ? l.replaceAll(".*link/ether (\\S+).*", "$1") : ""));
            }
            view.add(Cmd.run(List.of("ip", "-n", n.name(), "-o", "-4", "addr"), Cmd.DEFAULT_TIMEOUT).replaceAll("^\\d+: ", "")
                    .replaceAll("(?m)^\\d+: ", "").replaceAll("valid_lft.*", "").trim());
            view.add(Cmd.run(List.of("ip", "-n", n.name(), "route"), Cmd.DEFAULT_TIMEOUT).trim());
            out.put("netns " + n.name(), view);
        }
        return out;
    }

    /** Sorts the elements of every {@code set[...]} (renamed references change their order). */
    static String sortSets(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("set\\[([^\\[\\]]*)\\]").matcher(value);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            List<String> items = new ArrayList<>(List.of(m.group(1).split(", ")));
            java.util.Collections.sort(items);
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement("set[" + String.join(", ", items) + "]"));
        }
        m.appendTail(b);
        return b.toString();
    }

    int runChild(Path journal, Path doc, long confirm, String mode, String step) throws Exception {
        return CrashMain.runChild(List.of(real.ovs.db().remote(), journal.toString(), doc.toString(), String.valueOf(confirm), mode,
                step, "ports=" + real.ns.path() + "," + journal.resolveSibling(journal.getFileName() + ".ledger")),
                journal.resolveSibling(journal.getFileName() + ".log"));
    }

    @Test
    void killedAtEveryStepTheNextStartRestoresTheContainerPorts() throws Exception {
        Path doc = Files.createTempFile("pb-crash-ports-", ".yaml");
        Files.writeString(doc, DOC.formatted(ref(c1), ref(c2), ref(c3)));
        Map<String, String> table = new LinkedHashMap<>();
        List<String[]> cases = List.of(new String[] {"apply", "journaled", "0"}, new String[] {"apply", "after-transaction", "0"},
                new String[] {"apply", "ports-detached", "0"}, new String[] {"apply", "ports-attached", "0"},
                new String[] {"apply", "verified", "0"}, new String[] {"apply", "pending", "2"},
                new String[] {"rollback", "rollback-journaled", "600"}, new String[] {"rollback", "ports-detached", "600"},
                new String[] {"rollback", "rollback-ports", "600"}, new String[] {"rollback", "rollback-transaction", "600"});
        List<String> failures = new ArrayList<>();
        try {
            for (String[] c : cases) {
                baseState();
                var before = state();
                Path journal = Files.createTempDirectory("pb-crash-journal-");
                int exit = runChild(journal, doc, Long.parseLong(c[2]), c[0], c[1]);
                boolean changed = !state().equals(before);
                NetStateEngine e = new NetStateEngine(() -> real.vs, () -> real.agent, new Journal(journal),
                        new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null);
                try {
                    long until = System.currentTimeMillis() + 30_000;
                    while (System.currentTimeMillis() < until && (e.recovering()
                            || e.checkpoints().stream().anyMatch(cp -> cp.state() == Checkpoint.State.PENDING))) {
                        Thread.sleep(50);
                    }
                    var after = state();
                    boolean restored = after.equals(before);
                    String states = e.checkpoints().stream().map(cp -> cp.state().wire() + "(" + cp.reason() + ")").toList()
                            .toString();
                    String outcome = "exit=" + exit + " changed-before-restart=" + changed + " restored=" + restored + " " + states;
                    table.put(c[0] + " @ " + c[1], outcome);
                    if (exit != 137 || !restored || e.checkpoints().stream().anyMatch(cp -> cp.state() != Checkpoint.State.ROLLED_BACK)) {
                        failures.add(c[0] + " @ " + c[1] + ": " + outcome + (restored ? "" : "\n  before: " + before + "\n  after:  " + after));
                    }
                } finally {
                    e.close();
                    delete(journal);
                }
            }
        } finally {
            System.out.println("step × outcome (container ports; kill, restart, compare with the before-image):");
            table.forEach((k, v) -> System.out.printf("  %-34s %s%n", k, v));
        }
        assertThat(failures).isEmpty();
        assertThat(table.get("apply @ ports-detached")).contains("changed-before-restart=true");
        assertThat(table.get("apply @ ports-attached")).contains("changed-before-restart=true");
        assertThat(table.get("rollback @ rollback-ports")).contains("changed-before-restart=true");
    }

    static void delete(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
