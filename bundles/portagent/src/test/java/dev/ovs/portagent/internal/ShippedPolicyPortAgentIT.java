package dev.ovs.portagent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Setpriv;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.portagent.dbus.PortAgent1;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy file shipped in the distribution ({@code share/dbus-1/system.d/org.openvswitch.ovsdb.conf}) for
 * {@code dev.ovs.PortAgent1}, included into a system-like dbus-daemon that knows group {@code patchbay} (harness:
 * private mount namespace), in front of the real face on a stub port agent: uid 65534 (setpriv) may introspect and
 * call {@code ListPorts}, {@code GetBlockchainStats} and {@code VerifyLedger}, and is denied every mutating member
 * (the agent never hears of them); the same uid in group {@code patchbay} may call every one of them; only root may
 * own the name. No authorizer in the JVM: the policy file alone.
 */
class ShippedPolicyPortAgentIT {
    static final Path POLICY = Path.of("../../distribution/src/main/dist/share/dbus-1/system.d/org.openvswitch.ovsdb.conf")
            .toAbsolutePath().normalize();
    private static final long PATCHBAY_GID = 64001;
    private static final List<String> NOBODY = Setpriv.nobody();
    private static final List<String> NOBODY_IN_PATCHBAY = Setpriv.nobodyInGroup(PATCHBAY_GID);

    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent dbus;
    private final StubPortAgent stub = new StubPortAgent();

    @BeforeEach
    void setUp() {
        assertThat(POLICY).exists();
        dir = ShortTempDir.create();
        bus = DbusDaemon.startSystemLike(dir.path(), "<include>" + POLICY + "</include>",
                Map.of("patchbay", PATCHBAY_GID));
        dbus = new DbusConnectionComponent(bus.address());
        assertThat(dbus.export(new PortAgentDbusComponent(stub, dbus), PortAgent1.OBJECT_PATH, PortAgent1.BUS_NAME)
                .state()).as("root owns the name").isEqualTo(State.EXPORTED);
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
        return DbusDaemon.call(PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH, "dev.ovs.PortAgent1", member, sigAndArgs);
    }

    private static final List<String[]> MUTATING = List.of(
            call("CreateContainerInterface", "sssa{sv}", "br0", "eth1", "c1", "0"),
            call("RemoveContainerInterface", "sss", "br0", "eth1", "c1"),
            call("RemoveContainerInterfaces", "ss", "br0", "c1"),
            call("SetContainerVlan", "sssq", "br0", "eth1", "c1", "5"));

    @Test
    void uid65534ReadsButIsDeniedEveryMutatingMember() {
        assertThat(as(NOBODY, call("ListPorts"))).isEqualTo("as 1 \"0123456789abc_l\"");
        assertThat(as(NOBODY, call("GetBlockchainStats"))).contains("height");
        assertThat(as(NOBODY, call("VerifyLedger"))).contains("hash mismatch");
        assertThat(as(NOBODY, "introspect", PortAgent1.BUS_NAME, PortAgent1.OBJECT_PATH)).contains(".CreateContainerInterface");
        for (String[] c : MUTATING) {
            try {
                as(NOBODY, c);
                throw new AssertionError(c[4] + " as uid 65534 was not denied");
            } catch (Cmd.Failed f) {
                assertThat(f.stderr()).as(c[4]).containsIgnoringCase("access denied");
            }
        }
        assertThat(stub.calls).as("the agent heard of no mutating call").containsExactly("verify");
    }

    @Test
    void aMemberOfGroupPatchbayMayCallEveryMutatingMember() {
        for (String[] c : MUTATING) {
            as(NOBODY_IN_PATCHBAY, c);
        }
        assertThat(stub.calls).hasSize(4);
        assertThat(stub.calls.get(0)).startsWith("add br0 eth1 c1 ").contains(" uid=65534 ");
    }

    @Test
    void onlyRootMayOwnTheName() {
        try {
            as(NOBODY_IN_PATCHBAY, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "RequestName", "su", PortAgent1.BUS_NAME, "4");
            throw new AssertionError("a member of patchbay owned " + PortAgent1.BUS_NAME);
        } catch (Cmd.Failed f) {
            assertThat(f.stderr()).containsIgnoringCase("access denied");
        }
    }
}
