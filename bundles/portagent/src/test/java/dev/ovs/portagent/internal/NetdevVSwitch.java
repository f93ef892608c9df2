package dev.ovs.portagent.internal;

import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;

/**
 * Tests' VSwitch as the ovsdb bundle wires it with {@code bridge.datapath_type=netdev} (the harness's
 * ovs-vswitchd has no kernel datapath): bridges created without a datapath_type, as add-port creates them,
 * get {@code netdev}. Made by the implementation bundle's factory for use outside a framework ({@link VSwitches}).
 */
final class NetdevVSwitch {
    private NetdevVSwitch() {
    }

    /**
     * @param client connected client
     * @return a VSwitch that waits for ovs-vswitchd (10 s) and creates netdev bridges by default
     */
    static VSwitch create(OvsdbClient client) {
        return VSwitches.create(client, true, 10000, "netdev");
    }
}
