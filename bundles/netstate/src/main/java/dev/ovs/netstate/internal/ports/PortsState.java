package dev.ovs.netstate.internal.ports;

import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.ovsdb.Row;
import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.PortAgent;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The container ports now: the port agent's list ({@link PortAgent#listPorts()}: ports made by the agent and by
 * ovs-docker, found by their Interface {@code external_ids:container_id} and {@code container_iface}) with the
 * {@link Attachment} each one is recorded with (from the same Interface row of a snapshot). Ports whose Port row
 * is gone (no bridge) are left out. Immutable.
 */
public final class PortsState {
    /**
     * One container port.
     *
     * @param container container reference as stored
     * @param iface     interface name inside the container
     * @param hostPort  host-side port name
     * @param bridge    bridge of the port
     * @param tag       access VLAN, or null
     * @param recorded  recorded settings, or null when the port was attached outside the network state
     */
    public record Current(String container, String iface, String hostPort, String bridge, Long tag, Attachment recorded) {
        /** @return {@code container/iface} */
        public String key() {
            return container + "/" + iface;
        }

        /** @return the before-image of this port */
        public PortImage image() {
            return new PortImage(container, iface, true, hostPort, bridge, tag, recorded == null ? null : recorded.encode());
        }
    }

    private final Map<String, Current> byKey;

    private PortsState(Map<String, Current> byKey) {
        this.byKey = byKey;
    }

    /**
     * @param agent the port agent
     * @param s     a snapshot of the database the agent uses (for the records)
     * @return the container ports
     */
    public static PortsState read(PortAgent agent, OvsSnapshot s) {
        Map<String, Current> m = new TreeMap<>();
        for (ContainerPort p : agent.listPorts()) {
            if (p.bridge() == null || p.containerId() == null || p.containerIface() == null) {
                continue;
            }
            Row i = s.row("Interface", p.port());
            Attachment rec = null;
            if (i != null) {
                try {
                    Object text = i.getMap("external_ids").get(Attachment.KEY);
                    rec = Attachment.decode(text == null ? null : text.toString());
                } catch (IllegalArgumentException e) {
                    rec = null; // someone else's value under our key: not a record
                }
            }
            Current c = new Current(p.containerId(), p.containerIface(), p.port(), p.bridge(),
                    p.tag() == null ? null : (long) p.tag().value(), rec);
            m.put(c.key(), c);
        }
        return new PortsState(m);
    }

    /**
     * @param ports the ports (tests; {@link #read} otherwise)
     * @return a state of exactly these ports
     */
    static PortsState of(Collection<Current> ports) {
        Map<String, Current> m = new TreeMap<>();
        ports.forEach(c -> m.put(c.key(), c));
        return new PortsState(m);
    }

    /**
     * @param key {@code container/iface}
     * @return the port, or null
     */
    public Current get(String key) {
        return byKey.get(key);
    }

    /** @return every port, sorted by key */
    public Collection<Current> all() {
        return byKey.values();
    }
}
