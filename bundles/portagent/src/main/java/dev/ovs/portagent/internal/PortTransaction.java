package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OperationResult;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.PortAgentException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The OVSDB part of a batch ({@link PortBatch}): every port change in <b>one</b> transaction (RFC 7047 §4.1.3
 * {@code transact}, operations of §5.2) on the VSwitch's connection, then <b>one</b> wait until ovs-vswitchd
 * applied it, and, when ovs-vswitchd does not confirm in time, the transaction that puts the rows back as
 * they were.
 *
 * <p>The transaction, in order: a {@code wait} (§5.2.6, {@code until "=="}, timeout 0) for every bridge it
 * changes and every port it removes or re-tags, that the row still exists under its name (someone else's
 * change in between aborts the whole transaction: {@code Conflict}); Interface + Port {@code insert}s of the
 * new ports (duplicate names are refused by the schema's unique indexes: {@code AlreadyExists}); one
 * {@code mutate} of {@code Bridge.ports} per bridge (insert of the new ports, delete of the removed ones: the
 * removed Port and Interface rows are then unreferenced and deleted by ovsdb-server, §4.1.3 garbage
 * collection); an {@code update} of {@code Port.tag} per re-tag; and {@code Open_vSwitch.next_cfg + 1} with
 * its {@code select}, as {@code ovs-vsctl} does, for the wait. Column semantics: ovs-vswitchd.conf.db(5).
 *
 * <p>The wait: until the VSwitch's replica shows {@code Open_vSwitch.cur_cfg >= next_cfg} (ovs-vswitchd
 * applied the change), woken by the replica's updates (no polling); skipped when ovs-vswitchd never ran
 * against the database ({@code cur_cfg} 0 and no datapath or interface types published). Not thread-safe:
 * one batch builds and commits it.
 */
final class PortTransaction {
    static final String DB = "Open_vSwitch";

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
        int select = -1;
    }

    /**
     * Commits the transaction and waits for ovs-vswitchd. When this throws, OVSDB holds the rows as they were,
     * except when the connection broke while the transaction was in flight (its outcome is then unknown: the
     * agent's reconcile removes a committed row whose veth is gone).
     *
     * @param timeoutMillis how long to wait for ovs-vswitchd
     * @param committed     runs after the commit, before the wait (the fault hook of step {@code vswitchd}); what
     *                      it throws is handled like a failed wait: the transaction is undone, then rethrown
     * @throws PortAgentException Conflict (a guarded row changed meanwhile), AlreadyExists (a port name is
     *                            taken), NotFound (a bridge or port is gone from the replica), Timeout
     *                            (ovs-vswitchd did not confirm; the transaction was undone), Unavailable or
     *                            Failed (OVSDB)
     */
    void commit(long timeoutMillis, Runnable committed) {
        if (isEmpty()) {
            return;
        }
        Indices ix = new Indices();
        TransactionBuilder tx = build(ix);
        TransactResult r;
        try {
            r = tx.execute();
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
        int err = r.errorIndex();
        if (err >= 0) {
            int g = ix.guards.indexOf(err);
            if (g >= 0) {
                throw new PortAgentException(ErrorKind.Conflict, ix.guarded.get(g)
                        + " was changed by someone else while the batch was prepared; nothing was changed", null);
            }
            OperationResult res = r.results().get(err);
            String d = res.details();
            if ("constraint violation".equals(res.error()) && d != null && d.contains("for index on column \"name\"")) {
                throw new PortAgentException(ErrorKind.AlreadyExists, "OVSDB: a port or interface name of the batch "
                        + "already exists (" + d + "); nothing was changed", null);
            }
            try {
                r.throwIfError();
            } catch (OvsdbException e) {
                throw PortAgentImpl.map(e);
            }
        }
        long next = r.results().get(ix.select).rows().get(0).getLong("next_cfg");
        try {
            committed.run();
            awaitVswitchd(vs.replica(), next, timeoutMillis);
        } catch (RuntimeException e) {
            try {
                undo(r, ix, timeoutMillis);
            } catch (RuntimeException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
    }

    private TransactionBuilder build(Indices ix) {
        TransactionBuilder tx = vs.client().transaction(DB);
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
        tx.mutate(DB, List.of(), List.of(Mutation.add("next_cfg", 1L)));
        tx.select(DB, List.of(), "next_cfg");
        ix.select = tx.size() - 1;
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
     * ovs-vswitchd to apply it (so the ports work as before when the batch's failure is reported).
     */
    private void undo(TransactResult committed, Indices ix, long timeoutMillis) {
        TransactionBuilder tx = vs.client().transaction(DB);
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
        tx.mutate(DB, List.of(), List.of(Mutation.add("next_cfg", 1L)));
        tx.select(DB, List.of(), "next_cfg");
        TransactResult r;
        try {
            r = tx.execute().throwIfError();
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
        awaitVswitchd(vs.replica(), r.results().get(tx.size() - 1).rows().get(0).getLong("next_cfg"), timeoutMillis);
    }

    /**
     * Waits until ovs-vswitchd applied configuration {@code next} ({@code Open_vSwitch.cur_cfg >= next} in the
     * replica), like {@code ovs-vsctl} without {@code --no-wait}; returns at once if ovs-vswitchd never ran
     * against the database.
     *
     * @throws PortAgentException Timeout after {@code timeoutMillis}, Failed if interrupted (the transaction was
     *                            committed in both cases)
     */
    static void awaitVswitchd(Replica replica, long next, long timeoutMillis) {
        if (!vswitchdSeen(ovsRow(replica))) {
            return;
        }
        Object lock = new Object();
        ReplicaListener wake = events -> {
            synchronized (lock) {
                lock.notifyAll();
            }
        };
        replica.addListener(wake);
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            synchronized (lock) {
                // checked under the lock after the listener is in place: no update is missed
                while (!curCfgReached(replica, next)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PortAgentException(ErrorKind.Timeout, "ovs-vswitchd did not apply the batch's "
                                + "transaction (next_cfg " + next + ") within " + timeoutMillis + " ms", null);
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortAgentException(ErrorKind.Failed, "interrupted while waiting for ovs-vswitchd", e);
        } finally {
            replica.removeListener(wake);
        }
    }

    private static Row ovsRow(Replica replica) {
        Iterator<Row> it = replica.rows(DB).iterator();
        return it.hasNext() ? it.next() : null;
    }

    private static boolean curCfgReached(Replica replica, long next) {
        Row o = ovsRow(replica);
        Long cur = o == null ? null : o.getLong("cur_cfg");
        return cur != null && cur >= next;
    }

    /**
     * ovs-vswitchd has run against the database if it ever applied a configuration ({@code cur_cfg > 0}) or
     * published the datapath or interface types it supports (it does so at startup).
     */
    private static boolean vswitchdSeen(Row ovs) {
        if (ovs == null) {
            return false;
        }
        Long cur = ovs.getLong("cur_cfg");
        return (cur != null && cur > 0) || !ovs.getSet("datapath_types").isEmpty() || !ovs.getSet("iface_types").isEmpty();
    }
}
