package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortChange;
import dev.ovs.portagent.PortSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A port agent in memory for the tests of the D-Bus face: records every call as a line, throws {@link #toThrow}
 * when set, answers {@code listPorts} with one port and the ledger with fixed statistics (height 7).
 */
final class StubPortAgent implements PortAgent {
    /** One line per call, e.g. {@code add br0 eth1 c1 PortSettings[...] by dbus::1.4 uid=0 pid=77}. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile RuntimeException toThrow;

    private void maybeThrow() {
        RuntimeException e = toThrow;
        if (e != null) {
            throw e;
        }
    }

    @Override
    public String addPort(String bridge, String iface, String container, PortSettings s, String caller) {
        calls.add("add " + bridge + " " + iface + " " + container + " " + s + " by " + caller);
        maybeThrow();
        return "0123456789abc_l";
    }

    @Override
    public void deletePort(String bridge, String iface, String container, String caller) {
        calls.add("del " + bridge + " " + iface + " " + container);
        maybeThrow();
    }

    @Override
    public List<String> deletePorts(String bridge, String container, String caller) {
        calls.add("delall " + bridge + " " + container);
        return List.of();
    }

    @Override
    public void setVlan(String bridge, String iface, String container, VlanTag vlan, String caller) {
        calls.add("vlan " + iface + " " + vlan);
    }

    @Override
    public List<String> apply(List<PortChange> changes, String caller) {
        calls.add("apply " + changes.size());
        return List.of();
    }

    @Override
    public boolean deleteLink(String name, String caller) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ContainerPort> listPorts() {
        maybeThrow();
        return List.of(new ContainerPort("0123456789abc_l", "br0", "c1", "eth1", null));
    }

    @Override
    public LedgerStats ledgerStats() {
        return new LedgerStats(7, "ab".repeat(32), true, "t1", "t2", null, "/l");
    }

    @Override
    public LedgerStats verifyLedger() {
        calls.add("verify");
        return new LedgerStats(7, "ab".repeat(32), false, "t1", "t2", "line 3: hash mismatch", "/l");
    }

    @Override
    public List<LedgerEntry> ledgerTail(int n) {
        return List.of();
    }
}
