package dev.ovs.ovsdb.vswitch.impl;

import static dev.ovs.ovsdb.vswitch.impl.OvsContext.DB;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.notFound;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.validateMap;

import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.QosInfo;
import dev.ovs.ovsdb.vswitch.QosSpec;
import dev.ovs.ovsdb.vswitch.QueueInfo;
import dev.ovs.ovsdb.vswitch.QueueSpec;
import java.math.BigInteger;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * QoS, queues and ingress policing (ovs-vswitchd.conf.db(5), tables QoS and Queue, Port {@code qos},
 * Interface {@code ingress_policing_*}). QoS and Queue are root tables: rows that nothing references any more
 * are destroyed in the same transaction. Changes are guarded by a verify of Port {@code qos} or QoS
 * {@code queues} and retried through {@link OvsContext#verified}.
 */
final class QosQueues {
    private static final long MAX_U32 = 0xFFFFFFFFL;
    /** other_config keys of QoS and Queue whose values are decimal integers (rates in bit/s, sizes, ...). */
    private static final Set<String> NUMERIC_KEYS = Set.of("max-rate", "min-rate", "burst", "priority", "cir", "cbs",
            "eir", "ebs", "latency", "limit", "loss", "jitter", "perturb", "quantum");

    private final OvsContext ctx;

    QosQueues(OvsContext ctx) {
        this.ctx = ctx;
    }

    private static void validateConfig(String field, Map<String, String> m) {
        validateMap(field, m);
        m.forEach((k, v) -> {
            if (NUMERIC_KEYS.contains(k) && !v.matches("[0-9]{1,20}")) {
                throw new InvalidArgumentException(field, k + " must be a non-negative decimal integer, got '" + v + "'");
            }
            if (NUMERIC_KEYS.contains(k) && new BigInteger(v).bitLength() > 64) {
                throw new InvalidArgumentException(field, k + " is larger than 2^64-1: '" + v + "'");
            }
        });
    }

    private static void checkQueueId(String field, long id) {
        if (id < 0 || id > MAX_U32) {
            throw new InvalidArgumentException(field, "queue number must be 0..4294967295, got " + id);
        }
    }

    private static void validateQueue(String field, long id, QueueSpec q) {
        checkQueueId(field, id);
        if (q == null) {
            throw new InvalidArgumentException(field, "queue " + id + " must not be null");
        }
        if (q.dscp() != null && (q.dscp() < 0 || q.dscp() > 63)) {
            throw new InvalidArgumentException(field, "queue " + id + " dscp must be 0..63, got " + q.dscp());
        }
        validateConfig(field + " " + id + " other_config", q.otherConfig());
        validateMap(field + " " + id + " external_ids", q.externalIds());
    }

    private static void validateQos(QosSpec q) {
        if (q == null) {
            throw new InvalidArgumentException("qos", "spec must not be null");
        }
        if (q.type() == null || !QosSpec.TYPES.contains(q.type())) {
            throw new InvalidArgumentException("qos", "type must be one of " + new TreeSet<>(QosSpec.TYPES) + ", got '" + q.type() + "'");
        }
        validateConfig("qos other_config", q.otherConfig());
        validateMap("qos external_ids", q.externalIds());
        q.queues().forEach((id, qs) -> validateQueue("queues", id == null ? -1 : id, qs));
    }

    private static Map<String, Object> queueRow(QueueSpec q) {
        Map<String, Object> row = new HashMap<>();
        if (q.dscp() != null) {
            row.put("dscp", q.dscp().longValue());
        }
        row.put("other_config", q.otherConfig());
        row.put("external_ids", q.externalIds());
        return row;
    }

    /**
     * Deletes (in tx) the QoS row and its Queue rows unless something else still references them (other ports'
     * qos, other QoS rows' queues): they are root rows, nothing else would remove them. If another client adds a
     * reference meanwhile, ovsdb-server refuses the whole transaction (referential integrity), nothing changes.
     */
    private void destroyQos(TransactionBuilder tx, UUID qos, UUID exceptPort) {
        if (qos == null) {
            return;
        }
        boolean used = ctx.replica.rows("Port").stream().anyMatch(p -> !p.uuid().equals(exceptPort) && p.getSet("qos").contains(qos));
        Optional<Row> q = ctx.replica.row("QoS", qos);
        if (used || q.isEmpty()) {
            return;
        }
        tx.delete("QoS", List.of(Condition.eq("_uuid", qos)));
        for (Object qu : q.get().getMap("queues").values()) {
            destroyQueue(tx, (UUID) qu, qos);
        }
    }

    private void destroyQueue(TransactionBuilder tx, UUID queue, UUID exceptQos) {
        boolean used = ctx.replica.rows("QoS").stream()
                .anyMatch(o -> !o.uuid().equals(exceptQos) && o.getMap("queues").containsValue(queue));
        if (!used && ctx.replica.row("Queue", queue).isPresent()) {
            tx.delete("Queue", List.of(Condition.eq("_uuid", queue)));
        }
    }

    UUID setQos(String port, QosSpec spec) {
        InterfaceName.check("port", port);
        validateQos(spec);
        ctx.ready();
        return ctx.verified("Port '" + port + "' qos", () -> {
            Row p = ctx.require("Port", port, "port");
            Set<UUID> current = p.getSet("qos");
            TransactionBuilder tx = ctx.client.transaction(DB).verify("Port", p.uuid(), Map.of("qos", current));
            Map<Long, NamedUuid> queues = new LinkedHashMap<>();
            for (Map.Entry<Long, QueueSpec> e : new TreeMap<>(spec.queues()).entrySet()) {
                NamedUuid id = new NamedUuid("queue" + e.getKey());
                tx.insert("Queue", queueRow(e.getValue()), id.name());
                queues.put(e.getKey(), id);
            }
            Map<String, Object> qos = new HashMap<>();
            qos.put("type", spec.type());
            qos.put("other_config", spec.otherConfig());
            qos.put("queues", queues);
            qos.put("external_ids", spec.externalIds());
            tx.insert("QoS", qos, "qos");
            int ins = tx.size() - 1;
            tx.update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", new NamedUuid("qos")));
            int upd = tx.size() - 1;
            destroyQos(tx, current.isEmpty() ? null : current.iterator().next(), p.uuid());
            return OvsContext.Attempt.commit(tx, res -> {
                if (res.ok() && res.results().get(upd).count() != 1) {
                    throw notFound("port '" + port + "' was deleted concurrently");
                }
            }, res -> res.uuid(ins));
        });
    }

    boolean clearQos(String port, boolean ifExists) {
        InterfaceName.check("port", port);
        ctx.ready();
        return ctx.verified("Port '" + port + "' qos", () -> {
            Optional<Row> po = ctx.lookup("Port", port);
            if (po.isEmpty()) {
                if (ifExists) {
                    return OvsContext.Attempt.done(false);
                }
                throw notFound("no port named '" + port + "'");
            }
            Row p = po.get();
            Set<UUID> current = p.getSet("qos");
            if (current.isEmpty()) {
                return OvsContext.Attempt.done(false);
            }
            TransactionBuilder tx = ctx.client.transaction(DB).verify("Port", p.uuid(), Map.of("qos", current))
                    .update("Port", List.of(Condition.eq("_uuid", p.uuid())), Map.of("qos", Set.of()));
            destroyQos(tx, current.iterator().next(), p.uuid());
            return OvsContext.Attempt.commit(tx, null, res -> true);
        });
    }

    private QueueInfo queueInfo(UUID u) {
        return ctx.replica.row("Queue", u)
                .map(q -> new QueueInfo(u, q.getLong("dscp"), q.getMap("other_config"), q.getMap("external_ids")))
                .orElse(new QueueInfo(u, null, Map.of(), Map.of()));
    }

    Optional<QosInfo> qos(String port) {
        InterfaceName.check("port", port);
        ctx.fresh();
        Row p = ctx.replica.byName("Port", port).orElseThrow(() -> notFound("no port named '" + port + "'"));
        UUID q = p.getUuid("qos");
        if (q == null) {
            return Optional.empty();
        }
        return ctx.replica.row("QoS", q).map(r -> {
            Map<Long, QueueInfo> queues = new TreeMap<>();
            r.<Long, UUID>getMap("queues").forEach((k, v) -> queues.put(k, queueInfo(v)));
            List<String> users = ctx.replica.find("Port", x -> x.getSet("qos").contains(q)).stream().map(x -> x.getString("name"))
                    .sorted().toList();
            return new QosInfo(q, r.getString("type"), r.getMap("other_config"), Collections.unmodifiableMap(queues),
                    r.getMap("external_ids"), users);
        });
    }

    UUID setQueue(String port, long queueId, QueueSpec spec) {
        InterfaceName.check("port", port);
        validateQueue("queue", queueId, spec);
        ctx.ready();
        return ctx.verified("QoS of port '" + port + "' queues", () -> {
            Row p = ctx.require("Port", port, "port");
            UUID qosId = p.getUuid("qos");
            Row qos = qosId == null ? null : ctx.replica.row("QoS", qosId).orElse(null);
            if (qos == null) {
                throw notFound("port '" + port + "' has no QoS (set one first)");
            }
            Map<Long, UUID> queues = qos.getMap("queues");
            Map<Long, Object> next = new LinkedHashMap<>(queues);
            next.put(queueId, new NamedUuid("queue"));
            TransactionBuilder tx = ctx.client.transaction(DB).verify("QoS", qosId, Map.of("queues", queues))
                    .insert("Queue", queueRow(spec), "queue");
            int ins = tx.size() - 1;
            tx.update("QoS", List.of(Condition.eq("_uuid", qosId)), Map.of("queues", next));
            UUID old = queues.get(queueId);
            if (old != null) {
                destroyQueue(tx, old, qosId);
            }
            return OvsContext.Attempt.commit(tx, null, res -> res.uuid(ins));
        });
    }

    void deleteQueue(String port, long queueId, boolean ifExists) {
        InterfaceName.check("port", port);
        checkQueueId("queue", queueId);
        ctx.ready();
        ctx.verified("QoS of port '" + port + "' queues", () -> {
            Optional<Row> po = ctx.lookup("Port", port);
            UUID qosId = po.map(x -> x.getUuid("qos")).orElse(null);
            Row qos = qosId == null ? null : ctx.replica.row("QoS", qosId).orElse(null);
            Map<Long, UUID> queues = qos == null ? Map.of() : qos.getMap("queues");
            UUID old = queues.get(queueId);
            if (old == null) {
                if (ifExists) {
                    return OvsContext.Attempt.done(null);
                }
                throw notFound(po.isEmpty() ? "no port named '" + port + "'" : qos == null ? "port '" + port + "' has no QoS"
                        : "the QoS of port '" + port + "' has no queue " + queueId);
            }
            Map<Long, UUID> next = new LinkedHashMap<>(queues);
            next.remove(queueId);
            TransactionBuilder tx = ctx.client.transaction(DB).verify("QoS", qosId, Map.of("queues", queues))
                    .update("QoS", List.of(Condition.eq("_uuid", qosId)), Map.of("queues", next));
            destroyQueue(tx, old, qosId);
            return OvsContext.Attempt.commit(tx, null, res -> null);
        });
    }

    void setIngressPolicing(String iface, long rateKbps, long burstKbit) {
        InterfaceName.check("interface", iface);
        if (rateKbps < 0 || rateKbps > MAX_U32) {
            throw new InvalidArgumentException("ingress_policing_rate", "must be 0..4294967295 kbit/s, got " + rateKbps);
        }
        if (burstKbit < 0 || burstKbit > MAX_U32) {
            throw new InvalidArgumentException("ingress_policing_burst", "must be 0..4294967295 kbit, got " + burstKbit);
        }
        ctx.ready();
        Row i = ctx.require("Interface", iface, "interface");
        ctx.commitOne(ctx.client.transaction(DB).update("Interface", List.of(Condition.eq("_uuid", i.uuid())),
                Map.of("ingress_policing_rate", rateKbps, "ingress_policing_burst", burstKbit)), 0,
                () -> notFound("interface '" + iface + "' was deleted concurrently"));
    }
}
