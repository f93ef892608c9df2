package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line parsing of the port:* commands against a recording PortAgent. */
class PortCommandsTest {
    private final List<String> calls = new ArrayList<>();
    private final PortAgent stub = new PortAgent() {
        @Override
        public String addPort(String bridge, String iface, String container, PortSettings s, String caller) {
            calls.add("add " + bridge + " " + iface + " " + container + " " + s + " by " + caller);
            return "0123456789abc_l";
        }

        @Override
        public void deletePort(String bridge, String iface, String container, String caller) {
            calls.add("del " + bridge + " " + iface + " " + container);
        }

        @Override
        public List<String> deletePorts(String bridge, String container, String caller) {
            calls.add("delall " + bridge + " " + container);
            return List.of("a_l", "b_l");
        }

        @Override
        public void setVlan(String bridge, String iface, String container, dev.ovs.ovsdb.vswitch.VlanTag vlan, String caller) {
            calls.add("vlan " + iface + " " + vlan);
        }

        @Override
        public List<String> apply(List<dev.ovs.portagent.PortChange> changes, String caller) {
            calls.add("apply " + changes.size());
            return List.of();
        }

        @Override
        public boolean deleteLink(String name, String caller) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ContainerPort> listPorts() {
            return List.of(new ContainerPort("0123456789abc_l", "br0", "c1", "eth1", dev.ovs.ovsdb.vswitch.VlanTag.of(10)));
        }

        @Override
        public LedgerStats ledgerStats() {
            return new LedgerStats(2, "ab", true, "t1", "t2", null, "/x");
        }

        @Override
        public LedgerStats verifyLedger() {
            return new LedgerStats(2, "ab", false, "t1", "t2", "line 2: hash mismatch (entry altered)", "/x");
        }

        @Override
        public List<LedgerEntry> ledgerTail(int n) {
            return List.of(new LedgerEntry(2, "t2", "shell", "del-port", Map.of("bridge", "br0"), "ok", "p", "h"));
        }
    };
    private final PortCommands cmd = new PortCommands(stub);

    @Test
    void addParsesOvsDockerOptions() {
        assertThat(cmd.add(null, "br0", "eth1", "c1", "--ipaddress=10.0.0.2/24", "--mtu=1450", "--vlan=7", "--macaddress=02:00:00:00:00:01",
                "--gateway=10.0.0.1")).isEqualTo("0123456789abc_l");
        assertThat(calls).containsExactly("add br0 eth1 c1 PortSettings[ipaddress=10.0.0.2/24, macaddress=02:00:00:00:00:01, "
                + "gateway=10.0.0.1, mtu=1450, vlan=7] by shell");
        assertThatThrownBy(() -> cmd.add(null, "br0", "eth1")).hasMessageStartingWith("usage: port:add");
        assertThatThrownBy(() -> cmd.add(null, "br0", "eth1", "c1", "--color=red")).hasMessageContaining("unknown key 'color'");
        assertThatThrownBy(() -> cmd.add(null, "br0", "eth1", "c1", "--mtu=big")).hasMessage("mtu: must be an integer");
        assertThatThrownBy(() -> cmd.add(null, "br0", "eth1", "c1", "--mtu")).hasMessageContaining("needs =VALUE");
    }

    @Test
    void otherCommands() {
        assertThat(cmd.del(null, "br0", "eth1", "c1")).isEqualTo("deleted eth1 of c1");
        assertThat(cmd.delall(null, "br0", "c1")).isEqualTo("a_l\nb_l");
        assertThat(cmd.setvlan(null, "br0", "eth1", "c1", "12")).isEqualTo("tag 12 on eth1 of c1");
        assertThatThrownBy(() -> cmd.setvlan(null, "br0", "eth1", "c1", "x")).hasMessageStartingWith("vlan: ");
        assertThat(calls).containsExactly("del br0 eth1 c1", "delall br0 c1", "vlan eth1 12");
        assertThat(cmd.list()).contains("0123456789abc_l").contains("br0").contains("eth1").contains("c1").endsWith("10");
        assertThat(cmd.ledger()).contains("\"height\":2").contains("\"verified\":true");
        assertThat(cmd.ledger("verify")).startsWith("TAMPERED: ").contains("line 2: hash mismatch");
        assertThat(cmd.ledger("tail", "5")).isEqualTo("2 t2 shell del-port {bridge=br0} -> ok");
        assertThatThrownBy(() -> cmd.ledger("bogus")).hasMessageStartingWith("usage: port:ledger");
    }
}
