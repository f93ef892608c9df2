package dev.ovs.ovsdb.dbus.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which operations of a Transact write a root-only table or column (RFC 7047 §5.2 operation shapes), on
 * transactions built by hand; the real-daemon test is {@code OvsdbDbusIT}.
 */
class TransactRootOnlyTest {
    private static final Set<String> DEFAULT = OvsdbDbusComponent.parseRootOnly(OvsdbDbusComponent.ROOT_ONLY_DEFAULT);

    private static java.util.List<String> writes(String json) {
        return OvsdbDbusComponent.rootOnlyWrites(OvsdbDbusComponent.checkTransact(json), DEFAULT);
    }

    @Test
    void tablesColumnsAndMutationsAreFound() {
        assertThat(DEFAULT).containsExactlyInAnyOrder("Manager", "Controller", "SSL", "Open_vSwitch.manager_options",
                "Open_vSwitch.ssl", "Bridge.controller");
        assertThat(writes("[\"Open_vSwitch\",{\"op\":\"insert\",\"table\":\"SSL\",\"row\":{}},"
                + "{\"op\":\"delete\",\"table\":\"Controller\",\"where\":[]},"
                + "{\"op\":\"update\",\"table\":\"Open_vSwitch\",\"where\":[],\"row\":{\"ssl\":[\"set\",[]]}},"
                + "{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[],\"mutations\":[[\"controller\",\"delete\","
                + "[\"set\",[]]],[\"flood_vlans\",\"insert\",[\"set\",[1]]]]},"
                + "{\"op\":\"insert\",\"table\":\"Bridge\",\"row\":{\"name\":\"b\",\"controller\":[\"set\",[]]}}]"))
                .containsExactly("op 1 (insert) writes table SSL", "op 2 (delete) writes table Controller",
                        "op 3 (update) writes Open_vSwitch.ssl", "op 4 (mutate) writes Bridge.controller",
                        "op 5 (insert) writes Bridge.controller");
    }

    @Test
    void readsAndOtherWritesAreNot() {
        assertThat(writes("[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Manager\",\"where\":[]},"
                + "{\"op\":\"wait\",\"table\":\"Controller\",\"where\":[],\"columns\":[],\"until\":\"==\",\"rows\":[]},"
                + "{\"op\":\"comment\",\"comment\":\"x\"},"
                + "{\"op\":\"update\",\"table\":\"Bridge\",\"where\":[],\"row\":{\"external_ids\":[\"map\",[]]}},"
                + "{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"controller\"}}]")).isEmpty();
        assertThat(OvsdbDbusComponent.rootOnlyWrites(OvsdbDbusComponent.checkTransact(
                "[\"Open_vSwitch\",{\"op\":\"insert\",\"table\":\"Manager\",\"row\":{}}]"), Set.of())).isEmpty();
        assertThat(OvsdbDbusComponent.parseRootOnly(" Manager , ,Bridge.controller")).containsExactlyInAnyOrder("Manager",
                "Bridge.controller");
    }
}
