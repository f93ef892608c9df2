package dev.ovs.ovsdb.vswitch.impl;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link VSwitch}es outside an OSGi framework (tests, tools, benchmarks) from the implementation
 * bundle's jar on the class path. This package is private to bundle {@code dev.ovs.ovsdb}: inside a framework
 * use the {@code VSwitch} service, which is configured by PID {@code dev.ovs.ovsdb}.
 */
public final class VSwitches {
    private VSwitches() {
    }

    /**
     * {@link #create(OvsdbClient, boolean, long, String)} without a default datapath type.
     *
     * @param client                a connected or connecting client (not closed by the VSwitch)
     * @param waitForVswitchd       wait for ovs-vswitchd to apply each change (next_cfg/cur_cfg)
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd, in ms (&gt; 0)
     * @return the VSwitch; its replica may still be syncing
     * @throws InvalidArgumentException if client is null or the timeout is not positive
     */
    public static VSwitch create(OvsdbClient client, boolean waitForVswitchd, long vswitchdTimeoutMillis) {
        return create(client, waitForVswitchd, vswitchdTimeoutMillis, null);
    }

    /**
     * Creates a VSwitch on an existing client: starts a replica of {@link #replicaTables()} bound to the client
     * (closed with it).
     *
     * @param client                a connected or connecting client (not closed by the VSwitch)
     * @param waitForVswitchd       wait for ovs-vswitchd to apply each change (next_cfg/cur_cfg), like ovs-vsctl
     *                              without {@code --no-wait}
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd, in ms (&gt; 0)
     * @param defaultDatapathType   datapath_type of new bridges whose options name none ({@code "netdev"}: the
     *                              userspace datapath, {@code "system"}: the kernel's; vswitch.ovsschema Bridge
     *                              table); null or blank leaves the column empty (ovs-vswitchd then uses "system")
     * @return the VSwitch; its replica may still be syncing
     * @throws InvalidArgumentException if client is null, the timeout is not positive, or the datapath type is
     *                                  not one token of letters, digits, '-' and '_' (at most 64 characters)
     */
    public static VSwitch create(OvsdbClient client, boolean waitForVswitchd, long vswitchdTimeoutMillis,
            String defaultDatapathType) {
        if (client == null) {
            throw new InvalidArgumentException("client", "must not be null");
        }
        if (vswitchdTimeoutMillis <= 0) {
            throw new InvalidArgumentException("vswitchdTimeoutMillis", "must be > 0, got " + vswitchdTimeoutMillis);
        }
        if (defaultDatapathType != null && !defaultDatapathType.isBlank()
                && !defaultDatapathType.trim().matches("[A-Za-z0-9_-]{1,64}")) {
            throw new InvalidArgumentException("defaultDatapathType",
                    "must be letters, digits, '-' or '_' (1-64), got '" + defaultDatapathType + "'");
        }
        Replica r = client.replica(VSwitch.DB, replicaTables());
        return new VSwitchImpl(client, r, waitForVswitchd, vswitchdTimeoutMillis, defaultDatapathType);
    }

    /**
     * @return the tables (and columns: {@code "!col"} = all but col) a VSwitch replica keeps: Open_vSwitch,
     *         Bridge, Port, Interface, Controller, Mirror, QoS and Queue without the statistics columns; a new
     *         modifiable map on each call
     */
    public static Map<String, Set<String>> replicaTables() {
        return VSwitchImpl.replicaSpec();
    }
}
