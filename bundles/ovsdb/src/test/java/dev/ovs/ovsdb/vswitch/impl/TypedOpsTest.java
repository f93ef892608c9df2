package dev.ovs.ovsdb.vswitch.impl;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.NamedTable;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.VlanMode;
import dev.ovs.ovsdb.vswitch.VlanTag;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed column operations check their arguments before anything else: on a VSwitch whose server is
 * unreachable, bad arguments give {@link InvalidArgumentException} naming the argument, and good ones reach the
 * connection check (Unavailable) only then. No daemon needed.
 */
class TypedOpsTest {
    OvsdbClient client;
    VSwitch vs;

    @BeforeEach
    void up() {
        client = OvsdbClients.connect(ClientOptions.of("unix:/nonexistent/db.sock").withRequestTimeout(500));
        vs = VSwitches.create(client, true, 1000);
    }

    @AfterEach
    void down() {
        client.close();
    }

    static void invalid(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(InvalidArgumentException.class).hasMessage(message);
    }

    static void unavailable(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(OvsdbException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((OvsdbException) e).kind()).isEqualTo(ErrorKind.Unavailable));
    }

    @Test
    void badArgumentsAreRefusedFirst() {
        invalid(() -> vs.setPortTag("a/b", VlanTag.of(1)), "port: must not contain '/', ':', NUL or whitespace");
        invalid(() -> vs.setPortTag("", null), "port: must not be empty");
        invalid(() -> vs.setPortVlanMode("sixteen-bytes-xx", VlanMode.ACCESS), "port: must be 1..15 bytes (IFNAMSIZ), got 16");
        Set<VlanTag> withNull = new HashSet<>();
        withNull.add(null);
        invalid(() -> vs.setPortTrunks("p1", withNull), "trunks: must not contain null");
        invalid(() -> vs.setPortVlan("p1", VlanMode.TRUNK, null, withNull), "trunks: must not contain null");
        invalid(() -> vs.setInterfaceMtuRequest("p1", 0), "mtu_request: must be 1..65535, got 0");
        invalid(() -> vs.setInterfaceMtuRequest("p1", 65536), "mtu_request: must be 1..65535, got 65536");
        invalid(() -> vs.setInterfaceMtuRequest("a:b", 1500), "interface: must not contain '/', ':', NUL or whitespace");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        invalid(() -> vs.setExternalIds(NamedTable.BRIDGE, "br0", nullValue), "external_ids: keys and values must not be null");
        invalid(() -> vs.setExternalIds(null, "br0", Map.of()), "table: must be one of [BRIDGE, PORT, INTERFACE]");
        invalid(() -> vs.setExternalIds(NamedTable.INTERFACE, "..", Map.of()), "interface: must not be '.' or '..'");
        invalid(() -> vs.updateExternalIds(NamedTable.PORT, "p1", nullValue, Set.of()),
                "external_ids: keys and values must not be null");
    }

    @Test
    void goodArgumentsReachTheConnectionCheck() {
        unavailable(() -> vs.setPortTag("p1", VlanTag.of(4095)));
        unavailable(() -> vs.setPortTag("p1", null));
        unavailable(() -> vs.setPortTrunks("p1", Set.of(VlanTag.of(1), VlanTag.of(2))));
        unavailable(() -> vs.setPortTrunks("p1", null));
        unavailable(() -> vs.setPortVlanMode("p1", null));
        unavailable(() -> vs.setPortVlan("eth0.100", VlanMode.NATIVE_UNTAGGED, VlanTag.of(0), Set.of()));
        unavailable(() -> vs.setInterfaceMtuRequest("p1", 9000));
        unavailable(() -> vs.setInterfaceMtuRequest("p1", null));
        unavailable(() -> vs.setExternalIds(NamedTable.PORT, "p1", Map.of("a", "b")));
        unavailable(() -> vs.setExternalIds(NamedTable.PORT, "p1", null));
        unavailable(() -> vs.updateExternalIds(NamedTable.INTERFACE, "p1", Map.of("a", "b"), Set.of("c")));
    }
}
