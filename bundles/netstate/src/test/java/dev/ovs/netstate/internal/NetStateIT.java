package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetStateException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NetState against a real ovsdb-server and ovs-vswitchd (userspace datapath, private netns), checked with ovs-vsctl. */
class NetStateIT {
    static RealOvs real;
    NetStateEngine engine;

    static final String BASE = """
            interfaces:
            - name: nsb0
              type: ovs-bridge
              bridge:
                options: {datapath: netdev, fail-mode: secure}
                port:
                - name: a1
                  vlan: {mode: access, tag: 10}
                - name: a2
                  vlan: {mode: trunk, trunk-tags: [{id: 20}, {id-range: {min: 30, max: 33}}]}
                - name: pa
              ovs-db:
                external_ids: {owner: netstate-test}
            - name: nsb1
              type: ovs-bridge
              bridge:
                options: {datapath: netdev}
                port:
                - name: pb
                - name: vx0
            - name: a1
              type: ovs-interface
              mtu: 1400
              ovs-db:
                external_ids: {role: access}
            - name: a2
              type: ovs-interface
            - name: pa
              type: ovs-interface
              patch: {peer: pb}
            - name: pb
              type: ovs-interface
              patch: {peer: pa}
            - name: vx0
              type: ovs-interface
              tunnel:
                type: vxlan
                options: {remote_ip: 192.0.2.1, key: "100"}
            """;

    @BeforeAll
    static void up() throws Exception {
        real = new RealOvs();
    }

    @AfterAll
    static void down() throws Exception {
        if (real != null) {
            real.close();
        }
    }

    @BeforeEach
    void start() {
        engine = real.engine();
    }

    @AfterEach
    void stop() {
        engine.close();
        for (String b : real.vsctl("list-br").lines().toList()) {
            real.vsctl("--if-exists", "del-br", b);
        }
        real.events.clear();
    }

    /**
     * Apply, commit and rollback are ledgered whoever calls them: intent (caller, checkpoint id, document hash) before,
     * outcome after, read back from the ledger file; without the ledger service they change nothing.
     */
    @Test
    void applyCommitAndRollbackAreLedgered() throws Exception {
        java.nio.file.Path file = real.dir.resolve("netstate-ledger.jsonl");
        try (dev.ovs.dbus.internal.ledger.FileLedger ledger = dev.ovs.dbus.internal.ledger.FileLedger.open(file, true,
                java.time.Clock.systemUTC())) {
            dev.ovs.dbus.ledger.Ledger[] now = {ledger};
            engine.ledger(() -> now[0]);
            String doc = "interfaces:\n- {name: nsl0, type: ovs-bridge}\n";
            String sha = NetStateEngine.sha256(doc);
            String a = engine.apply(doc, 600, "shell:root");
            engine.commit(a, "fleet:host1");
            String b = engine.apply("interfaces:\n- {name: nsl0, state: absent, type: ovs-bridge}\n", 600, "shell:root");
            engine.rollback(b, "shell:admin");
            assertThat(real.vsctl("list-br")).isEqualTo("nsl0");
            List<String> lines = java.nio.file.Files.readAllLines(file);
            assertThat(lines).hasSize(8);
            assertThat(lines.get(0)).contains("\"caller\":\"shell:root\"", "\"op\":\"netstate.apply\"", "\"checkpoint\":\"" + a + "\"",
                    "\"document_sha256\":\"" + sha + "\"", "\"result\":\"intent\"");
            assertThat(lines.get(1)).contains("\"result\":\"ok: checkpoint " + a + "\"");
            assertThat(lines.get(2)).contains("\"caller\":\"fleet:host1\"", "\"op\":\"netstate.commit\"", "\"checkpoint\":\"" + a + "\"",
                    "\"document_sha256\":\"" + sha + "\"");
            assertThat(lines.get(3)).contains("\"result\":\"ok: checkpoint " + a + "\"");
            assertThat(lines.get(4)).contains("\"op\":\"netstate.apply\"", "\"checkpoint\":\"" + b + "\"");
            assertThat(lines.get(6)).contains("\"caller\":\"shell:admin\"", "\"op\":\"netstate.rollback\"", "\"checkpoint\":\"" + b + "\"");
            assertThat(lines.get(7)).contains("\"result\":\"ok: checkpoint " + b + "\"");

            now[0] = null; // the ledger service is gone: nothing is applied
            assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: nsl1, type: ovs-bridge}\n", 0, "shell:root"))
                    .hasMessageContaining("unavailable: the ledger");
            assertThat(real.vsctl("list-br")).isEqualTo("nsl0");
        }
    }

    @Test
    void applyIsWhatOvsVsctlShowsAndShowAppliesAsANoop() throws Exception {
        List<Change> diff = engine.diff(BASE);
        assertThat(diff).extracting(Change::op).containsOnly(Change.CREATE);
        assertThat(real.vsctl("list-br")).isEmpty(); // diff changed nothing
        String id = engine.apply(BASE, 0, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
        assertThat(real.vsctl("list-br")).isEqualTo("nsb0\nnsb1");
        assertThat(real.vsctl("list-ports", "nsb0")).isEqualTo("a1\na2\npa");
        assertThat(real.vsctl("get", "Bridge", "nsb0", "datapath_type", "fail_mode", "external_ids:owner"))
                .isEqualTo("netdev\nsecure\nnetstate-test");
        assertThat(real.vsctl("get", "Port", "a1", "tag", "vlan_mode")).isEqualTo("10\naccess");
        assertThat(real.vsctl("get", "Port", "a2", "trunks", "vlan_mode")).isEqualTo("[20, 30, 31, 32, 33]\ntrunk");
        assertThat(real.vsctl("get", "Interface", "a1", "type", "mtu_request", "external_ids:role")).isEqualTo("internal\n1400\naccess");
        assertThat(real.vsctl("get", "Interface", "a1", "mtu")).isEqualTo("1400"); // applied by ovs-vswitchd
        assertThat(real.vsctl("get", "Interface", "pa", "type", "options:peer")).isEqualTo("patch\npb");
        assertThat(real.vsctl("get", "Interface", "vx0", "type", "options:remote_ip", "options:key"))
                .isEqualTo("vxlan\n\"192.0.2.1\"\n\"100\"");
        assertThat(real.ns.exec("ip", "-o", "link", "show", "a1")).contains("a1");
        assertThat(real.events).contains(id + " created committed");

        String shown = engine.show();
        assertThat(engine.diff(shown)).isEmpty();
        assertThat(engine.diff(BASE)).isEmpty();
        try (RealOvs.UpdateCounter counter = real.updateCounter()) {
            int before = counter.count();
            String again = engine.apply(shown, 0, "test");
            String twice = engine.apply(BASE, 30, "test");
            assertThat(counter.count()).isEqualTo(before); // zero OVSDB transactions
            assertThat(engine.checkpoint(again).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
            assertThat(engine.checkpoint(twice).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
            assertThat(engine.checkpoint(twice).orElseThrow().changes()).isZero();
        }
    }

    @Test
    void partialDocumentsLeaveTheRestAlone() throws Exception {
        engine.apply(BASE, 0, "test");
        real.vsctl("add-port", "nsb0", "other", "--", "set", "Interface", "other", "type=internal", "external_ids:mine=yes");
        real.vsctl("set", "Bridge", "nsb0", "external_ids:theirs=1");
        engine.apply("""
                interfaces:
                - name: nsb0
                  type: ovs-bridge
                  bridge:
                    port:
                    - name: a1
                      vlan: {mode: access, tag: 11}
                  ovs-db:
                    external_ids: {owner: null, new: "2"}
                """, 0, "test");
        assertThat(real.vsctl("get", "Port", "a1", "tag")).isEqualTo("11");
        assertThat(real.vsctl("list-ports", "nsb0")).isEqualTo("a1\na2\nother\npa");
        assertThat(real.vsctl("get", "Bridge", "nsb0", "external_ids")).isEqualTo("{new=\"2\", theirs=\"1\"}");
        assertThat(real.vsctl("get", "Bridge", "nsb0", "fail_mode")).isEqualTo("secure");
        assertThat(real.vsctl("get", "Interface", "other", "external_ids:mine")).isEqualTo("yes");
    }

    @Test
    void invalidDocumentsChangeNothing() throws Exception {
        engine.apply(BASE, 0, "test");
        var before = real.dump();
        String bad = BASE.replace("tag: 10", "tag: 5000");
        assertThatThrownBy(() -> engine.apply(bad, 0, "test")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.getMessage()).isEqualTo("interfaces[0].bridge.port[0].vlan.tag: must be 0..4095, got 5000"));
        assertThatThrownBy(() -> engine.apply("interfaces:\n- name: ghost\n  type: ovs-interface\n", 0, "test"))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.argument()).isEqualTo("interfaces[0].name"));
        assertThat(real.dump()).isEqualTo(before);
    }

    @Test
    void rollbackRestoresTheBeforeImage() throws Exception {
        engine.apply(BASE, 0, "test");
        real.vsctl("set", "Port", "a1", "other_config:keep=me");
        var before = real.dump();
        String id = engine.apply("""
                interfaces:
                - name: nsb0
                  type: ovs-bridge
                  bridge:
                    options: {fail-mode: standalone}
                    port:
                    - name: a1
                      vlan: {mode: trunk, trunk-tags: [{id: 5}]}
                    - name: c1
                      vlan: {tag: 7}
                - name: nsb1
                  type: ovs-bridge
                  state: absent
                - name: c1
                  type: ovs-interface
                  mtu: 1300
                - name: a2
                  type: ovs-interface
                  state: absent
                - name: nsb2
                  type: ovs-bridge
                  bridge:
                    port:
                    - name: vx0
                """, 600, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.PENDING);
        assertThat(real.vsctl("list-br")).isEqualTo("nsb0\nnsb2");
        assertThat(real.vsctl("list-ports", "nsb2")).isEqualTo("vx0");
        assertThat(real.vsctl("list-ports", "nsb0")).isEqualTo("a1\nc1\npa");
        assertThat(real.dump()).isNotEqualTo(before);
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: nsb0, type: ovs-bridge, ovs-db: {external_ids: {x: y}}}\n", 0, "t"))
                .isInstanceOfSatisfying(NetStateException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CheckpointPending));
        engine.rollback(null, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(engine.checkpoint(id).orElseThrow().reason()).isEqualTo("rollback by test");
        assertThat(real.dump()).isEqualTo(before);
        assertThat(real.vsctl("get", "Port", "a1", "other_config:keep")).isEqualTo("me");
        assertThat(real.events).contains(id + " created pending", id + " rolledback rolled-back");
        assertThatThrownBy(() -> engine.commit(id, "test")).isInstanceOfSatisfying(NetStateException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.Failed));
        assertThatThrownBy(() -> engine.rollback(null, "test")).isInstanceOfSatisfying(NetStateException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.NotFound));
    }

    /**
     * {@code ingress-policing} is Interface {@code ingress_policing_rate}/{@code _burst} as ovs-vsctl reads them,
     * {@code Show()} writes it back so that applying it writes nothing, and a rollback restores the values that
     * were there before (not the schema defaults).
     */
    @Test
    void ingressPolicingIsAppliedShownReappliedAsANoopAndRolledBack() throws Exception {
        engine.apply(BASE, 0, "test");
        real.vsctl("set", "Interface", "a1", "ingress_policing_rate=500", "ingress_policing_burst=50");
        var before = real.dump();
        String doc = """
                interfaces:
                - name: a1
                  type: ovs-interface
                  ingress-policing: {rate-kbps: 10000, burst-kb: 1000}
                - name: a2
                  type: ovs-interface
                  ingress-policing: {rate-kbps: 2000}
                """;
        assertThat(engine.diff(doc)).extracting(Change::name, Change::field, Change::from, Change::to).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("a1", "ingress-policing.rate-kbps", 500L, 10000L),
                org.assertj.core.groups.Tuple.tuple("a1", "ingress-policing.burst-kb", 50L, 1000L),
                org.assertj.core.groups.Tuple.tuple("a2", "ingress-policing.rate-kbps", 0L, 2000L));
        String id = engine.apply(doc, 600, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.PENDING);
        assertThat(real.vsctl("get", "Interface", "a1", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("10000\n1000");
        assertThat(real.vsctl("get", "Interface", "a2", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("2000\n0");
        assertThat(real.vsctl("get", "Interface", "a1", "type", "mtu_request")).isEqualTo("internal\n1400"); // untouched

        String shown = engine.show();
        assertThat(shown).contains("ingress-policing:\n      rate-kbps: 10000\n      burst-kb: 1000\n",
                "ingress-policing:\n      rate-kbps: 2000\n");
        assertThat(engine.diff(shown)).isEmpty();
        try (RealOvs.UpdateCounter counter = real.updateCounter()) {
            int writes = counter.count();
            String again = engine.apply(shown, 0, "test");
            String twice = engine.apply(doc, 0, "test");
            assertThat(counter.count()).isEqualTo(writes); // zero OVSDB transactions
            assertThat(engine.checkpoint(again).orElseThrow().changes()).isZero();
            assertThat(engine.checkpoint(twice).orElseThrow().changes()).isZero();
        }

        engine.rollback(id, "test");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(real.vsctl("get", "Interface", "a1", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("500\n50");
        assertThat(real.vsctl("get", "Interface", "a2", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("0\n0");
        assertThat(real.dump()).isEqualTo(before);
        assertThat(engine.show()).contains("ingress-policing:\n      rate-kbps: 500\n      burst-kb: 50\n")
                .doesNotContain("rate-kbps: 2000");

        // removing the limit: rate 0 and burst 0, and Show() leaves the key out
        engine.apply("interfaces:\n- {name: a1, type: ovs-interface, ingress-policing: {rate-kbps: 0}}\n", 0, "test");
        assertThat(real.vsctl("get", "Interface", "a1", "ingress_policing_rate", "ingress_policing_burst")).isEqualTo("0\n0");
        assertThat(engine.show()).doesNotContain("ingress-policing");
    }

    /**
     * {@code mtu: null} empties {@code mtu_request} (ovs-vsctl reads {@code []}), is diffed from the old value to null,
     * rolled back to the before-image, and changes nothing where there is none.
     */
    @Test
    void nullMtuClearsMtuRequestAndIsRolledBack() throws Exception {
        engine.apply(BASE, 0, "test");
        var before = real.dump();
        String doc = "interfaces:\n- {name: a1, type: ovs-interface, mtu: null}\n- {name: a2, type: ovs-interface, mtu: null}\n";
        assertThat(engine.diff(doc)).containsExactly(new Change(Change.UPDATE, "interface", "a1", "mtu", 1400L, null, "interfaces[0]"));
        String id = engine.apply(doc, 600, "test");
        assertThat(real.vsctl("get", "Interface", "a1", "mtu_request")).isEqualTo("[]");
        assertThat(real.vsctl("get", "Interface", "a2", "mtu_request")).isEqualTo("[]");
        assertThat(engine.diff(doc)).isEmpty();
        String shown = engine.show();
        assertThat(shown).doesNotContain("mtu");
        assertThat(engine.diff(shown)).isEmpty();
        engine.rollback(id, "test");
        assertThat(real.vsctl("get", "Interface", "a1", "mtu_request")).isEqualTo("1400");
        assertThat(real.dump()).isEqualTo(before);
        // nothing to clear: no OVSDB transaction
        String none = "interfaces:\n- {name: a2, type: ovs-interface, mtu: null}\n";
        try (RealOvs.UpdateCounter counter = real.updateCounter()) {
            int writes = counter.count();
            String again = engine.apply(none, 0, "test");
            assertThat(engine.checkpoint(again).orElseThrow().changes()).isZero();
            assertThat(counter.count()).isEqualTo(writes);
        }
        // where mtu is not allowed, a null is refused with the path and rule, before anything changes
        assertThatThrownBy(() -> engine.apply("interfaces:\n- {name: a1, type: ovs-interface}\n- {name: v5, type: vlan, "
                + "vlan: {base-iface: a1, id: 5}, mtu: null}\n", 0, "test")).isInstanceOfSatisfying(
                        dev.ovs.base.InvalidArgumentException.class, e -> {
                            assertThat(e.argument()).isEqualTo("interfaces[1].mtu");
                            assertThat(e.rule()).contains("unknown key");
                        });
        assertThat(real.dump()).isEqualTo(before);
    }

    @Test
    void confirmTimeoutRollsBackAndCommitKeeps() throws Exception {
        engine.apply(BASE, 0, "test");
        var before = real.dump();
        String change = "interfaces:\n- name: nsb0\n  type: ovs-bridge\n  bridge:\n    port:\n    - {name: a1, vlan: {tag: 99}}\n    - name: c2\n- {name: c2, type: ovs-interface}\n";
        String id = engine.apply(change, 2, "test");
        Checkpoint cp = engine.checkpoint(id).orElseThrow();
        assertThat(cp.deadlineMicros() - cp.createdMicros()).isEqualTo(2_000_000L);
        assertThat(real.vsctl("get", "Port", "a1", "tag")).isEqualTo("99");
        long deadlineMillis = cp.deadlineMicros() / 1000;
        while (engine.checkpoint(id).orElseThrow().state() == Checkpoint.State.PENDING
                && System.currentTimeMillis() < deadlineMillis + 10_000) {
            Thread.sleep(50);
        }
        long late = System.currentTimeMillis() - deadlineMillis;
        System.out.println("confirm timeout: rolled back " + late + " ms after the deadline");
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(engine.checkpoint(id).orElseThrow().reason()).isEqualTo("confirm timeout");
        assertThat(real.dump()).isEqualTo(before);

        String id2 = engine.apply(change, 2, "test");
        engine.commit(null, "test");
        Thread.sleep(2500);
        assertThat(engine.checkpoint(id2).orElseThrow().state()).isEqualTo(Checkpoint.State.COMMITTED);
        assertThat(real.vsctl("get", "Port", "a1", "tag")).isEqualTo("99");
        assertThat(real.vsctl("list-ports", "nsb0")).contains("c2");
        assertThat(real.events).contains(id2 + " committed committed");
    }

    /** A port the document creates that someone else created between the read and the transaction: Conflict, nothing changed. */
    @Test
    void aConcurrentCreationIsAConflictAndNothingIsHalfApplied() throws Exception {
        engine.apply(BASE, 0, "test");
        engine.faultHook(step -> {
            if (step.equals("before-transaction")) {
                real.vsctl("add-port", "nsb1", "c4", "--", "set", "Interface", "c4", "type=internal");
            }
        });
        assertThatThrownBy(() -> engine.apply("""
                interfaces:
                - name: nsb0
                  type: ovs-bridge
                  bridge:
                    port:
                    - {name: a1, vlan: {mode: access, tag: 12}}
                    - {name: c4}
                - {name: c4, type: ovs-interface}
                """, 0, "test")).isInstanceOfSatisfying(NetStateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.Conflict);
                    assertThat(e.getMessage()).contains("created by someone else", "nothing was changed");
                });
        engine.faultHook(null);
        assertThat(real.vsctl("get", "Port", "a1", "tag")).isEqualTo("10");
        assertThat(real.vsctl("list-ports", "nsb0")).doesNotContain("c4");
        assertThat(real.vsctl("list-ports", "nsb1")).contains("c4");
    }

    @Test
    void aConcurrentChangeIsAConflictAndNothingIsHalfApplied() throws Exception {
        engine.apply(BASE, 0, "test");
        engine.faultHook(step -> {
            if (step.equals("before-transaction")) {
                real.vsctl("set", "Port", "a1", "tag=55");
            }
        });
        assertThatThrownBy(() -> engine.apply("""
                interfaces:
                - name: nsb0
                  type: ovs-bridge
                  bridge:
                    port:
                    - {name: a1, vlan: {mode: access, tag: 12}}
                    - {name: c3}
                - {name: c3, type: ovs-interface}
                - {name: nsb1, type: ovs-bridge, ovs-db: {external_ids: {x: "1"}}}
                """, 0, "test")).isInstanceOfSatisfying(NetStateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.Conflict);
                    assertThat(e.getMessage()).contains("nothing was changed");
                });
        engine.faultHook(null);
        assertThat(real.vsctl("get", "Port", "a1", "tag")).isEqualTo("55");
        assertThat(real.vsctl("list-ports", "nsb0")).doesNotContain("c3");
        assertThat(real.vsctl("get", "Bridge", "nsb1", "external_ids")).isEqualTo("{}");
        assertThat(engine.checkpoints().get(engine.checkpoints().size() - 1).state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
    }

    @Test
    void aFailedVerificationRollsBack() throws Exception {
        engine.apply(BASE, 0, "test");
        var before = real.dump();
        // a port on a kernel device that does not exist: ovs-vswitchd sets Interface.error
        assertThatThrownBy(() -> engine.apply("interfaces:\n- name: nsb0\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: nodev0\n",
                0, "test")).isInstanceOfSatisfying(NetStateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.Failed);
                    assertThat(e.getMessage()).contains("interface nodev0: ovs-vswitchd:").contains("rolled back");
                });
        assertThat(real.dump()).isEqualTo(before);
    }

    @Test
    void aNewEngineKeepsAPendingCheckpointAndItsDeadline() throws Exception {
        engine.apply(BASE, 0, "test");
        var before = real.dump();
        String id = engine.apply("interfaces:\n- {name: nsb1, type: ovs-bridge, state: absent}\n", 3, "test");
        long deadline = engine.checkpoint(id).orElseThrow().deadlineMicros();
        engine.close(); // a bundle update: the journal stays
        engine = real.engine();
        Checkpoint cp = engine.checkpoint(id).orElseThrow();
        assertThat(cp.state()).isEqualTo(Checkpoint.State.PENDING);
        assertThat(cp.deadlineMicros()).isEqualTo(deadline);
        assertThat(real.vsctl("list-br")).isEqualTo("nsb0");
        while (engine.checkpoint(id).orElseThrow().state() == Checkpoint.State.PENDING
                && System.currentTimeMillis() < deadline / 1000 + 10_000) {
            Thread.sleep(50);
        }
        assertThat(engine.checkpoint(id).orElseThrow().state()).isEqualTo(Checkpoint.State.ROLLED_BACK);
        assertThat(real.dump()).isEqualTo(before);
    }
}
