package dev.ovs.netstate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import java.util.concurrent.atomic.AtomicInteger;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.portagent.internal.PortAgentImpl;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test fixture: ovsdb-server and ovs-vswitchd (userspace datapath) from the harness in a private network
 * namespace, a VSwitch on it (outside a framework, from the ovsdb implementation jar), a journal directory,
 * and engines on them.
 */
final class RealOvs implements AutoCloseable {
    final Netns ns;
    final ShortTempDir dir;
    final Ovs ovs;
    final OvsdbClient client;
    final VSwitch vs;
    final Path journalDir;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    /** The port agent on the same VSwitch (bridges in {@link #ns}), made by {@link #startAgent()}. */
    PortAgentImpl agent;
    private FileLedger ledger;

    RealOvs() throws Exception {
        ns = Netns.create();
        dir = ShortTempDir.create();
        ovs = Ovs.start(ns, dir.path());
        client = dev.ovs.ovsdb.rpc.OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
        vs = dev.ovs.ovsdb.vswitch.impl.VSwitches.create(client, true, 20000, "netdev");
        if (!vs.replica().awaitSynced(Duration.ofSeconds(20))) {
            throw new IllegalStateException("replica not synced");
        }
        journalDir = Files.createTempDirectory("pb-netstate-");
    }

    NetStateEngine engine() {
        return new NetStateEngine(() -> vs, () -> agent, new Journal(journalDir), new NetStateEngine.Settings("netdev", 20000, 100),
                Clock.systemUTC(), (Checkpoint c, String e) -> events.add(c.id() + " " + e + " " + c.state().wire()));
    }

    /**
     * Starts a port agent (outside a framework, from the portagent implementation jar) on this VSwitch: veth host
     * ends in {@link #ns}, containers given as {@code netns:NAME}, no Docker API (a socket that does not exist).
     *
     * @return the agent
     * @throws java.io.IOException if the ledger cannot be opened
     */
    PortAgentImpl startAgent() throws java.io.IOException {
        ledger = FileLedger.open(dir.resolve("ledger.jsonl"), false, Clock.systemUTC());
        agent = new PortAgentImpl(() -> vs, new ContainerResolver(new DockerClient(dir.resolve("no-docker.sock"),
                Duration.ofSeconds(2))), ledger, NetNamespace.ofPath(ns.path()), PortAgentImpl.Faults.NONE);
        return agent;
    }

    /**
     * Counts OVSDB updates of the configuration columns of Bridge, Port, Interface and Open_vSwitch (all but
     * {@link #VOLATILE}) seen by an independent client's monitor.
     */
    static final class UpdateCounter implements AutoCloseable {
        final OvsdbClient c;
        final Replica r;
        final AtomicInteger updates = new AtomicInteger();

        UpdateCounter(String remote) {
            c = dev.ovs.ovsdb.rpc.OvsdbClients.connect(ClientOptions.of(remote));
            // ovs-vswitchd's own columns (statistics every 5 s, status, link state) are no write of a client
            Set<String> config = new java.util.HashSet<>();
            VOLATILE.stream().filter(v -> !v.startsWith("_") && !v.equals("next_cfg")).forEach(v -> config.add("!" + v));
            r = c.replica(VSwitch.DB, Map.of("Bridge", config, "Port", config, "Interface", config, "Open_vSwitch", config));
            if (!r.awaitSynced(Duration.ofSeconds(10))) {
                throw new IllegalStateException("counter replica not synced");
            }
            r.addListener(ev -> updates.incrementAndGet());
        }

        /** @return updates seen so far (after an echo barrier) */
        int count() {
            r.sync();
            return updates.get();
        }

        @Override
        public void close() {
            c.close();
        }
    }

    /** @return a new update counter on this database */
    UpdateCounter updateCounter() {
        return new UpdateCounter(ovs.db().remote());
    }

    String vsctl(String... args) {
        return ovs.vsctl(args).trim();
    }

    /** Columns left out of dump comparisons: written by ovs-vswitchd or the database itself. */
    static final Set<String> VOLATILE = Set.of("_uuid", "_version", "statistics", "status", "ofport", "ifindex", "mac_in_use",
            "link_state", "link_resets", "link_speed", "admin_state", "duplex", "mtu", "error", "datapath_id",
            "datapath_version", "rstp_status", "rstp_statistics", "bfd_status", "cfm_fault", "cfm_fault_status",
            "cfm_health", "cfm_remote_mpids", "cfm_remote_opstate", "lacp_current", "cur_cfg", "next_cfg");

    /**
     * {@code ovsdb-client dump} of Open_vSwitch, Bridge, Port and Interface as JSON, normalized: rows keyed by
     * name (the root row by "."), volatile columns left out, row references replaced by the referenced
     * row's name.
     */
    Map<String, Map<String, String>> dump() throws Exception {
        String out = Cmd.run(List.of("ovsdb-client", "dump", "--format=json", ovs.db().remote(), "Open_vSwitch"),
                Duration.ofSeconds(30));
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> tables = new ArrayList<>();
        for (Iterator<JsonNode> it = m.readerFor(JsonNode.class).readValues(out); it.hasNext();) {
            JsonNode t = it.next();
            if (Set.of("Open_vSwitch table", "Bridge table", "Port table", "Interface table").contains(t.get("caption").asText())) {
                tables.add(t);
            }
        }
        Map<String, String> names = new HashMap<>();
        for (JsonNode t : tables) {
            List<String> heads = new ArrayList<>();
            t.get("headings").forEach(h -> heads.add(h.asText()));
            for (JsonNode row : t.get("data")) {
                int u = heads.indexOf("_uuid");
                int n = heads.indexOf("name");
                names.put(row.get(u).get(1).asText(), n < 0 ? "." : row.get(n).asText());
            }
        }
        Map<String, Map<String, String>> result = new TreeMap<>();
        for (JsonNode t : tables) {
            String table = t.get("caption").asText().replace(" table", "");
            List<String> heads = new ArrayList<>();
            t.get("headings").forEach(h -> heads.add(h.asText()));
            for (JsonNode row : t.get("data")) {
                Map<String, String> cols = new TreeMap<>();
                for (int i = 0; i < heads.size(); i++) {
                    if (!VOLATILE.contains(heads.get(i))) {
                        cols.put(heads.get(i), normalize(row.get(i), names));
                    }
                }
                int n = heads.indexOf("name");
                result.put(table + ":" + (n < 0 ? "." : row.get(n).asText()), cols);
            }
        }
        return result;
    }

    private static String normalize(JsonNode v, Map<String, String> names) {
        if (v.isArray() && v.size() == 2 && v.get(0).asText().equals("uuid")) {
            return "@" + names.getOrDefault(v.get(1).asText(), "?");
        }
        if (v.isArray() && v.size() == 2 && (v.get(0).asText().equals("set") || v.get(0).asText().equals("map"))) {
            List<String> parts = new ArrayList<>();
            v.get(1).forEach(x -> parts.add(normalize(x, names)));
            Collections.sort(parts);
            return v.get(0).asText() + parts;
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(normalize(x, names)));
            return parts.toString();
        }
        return v.toString();
    }

    @Override
    public void close() {
        if (System.getProperty("netstate.keepLogs") != null) {
            try (var logs = Files.newDirectoryStream(dir.path(), "*.log")) {
                Path to = Files.createDirectories(Path.of(System.getProperty("netstate.keepLogs")));
                for (Path l : logs) {
                    Files.copy(l, to.resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (java.io.IOException e) {
                System.out.println("cannot keep the logs: " + e);
            }
        }
        try {
            if (agent != null) {
                agent.close();
            }
            if (ledger != null) {
                ledger.close();
            }
        } catch (RuntimeException e) {
            System.out.println("cannot close the agent or the ledger: " + e);
        }
        try {
            client.close();
        } finally {
            try {
                ovs.close();
            } finally {
                try {
                    ns.close();
                } finally {
                    dir.close();
                }
            }
        }
    }
}
