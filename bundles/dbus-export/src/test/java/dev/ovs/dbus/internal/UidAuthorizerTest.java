package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.DbusCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in authorizer's rule on calls built by hand (the real-daemon test is {@link AuthorizationIT}), the
 * group(5) lookup and the proc(5) status lines it relies on.
 */
class UidAuthorizerTest {
    @TempDir
    Path tmp;

    private static DbusCall call(boolean readOnly, long uid, List<Long> groups) {
        return new DbusCall(":1.9", "/x", "dev.ovs.X1", readOnly ? "List" : "Set", readOnly, uid, 77, groups);
    }

    @Test
    void readOnlyForAllMutatingForRootOwnUidAndTheGroup() throws Exception {
        Path groups = tmp.resolve("group");
        Files.writeString(groups, "root:x:0:\nwheel:x:10:alice\npatchbay:x:990:bob,carol\n");
        UidAuthorizer a = new UidAuthorizer("patchbay", groups);
        long own = ProcStatus.of(0).orElseThrow().effectiveUid();

        assertThat(a.permits(call(true, 1000, List.of()))).isTrue();
        assertThat(a.permits(call(true, DbusCall.UNKNOWN, List.of()))).as("read-only, caller unknown").isTrue();
        assertThat(a.permits(call(false, 0, List.of()))).isTrue();
        assertThat(a.permits(call(false, own, List.of()))).isTrue();
        assertThat(a.permits(call(false, 1000, List.of(100L, 990L)))).isTrue();
        assertThat(a.permits(call(false, 1000, List.of(10L)))).isFalse();
        assertThat(a.permits(call(false, DbusCall.UNKNOWN, List.of(990L)))).as("uid unknown: refused").isFalse();

        assertThat(new UidAuthorizer("990", groups).permits(call(false, 1000, List.of(990L)))).as("numeric gid").isTrue();
        assertThat(new UidAuthorizer("", groups).permits(call(false, 1000, List.of(990L)))).as("no group").isFalse();
        UidAuthorizer missing = new UidAuthorizer("nosuch", groups);
        assertThat(missing.permits(call(false, 1000, List.of(990L)))).isFalse();
        Files.writeString(groups, "nosuch:x:990:\n");
        assertThat(missing.permits(call(false, 1000, List.of(990L)))).as("looked up again until found").isTrue();
    }

    @Test
    void groupFileAndProcStatusAreParsed() throws Exception {
        Path groups = tmp.resolve("group");
        Files.writeString(groups, "# comment\nbroken\nstaff:x:50:\npatchbay:x:64001:x,y\n");
        assertThat(UidAuthorizer.gidOf("patchbay", groups)).isEqualTo(64001);
        assertThat(UidAuthorizer.gidOf("staff", groups)).isEqualTo(50);
        assertThat(UidAuthorizer.gidOf("patch", groups)).isEqualTo(-1);
        assertThat(UidAuthorizer.gidOf("x", tmp.resolve("none"))).isEqualTo(-1);

        ProcStatus s = ProcStatus.parse("Name:\tbusctl\nUid:\t1000\t65534\t65534\t65534\nGid:\t100\t65534\t65534\t65534\n"
                + "Groups:\t7 50 64001 \n").orElseThrow();
        assertThat(s.effectiveUid()).isEqualTo(65534);
        assertThat(s.groups()).containsExactly(7L, 50L, 64001L, 65534L);
        assertThat(ProcStatus.parse("Uid:\t0\t0\t0\t0\nGroups:\n").orElseThrow().groups()).isEmpty();
        assertThat(ProcStatus.parse("Name: x\n")).isEmpty();
        assertThat(ProcStatus.of(0)).isPresent();
    }
}
