package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgent;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The services an engine works through, looked up at each use: {@link VSwitch} (OVSDB client and replica),
 * {@link PortAgent}, {@link NetworkFiles} and {@link Networkd}. The checked lookups throw {@link NetStateException}
 * Failed ("unavailable: ...") while a service is missing.
 */
final class Services {
    private final Supplier<VSwitch> vswitch;
    private final Supplier<PortAgent> portAgent;
    private final Supplier<NetworkFiles> networkFiles;
    private final Supplier<Networkd> networkd;

    Services(Supplier<VSwitch> vswitch, Supplier<PortAgent> portAgent, Supplier<NetworkFiles> networkFiles,
            Supplier<Networkd> networkd) {
        this.vswitch = vswitch;
        this.portAgent = portAgent;
        this.networkFiles = networkFiles;
        this.networkd = networkd;
    }

    VSwitch vs() {
        VSwitch v = vswitch.get();
        if (v == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the Open vSwitch service (bundle dev.ovs.ovsdb) is not running");
        }
        return v;
    }

    /** Reads a fresh snapshot: the replica synced, then an echo barrier so others' committed changes are seen. */
    OvsSnapshot snapshot(VSwitch v) {
        Replica r = v.replica();
        try {
            if (!r.awaitSynced(Duration.ofSeconds(10))) {
                throw new NetStateException(ErrorKind.Failed, "unavailable: the Open_vSwitch replica is not synchronized");
            }
            r.sync();
            return OvsSnapshot.of(r);
        } catch (OvsdbException e) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: cannot read the Open_vSwitch database: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new NetStateException(ErrorKind.Failed, e.getMessage(), e);
        }
    }

    PortAgent agent() {
        PortAgent a = portAgent.get();
        if (a == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the port agent (bundle dev.ovs.portagent) is not running");
        }
        return a;
    }

    /** @return the port agent, or null while it is missing */
    PortAgent agentOrNull() {
        return portAgent.get();
    }

    NetworkFiles files() {
        NetworkFiles f = networkFiles.get();
        if (f == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: systemd-networkd's files (bundle dev.ovs.networkd) are not available");
        }
        return f;
    }

    /** @return the networkd files service, or null while it is missing */
    NetworkFiles filesOrNull() {
        return networkFiles.get();
    }

    Networkd networkd() {
        Networkd n = networkd.get();
        if (n == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: systemd-networkd (bundle dev.ovs.networkd) is not available");
        }
        return n;
    }

    /** @return the networkd service, or null while it is missing */
    Networkd networkdOrNull() {
        return networkd.get();
    }
}
