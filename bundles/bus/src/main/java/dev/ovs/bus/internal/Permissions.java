package dev.ovs.bus.internal;

import dev.ovs.bus.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What socket clients may publish and subscribe to: NATS-style allow/deny lists (as nats-server's
 * {@code authorization { users = [{ permissions { publish { allow, deny }, subscribe { allow, deny } } }] }}), per
 * uid, per group and for everybody, from the {@code permissions.*} keys of {@code dev.ovs.bus.cfg}. In-process
 * publishers and subscribers (bundles) are not subject to them. Immutable; built and checked by {@link #of(Map)}.
 *
 * <p>Keys (values: comma-separated patterns, see {@link Topics#checkPattern(String)}; empty: none):
 * <ul>
 * <li>{@code permissions.publish.allow} (default {@code >}), {@code permissions.publish.deny} (default the reserved
 * namespaces {@link #RESERVED}), {@code permissions.subscribe.allow} (default {@code >}),
 * {@code permissions.subscribe.deny} (default none): every socket client;</li>
 * <li>{@code permissions.uid.<uid>.<publish|subscribe>.<allow|deny>}: clients whose peer uid is {@code <uid>}
 * (decimal);</li>
 * <li>{@code permissions.group.<group>.<publish|subscribe>.<allow|deny>}: clients whose peer gid or one of whose
 * supplementary groups is {@code <group>} (a gid, or a name from {@link #GROUP_FILE}).</li>
 * </ul>
 *
 * <p>Decision for a topic (publish) or a pattern (subscribe): the rules of the client's uid are asked first, then
 * the rules of its groups (together), then the rules for everybody. The first of these levels that has a matching
 * pattern decides: a deny pattern wins over an allow pattern of the same level; a level without a matching pattern
 * passes the question on; if no level decides, the request is denied. For a subscription, "matching" means that the
 * rule's pattern covers every topic the subscription's pattern can match; a subscription that is allowed while a
 * deny rule covers part of it gets only the events the rules let the client receive (checked per event, as
 * nats-server does for wildcard subscriptions).
 */
final class Permissions {
    /** The namespaces of Patchbay's own domain events, denied to socket publishers by default (DESIGN.md). */
    static final List<String> RESERVED = List.of("ovsdb.>", "portagent.>", "network.>", "systemd.>", "system.>",
            "netstate.>", "fleet.>");
    static final String PREFIX = "permissions.";
    /** Where group names are looked up: {@value} (group(5)); groups from other sources are given by gid. */
    static final String GROUP_FILE = "/etc/group";

    private final Level everybody;
    private final Map<Long, Level> byUid;
    private final Map<Long, Level> byGid;
    /** The keys and values this was built from, normalised (for equality: settings compare by them). */
    private final Map<String, String> source;

    private Permissions(Level everybody, Map<Long, Level> byUid, Map<Long, Level> byGid, Map<String, String> source) {
        this.everybody = everybody;
        this.byUid = byUid;
        this.byGid = byGid;
        this.source = source;
    }

    /** @return the default permissions (no {@code permissions.*} key given) */
    static Permissions defaults() {
        return of(Map.of());
    }

    /**
     * Reads and checks every {@code permissions.*} key of a configuration (other keys are ignored).
     *
     * @param props configuration properties; values String (comma-separated), String[] or a Collection of strings
     * @return the permissions
     * @throws IllegalArgumentException naming the key and the rule broken: an unknown key shape, a uid that is not
     *         a decimal number, an unknown group, a value that is not text, or a pattern that
     *         {@link Topics#checkPattern(String)} rejects
     */
    static Permissions of(Map<String, ?> props) {
        return of(props, Path.of(GROUP_FILE));
    }

    static Permissions of(Map<String, ?> props, Path groupFile) {
        Map<String, String> source = new TreeMap<>();
        Level.Builder all = new Level.Builder();
        all.set("publish.allow", List.of(rule("permissions.publish.allow", ">")));
        List<Rule> reserved = new ArrayList<>();
        for (String r : RESERVED) {
            reserved.add(rule("permissions.publish.deny", r));
        }
        all.set("publish.deny", reserved);
        all.set("subscribe.allow", List.of(rule("permissions.subscribe.allow", ">")));
        Map<Long, Level.Builder> uids = new TreeMap<>();
        Map<Long, Level.Builder> gids = new TreeMap<>();
        Map<String, Long> groupNames = null;
        for (Map.Entry<String, ?> e : new TreeMap<>(props).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            List<String> patterns = patterns(key, e.getValue());
            source.put(key, String.join(",", patterns));
            String rest = key.substring(PREFIX.length());
            String list = listName(rest);
            if (list != null && rest.equals(list)) {
                all.set(list, rules(key, patterns));
                continue;
            }
            String principal = list == null ? null : rest.substring(0, rest.length() - list.length() - 1);
            if (principal != null && principal.startsWith("uid.") && principal.indexOf('.', 4) < 0) {
                long uid = number(principal.substring(4));
                if (uid < 0) {
                    throw new IllegalArgumentException(key + ": the uid must be a decimal number from 0 to 4294967294,"
                            + " got '" + principal.substring(4) + "'");
                }
                uids.computeIfAbsent(uid, u -> new Level.Builder()).set(list, rules(key, patterns));
            } else if (principal != null && principal.startsWith("group.") && principal.length() > 6
                    && principal.indexOf('.', 6) < 0) {
                String group = principal.substring(6);
                long gid = number(group);
                if (gid < 0) {
                    if (groupNames == null) {
                        groupNames = groups(groupFile);
                    }
                    Long g = groupNames.get(group);
                    if (g == null) {
                        throw new IllegalArgumentException(key + ": no group '" + group + "' in " + groupFile
                                + " (give the gid for a group from another source)");
                    }
                    gid = g;
                }
                gids.computeIfAbsent(gid, g -> new Level.Builder()).set(list,
                        rules(key, patterns));
            } else {
                throw new IllegalArgumentException(key + ": unknown key; expected permissions[.uid.<uid>|.group.<group>]"
                        + ".<publish|subscribe>.<allow|deny>");
            }
        }
        return new Permissions(all.build(), build(uids), build(gids), source);
    }

    private static Map<Long, Level> build(Map<Long, Level.Builder> m) {
        Map<Long, Level> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.build()));
        return Map.copyOf(out);
    }

    /** @return {@code publish.allow} etc. if {@code rest} ends with one of the four list names, else null */
    private static String listName(String rest) {
        for (String l : Level.LISTS) {
            if (rest.equals(l) || rest.endsWith("." + l)) {
                return l;
            }
        }
        return null;
    }

    /** @return the value of a decimal uid or gid (0..4294967294), or -1 */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long v = Long.parseLong(s);
        return v <= 4294967294L ? v : -1;
    }

    private static List<String> patterns(String key, Object value) {
        List<String> parts = new ArrayList<>();
        if (value instanceof String s) {
            parts.addAll(Arrays.asList(s.split(",", -1)));
        } else if (value instanceof String[] a) {
            for (String s : a) {
                parts.addAll(Arrays.asList(s.split(",", -1)));
            }
        } else if (value instanceof Collection<?> c) {
            for (Object o : c) {
                parts.addAll(Arrays.asList(String.valueOf(o).split(",", -1)));
            }
        } else {
            throw new IllegalArgumentException(key + ": must be a comma-separated list of patterns, got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            String t = p.trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static List<Rule> rules(String key, List<String> patterns) {
        List<Rule> out = new ArrayList<>();
        for (String p : patterns) {
            out.add(rule(key, p));
        }
        return out;
    }

    private static Rule rule(String key, String pattern) {
        try {
            Topics.checkPattern(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": invalid pattern '" + pattern + "': " + e.getMessage(), e);
        }
        return new Rule(key, pattern, Topics.split(pattern));
    }

    /** @return group name to gid, from a group(5) file */
    private static Map<String, Long> groups(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("permissions.group: cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String l : lines) {
            String[] f = l.split(":", -1);
            if (f.length >= 3 && !f[0].isEmpty()) {
                long gid = number(f[2]);
                if (gid >= 0) {
                    out.putIfAbsent(f[0], gid);
                }
            }
        }
        return out;
    }

    /**
     * @param uid peer uid, -1 if unknown
     * @param gids peer gid and supplementary groups
     * @return the rules that apply to that peer
     */
    Access forPeer(long uid, long[] gids) {
        List<Level> levels = new ArrayList<>(3);
        Level u = byUid.get(uid);
        if (u != null) {
            levels.add(u);
        }
        List<Level> groups = new ArrayList<>();
        for (long g : gids) {
            Level l = byGid.get(g);
            if (l != null && !groups.contains(l)) {
                groups.add(l);
            }
        }
        if (!groups.isEmpty()) {
            levels.add(Level.merge(groups));
        }
        levels.add(everybody);
        return new Access(levels, uid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permissions p && source.equals(p.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return "Permissions" + source;
    }

    /** One pattern of one list, with the configuration key it came from (named in denials). */
    record Rule(String key, String pattern, String[] tokens) {
    }

    /** The four lists of one principal (uid, groups, everybody). */
    static final class Level {
        static final List<String> LISTS = List.of("publish.allow", "publish.deny", "subscribe.allow", "subscribe.deny");
        final List<Rule> pubAllow;
        final List<Rule> pubDeny;
        final List<Rule> subAllow;
        final List<Rule> subDeny;

        Level(List<Rule> pubAllow, List<Rule> pubDeny, List<Rule> subAllow, List<Rule> subDeny) {
            this.pubAllow = List.copyOf(pubAllow);
            this.pubDeny = List.copyOf(pubDeny);
            this.subAllow = List.copyOf(subAllow);
            this.subDeny = List.copyOf(subDeny);
        }

        static Level merge(List<Level> levels) {
            if (levels.size() == 1) {
                return levels.get(0);
            }
            List<Rule> pa = new ArrayList<>();
            List<Rule> pd = new ArrayList<>();
            List<Rule> sa = new ArrayList<>();
            List<Rule> sd = new ArrayList<>();
            for (Level l : levels) {
                pa.addAll(l.pubAllow);
                pd.addAll(l.pubDeny);
                sa.addAll(l.subAllow);
                sd.addAll(l.subDeny);
            }
            return new Level(pa, pd, sa, sd);
        }

        static final class Builder {
            final Map<String, List<Rule>> lists = new LinkedHashMap<>();

            void set(String list, List<Rule> rules) {
                lists.put(list, rules);
            }

            Level build() {
                return new Level(lists.getOrDefault("publish.allow", List.of()),
                        lists.getOrDefault("publish.deny", List.of()), lists.getOrDefault("subscribe.allow", List.of()),
                        lists.getOrDefault("subscribe.deny", List.of()));
            }
        }
    }

    /** The rules for one peer, in the order they are asked. Immutable. */
    static final class Access {
        private final List<Level> levels;
        private final long uid;
        /** No subscribe rule can withhold an event: per-event checks are skipped. */
        private final boolean receivesAll;

        Access(List<Level> levels, long uid) {
            this.levels = List.copyOf(levels);
            this.uid = uid;
            boolean all = false;
            for (Level l : levels) {
                if (!l.subDeny.isEmpty()) {
                    break;
                }
                if (l.subAllow.stream().anyMatch(r -> r.tokens.length == 1 && Topics.REST.equals(r.tokens[0]))) {
                    all = true;
                    break;
                }
            }
            receivesAll = all;
        }

        /**
         * @param topic the literal topic
         * @param tokens its tokens
         * @return null if the peer may publish to it, else the denial, naming the rule
         */
        String publishDenied(String topic, String[] tokens) {
            for (Level l : levels) {
                Rule deny = first(l.pubDeny, tokens, false);
                if (deny != null) {
                    return "permission: publish to '" + topic + "' denied by " + deny.key + " '" + deny.pattern + "'";
                }
                if (first(l.pubAllow, tokens, false) != null) {
                    return null;
                }
            }
            return "permission: publish to '" + topic + "' not allowed: no publish.allow pattern of the permissions"
                    + " for uid " + uid + " matches it";
        }

        /**
         * @param pattern the subscription's pattern
         * @param tokens its tokens
         * @return null if the peer may subscribe with it, else the denial, naming the rule
         */
        String subscribeDenied(String pattern, String[] tokens) {
            for (Level l : levels) {
                Rule deny = first(l.subDeny, tokens, true);
                if (deny != null) {
                    return "permission: subscribe to '" + pattern + "' denied by " + deny.key + " '" + deny.pattern
                            + "'";
                }
                if (first(l.subAllow, tokens, true) != null) {
                    return null;
                }
            }
            return "permission: subscribe to '" + pattern + "' not allowed: no subscribe.allow pattern of the"
                    + " permissions for uid " + uid + " covers it";
        }

        /** @return true if no subscribe rule withholds any event from this peer */
        boolean receivesAll() {
            return receivesAll;
        }

        /**
         * @param tokens an event's topic tokens
         * @return whether the subscribe rules let this peer receive it
         */
        boolean mayReceive(String[] tokens) {
            for (Level l : levels) {
                if (first(l.subDeny, tokens, false) != null) {
                    return false;
                }
                if (first(l.subAllow, tokens, false) != null) {
                    return true;
                }
            }
            return false;
        }

        private static Rule first(List<Rule> rules, String[] tokens, boolean pattern) {
            for (Rule r : rules) {
                if (pattern ? covers(r.tokens, tokens) : Topics.matchTokens(r.tokens, tokens)) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * @param outer tokens of a valid pattern
     * @param inner tokens of a valid pattern
     * @return whether every topic that {@code inner} matches is matched by {@code outer}
     */
    static boolean covers(String[] outer, String[] inner) {
        for (int i = 0; i < outer.length; i++) {
            String o = outer[i];
            if (Topics.REST.equals(o)) {
                return inner.length > i;
            }
            if (i >= inner.length || Topics.REST.equals(inner[i])) {
                return false;
            }
            if (Topics.ONE.equals(o)) {
                continue;
            }
            if (!o.equals(inner[i])) {
                return false; // a literal against a different literal, or against '*'
            }
        }
        return inner.length == outer.length;
    }

    /**
     * The groups of a socket peer: its gid from {@code SO_PEERCRED} and the supplementary groups of its process
     * ({@code Groups:} in {@code /proc/<pid>/status}, proc(5)), the latter only if that process still has the peer's
     * effective uid (a pid reused by another process gives nothing).
     *
     * @param proc the proc file system, normally {@code /proc}
     * @param pid peer pid, -1 if unknown
     * @param uid peer effective uid
     * @param gid peer effective gid, -1 if unknown
     * @return the gids, the peer gid first; without duplicates
     */
    static long[] peerGroups(Path proc, long pid, long uid, long gid) {
        List<Long> out = new ArrayList<>();
        if (gid >= 0) {
            out.add(gid);
        }
        if (pid > 0) {
            try {
                List<String> lines = Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("status"),
                        StandardCharsets.US_ASCII);
                String uids = field(lines, "Uid:");
                String groups = field(lines, "Groups:");
                String[] u = uids == null ? new String[0] : uids.trim().split("\\s+");
                if (u.length >= 2 && u[1].equals(Long.toString(uid)) && groups != null) {
                    for (String g : groups.trim().split("\\s+")) {
                        long v = number(g);
                        if (v >= 0 && !out.contains(v)) {
                            out.add(v);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // process gone or not visible: the peer gid only
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static String field(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith(name)) {
                return l.substring(name.length());
            }
        }
        return null;
    }
}
