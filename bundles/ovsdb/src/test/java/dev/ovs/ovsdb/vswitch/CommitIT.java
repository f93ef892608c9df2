package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VSwitch#commit(TransactionBuilder)} against a real ovsdb-server + ovs-vswitchd (userspace datapath, private
 * namespace): exactly the {@code next_cfg} increment and its select are added (one {@code next_cfg} step on the
 * server, nothing added with {@code wait.for.vswitchd=false}); it returns with ovs-vswitchd's {@code cur_cfg}
 * caught up and the port in the datapath; a failed {@code wait} of the caller is Conflict naming the row, a
 * duplicate name AlreadyExists, other refusals keep their RFC 7047 kind, all with nothing changed; with
 * ovs-vswitchd frozen the committed change is a {@link NotAppliedException} carrying the result; bad input is
 * refused before anything is sent.
 */
class CommitIT {
    static ShortTempDir dir;
    static Netns ns;
    static Ovs ovs;
    static OvsdbClient client;
    static VSwitch vs;

    @BeforeAll
    static void start() {
        dir = ShortTempDir.create();
        ns = Netns.create();
        ovs = Ovs.start(ns, dir.path());
        client = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()));
        vs = VSwitches.create(client, true, 20000, "netdev");
        assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (ovs != null) {
                ovs.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
            dir.close();
        }
    }

    @BeforeEach
    void bridge() {
        vs.addBridge("cbr0", null, false);
    }

    @AfterEach
    void noBridge() {
        vs.deleteBridge("cbr0", true);
    }

    private static long cfg(String column) {
        return Long.parseLong(ovs.vsctl("--no-wait", "get", "Open_vSwitch", ".", column).trim());
    }

    private static UUID bridgeUuid(String name) {
        return vs.replica().byName("Bridge", name).orElseThrow().uuid();
    }

    /**
     * ovs-vsctl add-port as a caller builds it: a guard that the bridge still has its name, the Interface and Port
     * inserts, the mutate of Bridge.ports (4 operations).
     */
    private static TransactionBuilder addPort(VSwitch v, String bridge, String port) {
        TransactionBuilder tx = v.client().transaction(VSwitch.DB);
        tx.wait("Bridge", List.of(Condition.eq("_uuid", bridgeUuid(bridge))), List.of("name"), true,
                List.of(Map.of("name", bridge)), 0L);
        tx.insert("Interface", Map.of("name", port, "type", "internal"), "i");
        tx.insert("Port", Map.of("name", port, "interfaces", new NamedUuid("i")), "p");
        tx.mutate("Bridge", List.of(Condition.eq("_uuid", bridgeUuid(bridge))), List.of(Mutation.insert("ports", new NamedUuid("p"))));
        return tx;
    }

    @Test
    void addsOneNextCfgStepAndReturnsOnceVswitchdAppliedIt() {
        assertThat(vs.vswitchdTimeout()).contains(Duration.ofMillis(20000));
        long next = cfg("next_cfg");
        TransactResult r = vs.commit(addPort(vs, "cbr0", "cp1"));
        // the caller's 4 operations at their indices, then the mutate of next_cfg and its select
        assertThat(r.results()).hasSize(6);
        assertThat(r.results().get(0).op()).isEqualTo("wait");
        UUID port = r.uuid(2);
        assertThat(r.results().get(3).count()).isEqualTo(1);
        assertThat(r.results().get(4).op()).isEqualTo("mutate");
        assertThat(r.results().get(4).count()).isEqualTo(1);
        assertThat(r.results().get(5).op()).isEqualTo("select");
        assertThat(r.results().get(5).rows().get(0).getLong("next_cfg")).isEqualTo(next + 1);
        // read from the server: one next_cfg step, and ovs-vswitchd had applied it when commit returned
        assertThat(cfg("next_cfg")).isEqualTo(next + 1);
        assertThat(cfg("cur_cfg")).isEqualTo(next + 1);
        assertThat(ovs.appctl("dpif/show")).contains("cp1");
        assertThat(vs.port("cp1").orElseThrow().uuid()).isEqualTo(port);
    }

    @Test
    void withoutWaitingNothingIsAdded() {
        VSwitch noWait = new VSwitchImpl(client, vs.replica(), false, 20000);
        assertThat(noWait.vswitchdTimeout()).isEmpty();
        long next = cfg("next_cfg");
        TransactResult r = noWait.commit(addPort(noWait, "cbr0", "cp2"), Duration.ofMillis(5));
        assertThat(r.results()).hasSize(4);
        assertThat(cfg("next_cfg")).isEqualTo(next);
        assertThat(ovs.vsctl("list-ports", "cbr0")).contains("cp2");
    }

    @Test
    void aFailedWaitIsAConflictNamingTheRowAndChangesNothing() {
        UUID br = bridgeUuid("cbr0");
        TransactionBuilder tx = addPort(vs, "cbr0", "cp3");
        ovs.vsctl("set", "Bridge", "cbr0", "external_ids:x=1"); // not the guarded column: the guard still holds
        TransactionBuilder stale = vs.client().transaction(VSwitch.DB);
        stale.wait("Bridge", List.of(Condition.eq("_uuid", br)), List.of("external_ids"), true,
                List.of(Map.of("external_ids", Map.of())), 0L); // as read before the ovs-vsctl change
        stale.insert("Interface", Map.of("name", "cp3", "type", "internal"), "i");
        long next = cfg("next_cfg");
        assertThatThrownBy(() -> vs.commit(stale)).isInstanceOfSatisfying(OvsdbServerException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.Conflict);
            assertThat(e.operationIndex()).isZero();
            assertThat(e.error()).isEqualTo("timed out");
            assertThat(e.getMessage()).contains("wait on Bridge where _uuid == " + br).contains("external_ids")
                    .contains("nothing was changed");
        });
        assertThat(cfg("next_cfg")).isEqualTo(next);
        assertThat(ovs.vsctl("--no-wait", "--columns=name", "find", "Interface", "name=cp3")).isBlank();
        // the first transaction's guard (the name) still holds
        vs.commit(tx);
        assertThat(ovs.vsctl("list-ports", "cbr0")).contains("cp3");
    }

    @Test
    void refusalsKeepTheirKindAndIndex() {
        vs.commit(addPort(vs, "cbr0", "cp4"));
        long next = cfg("next_cfg");
        // a second port of the same name: the unique index on Port.name (and Interface.name), a commit error
        TransactionBuilder dup = addPort(vs, "cbr0", "cp4");
        assertThatThrownBy(() -> vs.commit(dup)).isInstanceOfSatisfying(OvsdbServerException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.AlreadyExists);
            assertThat(e.error()).isEqualTo("constraint violation");
            assertThat(e.operationIndex()).isEqualTo(6); // after the 4 + 2 operations: the commit
            assertThat(e.getMessage()).contains("for index on column \"name\"");
        });
        // a reference to a Port row that does not exist: RFC 7047 "referential integrity violation" at commit
        TransactionBuilder dangling = vs.client().transaction(VSwitch.DB);
        dangling.mutate("Bridge", List.of(Condition.eq("_uuid", bridgeUuid("cbr0"))),
                List.of(Mutation.insert("ports", Set.of(UUID.randomUUID()))));
        assertThatThrownBy(() -> vs.commit(dangling)).isInstanceOfSatisfying(OvsdbServerException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.ReferentialIntegrity);
            assertThat(e.error()).isEqualTo("referential integrity violation");
            assertThat(e.operationIndex()).isEqualTo(3); // the commit, after the 1 + 2 operations
        });
        assertThat(cfg("next_cfg")).isEqualTo(next);
        assertThat(ovs.vsctl("list-ports", "cbr0").trim()).isEqualTo("cp4");
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsSent() {
        long next = cfg("next_cfg");
        assertThatThrownBy(() -> vs.commit(null)).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.argument()).isEqualTo("tx"));
        assertThatThrownBy(() -> vs.commit(vs.client().transaction(VSwitch.DB)))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.getMessage()).isEqualTo("tx: has no operations"));
        TransactionBuilder server = client.transaction("_Server");
        server.select("Database", List.of(), "name");
        assertThatThrownBy(() -> vs.commit(server)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("must be a transaction on Open_vSwitch");
        for (Duration d : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> vs.commit(addPort(vs, "cbr0", "cp6"), d)).isInstanceOfSatisfying(
                    InvalidArgumentException.class, e -> assertThat(e.argument()).isEqualTo("vswitchdTimeout"));
        }
        assertThat(cfg("next_cfg")).isEqualTo(next);
        assertThat(ovs.vsctl("list-ports", "cbr0")).doesNotContain("cp6");
    }

    @Test
    void aCommittedChangeThatVswitchdDoesNotApplyInTimeCarriesItsResult() throws Exception {
        long pid = Long.parseLong(Files.readString(dir.path().resolve("ovs-vswitchd.pid")).trim());
        Cmd.run(List.of("kill", "-STOP", Long.toString(pid)), Duration.ofSeconds(10));
        try {
            long next = cfg("next_cfg");
            assertThatThrownBy(() -> vs.commit(addPort(vs, "cbr0", "cp7"), Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(NotAppliedException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.Timeout);
                        assertThat(e.nextCfg()).isEqualTo(next + 1);
                        assertThat(e.getMessage()).contains("committed but ovs-vswitchd did not apply it").contains("500 ms");
                        // the committed result: the inserted port's row is in the database
                        UUID port = e.committed().uuid(2);
                        assertThat(ovs.vsctl("--no-wait", "get", "Port", "cp7", "_uuid").trim()).isEqualTo(port.toString());
                    });
        } finally {
            Cmd.run(List.of("kill", "-CONT", Long.toString(pid)), Duration.ofSeconds(10));
        }
        // once resumed, ovs-vswitchd catches up by itself
        vs.commit(vs.client().transaction(VSwitch.DB).comment("barrier"));
        assertThat(cfg("cur_cfg")).isEqualTo(cfg("next_cfg"));
        assertThat(ovs.appctl("dpif/show")).contains("cp7");
    }
}
