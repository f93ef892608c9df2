package dev.ovs.netstate.internal.ports;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.PortChange;
import dev.ovs.portagent.Validate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Compares {@link PortTarget}s with the {@link PortsState} and turns the difference into two batches of the port
 * agent ({@link dev.ovs.portagent.PortAgent#apply(List, String)}): first the detaches and VLAN changes, then the
 * attaches. A port that must change its bridge or its address, MAC, MTU or gateway, or lose one of them (a setting given
 * as {@code null}), is detached in the first batch and attached again in the second (the agent sets them only at add-port;
 * one batch holds one change per port); the settings the document does not name are kept.
 *
 * <p>The network state replaces or detaches only ports it attached itself (their settings are recorded,
 * {@link Attachment}): for any other port a rollback could not bring back what the container had, so a document
 * asking for that is refused; only its VLAN may change. Before-images ({@link #restore}) may do anything.
 */
public final class PortsPlanner {
    /** {@link Change#kind()} of container ports: {@value}. */
    public static final String KIND = "container-port";

    private PortsPlanner() {
    }

    /**
     * @param detach       first batch: {@link PortChange.Detach} and {@link PortChange.SetVlan}
     * @param detachPaths  document path of each change of {@code detach} (null for a before-image)
     * @param attach       second batch: {@link PortChange.Attach}
     * @param attachPaths  document path of each change of {@code attach}
     * @param attachWith   the settings to record for each change of {@code attach}
     * @param changes      the changes as {@code NetState.diff} reports them
     * @param images       before-images of every port the batches touch
     */
    public record Plan(List<PortChange> detach, List<String> detachPaths, List<PortChange> attach, List<String> attachPaths,
            List<Attachment> attachWith, List<Change> changes, List<PortImage> images) {
        /** @return true when nothing needs to change */
        public boolean isEmpty() {
            return detach.isEmpty() && attach.isEmpty();
        }
    }

    /**
     * @param d a document
     * @return its {@code container-ports[]} as targets
     */
    public static List<PortTarget> targets(Doc d) {
        List<PortTarget> out = new ArrayList<>();
        for (Doc.ContainerPort c : d.containerPorts()) {
            out.add(new PortTarget(c.path(), c.container(), c.iface(), !c.absent(), c.bridge(), c.absent() ? null : Attachment.of(c),
                    false, c.vlanGiven(), c.vlan(), c.cleared()));
        }
        return out;
    }

    /**
     * @param images before-images from a journal
     * @return targets that bring every port back: absent where it did not exist, else on its bridge with its tag
     *         and (when recorded) exactly its settings
     */
    public static List<PortTarget> restore(List<PortImage> images) {
        List<PortTarget> out = new ArrayList<>();
        for (PortImage i : images) {
            out.add(new PortTarget(null, i.container(), i.iface(), i.existed(), i.bridge(), Attachment.decode(i.settings()), true,
                    true, i.tag(), Set.of()));
        }
        return out;
    }

    /**
     * @param targets      targets
     * @param now          the container ports now
     * @param bridgeAfter  whether a bridge exists once the document's Open vSwitch changes are made (null: not
     *                     checked, for before-images)
     * @param removed      bridges the document removes (container ports on them cannot be named)
     * @return the plan
     * @throws InvalidArgumentException naming the document path: a bridge that will not exist, a port on a bridge
     *                                  the document removes, a port attached outside the network state that
     *                                  would have to be detached or replaced (also to clear a setting), a port
     *                                  attached again whose gateway would not fit its address, or a second port of a
     *                                  container with a gateway of the same family (one default route per container)
     */
    public static Plan plan(List<PortTarget> targets, PortsState now, Predicate<String> bridgeAfter, Set<String> removed) {
        List<PortChange> detach = new ArrayList<>();
        List<String> detachPaths = new ArrayList<>();
        List<PortChange> attach = new ArrayList<>();
        List<String> attachPaths = new ArrayList<>();
        List<Attachment> attachWith = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        Map<String, PortImage> images = new LinkedHashMap<>();
        for (PortTarget t : targets) {
            PortsState.Current cur = now.get(t.key());
            boolean fromDoc = t.path() != null;
            if (fromDoc && cur != null && removed.contains(cur.bridge())) {
                throw new InvalidArgumentException(t.path(), "the port of container '" + t.container() + "' interface '" + t.iface()
                        + "' is on bridge '" + cur.bridge() + "', which the document removes; detach it first");
            }
            if (fromDoc && t.present() && bridgeAfter != null && !bridgeAfter.test(t.bridge())) {
                throw new InvalidArgumentException(t.path() + ".bridge", "bridge '" + t.bridge()
                        + "' does not exist and the document does not create it (an ovs-bridge entry in interfaces)");
            }
            if (!t.present()) {
                if (cur == null) {
                    continue;
                }
                refuseUnrecorded(t, cur, "detached");
                detach.add(new PortChange.Detach(cur.bridge(), t.iface(), t.container()));
                detachPaths.add(t.path());
                Map<String, Object> was = shown(cur.bridge(), cur.recorded(), cur.tag(), true);
                changes.add(new Change(Change.DELETE, KIND, t.key(), null, was, null, t.path()));
                images.putIfAbsent(t.key(), cur.image());
                continue;
            }
            if (cur == null) {
                Attachment with = t.settings() == null ? Attachment.NONE : t.settings();
                attach.add(new PortChange.Attach(t.bridge(), t.iface(), t.container(), with.settings(t.vlan())));
                attachPaths.add(t.path());
                attachWith.add(with);
                changes.add(new Change(Change.CREATE, KIND, t.key(), null, null, shown(t.bridge(), with, t.vlan(), t.vlanGiven()),
                        t.path()));
                images.putIfAbsent(t.key(), new PortImage(t.container(), t.iface(), false, null, null, null, null));
                continue;
            }
            List<String> differ = new ArrayList<>();
            if (t.settings() != null) {
                if (cur.recorded() == null) {
                    // nothing is known about the port's settings: every given one must be set
                    differ.addAll(Attachment.NONE.differingGiven(t.settings()));
                } else {
                    differ.addAll(t.exact() ? cur.recorded().differing(t.settings()) : cur.recorded().differingGiven(t.settings()));
                }
            }
            if (!t.exact()) {
                // settings given as null must go; nothing is known about an unrecorded port's, so it may have any
                for (String k : cur.recorded() == null ? List.copyOf(t.cleared()) : cur.recorded().having(t.cleared())) {
                    if (!differ.contains(k)) {
                        differ.add(k);
                    }
                }
            }
            boolean moves = !t.bridge().equals(cur.bridge());
            Long vlan = t.vlanGiven() ? t.vlan() : cur.tag();
            if (moves || !differ.isEmpty()) {
                refuseUnrecorded(t, cur, "replaced (to change its " + (moves ? "bridge" : String.join(", ", differ)) + ")");
                Attachment base = cur.recorded() == null ? Attachment.NONE : cur.recorded();
                Attachment with = t.exact() ? t.settings() : base.with(t.settings()).without(t.cleared());
                if (!t.exact()) {
                    checkGateway(t, base, with);
                }
                detach.add(new PortChange.Detach(cur.bridge(), t.iface(), t.container()));
                detachPaths.add(t.path());
                attach.add(new PortChange.Attach(t.bridge(), t.iface(), t.container(), with.settings(vlan)));
                attachPaths.add(t.path());
                attachWith.add(with);
                if (moves) {
                    changes.add(new Change(Change.UPDATE, KIND, t.key(), "bridge", cur.bridge(), t.bridge(), t.path()));
                }
                Map<String, Object> from = base.fields();
                with.fields().forEach((k, v) -> {
                    if (!Objects.equals(v, from.get(k))) {
                        changes.add(new Change(Change.UPDATE, KIND, t.key(), k, from.get(k), v, t.path()));
                    }
                });
                if (!Objects.equals(vlan, cur.tag())) {
                    changes.add(new Change(Change.UPDATE, KIND, t.key(), "vlan", cur.tag(), vlan, t.path()));
                }
                images.putIfAbsent(t.key(), cur.image());
            } else if (!Objects.equals(vlan, cur.tag())) {
                detach.add(new PortChange.SetVlan(cur.bridge(), t.iface(), t.container(), vlan == null ? null : VlanTag.of(vlan)));
                detachPaths.add(t.path());
                changes.add(new Change(Change.UPDATE, KIND, t.key(), "vlan", cur.tag(), vlan, t.path()));
                images.putIfAbsent(t.key(), cur.image());
            }
        }
        if (bridgeAfter != null) {
            checkOneDefaultRoute(now, detach, attach, attachPaths, attachWith);
        }
        return new Plan(List.copyOf(detach), detachPaths, List.copyOf(attach), attachPaths, List.copyOf(attachWith),
                List.copyOf(changes), List.copyOf(images.values()));
    }

    /**
     * The port agent gives a port with a gateway the container's default route of that family ({@code ip route add default
     * via GW} in the container), and a container has one: a second port of the same container with a gateway of the same
     * family fails at attach ({@code EEXIST}) half-way through an apply. Checked here, before anything changes, on the ports
     * as they are after the batches: those kept with a recorded gateway (not detached) and those attached with one.
     * Ports attached outside the network state are not known to have a gateway and are not counted.
     *
     * @throws InvalidArgumentException naming the {@code gateway} of the document's entry that would add the second one
     */
    private static void checkOneDefaultRoute(PortsState now, List<PortChange> detach, List<PortChange> attach, List<String> attachPaths,
            List<Attachment> attachWith) {
        Set<String> detached = new java.util.HashSet<>();
        for (PortChange c : detach) {
            if (c instanceof PortChange.Detach d) {
                detached.add(d.container() + "/" + d.iface());
            }
        }
        Map<String, String> holder = new TreeMap<>(); // container + family -> "interface 'I' (gateway G)"
        for (PortsState.Current c : now.all()) {
            if (c.recorded() != null && c.recorded().gateway() != null && !detached.contains(c.key())) {
                holder.put(c.container() + " " + family(c.recorded().gateway()), "interface '" + c.iface() + "' (gateway "
                        + c.recorded().gateway() + ", kept)");
            }
        }
        for (int i = 0; i < attach.size(); i++) {
            String gw = attachWith.get(i).gateway();
            if (gw == null || !(attach.get(i) instanceof PortChange.Attach a)) {
                continue;
            }
            Attachment w = attachWith.get(i);
            if (attachPaths.get(i) != null && w.ipv4() == null && w.ipv6() == null
                    && !Validate.gateway(attachPaths.get(i) + ".gateway", gw, null).isLinkLocalAddress()) {
                // the port agent puts the route on the port's interface only when the port has an address; without
                // one it would go on another interface of the container and outlive the port (not rolled back)
                throw new InvalidArgumentException(attachPaths.get(i) + ".gateway", "needs an address of its family on the "
                        + "same port (ipv4 or ipv6), so that the default route goes on interface '" + a.iface()
                        + "' and with it; got gateway " + gw + " without one");
            }
            String other = holder.putIfAbsent(a.container() + " " + family(gw), "interface '" + a.iface() + "' (gateway " + gw + ", "
                    + attachPaths.get(i) + ")");
            if (other != null) {
                throw new InvalidArgumentException(attachPaths.get(i) + ".gateway", "container '" + a.container() + "' would get a "
                        + "second " + family(gw) + " default route (gateway " + gw + " on interface '" + a.iface() + "'), but "
                        + other + " gives it one already: a container has one default route per family; give a gateway to one "
                        + "of its ports only (gateway: null on the other)");
            }
        }
    }

    private static String family(String gateway) {
        return gateway.contains(":") ? "IPv6" : "IPv4";
    }

    /**
     * A port attached again keeps its recorded gateway unless the document gives one: that gateway must still fit the
     * address the port gets (the port agent's rule, {@link Validate#gateway}), checked here before anything changes.
     */
    private static void checkGateway(PortTarget t, Attachment base, Attachment with) {
        if (with.gateway() == null || t.path() == null) {
            return;
        }
        boolean gatewayGiven = t.settings() != null && t.settings().gateway() != null;
        String address = with.ipv4() != null ? with.ipv4() : with.ipv6();
        if (address == null) {
            String was = base.ipv4() != null ? "ipv4" : base.ipv6() != null ? "ipv6" : null;
            if (was != null && !gatewayGiven) {
                throw new InvalidArgumentException(t.path() + "." + was, "null removes the address " + (base.ipv4() != null
                        ? base.ipv4() : base.ipv6()) + ", but the port would keep its gateway " + with.gateway()
                        + ": give gateway: null too (or an address)");
            }
            return;
        }
        try {
            Validate.gateway(t.path() + ".gateway", with.gateway(), Validate.cidr(t.path() + "." + (with.ipv4() != null ? "ipv4" : "ipv6"),
                    address));
        } catch (InvalidArgumentException e) {
            if (gatewayGiven) {
                throw new InvalidArgumentException(t.path() + ".gateway", e.rule() + " (the port's address)");
            }
            throw new InvalidArgumentException(t.path() + "." + (with.ipv4() != null ? "ipv4" : "ipv6"), "the port would keep its gateway "
                    + with.gateway() + ", which does not fit the address " + address + " (" + e.rule()
                    + "): give gateway too (a new one, or null)");
        }
    }

    private static void refuseUnrecorded(PortTarget t, PortsState.Current cur, String what) {
        if (t.path() != null && cur.recorded() == null) {
            throw new InvalidArgumentException(t.path(), "the port of container '" + t.container() + "' interface '" + t.iface()
                    + "' (" + cur.hostPort() + ") was attached outside the network state (no external_ids:" + Attachment.KEY
                    + "), so a rollback could not restore its address, MAC, MTU and gateway: it cannot be " + what
                    + " by a document; only its vlan can change (detach it with the port agent)");
        }
    }

    /** A port's fields as a change shows them (only set ones). */
    private static Map<String, Object> shown(String bridge, Attachment a, Long vlan, boolean vlanShown) {
        Map<String, Object> m = new TreeMap<>();
        m.put("bridge", bridge);
        if (a != null) {
            a.fields().forEach((k, v) -> {
                if (v != null) {
                    m.put(k, v);
                }
            });
        }
        if (vlanShown && vlan != null) {
            m.put("vlan", vlan);
        }
        return m;
    }

    /**
     * @param now the container ports
     * @return the {@code container-ports[]} entries that describe them (sorted by container, interface): bridge,
     *         the VLAN when tagged, and the recorded settings
     */
    public static List<Doc.ContainerPort> show(PortsState now) {
        List<Doc.ContainerPort> out = new ArrayList<>();
        for (PortsState.Current c : now.all()) {
            Attachment a = c.recorded() == null ? Attachment.NONE : c.recorded();
            out.add(new Doc.ContainerPort("container-ports[" + out.size() + "]", c.container(), c.iface(), false, c.bridge(), a.ipv4(),
                    a.ipv6(), a.mac(), a.mtu(), a.gateway(), c.tag() != null, c.tag()));
        }
        return out;
    }
}
