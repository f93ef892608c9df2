package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Setpriv;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The entries for {@code dev.ovs.NetState1} in the policy file shipped in the distribution
 * ({@code share/dbus-1/system.d/org.openvswitch.ovsdb.conf}), included into a system-like dbus-daemon that knows
 * group {@code patchbay} (harness: private mount namespace), in front of a stand-in object with the members of
 * DESIGN.md ("Network state"): uid 65534 (setpriv) may introspect and call {@code Show}, {@code Diff} and
 * {@code ListCheckpoints} but not {@code Apply}, {@code Commit} or {@code Rollback}; the same uid in group
 * {@code patchbay} may call everything; only root may own the name. No authorizer in the JVM: the policy file alone.
 */
class ShippedPolicyNetStateIT {
    static final Path POLICY = Path.of("../../distribution/src/main/dist/share/dbus-1/system.d/org.openvswitch.ovsdb.conf")
            .toAbsolutePath().normalize();
    private static final long PATCHBAY_GID = 64001;
    private static final String NAME = "dev.ovs.NetState1";
    private static final String PATH = "/dev/ovs/NetState1";

    /** The members of dev.ovs.NetState1 (DESIGN.md), for the policy only. */
    @DBusInterfaceName("dev.ovs.NetState1")
    public interface NetState1 extends DBusInterface {
        /** @return the document */
        String Show();

        /** @param doc a document @return the changes */
        String Diff(String doc);

        /** @param doc a document @param confirm seconds @return the checkpoint id */
        String Apply(String doc, UInt32 confirm);

        /** @param id checkpoint */
        void Commit(String id);

        /** @param id checkpoint */
        void Rollback(String id);

        /** @return checkpoints as JSON */
        String ListCheckpoints();
    }

    /** Answers every member with a fixed value. */
    static final class StandIn implements NetState1 {
        @Override
        public String Show() {
            return "interfaces: []";
        }

        @Override
        public String Diff(String doc) {
            return "[]";
        }

        @Override
        public String Apply(String doc, UInt32 confirm) {
            return "cp-1";
        }

        @Override
        public void Commit(String id) {
        }

        @Override
        public void Rollback(String id) {
        }

        @Override
        public String ListCheckpoints() {
            return "[]";
        }

        @Override
        public String getObjectPath() {
            return PATH;
        }
    }

    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent dbus;

    @BeforeEach
    void setUp() {
        assertThat(POLICY).exists();
        dir = ShortTempDir.create();
        bus = DbusDaemon.startSystemLike(dir.path(), "<include>" + POLICY + "</include>",
                Map.of("patchbay", PATCHBAY_GID));
        dbus = new DbusConnectionComponent(bus.address());
        assertThat(dbus.export(new StandIn(), PATH, NAME).state()).as("root owns the name").isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        dbus.close();
        bus.close();
        dir.close();
    }

    private String as(List<String> setpriv, String... busctlArgs) {
        return bus.busctlAs(setpriv, busctlArgs);
    }

    private static String[] call(String member, String... sigAndArgs) {
        return DbusDaemon.call(NAME, PATH, NAME, member, sigAndArgs);
    }

    private static final List<String> NOBODY = Setpriv.nobody();
    private static final List<String> NOBODY_IN_PATCHBAY = Setpriv.nobodyInGroup(PATCHBAY_GID);

    @Test
    void everybodyReadsOnlyRootAndGroupPatchbayChange() {
        assertThat(as(NOBODY, call("Show"))).isEqualTo("s \"interfaces: []\"");
        assertThat(as(NOBODY, call("Diff", "s", "interfaces: []"))).isEqualTo("s \"[]\"");
        assertThat(as(NOBODY, call("ListCheckpoints"))).isEqualTo("s \"[]\"");
        assertThat(as(NOBODY, "introspect", NAME, PATH)).contains(".Apply");
        for (String[] c : List.of(call("Apply", "su", "interfaces: []", "0"), call("Commit", "s", "cp-1"),
                call("Rollback", "s", "cp-1"))) {
            try {
                as(NOBODY, c);
                throw new AssertionError(c[4] + " as uid 65534 was not denied");
            } catch (Cmd.Failed f) {
                assertThat(f.stderr()).as(c[4]).containsIgnoringCase("access denied");
            }
        }
        assertThat(as(NOBODY_IN_PATCHBAY, call("Apply", "su", "interfaces: []", "0"))).isEqualTo("s \"cp-1\"");
        as(NOBODY_IN_PATCHBAY, call("Commit", "s", "cp-1"));
        as(NOBODY_IN_PATCHBAY, call("Rollback", "s", "cp-1"));
        assertThat(as(List.of(), call("Apply", "su", "interfaces: []", "30"))).as("root").isEqualTo("s \"cp-1\"");
    }

    @Test
    void onlyRootMayOwnTheName() {
        try {
            as(NOBODY_IN_PATCHBAY, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "RequestName", "su", NAME, "4");
            throw new AssertionError("a member of patchbay owned " + NAME);
        } catch (Cmd.Failed f) {
            assertThat(f.stderr()).containsIgnoringCase("access denied");
        }
    }
}
