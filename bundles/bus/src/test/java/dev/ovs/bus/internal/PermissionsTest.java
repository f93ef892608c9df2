package dev.ovs.bus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.bus.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Permissions}: parsing and checking of the {@code permissions.*} keys, and the decisions. */
class PermissionsTest {
    @TempDir
    Path tmp;

    private static String pub(Permissions.Access a, String topic) {
        return a.publishDenied(topic, Topics.split(Topics.checkTopic(topic)));
    }

    private static String sub(Permissions.Access a, String pattern) {
        return a.subscribeDenied(pattern, Topics.split(Topics.checkPattern(pattern)));
    }

    private static boolean receives(Permissions.Access a, String topic) {
        return a.receivesAll() || a.mayReceive(Topics.split(topic));
    }

    @Test
    void defaultsDenyTheReservedNamespacesToPublishersAndAllowEverythingElse() {
        Permissions.Access a = Permissions.defaults().forPeer(65534, new long[] {65534});
        for (String r : List.of("ovsdb.bridge.evil.added", "portagent.container.x.port.created", "network.link.e.state",
                "systemd.unit.u.job", "system.bus.health", "netstate.checkpoint.c.created", "fleet.x")) {
            String ns = r.substring(0, r.indexOf('.'));
            assertThat(pub(a, r)).as(r).isEqualTo("permission: publish to '" + r + "' denied by permissions.publish.deny '"
                    + ns + ".>'");
        }
        assertThat(pub(a, "app.hello")).isNull();
        assertThat(pub(a, "ovsdbx.a")).isNull();
        assertThat(pub(a, "ovsdb")).as("'ovsdb.>' needs a token after ovsdb (NATS)").isNull();
        assertThat(sub(a, ">")).isNull();
        assertThat(sub(a, "ovsdb.>")).isNull();
        assertThat(a.receivesAll()).isTrue();
        // root is a socket client like any other
        assertThat(pub(Permissions.defaults().forPeer(0, new long[] {0}), "ovsdb.bridge.b.added")).isNotNull();
    }

    @Test
    void uidRulesComeFirstThenGroupRulesThenEverybody() throws IOException {
        Path groups = Files.writeString(tmp.resolve("group"), "root:x:0:\nops:x:4242:alice\nnogroup:x:65534:\n");
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("permissions.uid.1000.publish.allow", "netstate.>");
        cfg.put("permissions.uid.1000.publish.deny", "app.secret.>");
        cfg.put("permissions.group.ops.publish.allow", "ovsdb.bridge.>, ovsdb.port.>");
        cfg.put("permissions.group.ops.publish.deny", "ovsdb.port.internal.>");
        cfg.put("permissions.group.4243.subscribe.deny", "system.>");
        Permissions p = Permissions.of(cfg, groups);

        Permissions.Access u1000 = p.forPeer(1000, new long[] {1000});
        assertThat(pub(u1000, "netstate.apply")).isNull();
        assertThat(pub(u1000, "app.secret.x")).isEqualTo("permission: publish to 'app.secret.x' denied by"
                + " permissions.uid.1000.publish.deny 'app.secret.>'");
        assertThat(pub(u1000, "app.open")).isNull(); // falls through to everybody
        assertThat(pub(u1000, "ovsdb.bridge.b.added")).contains("permissions.publish.deny 'ovsdb.>'");

        Permissions.Access ops = p.forPeer(2000, new long[] {2000, 4242}); // supplementary group ops
        assertThat(pub(ops, "ovsdb.bridge.b.added")).isNull();
        assertThat(pub(ops, "ovsdb.port.p.added")).isNull();
        assertThat(pub(ops, "ovsdb.port.internal.x")).as("deny wins within a level")
                .contains("permissions.group.ops.publish.deny 'ovsdb.port.internal.>'");
        assertThat(pub(ops, "ovsdb.interface.i.added")).contains("permissions.publish.deny 'ovsdb.>'");
        assertThat(pub(ops, "netstate.apply")).contains("permissions.publish.deny 'netstate.>'");
        assertThat(pub(p.forPeer(2000, new long[] {2000}), "ovsdb.bridge.b.added")).isNotNull();

        // subscribe deny of a group: a covered subscription is refused, a wider one is filtered per event
        Permissions.Access g2 = p.forPeer(3000, new long[] {4243});
        assertThat(sub(g2, "system.>")).isEqualTo("permission: subscribe to 'system.>' denied by"
                + " permissions.group.4243.subscribe.deny 'system.>'");
        assertThat(sub(g2, "system.bus.health")).isNotNull();
        assertThat(sub(g2, ">")).isNull();
        assertThat(g2.receivesAll()).isFalse();
        assertThat(receives(g2, "system.bus.health")).isFalse();
        assertThat(receives(g2, "ovsdb.bridge.b.added")).isTrue();
        assertThat(receives(ops, "system.bus.health")).isTrue();
    }

    @Test
    void withoutAMatchingAllowNothingIsAllowed() {
        Permissions p = Permissions.of(Map.of("permissions.publish.allow", "app.>", "permissions.publish.deny", "",
                "permissions.subscribe.allow", "app.>,system.bus.health"));
        Permissions.Access a = p.forPeer(7, new long[] {7});
        assertThat(pub(a, "app.x")).isNull();
        assertThat(pub(a, "other.x")).isEqualTo("permission: publish to 'other.x' not allowed: no publish.allow"
                + " pattern of the permissions for uid 7 matches it");
        assertThat(pub(a, "ovsdb.bridge.b.added")).as("deny list emptied, allow does not match").contains("not allowed");
        assertThat(sub(a, "app.*")).isNull();
        assertThat(sub(a, ">")).contains("not allowed");
        assertThat(a.receivesAll()).isFalse();
        assertThat(receives(a, "system.bus.health")).isTrue();
        assertThat(receives(a, "system.bundle.x.started")).isFalse();
    }

    @Test
    void badKeysAndPatternsAreRejectedNamingTheKeyAndTheRule() throws IOException {
        Path groups = Files.writeString(tmp.resolve("group"), "ops:x:4242:\n");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.publish.deny", "ovsdb.>,a.>.b"), groups))
                .hasMessageStartingWith("permissions.publish.deny: invalid pattern 'a.>.b': pattern: '>'");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.uid.7.subscribe.allow", "a b"), groups))
                .hasMessageStartingWith("permissions.uid.7.subscribe.allow: invalid pattern 'a b': pattern: whitespace");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.pub.allow", ">"), groups))
                .hasMessageStartingWith("permissions.pub.allow: unknown key; expected permissions[.uid.<uid>|.group.<group>]");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.uid.bob.publish.allow", ">"), groups))
                .hasMessageStartingWith("permissions.uid.bob.publish.allow: the uid must be a decimal number");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.uid.4294967295.publish.allow", ">"), groups))
                .hasMessageStartingWith("permissions.uid.4294967295.publish.allow: the uid must be");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.group.nope.publish.allow", ">"), groups))
                .hasMessageStartingWith("permissions.group.nope.publish.allow: no group 'nope' in " + groups);
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.publish.allow", 5), groups))
                .hasMessageStartingWith("permissions.publish.allow: must be a comma-separated list of patterns");
        assertThatThrownBy(() -> Permissions.of(Map.of("permissions.uid.1.2.publish.allow", ">"), groups))
                .hasMessageContaining("unknown key");
        // typed values: String[] as from a .config file
        assertThat(Permissions.of(Map.of("permissions.group.ops.publish.allow", new String[] {"a.>", "b.>"}), groups)
                .forPeer(1, new long[] {4242}).publishDenied("b.x", new String[] {"b", "x"})).isNull();
        // and the settings reader reports them the same way
        assertThatThrownBy(() -> Settings.of(Map.of("socket", "", "permissions.subscribe.deny", "x.>.y")))
                .hasMessageStartingWith("permissions.subscribe.deny: invalid pattern 'x.>.y'");
    }

    @Test
    void coversIsPatternInclusion() {
        String[][] yes = {{">", "a"}, {">", "a.b.>"}, {"a.>", "a.*"}, {"a.>", "a.b.>"}, {"a.*", "a.b"}, {"a.*", "a.*"},
                {"*.b", "a.b"}, {"a.b", "a.b"}, {"a.*.>", "a.b.c.>"}};
        String[][] no = {{"a.>", "a"}, {"a.*", "a.>"}, {"a.b", "a.*"}, {"a.b", "a.b.c"}, {"*", "a.b"}, {"a.>", ">"},
                {"a.b.>", "a.*.c"}, {"a.*", "b.c"}};
        for (String[] c : yes) {
            assertThat(Permissions.covers(Topics.split(c[0]), Topics.split(c[1]))).as(c[0] + " covers " + c[1]).isTrue();
        }
        for (String[] c : no) {
            assertThat(Permissions.covers(Topics.split(c[0]), Topics.split(c[1]))).as(c[0] + " covers " + c[1]).isFalse();
        }
    }

    @Test
    void peerGroupsAreTheGidAndTheSupplementaryGroupsOfTheSameUser() throws IOException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/status"), "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n"
                + "Groups:\t4242 100 27 \n");
        assertThat(Permissions.peerGroups(proc, 42, 1000, 100)).containsExactly(100, 4242, 27);
        assertThat(Permissions.peerGroups(proc, 42, 1001, 100)).as("pid reused by another user").containsExactly(100);
        assertThat(Permissions.peerGroups(proc, 43, 1000, 100)).as("process gone").containsExactly(100);
        assertThat(Permissions.peerGroups(proc, -1, 1000, -1)).isEmpty();
        // the real thing: this process
        long pid = ProcessHandle.current().pid();
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        assertThat(Permissions.peerGroups(Path.of("/proc"), pid, uid, gid)).startsWith(gid);
    }
}
