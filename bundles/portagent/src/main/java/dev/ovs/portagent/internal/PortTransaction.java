package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.NotAppliedException;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.PortAgentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The OVSDB part of a batch ({@link PortBatch}): every port change in <b>one</b> transaction (RFC 7047 §4.1.3
 * {@code transact}, operations of §5.2), committed with {@link VSwitch#commit(TransactionBuilder, Duration)} (the
 * VSwitch's connection, its {@code next_cfg} increment and its one wait for ovs-vswitchd, when the VSwitch waits:
 * {@code wait.for.vswitchd} of {@code dev.ovs.ovsdb}), and, when ovs-vswitchd does not confirm in time, the
 * transaction that puts the rows back as they were.
 *
 * <p>The transaction, in order: a {@code wait} (§5.2.6, {@code until "=="}, timeout 0) for every bridge it
 * changes and every port it removes or re-tags, that the row still exists under its name (someone else's
 * change in between aborts the whole transaction: {@code Conflict}); Interface + Port {@code insert}s of the
 * new ports (duplicate names are refused by the schema's unique indexes: {@code AlreadyExists}); one
 * {@code mutate} of {@code Bridge.ports} per bridge (insert of the new ports, delete of the removed ones: the
 * removed Port and Interface rows are then unreferenced and deleted by ovsdb-server, §4.1.3 garbage
 * collection); an {@code update} of {@code Port.tag} per re-tag. {@code VSwitch.commit} appends the
 * {@code Open_vSwitch.next_cfg} increment and its {@code select} and waits until ovs-vswitchd applied it
 * ({@code cur_cfg}, ovs-vswitchd.conf.db(5)), for at most the agent's {@code vswitchd.timeout.ms}. Column
 * semantics: ovs-vswitchd.conf.db(5). Not thread-safe: one batch builds and commits it.
 */
final class PortTransaction {
    /**
     * A new port: the host end of an attach.
     *
     * @param bridge           the bridge (must exist)
     * @param name             port and interface name ({@code <13 hex>_l})
     * @param ifaceExternalIds Interface {@code external_ids}
     * @param tag              Port {@code tag}, or null
     */
    record Insert(String bridge, String name, Map<String, String> ifaceExternalIds, VlanTag tag) {
    }

    /**
     * A port to remove, with its rows as they are now (to restore them).
     *
     * @param port   the Port row
     * @param ifaces its Interface rows
     */
    record Removal(PortInfo port, List<InterfaceInfo> ifaces) {
    }

    /**
     * A port whose tag changes; {@link PortInfo#tag()} is the tag before.
     *
     * @param port the Port row as it is now
     * @param tag  the new tag, or null to clear it
     */
    record Retag(PortInfo port, VlanTag tag) {
    }

    private final VSwitch vs;
    private final List<Insert> inserts = new ArrayList<>();
    private final List<Removal> removals = new ArrayList<>();
    private final List<Retag> retags = new ArrayList<>();

    /** @param vs the VSwitch whose connection and replica are used */
    PortTransaction(VSwitch vs) {
        this.vs = vs;
    }

    void add(Insert i) {
        inserts.add(i);
    }

    void remove(Removal r) {
        removals.add(r);
    }

    void retag(Retag r) {
        retags.add(r);
    }

    /** @return whether there is nothing to change */
    boolean isEmpty() {
        return inserts.isEmpty() && removals.isEmpty() && retags.isEmpty();
    }

    /** Indices of the operations whose results are needed after the commit. */
    private static final class Indices {
        final List<Integer> guards = new ArrayList<>();
        final List<String> guarded = new ArrayList<>();
        final List<Integer> portInserts = new ArrayList<>();
    }

    /**
     * Commits the transaction and waits for ovs-vswitchd ({@link VSwitch#commit(TransactionBuilder, Duration)}).
     * When this throws, OVSDB holds the rows as they were, except when the connection broke while the
     * transaction was in flight (its outcome is then unknown: the agent's reconcile removes a committed row whose
     * veth is gone).
     *
     * @param vswitchdTimeout how long to wait for ovs-vswitchd (unused when the VSwitch does not wait)
     * @param committed       runs after the commit and the wait (the fault hook of step {@code vswitchd}); what
     *                        it throws is handled like a failed wait: the transaction is undone, then rethrown
     * @throws PortAgentException Conflict (a guarded row changed meanwhile), AlreadyExists (a port name is
     *                            taken), NotFound (a bridge or port is gone from the replica), Timeout
     *                            (ovs-vswitchd did not confirm; the transaction was undone), Unavailable or
     *                            Failed (OVSDB)
     */
    void commit(Duration vswitchdTimeout, Runnable committed) {
        if (isEmpty()) {
            return;
        }
        Indices ix = new Indices();
        TransactionBuilder tx = build(ix);
        TransactResult r;
        try {
            r = vs.commit(tx, vswitchdTimeout);
        } catch (NotAppliedException e) {
            throw undone(e.committed(), ix, vswitchdTimeout, PortAgentImpl.map(e));
        } catch (OvsdbServerException e) {
            int g = ix.guards.indexOf(e.operationIndex());
            if (e.kind() == ErrorKind.Conflict && g >= 0) {
                throw new PortAgentException(ErrorKind.Conflict, ix.guarded.get(g)
                        + " was changed by someone else while the batch was prepared; nothing was changed", e);
            }
            if (e.kind() == ErrorKind.AlreadyExists) {
                throw new PortAgentException(ErrorKind.AlreadyExists, "OVSDB: a port or interface name of the batch "
                        + "already exists (" + e.details() + "); nothing was changed", e);
            }
            throw PortAgentImpl.map(e);
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
        try {
            committed.run();
        } catch (RuntimeException e) {
            throw undone(r, ix, vswitchdTimeout, e);
        }
    }

    /** Undoes a committed transaction ({@link #undo}); @return {@code cause}, with the undo's failure suppressed */
    private RuntimeException undone(TransactResult r, Indices ix, Duration vswitchdTimeout, RuntimeException cause) {
        try {
            undo(r, ix, vswitchdTimeout);
        } catch (RuntimeException u) {
            cause.addSuppressed(u);
        }
        return cause;
    }

    private TransactionBuilder build(Indices ix) {
        TransactionBuilder tx = vs.client().transaction(VSwitch.DB);
        Map<String, UUID> bridges = new LinkedHashMap<>();
        for (Insert i : inserts) {
            bridges.computeIfAbsent(i.bridge(), this::bridgeUuid);
        }
        for (Removal m : removals) {
            if (m.port().bridge() == null) {
                throw new PortAgentException(ErrorKind.NotFound, "port '" + m.port().name() + "' is on no bridge", null);
            }
            bridges.computeIfAbsent(m.port().bridge(), this::bridgeUuid);
        }
        for (Map.Entry<String, UUID> b : bridges.entrySet()) {
            guard(tx, ix, "Bridge", b.getValue(), b.getKey(), "bridge '" + b.getKey() + "'");
        }
        for (Removal m : removals) {
            guard(tx, ix, "Port", m.port().uuid(), m.port().name(), "port '" + m.port().name() + "'");
        }
        for (Retag t : retags) {
            guard(tx, ix, "Port", t.port().uuid(), t.port().name(), "port '" + t.port().name() + "'");
        }
        Map<String, Set<Object>> added = new LinkedHashMap<>();
        for (int k = 0; k < inserts.size(); k++) {
            Insert i = inserts.get(k);
            Map<String, Object> iface = new HashMap<>();
            iface.put("name", i.name());
            iface.put("external_ids", i.ifaceExternalIds());
            tx.insert("Interface", iface, "iface" + k);
            Map<String, Object> port = new HashMap<>();
            port.put("name", i.name());
            port.put("interfaces", new NamedUuid("iface" + k));
            if (i.tag() != null) {
                port.put("tag", (long) i.tag().value());
            }
            tx.insert("Port", port, "port" + k);
            ix.portInserts.add(tx.size() - 1);
            added.computeIfAbsent(i.bridge(), b -> new LinkedHashSet<>()).add(new NamedUuid("port" + k));
        }
        Map<String, Set<Object>> removed = new LinkedHashMap<>();
        for (Removal m : removals) {
            removed.computeIfAbsent(m.port().bridge(), b -> new LinkedHashSet<>()).add(m.port().uuid());
        }
        for (String b : bridges.keySet()) {
            List<Mutation> ms = new ArrayList<>();
            if (added.containsKey(b)) {
                ms.add(Mutation.insert("ports", added.get(b)));
            }
            if (removed.containsKey(b)) {
                ms.add(Mutation.delete("ports", removed.get(b)));
            }
            tx.mutate("Bridge", List.of(Condition.eq("_uuid", bridges.get(b))), ms);
        }
        for (Retag t : retags) {
            tx.update("Port", List.of(Condition.eq("_uuid", t.port().uuid())), Map.of("tag", tagValue(t.tag())));
        }
        return tx;
    }

    private UUID bridgeUuid(String name) {
        return vs.replica().byName("Bridge", name).map(Row::uuid).orElseThrow(() -> new PortAgentException(
                ErrorKind.NotFound, "no bridge named '" + name + "'", null));
    }

    /** A {@code wait} that the row {@code uuid} of {@code table} still has the name {@code name}. */
    private static void guard(TransactionBuilder tx, Indices ix, String table, UUID uuid, String name, String what) {
        tx.wait(table, List.of(Condition.eq("_uuid", uuid)), List.of("name"), true, List.of(Map.of("name", name)), 0L);
        ix.guards.add(tx.size() - 1);
        ix.guarded.add(what);
    }

    private static Object tagValue(VlanTag t) {
        return t == null ? Set.of() : (Object) (long) t.value();
    }

    /**
     * The transaction that restores the rows a committed transaction of this batch changed, then the wait for
     * ovs-vswitchd to apply it (so the ports work as before when the batch's failure is reported), both by
     * {@link VSwitch#commit(TransactionBuilder, Duration)}.
     */
    private void undo(TransactResult committed, Indices ix, Duration vswitchdTimeout) {
        TransactionBuilder tx = vs.client().transaction(VSwitch.DB);
        Map<String, Set<Object>> drop = new LinkedHashMap<>();
        for (int k = 0; k < inserts.size(); k++) {
            drop.computeIfAbsent(inserts.get(k).bridge(), b -> new LinkedHashSet<>())
                    .add(committed.uuid(ix.portInserts.get(k)));
        }
        Map<String, Set<Object>> restore = new LinkedHashMap<>();
        for (int k = 0; k < removals.size(); k++) {
            Removal m = removals.get(k);
            List<NamedUuid> ifaces = new ArrayList<>();
            for (int j = 0; j < m.ifaces().size(); j++) {
                InterfaceInfo i = m.ifaces().get(j);
                Map<String, Object> row = new HashMap<>();
                row.put("name", i.name());
                if (i.type() != null && !i.type().isEmpty()) {
                    row.put("type", i.type());
                }
                row.put("options", i.options());
                row.put("external_ids", i.externalIds());
                if (i.mtuRequest() != null) {
                    row.put("mtu_request", i.mtuRequest());
                }
                tx.insert("Interface", row, "ri" + k + "x" + j);
                ifaces.add(new NamedUuid("ri" + k + "x" + j));
            }
            PortInfo p = m.port();
            Map<String, Object> row = new HashMap<>();
            row.put("name", p.name());
            row.put("interfaces", new LinkedHashSet<>(ifaces));
            row.put("tag", tagValue(p.tag()));
            Set<Long> trunks = new LinkedHashSet<>();
            p.trunks().forEach(t -> trunks.add((long) t.value()));
            row.put("trunks", trunks);
            row.put("vlan_mode", p.vlanMode() == null ? Set.of() : p.vlanMode().column());
            row.put("external_ids", p.externalIds());
            row.put("other_config", p.otherConfig());
            tx.insert("Port", row, "rp" + k);
            restore.computeIfAbsent(p.bridge(), b -> new LinkedHashSet<>()).add(new NamedUuid("rp" + k));
        }
        Set<String> bridges = new LinkedHashSet<>(drop.keySet());
        bridges.addAll(restore.keySet());
        for (String b : bridges) {
            List<Mutation> ms = new ArrayList<>();
            if (drop.containsKey(b)) {
                ms.add(Mutation.delete("ports", drop.get(b)));
            }
            if (restore.containsKey(b)) {
                ms.add(Mutation.insert("ports", restore.get(b)));
            }
            tx.mutate("Bridge", List.of(Condition.eq("_uuid", bridgeUuid(b))), ms);
        }
        for (Retag t : retags) {
            tx.update("Port", List.of(Condition.eq("_uuid", t.port().uuid())), Map.of("tag", tagValue(t.port().tag())));
        }
        try {
            vs.commit(tx, vswitchdTimeout);
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
    }
}
