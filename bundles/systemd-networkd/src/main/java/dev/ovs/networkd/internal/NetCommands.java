package dev.ovs.networkd.internal;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.networkd.LinkDescription;
import dev.ovs.networkd.LinkInfo;
import dev.ovs.networkd.LinkState;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdException;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands, scope {@code net}: {@code links}, {@code link NAME}, {@code reload}, {@code reconfigure NAME},
 * {@code configure NAME --address CIDR[,CIDR...] [--gateway IP]}, {@code configure NAME --dhcp [yes|ipv4|ipv6]},
 * {@code unconfigure NAME}. Errors are returned as one line {@code error: KIND: message} (no stack trace).
 */
@Component(service = NetCommands.class, property = {"osgi.command.scope=net",
    "osgi.command.function=links", "osgi.command.function=link", "osgi.command.function=reload",
    "osgi.command.function=reconfigure", "osgi.command.function=configure", "osgi.command.function=unconfigure"})
public final class NetCommands {
    @Reference
    private Networkd networkd;
    @Reference
    private NetworkFiles files;

    /** For DS. */
    public NetCommands() {
    }

    NetCommands(Networkd networkd, NetworkFiles files) {
        this.networkd = networkd;
        this.files = files;
    }

    /**
     * Fails the shell command: Gogo prints the message and the admin shell exits 1, so scripts using
     * {@code patchbay shell -c} see the failure.
     *
     * @param e the failure: a {@link NetworkdException} or bad input
     * @return never
     * @throws IllegalStateException always, with message {@code KIND: message}, KIND being the
     *                               {@link dev.ovs.base.ErrorKind} name or {@code InvalidArgs} for bad input
     *                               (the last component of the D-Bus error name)
     */
    static String error(RuntimeException e) {
        String kind = e instanceof NetworkdException n ? n.kind().name() : "InvalidArgs";
        throw new IllegalStateException(kind + ": " + e.getMessage(), e);
    }

    /** @return one line per link: index, name, operational state, administrative state */
    public String links() {
        try {
            StringBuilder sb = new StringBuilder(String.format("%5s %-16s %-12s %s%n", "IDX", "LINK", "OPERATIONAL",
                    "SETUP"));
            for (LinkInfo l : networkd.links()) {
                LinkState s = networkd.linkState(l.name());
                sb.append(String.format("%5d %-16s %-12s %s%n", l.index(), l.name(), s.operational(),
                        s.administrative()));
            }
            return sb.toString();
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }

    /**
     * @param name interface name
     * @return the link's description: states, network file, addresses
     */
    public String link(String name) {
        try {
            LinkDescription d = networkd.describe(name);
            StringBuilder sb = new StringBuilder();
            sb.append(d.index()).append(": ").append(d.name()).append(" type ").append(d.type());
            if (d.kind() != null) {
                sb.append(" kind ").append(d.kind());
            }
            sb.append(" mtu ").append(d.mtu()).append('\n');
            d.state().toMap().forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
            sb.append("  NetworkFile: ").append(d.networkFile()).append('\n');
            for (LinkDescription.Address a : d.addresses()) {
                sb.append("  Address: ").append(a.cidr()).append(" (").append(a.configSource()).append(")\n");
            }
            return sb.toString();
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }

    /** @return "reloaded" or an error line */
    public String reload() {
        try {
            networkd.reload();
            return "reloaded";
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }

    /**
     * @param name interface name
     * @return "reconfigured NAME" or an error line
     */
    public String reconfigure(String name) {
        try {
            networkd.reconfigure(name);
            return "reconfigured " + name;
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }

    /**
     * {@code configure NAME --dhcp}: DHCP=yes.
     *
     * @param name   interface name
     * @param option {@code --dhcp}
     * @return the file written, or an error line
     */
    public String configure(String name, String option) {
        return configure(name, option, "yes");
    }

    /**
     * {@code configure NAME --address CIDR[,CIDR]} or {@code configure NAME --dhcp MODE}.
     *
     * @param name   interface name
     * @param option {@code --address} or {@code --dhcp}
     * @param value  CIDR list or DHCP mode
     * @return the file written, or an error line
     */
    public String configure(String name, String option, String value) {
        return configure(name, option, value, null, null);
    }

    /**
     * {@code configure NAME --address CIDR[,CIDR] --gateway IP}.
     *
     * @param name    interface name
     * @param option  {@code --address}
     * @param value   CIDR list
     * @param option2 {@code --gateway}
     * @param gateway gateway address
     * @return the file written, or an error line
     */
    public String configure(String name, String option, String value, String option2, String gateway) {
        try {
            if ("--dhcp".equals(option) && option2 == null) {
                return "wrote " + files.configureDhcp(name, value) + " and reloaded networkd";
            }
            if (!"--address".equals(option)) {
                throw new InvalidArgumentException("option", "expected --address CIDR or --dhcp, got " + option);
            }
            if (option2 != null && !"--gateway".equals(option2)) {
                throw new InvalidArgumentException("option", "expected --gateway IP, got " + option2);
            }
            List<String> addrs = new ArrayList<>(List.of(value.split(",")));
            return "wrote " + files.configureStatic(name, addrs, gateway) + " and reloaded networkd";
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }

    /**
     * @param name interface name
     * @return what was done, or an error line
     */
    public String unconfigure(String name) {
        try {
            return files.unconfigure(name) ? "removed " + NetworkFiles.fileNameFor(name) + " and reloaded networkd"
                    : "nothing to remove for " + name;
        } catch (NetworkdException | InvalidArgumentException e) {
            return error(e);
        }
    }
}
