package dev.ovs.ovsdb.vswitch.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.TestOvsdb;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * addPort sends no "wait name absent" guards where the schema has unique name indexes: the server's own
 * index refuses duplicates. This checks that the real ovsdb-server's commit error is recognised for both
 * tables (the replica pre-check normally catches duplicates first, so only a race reaches this path).
 */
class AddPortIndexIT {
    @Test
    void duplicateNamesAreRecognisedFromTheServersIndexError() throws Exception {
        try (TestOvsdb s = TestOvsdb.start(); OvsdbClient c = OvsdbClients.connect(ClientOptions.of(s.remote()))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(5))).isTrue();
            assertThat(c.schema("Open_vSwitch").table("Port").hasIndexOn("name")).isTrue();
            assertThat(c.schema("Open_vSwitch").table("Interface").hasIndexOn("name")).isTrue();
            s.vsctl("add-br", "ib0", "--", "add-port", "ib0", "ip1");
            // a Port named ip1 again (with a fresh interface name)
            TransactResult r = TransactionBuilder.join(c.transaction("Open_vSwitch")
                    .insert("Interface", Map.of("name", "other"), "i")
                    .insert("Port", Map.of("name", "ip1", "interfaces", new NamedUuid("i")), "p")
                    .mutate("Bridge", java.util.List.of(dev.ovs.ovsdb.Condition.eq("name", "ib0")),
                            java.util.List.of(dev.ovs.ovsdb.Mutation.insert("ports", new NamedUuid("p"))))
                    .executeAsync());
            assertThat(r.errorIndex()).isEqualTo(3); // the commit
            assertThat(VSwitchImpl.indexViolation(r.results().get(r.errorIndex()))).isEqualTo("Port");
            // an Interface named ip1 again
            r = TransactionBuilder.join(c.transaction("Open_vSwitch")
                    .insert("Interface", Map.of("name", "ip1"), "i")
                    .insert("Port", Map.of("name", "other", "interfaces", new NamedUuid("i")), "p")
                    .mutate("Bridge", java.util.List.of(dev.ovs.ovsdb.Condition.eq("name", "ib0")),
                            java.util.List.of(dev.ovs.ovsdb.Mutation.insert("ports", new NamedUuid("p"))))
                    .executeAsync());
            assertThat(VSwitchImpl.indexViolation(r.results().get(r.errorIndex()))).isEqualTo("Interface");
            assertThat(s.vsctl("list-ports", "ib0").trim()).isEqualTo("ip1"); // nothing changed
            // other errors are not mistaken for a duplicate name
            r = TransactionBuilder.join(c.transaction("Open_vSwitch")
                    .insert("Port", Map.of("name", "lonely"), "p")
                    .mutate("Bridge", java.util.List.of(dev.ovs.ovsdb.Condition.eq("name", "ib0")),
                            java.util.List.of(dev.ovs.ovsdb.Mutation.insert("ports", new NamedUuid("p"))))
                    .executeAsync());
            assertThat(r.errorIndex()).isGreaterThanOrEqualTo(0);
            assertThat(VSwitchImpl.indexViolation(r.results().get(r.errorIndex()))).isNull();
        }
    }
}
