package dev.ovs.portagent.internal;

import dev.ovs.portagent.ContainerPort;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code port:add}, {@code port:del}, {@code port:del-all}, {@code port:set-vlan},
 * {@code port:list}, {@code port:ledger} (ovs-docker's command line, see {@code ovs-docker --help}).
 * The ledger caller is the session variable {@code patchbay.caller} set by the admin shell, else
 * {@code shell}.
 */
@Component(service = PortCommands.class, property = {"osgi.command.scope=port", "osgi.command.function=add",
    "osgi.command.function=del", "osgi.command.function=list", "osgi.command.function=ledger",
    "osgi.command.function=delall", "osgi.command.function=setvlan"})
public class PortCommands {
    @Reference
    private PortAgent agent;

    /** For DS. */
    public PortCommands() {
    }

    PortCommands(PortAgent agent) {
        this.agent = agent;
    }

    private static String caller(CommandSession s) {
        Object c = s == null ? null : s.get("patchbay.caller");
        return c == null ? "shell" : c.toString();
    }

    /**
     * {@code port:add BRIDGE INTERFACE CONTAINER [--ipaddress=A[/P]] [--macaddress=M] [--gateway=G] [--mtu=N] [--vlan=N]}.
     *
     * @param s    session
     * @param args arguments
     * @return the host port name
     * @throws IllegalArgumentException on bad usage or input
     */
    public String add(CommandSession s, String... args) {
        List<String> pos = new ArrayList<>();
        Map<String, Object> opts = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("add: option " + a + " needs =VALUE");
                }
                opts.put(a.substring(2, eq), a.substring(eq + 1));
            } else {
                pos.add(a);
            }
        }
        if (pos.size() != 3) {
            throw new IllegalArgumentException("usage: port:add BRIDGE INTERFACE CONTAINER [--ipaddress=ADDRESS[/PREFIX]] "
                    + "[--macaddress=MAC] [--gateway=GW] [--mtu=MTU] [--vlan=TAG]");
        }
        return agent.addPort(pos.get(0), pos.get(1), pos.get(2), PortSettings.fromOptions(opts), caller(s));
    }

    /**
     * {@code port:del BRIDGE INTERFACE CONTAINER}.
     *
     * @param s    session
     * @param args arguments
     * @return a confirmation line
     */
    public String del(CommandSession s, String... args) {
        need(args, 3, "port:del BRIDGE INTERFACE CONTAINER");
        agent.deletePort(args[0], args[1], args[2], caller(s));
        return "deleted " + args[1] + " of " + args[2];
    }

    /**
     * {@code port:del-all BRIDGE CONTAINER} (ovs-docker del-ports).
     *
     * @param s    session
     * @param args arguments
     * @return removed port names, one per line
     */
    public String delall(CommandSession s, String... args) {
        need(args, 2, "port:del-all BRIDGE CONTAINER");
        return String.join("\n", agent.deletePorts(args[0], args[1], caller(s)));
    }

    /**
     * {@code port:set-vlan BRIDGE INTERFACE CONTAINER VLAN}.
     *
     * @param s    session
     * @param args arguments
     * @return a confirmation line
     */
    public String setvlan(CommandSession s, String... args) {
        need(args, 4, "port:set-vlan BRIDGE INTERFACE CONTAINER VLAN");
        VlanTag tag = VlanTag.parse("vlan", args[3]);
        agent.setVlan(args[0], args[1], args[2], tag, caller(s));
        return "tag " + tag + " on " + args[1] + " of " + args[2];
    }

    /**
     * {@code port:list}: one line per container port: {@code PORT BRIDGE CONTAINER INTERFACE TAG}.
     *
     * @return the table
     */
    public String list() {
        StringBuilder sb = new StringBuilder(String.format("%-16s %-15s %-15s %-40s %s%n", "PORT", "BRIDGE", "INTERFACE", "CONTAINER", "TAG"));
        for (ContainerPort p : agent.listPorts()) {
            sb.append(String.format("%-16s %-15s %-15s %-40s %s%n", p.port(), p.bridge(), p.containerIface(), p.containerId(),
                    p.tag() == null ? "-" : p.tag()));
        }
        return sb.toString().stripTrailing();
    }

    /**
     * {@code port:ledger [stats|verify|tail [N]]} (default {@code stats}).
     *
     * @param args sub-command
     * @return stats JSON, or entries (one JSON-ish line each)
     */
    public String ledger(String... args) {
        String sub = args.length == 0 ? "stats" : args[0];
        switch (sub) {
            case "stats":
                return PortAgentImpl.toJson(agent.ledgerStats());
            case "verify": {
                LedgerStats st = agent.verifyLedger();
                return (st.verified() ? "OK: " : "TAMPERED: ") + PortAgentImpl.toJson(st);
            }
            case "tail": {
                int n = args.length > 1 && args[1].matches("[0-9]{1,6}") ? Integer.parseInt(args[1]) : 10;
                StringBuilder sb = new StringBuilder();
                for (LedgerEntry e : agent.ledgerTail(n)) {
                    sb.append(e.seq()).append(' ').append(e.time()).append(' ').append(e.caller()).append(' ')
                            .append(e.operation()).append(' ').append(e.args()).append(" -> ").append(e.result()).append('\n');
                }
                return sb.toString().stripTrailing();
            }
            default:
                throw new IllegalArgumentException("usage: port:ledger [stats|verify|tail [N]]");
        }
    }

    private static void need(String[] args, int n, String usage) {
        if (args.length != n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    /** Dashed names Gogo cannot map to methods: {@code port:del-all}, {@code port:set-vlan}. */
    abstract static class Dash implements Function {
        @Reference
        PortCommands commands;

        abstract Object run(CommandSession s, String[] a);

        @Override
        public Object execute(CommandSession session, List<Object> arguments) {
            return run(session, arguments.stream().map(String::valueOf).toArray(String[]::new));
        }
    }

    /** {@code port:del-all}. */
    @Component(service = Function.class, property = {"osgi.command.scope=port", "osgi.command.function=del-all"})
    public static final class DelAll extends Dash {
        @Override
        Object run(CommandSession s, String[] a) {
            return commands.delall(s, a);
        }
    }

    /** {@code port:set-vlan}. */
    @Component(service = Function.class, property = {"osgi.command.scope=port", "osgi.command.function=set-vlan"})
    public static final class SetVlan extends Dash {
        @Override
        Object run(CommandSession s, String[] a) {
            return commands.setvlan(s, a);
        }
    }
}
