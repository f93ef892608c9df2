package dev.ovs.ovsdb.vswitch.impl;

import static dev.ovs.ovsdb.vswitch.impl.OvsContext.DB;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.exists;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.notFound;
import static dev.ovs.ovsdb.vswitch.impl.OvsContext.validateMap;

import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.NamedUuid;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.MirrorInfo;
import dev.ovs.ovsdb.vswitch.MirrorSpec;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Port mirrors (ovs-vswitchd.conf.db(5), table Mirror; referenced from Bridge {@code mirrors}). Changes are
 * guarded by a verify of Bridge {@code mirrors} and retried through {@link OvsContext#verified}.
 */
final class Mirrors {
    /** Longest mirror name accepted, in characters. */
    static final int MAX_NAME = 64;

    private final OvsContext ctx;

    Mirrors(OvsContext ctx) {
        this.ctx = ctx;
    }

    /** @throws InvalidArgumentException empty, longer than {@value #MAX_NAME} characters, or control characters */
    static String requireMirrorName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidArgumentException("mirror", "name must not be empty");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidArgumentException("mirror", "name is " + name.length() + " characters, at most " + MAX_NAME + " allowed");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidArgumentException("mirror", "name must not contain control characters");
        }
        return name;
    }

    private static void validateMirror(MirrorSpec m) {
        if (m == null) {
            throw new InvalidArgumentException("mirror", "spec must not be null");
        }
        requireMirrorName(m.name());
        m.selectSrcPort().forEach(n -> InterfaceName.check("select_src_port", n));
        m.selectDstPort().forEach(n -> InterfaceName.check("select_dst_port", n));
        if (!m.selectAll() && m.selectSrcPort().isEmpty() && m.selectDstPort().isEmpty()) {
            throw new InvalidArgumentException("mirror", "selects nothing: set select_all or name select_src_port/select_dst_port ports");
        }
        if ((m.outputPort() == null) == (m.outputVlan() == null)) {
            throw new InvalidArgumentException("mirror", "exactly one of output_port and output_vlan must be set");
        }
        if (m.outputPort() != null) {
            InterfaceName.check("output_port", m.outputPort());
        }
        if (m.outputVlan() != null && m.outputVlan().value() < 1) {
            throw new InvalidArgumentException("output_vlan", "must be 1.." + VlanTag.MAX + ", got " + m.outputVlan());
        }
        validateMap("mirror external_ids", m.externalIds());
    }

    UUID addMirror(String bridge, MirrorSpec spec, boolean mayExist) {
        InterfaceName.check("bridge", bridge);
        validateMirror(spec);
        ctx.ready();
        return ctx.verified("Bridge '" + bridge + "' mirrors", () -> {
            Row br = ctx.require("Bridge", bridge, "bridge");
            Set<UUID> mirrors = br.getSet("mirrors");
            for (UUID u : mirrors) {
                Optional<Row> m = ctx.replica.row("Mirror", u);
                if (m.isPresent() && spec.name().equals(m.get().getString("name"))) {
                    if (mayExist) {
                        return OvsContext.Attempt.done(u);
                    }
                    throw exists("bridge '" + bridge + "' already has a mirror named '" + spec.name() + "'");
                }
            }
            Set<UUID> brPorts = br.getSet("ports");
            Map<String, UUID> ports = new LinkedHashMap<>();
            Set<String> wanted = new TreeSet<>(spec.selectSrcPort());
            wanted.addAll(spec.selectDstPort());
            if (spec.outputPort() != null) {
                wanted.add(spec.outputPort());
            }
            for (String n : wanted) {
                Row p = ctx.lookup("Port", n).filter(x -> brPorts.contains(x.uuid()))
                        .orElseThrow(() -> notFound("bridge '" + bridge + "' has no port named '" + n + "'"));
                ports.put(n, p.uuid());
            }
            Map<String, Object> row = new HashMap<>();
            row.put("name", spec.name());
            row.put("select_all", spec.selectAll());
            row.put("select_src_port", spec.selectSrcPort().stream().map(ports::get).collect(Collectors.toSet()));
            row.put("select_dst_port", spec.selectDstPort().stream().map(ports::get).collect(Collectors.toSet()));
            row.put("select_vlan", spec.selectVlan().stream().map(v -> (long) v.value()).collect(Collectors.toSet()));
            if (spec.outputPort() != null) {
                row.put("output_port", ports.get(spec.outputPort()));
            }
            if (spec.outputVlan() != null) {
                row.put("output_vlan", (long) spec.outputVlan().value());
            }
            row.put("external_ids", spec.externalIds());
            TransactionBuilder tx = ctx.client.transaction(DB).verify("Bridge", br.uuid(), Map.of("mirrors", mirrors));
            List<String> portOrder = new ArrayList<>(ports.keySet());
            for (String n : portOrder) {
                tx.verify("Port", ports.get(n), Map.of("name", n)); // still there (references are weak)
            }
            tx.insert("Mirror", row, "mirror");
            int ins = tx.size() - 1;
            tx.mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.insert("mirrors", new NamedUuid("mirror"))));
            return OvsContext.Attempt.commit(tx, res -> {
                int err = res.errorIndex();
                if (err >= 1 && err <= portOrder.size()) {
                    throw notFound("port '" + portOrder.get(err - 1) + "' was deleted concurrently");
                }
            }, res -> res.uuid(ins));
        });
    }

    void deleteMirror(String bridge, String name, boolean ifExists) {
        InterfaceName.check("bridge", bridge);
        requireMirrorName(name);
        ctx.fresh();
        ctx.verified("Bridge '" + bridge + "' mirrors", () -> {
            Row br = ctx.replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
            Set<UUID> mirrors = br.getSet("mirrors");
            UUID target = mirrors.stream()
                    .filter(u -> ctx.replica.row("Mirror", u).map(m -> name.equals(m.getString("name"))).orElse(false))
                    .findFirst().orElse(null);
            if (target == null) {
                if (ifExists) {
                    return OvsContext.Attempt.done(null);
                }
                throw notFound("bridge '" + bridge + "' has no mirror named '" + name + "'");
            }
            // Mirror is not a root table: without the reference ovsdb-server deletes the row
            TransactionBuilder tx = ctx.client.transaction(DB).verify("Bridge", br.uuid(), Map.of("mirrors", mirrors))
                    .mutate("Bridge", List.of(Condition.eq("_uuid", br.uuid())), List.of(Mutation.delete("mirrors", Set.of(target))));
            return OvsContext.Attempt.commit(tx, null, res -> null);
        });
    }

    List<MirrorInfo> listMirrors(String bridge) {
        InterfaceName.check("bridge", bridge);
        ctx.fresh();
        Row br = ctx.replica.byName("Bridge", bridge).orElseThrow(() -> notFound("no bridge named '" + bridge + "'"));
        List<MirrorInfo> l = new ArrayList<>();
        for (Object u : br.getSet("mirrors")) {
            ctx.replica.row("Mirror", (UUID) u).ifPresent(m -> {
                UUID out = m.getUuid("output_port");
                Boolean all = m.getBoolean("select_all");
                l.add(new MirrorInfo(m.uuid(), m.getString("name"), bridge, all != null && all,
                        ctx.names("Port", m.getSet("select_src_port")), ctx.names("Port", m.getSet("select_dst_port")),
                        vlans(m.<Long>getSet("select_vlan")), out == null ? null : ctx.nameOf("Port", out),
                        m.getLong("output_vlan") == null ? null : VlanTag.of(m.getLong("output_vlan")),
                        m.getMap("external_ids")));
            });
        }
        l.sort(Comparator.comparing(MirrorInfo::name));
        return l;
    }

    private static java.util.SortedSet<VlanTag> vlans(Set<Long> ids) {
        TreeSet<VlanTag> out = new TreeSet<>();
        ids.forEach(v -> out.add(VlanTag.of(v)));
        return java.util.Collections.unmodifiableSortedSet(out);
    }
}
