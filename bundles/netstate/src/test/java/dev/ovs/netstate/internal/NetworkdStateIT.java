package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Networkd;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.networkd.NetworkdFile;
import dev.ovs.networkd.internal.NetworkdComponent;
import dev.ovs.networkd.internal.NetworkdForTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systemd-networkd part of a document against the real systemd-networkd of the harness (systemd 252, its own
 * mount namespace and private D-Bus, in the same network namespace as the harness's Open vSwitch), through the
 * networkd bundle's services outside a framework: a VLAN netdev with an address and a route, an address on a
 * plain link, checked with {@code ip -n}; rollback; files Patchbay does not own are never touched (byte for
 * byte).
 */
class NetworkdStateIT {
    static RealOvs real;
    static ShortTempDir tmp;
    static DbusDaemon bus;
    static Networkd networkd;
    static NetworkdComponent component;
    static Path dir;
    NetStateEngine engine;

    static final String FOREIGN = "# the administrator's own file\n[Match]\nName=nomatch0\n\n[Network]\nDHCP=no\n";

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
        tmp = ShortTempDir.create();
        bus = DbusDaemon.start(tmp.path());
        dir = Files.createDirectory(tmp.resolve("network"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        networkd = Networkd.start(real.ns, bus, dir);
        component = NetworkdForTests.start(dir.toString(), bus.address());
        real.startAgent();
        real.ns.addVeth("nsv0", "nsv1");
        real.ns.exec("ip", "link", "set", "nsv0", "up");
        real.ns.exec("ip", "link", "set", "nsv1", "up");
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (component != null) {
                NetworkdForTests.stop(component);
            }
            if (networkd != null) {
                networkd.close();
            }
            if (bus != null) {
                bus.close();
            }
        } finally {
            if (tmp != null) {
                tmp.close();
            }
            if (real != null) {
                real.close();
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("90-foreign.network"), FOREIGN);
        engine = new NetStateEngine(() -> real.vs, () -> null, () -> component, () -> component, new Journal(real.journalDir),
                new NetStateEngine.Settings("netdev", 20000, 100, 20000), Clock.systemUTC(), null);
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        component.reload();
    }

    static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static String ip(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "ip";
        System.arraycopy(args, 0, argv, 1, args.length);
        return real.ns.exec(argv);
    }

    static Map<String, String> files() throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return m;
    }

    static final String DOC = """
            interfaces:
            - name: nsv1
              type: ethernet
              ipv4:
                enabled: true
                address: [{ip: 10.51.0.1, prefix-length: 24}]
            - name: nsv0
              type: ethernet
              ipv6:
                enabled: true
                address: [{ip: "fd00:51::1", prefix-length: 64}]
            routes:
              config:
              - {destination: 10.60.0.0/16, next-hop-address: 10.51.0.254, next-hop-interface: nsv1, metric: 100}
            """;

    @Test
    void addressesAndRoutesAreAppliedByNetworkdAndRolledBack() throws Exception {
        Map<String, String> before = files();
        List<Change> diff = engine.diff(DOC);
        assertThat(diff).extracting(c -> c.op() + " " + c.kind() + " " + c.name()).containsExactly("create link nsv1",
                "create link nsv0");
        assertThat(diff.get(0).to()).isEqualTo(Map.of("ipv4.address", List.of("10.51.0.1/24"), "routes",
                List.of("10.60.0.0/16 via 10.51.0.254 metric 100")));
        assertThat(files()).isEqualTo(before);

        String id = engine.apply(DOC, 600, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.PENDING);
        // Apply returned after networkd set the addresses
        assertThat(ip("-o", "addr", "show", "dev", "nsv1")).contains("inet 10.51.0.1/24");
        assertThat(ip("-o", "addr", "show", "dev", "nsv0")).contains("inet6 fd00:51::1/64");
        await("route 10.60.0.0/16", () -> ip("route", "show", "10.60.0.0/16").contains("via 10.51.0.254 dev nsv1"));
        assertThat(ip("route", "show", "10.60.0.0/16")).contains("metric 100");
        Map<String, String> after = files();
        assertThat(after).containsKeys("10-patchbay-nsv0.network", "10-patchbay-nsv1.network").containsEntry("90-foreign.network",
                FOREIGN);
        assertThat(after.get("10-patchbay-nsv1.network")).startsWith(NetworkdFile.OWNER_HEADER).contains("Address=10.51.0.1/24",
                "[Route]", "Destination=10.60.0.0/16", "Gateway=10.51.0.254", "Metric=100");

        // show describes it; applying it back changes nothing, no file is written
        String shown = engine.show();
        assertThat(shown).contains("name: nsv1", "ip: 10.51.0.1", "destination: 10.60.0.0/16", "next-hop-interface: nsv1");
        assertThat(engine.diff(shown)).isEmpty();
        String again = engine.apply(shown, 0, "test");
        assertThat(engine.checkpoint(again).orElseThrow().changes()).isZero();
        assertThat(files()).isEqualTo(after);

        // a partial change: another address on nsv1 only
        assertThat(engine.diff("interfaces:\n- {name: nsv1, type: ethernet, ipv4: {address: [{ip: 10.51.0.2, prefix-length: 24}]}}\n"))
                .extracting(c -> c.field() + " " + c.from() + " -> " + c.to())
                .containsExactly("ipv4.address [10.51.0.1/24] -> [10.51.0.2/24]");

        engine.rollback(id, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(files()).as("every file back as it was, the foreign one untouched").isEqualTo(before);
        await("10.51.0.1 removed from nsv1", () -> !ip("-o", "addr", "show", "dev", "nsv1").contains("10.51.0.1"));
        await("route 10.60.0.0/16 removed", () -> ip("route", "show", "10.60.0.0/16").isBlank());
    }

    /** Whether this kernel creates VLAN links (the 8021q module), tried in a namespace of its own. */
    static boolean kernelHasVlans() {
        try (dev.ovs.itests.harness.Netns probe = dev.ovs.itests.harness.Netns.create()) {
            probe.addVeth("pv0", "pv1");
            try {
                probe.exec("ip", "link", "add", "link", "pv0", "name", "pv0.5", "type", "vlan", "id", "5");
                return true;
            } catch (dev.ovs.itests.harness.Cmd.Failed e) {
                return false;
            }
        }
    }

    static final String VLAN_DOC = """
            interfaces:
            - name: nsv0.50
              type: vlan
              vlan: {base-iface: nsv0, id: 50}
              ipv4:
                enabled: true
                address: [{ip: 10.50.0.1, prefix-length: 24}]
            """;

    @Test
    void vlanNetdevsAreCreatedOrTheApplyIsRolledBack() throws Exception {
        Map<String, String> before = files();
        assertThat(engine.diff(VLAN_DOC)).extracting(c -> c.op() + " " + c.kind() + " " + c.name() + " " + c.to())
                .containsExactly("create vlan nsv0.50 {id=50}", "create link nsv0 {vlans=[nsv0.50]}",
                        "create link nsv0.50 {ipv4.address=[10.50.0.1/24]}");
        NetStateEngine quick = new NetStateEngine(() -> real.vs, () -> real.agent, () -> component, () -> component,
                new Journal(real.journalDir), new NetStateEngine.Settings("netdev", 20000, 100, 5000), Clock.systemUTC(), null);
        try {
            if (!kernelHasVlans()) {
                // this kernel has no VLAN support: networkd cannot create the netdev, the verification times out, and
                // the apply is rolled back (files as before)
                assertThatThrownBy(() -> quick.apply(VLAN_DOC, 0, "test")).isInstanceOfSatisfying(dev.ovs.netstate.NetStateException.class,
                        e -> {
                            assertThat(e.kind()).isEqualTo(dev.ovs.base.ErrorKind.Timeout);
                            assertThat(e.getMessage()).contains("VLAN link nsv0.50 was not created").endsWith("; rolled back");
                        });
                assertThat(files()).isEqualTo(before);
                // the rollback deleted the link the apply's .netdev was to create (here: never created)
                assertThat(real.agent.ledgerTail(5)).anySatisfy(l -> assertThat(l.toString()).contains("del-link", "nsv0.50"));
                return;
            }
            String id = quick.apply(VLAN_DOC, 600, "test");
            assertThat(ip("-d", "link", "show", "nsv0.50")).contains("vlan protocol 802.1Q id 50");
            assertThat(ip("-o", "addr", "show", "dev", "nsv0.50")).contains("inet 10.50.0.1/24");
            assertThat(files().get("10-patchbay-nsv0.network")).contains("VLAN=nsv0.50");
            assertThat(files().get("10-patchbay-nsv0.50.netdev")).contains("Kind=vlan", "Id=50");
            assertThat(quick.diff(quick.show())).isEmpty();
            quick.rollback(id, "test");
            assertThat(files()).isEqualTo(before);
            // networkd does not delete a link whose .netdev is gone: the rollback deleted it (through the port agent)
            assertThat(ip("-o", "link", "show")).doesNotContain("nsv0.50@");
            assertThat(real.agent.ledgerTail(5)).anySatisfy(l -> assertThat(l.toString()).contains("del-link").contains("nsv0.50"));
            await("10.50.0.1 removed", () -> !ip("-o", "addr").contains("10.50.0.1"));
        } finally {
            quick.close();
        }
    }

    /**
     * The link deletion the rollback uses ({@code PortAgent.deleteLink}) against the kernel: a link made with
     * {@code ip} is gone afterwards (both veth ends), a missing one is reported absent, an interface of an Open vSwitch
     * bridge is refused and stays; each call is a {@code del-link} entry of the port agent's ledger.
     */
    @Test
    void deleteLinkDeletesKernelLinksButNoBridgePort() throws Exception {
        ip("link", "add", "nsdl0", "type", "veth", "peer", "name", "nsdl1");
        assertThat(real.agent.deleteLink("nsdl0", "test")).isTrue();
        assertThat(ip("-o", "link", "show")).doesNotContain("nsdl0").doesNotContain("nsdl1");
        assertThat(real.agent.deleteLink("nsdl0", "test")).isFalse();
        real.vsctl("add-br", "br-dl", "--", "set", "Bridge", "br-dl", "datapath_type=netdev");
        try {
            real.vsctl("add-port", "br-dl", "dlp0", "--", "set", "Interface", "dlp0", "type=internal");
            assertThatThrownBy(() -> real.agent.deleteLink("dlp0", "test")).isInstanceOfSatisfying(
                    dev.ovs.portagent.PortAgentException.class, e -> assertThat(e.kind()).isEqualTo(dev.ovs.base.ErrorKind.ConstraintViolation));
            assertThat(real.vsctl("list-ports", "br-dl")).contains("dlp0");
        } finally {
            real.vsctl("del-br", "br-dl");
        }
        // intent lines carry the arguments, outcome lines the result
        assertThat(real.agent.ledgerTail(6)).extracting(l -> l.operation() + " " + (l.result().equals("intent") ? l.args().get("link")
                : l.result())).containsExactly("del-link nsdl0", "del-link ok: deleted", "del-link nsdl0", "del-link ok: absent",
                        "del-link dlp0", "del-link error: link 'dlp0' is an interface of an Open vSwitch bridge: remove the port instead");
    }

    /** Files byte for byte, and the addresses and routes networkd configured from them. */
    static Map<String, String> state() throws Exception {
        Map<String, String> m = files();
        for (String l : List.of("nsv0", "nsv1")) {
            m.put("addr " + l, ip("-o", "addr", "show", "dev", l).lines().filter(x -> !x.contains(" fe80:"))
                    .map(x -> x.replaceAll("^\\d+: ", "").replaceAll("\\\\.*$", "").trim()).sorted().toList().toString());
        }
        m.put("route", ip("route", "show", "10.60.0.0/16").trim());
        return m;
    }

    @Test
    void killedAtEveryStepTheNextStartRestoresTheFiles() throws Exception {
        engine.apply("interfaces:\n- {name: nsv1, type: ethernet, ipv4: {address: [{ip: 10.53.0.1, prefix-length: 24}]}}\n", 0, "base");
        Map<String, String> before = state();
        assertThat(before.get("addr nsv1")).contains("10.53.0.1/24");
        Path doc = Files.createTempFile("pb-crash-net-", ".yaml");
        Files.writeString(doc, DOC.replace("10.51.0.1", "10.53.0.2").replace("10.51.0.254", "10.53.0.254"));
        List<String[]> cases = List.of(new String[] {"apply", "journaled", "0"}, new String[] {"apply", "net-written", "0"},
                new String[] {"apply", "verified", "0"}, new String[] {"apply", "pending", "2"},
                new String[] {"rollback", "rollback-journaled", "600"}, new String[] {"rollback", "rollback-net", "600"});
        Map<String, String> table = new java.util.LinkedHashMap<>();
        List<String> failures = new java.util.ArrayList<>();
        try {
            for (String[] c : cases) {
                Path journal = Files.createTempDirectory("pb-crash-net-journal-");
                int exit = CrashMain.runChild(List.of(real.ovs.db().remote(), journal.toString(), doc.toString(), c[2], c[0], c[1],
                        "networkd=" + dir + "," + bus.address()), journal.resolveSibling(journal.getFileName() + ".log"));
                boolean changed = !state().equals(before);
                NetStateEngine e = new NetStateEngine(() -> real.vs, () -> null, () -> component, () -> component, new Journal(journal),
                        new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null);
                try {
                    await("recovery of " + c[0] + " @ " + c[1], () -> !e.recovering()
                            && e.checkpoints().stream().noneMatch(cp -> cp.state() == Checkpoint.State.PENDING));
                    long until = System.nanoTime() + 20_000_000_000L;
                    Map<String, String> after = state();
                    while (!after.equals(before) && System.nanoTime() < until) {
                        Thread.sleep(200); // networkd applies the restored files after its Reload
                        after = state();
                    }
                    boolean restored = after.equals(before);
                    String outcome = "exit=" + exit + " changed-before-restart=" + changed + " restored=" + restored + " "
                            + e.checkpoints().stream().map(cp -> cp.state().wire() + "(" + cp.reason() + ")").toList();
                    table.put(c[0] + " @ " + c[1], outcome);
                    if (exit != 137 || !restored) {
                        failures.add(c[0] + " @ " + c[1] + ": " + outcome + (restored ? "" : "\n  before " + before + "\n  after  " + after));
                    }
                } finally {
                    e.close();
                }
            }
        } finally {
            System.out.println("step × outcome (networkd files; kill, restart, compare files byte for byte and addresses):");
            table.forEach((k, v) -> System.out.printf("  %-30s %s%n", k, v));
        }
        assertThat(failures).isEmpty();
        assertThat(table.get("apply @ net-written")).contains("changed-before-restart=true");
        assertThat(table.get("apply @ pending")).contains("changed-before-restart=true");
    }

    @Test
    void filesPatchbayDoesNotOwnAreNeverTouched() throws Exception {
        // a file of Patchbay's name without the ownership header, and an administrator's file networkd applies to nsv0
        Files.writeString(dir.resolve("10-patchbay-nsv1.network"), "[Match]\nName=nsv1\n");
        Files.writeString(dir.resolve("05-admin.network"), "[Match]\nName=nsv0\n\n[Network]\nLinkLocalAddressing=no\n");
        component.reload();
        await("05-admin.network applied to nsv0", () -> "05-admin.network".equals(
                component.describe("nsv0").networkFile() == null ? null : Path.of(component.describe("nsv0").networkFile()).getFileName()
                        .toString()));
        Map<String, String> before = files();
        assertThatThrownBy(() -> engine.apply(
                "interfaces:\n- {name: nsv1, type: ethernet, ipv4: {address: [{ip: 10.52.0.1, prefix-length: 24}]}}\n", 0, "test"))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("interfaces[0]");
                    assertThat(e.rule()).contains("10-patchbay-nsv1.network exists but is not Patchbay's");
                });
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: nsv0.51, type: vlan, vlan: {base-iface: nsv0, id: 51}}\n", 0,
                "test")).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("interfaces[0].vlan.base-iface");
                    assertThat(e.rule()).contains("configured by 05-admin.network, which Patchbay does not own");
                });
        assertThatThrownBy(() -> engine.apply("routes:\n  config:\n  - {destination: 10.70.0.0/16, next-hop-interface: nsv0}\n", 0,
                "test")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("05-admin.network");
        assertThat(files()).isEqualTo(before);
    }

    @Test
    void invalidDocumentsNameThePath() throws Exception {
        Map<String, String> before = files();
        Map<String, String> cases = Map.of(
                "interfaces:\n- {name: v5000, type: vlan, vlan: {base-iface: nsv0, id: 5000}}\n", "interfaces[0].vlan.id: must be 0..4094, got 5000",
                "interfaces:\n- {name: v1, type: vlan}\n", "interfaces[0].vlan: required (base-iface and id)",
                "interfaces:\n- {name: nsv1, type: ethernet, ipv4: {enabled: false, address: [{ip: 10.0.0.1, prefix-length: 8}]}}\n",
                "interfaces[0].ipv4.enabled: is false: no address and no dhcp are allowed",
                "interfaces:\n- {name: nsv1, type: ethernet, ipv6: {address: [{ip: 10.0.0.1, prefix-length: 8}]}}\n",
                "interfaces[0].ipv6.address[0].ip: must be an IPv6 address",
                "routes:\n  config:\n  - {destination: 10.60.0.1/16, next-hop-interface: nsv0}\n",
                "routes.config[0].destination: must be a network address",
                "routes:\n  config:\n  - {destination: 10.60.0.0/16, next-hop-address: 'fd00::1', next-hop-interface: nsv0}\n",
                "routes.config[0].next-hop-address: must be of the destination's address family");
        for (var c : cases.entrySet()) {
            assertThatThrownBy(() -> engine.apply(c.getKey(), 0, "test")).as(c.getKey()).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageStartingWith(c.getValue());
        }
        assertThat(files()).isEqualTo(before);
    }
}
