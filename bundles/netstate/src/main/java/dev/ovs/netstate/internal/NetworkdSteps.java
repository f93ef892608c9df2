package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.net.NetPlanner;
import dev.ovs.networkd.FileNotOwnedException;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The systemd-networkd part of an apply or a rollback: Patchbay's files, Reload, ReconfigureLink, and the wait. */
final class NetworkdSteps {
    private final Services services;
    private final long timeoutMillis;

    /** @param timeoutMillis how long to wait for systemd-networkd to create VLAN links and configure addresses, ms */
    NetworkdSteps(Services services, long timeoutMillis) {
        this.services = services;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * The networkd part of an apply or a rollback: every file written or removed (netdevs first) without a reload each,
     * then one {@code Reload} and a {@code ReconfigureLink} of every link whose {@code .network} changed and that
     * networkd knows.
     *
     * @throws NetStateException Conflict (a file became someone else's meanwhile), Failed (I/O, networkd's error)
     */
    void run(NetPlanner.Plan p) {
        if (p.isEmpty()) {
            return;
        }
        NetworkFiles f = services.files();
        Networkd n = services.networkd();
        try {
            for (var w : p.writes().entrySet()) {
                f.write(w.getKey(), w.getValue(), false);
            }
            for (String r : p.removes()) {
                f.remove(r, false);
            }
            n.reload();
            for (String link : p.links()) {
                try {
                    n.reconfigure(link);
                } catch (NetworkdException x) {
                    if (x.kind() != ErrorKind.NotFound) {
                        throw x;
                    }
                }
            }
        } catch (FileNotOwnedException x) {
            throw new NetStateException(ErrorKind.Conflict, "systemd-networkd files: " + x.getMessage()
                    + " (someone else wrote it after it was read)", x);
        } catch (NetworkdException x) {
            throw new NetStateException(x.kind() == ErrorKind.Timeout ? ErrorKind.Timeout : ErrorKind.Failed, "systemd-networkd: "
                    + x.getMessage(), x);
        }
    }

    /**
     * Waits until systemd-networkd created the document's VLAN links and configured the static addresses it asked for
     * on the links networkd knows ({@code DescribeLink}), polling every 100 ms.
     *
     * @throws NetStateException Timeout after {@link NetStateEngine.Settings#networkdTimeoutMillis()}
     */
    void await(NetPlanner.Plan p) {
        if (p.vlans().isEmpty() && p.addresses().isEmpty()) {
            return;
        }
        Networkd n = services.networkd();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String missing;
        do {
            missing = null;
            for (String v : p.vlans()) {
                if (!known(n, v)) {
                    missing = "VLAN link " + v + " was not created";
                    break;
                }
            }
            if (missing == null) {
                for (var a : p.addresses().entrySet()) {
                    if (!known(n, a.getKey())) {
                        continue; // a link that does not exist (yet): its file is in place
                    }
                    List<String> have = n.describe(a.getKey()).addresses().stream().map(x -> x.cidr()).toList();
                    for (String want : a.getValue()) {
                        if (!have.contains(want)) {
                            missing = a.getKey() + " has no address " + want;
                            break;
                        }
                    }
                    if (missing != null) {
                        break;
                    }
                }
            }
            if (missing == null) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new NetStateException(ErrorKind.Failed, "interrupted while waiting for systemd-networkd", x);
            }
        } while (System.nanoTime() < deadline);
        throw new NetStateException(ErrorKind.Timeout, "systemd-networkd did not apply the files within " + timeoutMillis
                + " ms: " + missing);
    }

    private static boolean known(Networkd n, String link) {
        try {
            n.link(link);
            return true;
        } catch (NetworkdException x) {
            if (x.kind() == ErrorKind.NotFound) {
                return false;
            }
            throw new NetStateException(ErrorKind.Failed, "systemd-networkd: " + x.getMessage(), x);
        }
    }
}
