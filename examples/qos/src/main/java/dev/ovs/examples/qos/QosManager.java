package dev.ovs.examples.qos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.Topics;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactResult;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * QoS of OVS ports (ovs-vswitchd.conf.db(5): Interface "Ingress Policing", QoS type linux-htb, Queue max-rate).
 * Every change is one OVSDB transaction; QoS and Queue rows this bundle creates carry
 * {@code external_ids:created-by=dev.ovs.examples.qos} and are deleted again by {@link #clear} and when replaced
 * by {@link #setEgressLimit} (QoS and Queue are root tables: nothing else would remove them).
 */
public final class QosManager {
    /** external_ids key/value marking rows owned by this bundle. */
    public static final String OWNER_KEY = "created-by";
    /** Owner value. */
    public static final String OWNER = "dev.ovs.examples.qos";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VSwitch vswitch;
    private final EventBus bus;

    /**
     * @param vswitch OVSDB access (required)
     * @param bus     bus for {@code qos.port.<name>.changed}, or null
     */
    public QosManager(VSwitch vswitch, EventBus bus) {
        if (vswitch == null) {
            throw new InvalidArgumentException("vswitch", "must not be null");
        }
        this.vswitch = vswitch;
        this.bus = bus;
    }

    private static OvsdbException notFound(String what) {
        return new OvsdbException(ErrorKind.NotFound, "not found", what);
    }

    /**
     * Interface ingress_policing_rate (kbit/s, 0 = off) and ingress_policing_burst (kbit, 0 = default).
     *
     * @param iface    interface name
     * @param rateKbps 0..4294967295 kbit/s
     * @param burstKb  0..4294967295 kbit
     * @throws InvalidArgumentException bad name or a negative / > 2^32-1 value (nothing changed)
     * @throws OvsdbException NotFound if there is no such interface
     */
    public void setIngressPolicing(String iface, long rateKbps, long burstKb) {
        InterfaceName.check("interface", iface);
        if (rateKbps < 0 || rateKbps > 0xFFFFFFFFL) {
            throw new InvalidArgumentException("rate_kbps", "must be 0..4294967295 kbit/s, got " + rateKbps);
        }
        if (burstKb < 0 || burstKb > 0xFFFFFFFFL) {
            throw new InvalidArgumentException("burst_kb", "must be 0..4294967295 kbit, got " + burstKb);
        }
        TransactResult r = vswitch.client().transaction(VSwitch.DB).update("Interface", List.of(Condition.eq("name", iface)),
                Map.of("ingress_policing_rate", rateKbps, "ingress_policing_burst", burstKb)).execute();
        if (r.results().get(0).count() != 1) {
            throw notFound("no Interface named '" + iface + "'");
        }
        vswitch.replica().sync();
        vswitch.replica().byName("Interface", iface).map(i -> portOf(i.uuid())).ifPresent(this::publish);
    }

    /**
     * Egress limit: a new linux-htb QoS row (other_config:max-rate) with one Queue (queue 0, other_config:max-rate),
     * referenced by Port.qos. A previous QoS created by this bundle on the port is deleted with its queues in the
     * same transaction.
     *
     * @param port       port name
     * @param maxRateBps 1..Long.MAX_VALUE bit/s
     * @throws InvalidArgumentException bad name or rate (nothing changed)
     * @throws OvsdbException NotFound if there is no such port
     */
    public void setEgressLimit(String port, long maxRateBps) {
        InterfaceName.check("port", port);
        if (maxRateBps <= 0) {
            throw new InvalidArgumentException("max_rate_bps", "must be 1..9223372036854775807 bit/s, got "
                    + Long.toUnsignedString(maxRateBps));
        }
        Row p = portRow(port);
        String rate = Long.toString(maxRateBps);
        TransactionBuilder tx = vswitch.client().transaction(VSwitch.DB);
        tx.insert("Queue", Map.of("other_config", Map.of("max-rate", rate), "external_ids", Map.of(OWNER_KEY, OWNER)), "q0");
        tx.insert("QoS", Map.of("type", "linux-htb", "other_config", Map.of("max-rate", rate),
                "queues", Map.of(0L, new NamedUuid("q0")), "external_ids", Map.of(OWNER_KEY, OWNER)), "qos0");
        tx.update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", new NamedUuid("qos0")));
        int check = tx.size() - 1;
        deleteOwned(tx, p.getUuid("qos"));
        TransactResult r = tx.execute();
        if (r.results().get(check).count() != 1) {
            throw notFound("Port '" + port + "' was deleted concurrently");
        }
        publish(port);
    }

    /**
     * Removes Port.qos, deletes the QoS row (and its Queue rows) if this bundle created it, and resets ingress
     * policing (rate 0, burst 0) of the port's interfaces. Idempotent.
     *
     * @param port port name
     * @throws InvalidArgumentException bad name
     * @throws OvsdbException NotFound if there is no such port
     */
    public void clear(String port) {
        InterfaceName.check("port", port);
        Row p = portRow(port);
        TransactionBuilder tx = vswitch.client().transaction(VSwitch.DB);
        tx.update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", Set.of()));
        for (Object i : p.getSet("interfaces")) {
            tx.update("Interface", List.of(Condition.eq("_uuid", i)), Map.of("ingress_policing_rate", 0L, "ingress_policing_burst", 0L));
        }
        deleteOwned(tx, p.getUuid("qos"));
        TransactResult r = tx.execute();
        if (r.results().get(0).count() != 1) {
            throw notFound("Port '" + port + "' was deleted concurrently");
        }
        publish(port);
    }

    /**
     * @param port port name
     * @return JSON {@code {"port":..,"qos":null|{"uuid","type","max-rate","owned","queues":{"0":{"uuid","max-rate"}}},
     *         "ingress":[{"interface","rate_kbps","burst_kb"}]}}
     * @throws InvalidArgumentException bad name
     * @throws OvsdbException NotFound if there is no such port
     */
    public String get(String port) {
        InterfaceName.check("port", port);
        Row p = portRow(port);
        ObjectNode o = JSON.createObjectNode().put("port", port);
        UUID q = p.getUuid("qos");
        Row qos = q == null ? null : vswitch.replica().row("QoS", q).orElse(null);
        if (qos == null) {
            o.putNull("qos");
        } else {
            ObjectNode qn = o.putObject("qos").put("uuid", q.toString()).put("type", qos.getString("type"))
                    .put("max-rate", qos.<String, String>getMap("other_config").get("max-rate"))
                    .put("owned", OWNER.equals(qos.<String, String>getMap("external_ids").get(OWNER_KEY)));
            ObjectNode qs = qn.putObject("queues");
            for (Map.Entry<Object, Object> e : qos.<Object, Object>getMap("queues").entrySet()) {
                Row qu = vswitch.replica().row("Queue", (UUID) e.getValue()).orElse(null);
                qs.putObject(String.valueOf(e.getKey())).put("uuid", e.getValue().toString())
                        .put("max-rate", qu == null ? null : qu.<String, String>getMap("other_config").get("max-rate"));
            }
        }
        ArrayNode in = o.putArray("ingress");
        for (Object i : p.getSet("interfaces")) {
            vswitch.replica().row("Interface", (UUID) i).ifPresent(r -> in.addObject().put("interface", r.getString("name"))
                    .put("rate_kbps", r.getLong("ingress_policing_rate")).put("burst_kb", r.getLong("ingress_policing_burst")));
        }
        return o.toString();
    }

    private Row portRow(String port) {
        vswitch.replica().sync();
        return vswitch.replica().byName("Port", port).orElseThrow(() -> notFound("no Port named '" + port + "'"));
    }

    private String portOf(UUID iface) {
        return vswitch.replica().find("Port", r -> r.getSet("interfaces").contains(iface)).stream()
                .map(r -> r.getString("name")).findFirst().orElse(null);
    }

    private void deleteOwned(TransactionBuilder tx, UUID qosUuid) {
        if (qosUuid == null) {
            return;
        }
        Row qos = vswitch.replica().row("QoS", qosUuid).orElse(null);
        if (qos == null || !OWNER.equals(qos.<String, String>getMap("external_ids").get(OWNER_KEY))) {
            return; // not ours: only the reference is dropped
        }
        tx.delete("QoS", List.of(Condition.eq("_uuid", qosUuid)));
        for (Object qu : qos.getMap("queues").values()) {
            tx.delete("Queue", List.of(Condition.eq("_uuid", qu)));
        }
    }

    private void publish(String port) {
        if (bus == null || port == null) {
            return;
        }
        try {
            bus.publish(Topics.of("qos", "port", port, "changed"), JSON.readTree(get(port)), "qos.changed");
        } catch (Exception e) {
            // committed already; a bus problem is not a failure of the change
        }
    }
}
