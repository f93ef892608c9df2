package dev.ovs.portagent.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.InterfaceInfo;
import dev.ovs.ovsdb.vswitch.PortInfo;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.PortChange;
import dev.ovs.portagent.PortSettings;
import dev.ovs.portagent.netlink.NetlinkException;
import dev.ovs.portagent.netlink.RtNetlink;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@link dev.ovs.portagent.PortAgent#apply(List, String)} call: validation of every change, the lookups,
 * the kernel steps of the attaches, one {@link PortTransaction} for OVSDB, the deletion of the detached
 * veths, and one ledger entry per change (see the API's Javadoc for the contract). Fault points of
 * {@link PortAgentImpl.Faults}: {@code bridge}, {@code veth}, {@code container-up}, {@code address},
 * {@code route}, {@code host-up} (per attach), {@code ovsdb} (before the transaction) and {@code vswitchd}
 * (after its commit and the wait for ovs-vswitchd: a failure there undoes the committed transaction). Bridges it
 * creates are marked {@link PortSteps#AUTO_KEY} until its transaction is committed.
 */
final class PortBatch {
    private static final SecureRandom IDS = new SecureRandom();

    private final PortAgentImpl agent;
    private final String caller;
    private final String batchId;

    /** One change: its ledger entry, what validation made of it and what the lookups found. */
    private static final class Item {
        final int index;
        final PortChange change;
        final String op;
        final Map<String, String> args = new LinkedHashMap<>();
        ContainerRef ref;
        AddRequest add;
        Container container;
        InterfaceInfo found;
        PortInfo port;
        String hostName;
        String error;

        Item(int index, PortChange change, int size, String batchId) {
            this.index = index;
            this.change = change;
            this.op = change instanceof PortChange.Attach ? "add-port" : change instanceof PortChange.Detach ? "del-port"
                    : "set-vlan";
            args.put("bridge", change.bridge());
            args.put("interface", change.iface());
            args.put("container", change.container());
            if (change instanceof PortChange.Attach a) {
                PortSettings s = a.settings();
                PortAgentImpl.putIf(args, "ipaddress", s.ipaddress());
                PortAgentImpl.putIf(args, "macaddress", s.macaddress());
                PortAgentImpl.putIf(args, "gateway", s.gateway());
                PortAgentImpl.putIf(args, "mtu", s.mtu());
                PortAgentImpl.putIf(args, "vlan", s.vlan());
            } else if (change instanceof PortChange.SetVlan v) {
                args.put("vlan", v.vlan() == null ? "none" : v.vlan().toString());
            }
            args.put("batch", batchId + " " + (index + 1) + "/" + size);
        }

        String at() {
            return "changes[" + index + "]";
        }

        String key() {
            return ref.text() + "\u0000" + change.iface();
        }
    }

    PortBatch(PortAgentImpl agent, String caller) {
        this.agent = agent;
        this.caller = caller;
        byte[] b = new byte[6];
        IDS.nextBytes(b);
        this.batchId = HexFormat.of().formatHex(b);
    }

    List<String> apply(List<PortChange> changes) {
        if (changes == null) {
            throw new InvalidArgumentException("changes", "must not be null");
        }
        for (int i = 0; i < changes.size(); i++) {
            if (changes.get(i) == null) {
                throw new InvalidArgumentException("changes[" + i + "]", "must not be null");
            }
        }
        if (changes.isEmpty()) {
            return List.of();
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            items.add(new Item(i, changes.get(i), changes.size(), batchId));
        }
        // one intent per change before anything else; if the ledger cannot take them all, nothing runs
        List<Ledger.Intent> intents = new ArrayList<>();
        try {
            for (Item it : items) {
                intents.add(agent.intent(caller, it.op, it.args));
            }
        } catch (RuntimeException e) {
            for (Ledger.Intent i : intents) {
                i.failed(e.getMessage());
            }
            throw e;
        }
        try {
            validate(items);
            run(items);
        } catch (RuntimeException e) {
            for (Item it : items) {
                intents.get(it.index).failed(e.getMessage());
                if (it.change instanceof PortChange.Attach && it.ref != null) {
                    agent.fire("failed", it.ref.text(), it.change.iface(), null, e.getMessage());
                }
            }
            throw e;
        }
        List<String> ports = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Item it : items) {
            ports.add(it.hostName);
            if (it.error == null) {
                intents.get(it.index).succeeded(it.hostName);
            } else {
                intents.get(it.index).failed(it.error);
            }
            if (it.error != null) {
                failed.add(it.at() + ": " + it.error);
            } else if (it.change instanceof PortChange.Attach) {
                agent.fire("created", it.ref.text(), it.change.iface(), it.hostName, null);
            } else if (it.change instanceof PortChange.Detach) {
                agent.fire("removed", it.ref.text(), it.change.iface(), it.hostName, null);
            }
        }
        if (!failed.isEmpty()) {
            throw new PortAgentException(ErrorKind.Failed, "the batch is committed in OVSDB, but "
                    + String.join("; ", failed), null);
        }
        return ports;
    }

    /** Step 1: every change checked, no side effect. */
    private static void validate(List<Item> items) {
        Map<String, Integer> seen = new HashMap<>();
        for (Item it : items) {
            try {
                PortChange c = it.change;
                if (c instanceof PortChange.Attach a) {
                    it.add = AddRequest.validate(a.bridge(), a.iface(), a.container(), a.settings());
                    it.ref = it.add.ref();
                } else {
                    InterfaceName.check("bridge", c.bridge());
                    InterfaceName.check("interface", c.iface());
                    it.ref = ContainerRef.parse("container", c.container());
                }
            } catch (InvalidArgumentException e) {
                throw e.under(it.at());
            }
            Integer before = seen.putIfAbsent(it.key(), it.index);
            if (before != null) {
                throw new InvalidArgumentException(it.at(), "container '" + it.ref.text() + "' interface '"
                        + it.change.iface() + "' is already changed by changes[" + before + "]; one change per port");
            }
        }
    }

    /** Steps 2 to 6. */
    private void run(List<Item> items) {
        VSwitch vs = agent.vs();
        lookups(vs, items);
        PortAgentImpl.Faults faults = agent.faults();
        RtNetlink hostNl;
        try {
            hostNl = agent.host().socket();
        } catch (NetlinkException e) {
            throw PortAgentImpl.map(e);
        }
        Deque<Runnable> undo = new ArrayDeque<>();
        List<String> ids = new ArrayList<>();
        try {
            Set<String> bridges = new LinkedHashSet<>();
            for (Item it : items) {
                if (it.add != null) {
                    bridges.add(it.add.bridge());
                }
            }
            ids.add(agent.steps().newId()); // in progress from here: reconcile leaves marked bridges alone
            List<String> created = new ArrayList<>();
            for (String b : bridges) {
                if (vs.replica().byName("Bridge", b).isEmpty()) {
                    agent.steps().createBridge(vs, b, undo); // marked, the VSwitch's default datapath_type
                    created.add(b);
                }
            }
            PortTransaction tx = new PortTransaction(vs);
            for (Item it : items) {
                if (it.add != null) {
                    String id = agent.steps().newId();
                    ids.add(id);
                    it.hostName = id + "_l";
                    agent.steps().createVeth(hostNl, id, it.add, it.container, undo);
                    agent.steps().configureContainerSide(it.container, it.add);
                    // up before ovs-vswitchd sees the device: nothing else changes its flags meanwhile
                    faults.before("host-up");
                    hostNl.setUp(it.hostName, true);
                    tx.add(new PortTransaction.Insert(it.add.bridge(), it.hostName, it.add.externalIds(),
                            it.add.vlan()));
                } else if (it.change instanceof PortChange.Detach) {
                    List<InterfaceInfo> ifaces = new ArrayList<>();
                    for (String n : it.port.interfaces()) {
                        vs.iface(n).ifPresent(ifaces::add);
                    }
                    tx.remove(new PortTransaction.Removal(it.port, ifaces));
                } else {
                    tx.retag(new PortTransaction.Retag(it.port, ((PortChange.SetVlan) it.change).vlan()));
                }
            }
            faults.before("ovsdb");
            tx.commit(Duration.ofMillis(agent.vswitchdTimeoutMillis()), () -> {
                faults.before("vswitchd");
                PortSteps.completed(vs, null, created); // the new bridges have their ports: no longer marked
            });
        } catch (NetlinkException e) {
            throw PortSteps.rollback(undo, PortAgentImpl.map(agent.host().checkSocket(hostNl, e)));
        } catch (OvsdbException e) {
            throw PortSteps.rollback(undo, PortAgentImpl.map(e));
        } catch (RuntimeException e) {
            throw PortSteps.rollback(undo, e);
        } finally {
            ids.forEach(agent.steps()::landed);
        }
        // step 6: the detached ports' veths (ovs-vswitchd has let go of them), in one link-group deletion
        List<Item> detached = new ArrayList<>();
        for (Item it : items) {
            if (it.change instanceof PortChange.Detach) {
                detached.add(it);
            }
        }
        if (detached.size() == 1) {
            Item it = detached.get(0);
            try {
                agent.host().deleteLink(hostNl, it.found.name());
            } catch (NetlinkException e) {
                it.error = "host veth " + it.found.name() + " not deleted: "
                        + PortAgentImpl.map(agent.host().checkSocket(hostNl, e)).getMessage();
            }
        } else if (!detached.isEmpty()) {
            try {
                hostNl.deleteLinks(detached.stream().map(it -> it.found.name()).toList());
            } catch (NetlinkException e) {
                String why = PortAgentImpl.map(agent.host().checkSocket(hostNl, e)).getMessage();
                for (Item it : detached) {
                    it.error = "host veth " + it.found.name() + " not deleted: " + why;
                }
            }
        }
    }

    /** Step 2: one listing of the container interfaces; existence checks; containers resolved. */
    private void lookups(VSwitch vs, List<Item> items) {
        Map<String, InterfaceInfo> byKey = new HashMap<>();
        try {
            for (InterfaceInfo i : vs.findInterfaces(Map.of())) {
                String id = i.externalIds().get("container_id");
                String iface = i.externalIds().get("container_iface");
                if (id != null && iface != null) {
                    byKey.putIfAbsent(id + "\u0000" + iface, i);
                }
            }
        } catch (OvsdbException e) {
            throw PortAgentImpl.map(e);
        }
        for (Item it : items) {
            InterfaceInfo existing = byKey.get(it.key());
            if (it.add != null) {
                if (existing != null) {
                    throw new PortAgentException(ErrorKind.AlreadyExists, it.at() + ": Port already attached for CONTAINER="
                            + it.ref.text() + " and INTERFACE=" + it.change.iface(), null);
                }
                try {
                    it.container = agent.resolver().resolve(it.ref);
                } catch (InvalidArgumentException e) {
                    throw e.under(it.at());
                }
            } else {
                if (existing == null) {
                    throw new PortAgentException(ErrorKind.NotFound, it.at() + ": Failed to find any attached port for "
                            + "CONTAINER=" + it.ref.text() + " and INTERFACE=" + it.change.iface(), null);
                }
                it.found = existing;
                it.hostName = existing.name();
                String name = PortAgentImpl.portOf(existing);
                it.port = vs.port(name).orElseThrow(() -> new PortAgentException(ErrorKind.NotFound,
                        it.at() + ": port '" + name + "' is gone", null));
            }
        }
    }
}
