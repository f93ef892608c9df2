package dev.ovs.ovsdb.shell;

import dev.ovs.ovsdb.BaseType;
import dev.ovs.ovsdb.ColumnType;
import dev.ovs.ovsdb.ReplicaListener;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import dev.ovs.ovsdb.TableSchema;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.PortOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import dev.ovs.ovsdb.component.OvsdbClientComponent;
import dev.ovs.ovsdb.component.VSwitchComponent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Gogo commands, scope {@code ovs} (ovs-vsctl(8) style). Functions without dashes are methods here; the
 * dashed names ({@code add-br}, {@code del-br}, {@code list-br}, {@code add-port}, {@code del-port},
 * {@code list-ports}) are registered by {@link OvsDashCommands}.
 * <ul>
 * <li>{@code ovs:show}; {@code ovs:status} (the connection: remote, connected, last failure)</li>
 * <li>{@code ovs:add-br [--may-exist] BR [datapath_type=T] [fail_mode=M]}</li>
 * <li>{@code ovs:del-br [--if-exists] BR}; {@code ovs:list-br}</li>
 * <li>{@code ovs:add-port [--may-exist] BR PORT [tag=N] [trunks=A,B] [vlan_mode=M] [type=T] [mtu_request=N]}</li>
 * <li>{@code ovs:del-port [--if-exists] [BR] PORT}; {@code ovs:list-ports BR}</li>
 * <li>{@code ovs:set TABLE NAME COLUMN=VALUE|COLUMN:KEY=VALUE ...} (TABLE Bridge, Port, Interface)</li>
 * <li>{@code ovs:transact JSON}; {@code ovs:monitor [SECONDS]}</li>
 * <li>{@code ovs:add-mirror [--may-exist] BR NAME [select_all=true] [select_src_port=P,..] [select_dst_port=P,..]
 * [select_vlan=V,..] output_port=P|output_vlan=V}; {@code ovs:del-mirror [--if-exists] BR NAME};
 * {@code ovs:list-mirrors BR}</li>
 * <li>{@code ovs:set-qos PORT TYPE [KEY=VALUE ...] [qN:KEY=VALUE ...] [qN:dscp=D]} (QoS other_config, e.g.
 * max-rate in bit/s; queue N's other_config/dscp); {@code ovs:clear-qos [--if-exists] PORT}; {@code ovs:qos PORT}</li>
 * <li>{@code ovs:set-queue PORT N [dscp=D] [KEY=VALUE ...]}; {@code ovs:del-queue [--if-exists] PORT N}</li>
 * </ul>
 */
@Component(service = OvsCommands.class, property = {"osgi.command.scope=ovs", "osgi.command.function=show",
    "osgi.command.function=status",
    "osgi.command.function=addbr", "osgi.command.function=delbr", "osgi.command.function=listbr",
    "osgi.command.function=addport", "osgi.command.function=delport", "osgi.command.function=listports",
    "osgi.command.function=set", "osgi.command.function=transact", "osgi.command.function=monitor",
    "osgi.command.function=addmirror", "osgi.command.function=delmirror", "osgi.command.function=listmirrors",
    "osgi.command.function=setqos", "osgi.command.function=clearqos", "osgi.command.function=qos",
    "osgi.command.function=setqueue", "osgi.command.function=delqueue"})
public class OvsCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile VSwitch vs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;

    /** For tests and direct use. */
    public OvsCommands() {
    }

    /**
     * For use outside a framework (tests).
     *
     * @param vs the VSwitch the commands work on
     */
    public OvsCommands(VSwitch vs) {
        this.vs = vs;
    }

    /**
     * Runs a command by name.
     *
     * @param name a command name, dashed ({@code add-br}) or not ({@code addbr})
     * @param args its arguments
     * @return its output
     * @throws IllegalArgumentException for an unknown command or bad arguments
     */
    public Object dispatch(String name, String[] args) {
        switch (name) {
            case "show": return show();
            case "status": return status();
            case "add-br": case "addbr": return addbr(args);
            case "del-br": case "delbr": return delbr(args);
            case "list-br": case "listbr": return listbr();
            case "add-port": case "addport": return addport(args);
            case "del-port": case "delport": return delport(args);
            case "list-ports": case "listports": return listports(args);
            case "add-mirror": case "addmirror": return addmirror(args);
            case "del-mirror": case "delmirror": return delmirror(args);
            case "list-mirrors": case "listmirrors": return listmirrors(args);
            case "set-qos": case "setqos": return setqos(args);
            case "clear-qos": case "clearqos": return clearqos(args);
            case "qos": return qos(args);
            case "set-queue": case "setqueue": return setqueue(args);
            case "del-queue": case "delqueue": return delqueue(args);
            default: throw new IllegalArgumentException("unknown command " + name);
        }
    }

    private static List<String> positional(String[] args, Set<String> flags, Set<String> seen) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                if (!flags.contains(a)) {
                    throw new IllegalArgumentException("unknown option " + a + " (allowed: " + flags + ")");
                }
                seen.add(a);
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * @return the VSwitch service
     * @throws IllegalStateException if there is none, with the reason ({@link #unavailable()})
     */
    private VSwitch vs() {
        VSwitch v = vs;
        if (v == null) {
            throw new IllegalStateException("ovsdb: unavailable: " + unavailable());
        }
        return v;
    }

    /**
     * Why this bundle's OVSDB components are not running, from Declarative Services' runtime
     * ({@link ServiceComponentRuntime}): the failure of a component that failed to activate (a configuration
     * that {@code dev.ovs.ovsdb} refuses names the key and the rule) or the reference it waits for.
     */
    private String unavailable() {
        ServiceComponentRuntime r = scr;
        if (r == null) {
            return "no VSwitch service";
        }
        List<String> reasons = new ArrayList<>();
        for (ComponentDescriptionDTO d : r.getComponentDescriptionDTOs(FrameworkUtil.getBundle(OvsCommands.class))) {
            if (!d.name.equals(OvsdbClientComponent.NAME) && !d.implementationClass.equals(VSwitchComponent.class.getName())) {
                continue;
            }
            for (ComponentConfigurationDTO c : r.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    String f = c.failure == null ? "failed to activate" : c.failure.strip();
                    String line = f.lines().findFirst().orElse(f);
                    for (String l : f.split("\n")) {
                        if (l.strip().startsWith("Caused by: ")) { // the root cause behind a reflection wrapper
                            line = l.strip().substring("Caused by: ".length());
                        }
                    }
                    reasons.add(d.name + " failed to activate: " + line.strip());
                } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                    for (var u : c.unsatisfiedReferences) {
                        reasons.add(d.name + " waits for " + u.name);
                    }
                } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                    reasons.add(d.name + " has no configuration");
                }
            }
        }
        return reasons.isEmpty() ? "no VSwitch service" : String.join("; ", reasons);
    }

    /**
     * @return the OVSDB connection, one {@code key: value} per line: {@code remote} (current or last tried),
     *         {@code remotes} (all, in order), {@code connected}, {@code since}, {@code connections},
     *         {@code leader.only}, {@code last error} (the reason of the last failed attempt or lost connection);
     *         without a running OVSDB client {@code connected: false} and {@code unavailable: REASON} (e.g. the
     *         configuration key that {@code dev.ovs.ovsdb.client} refused and its rule)
     */
    public String status() {
        if (vs == null) {
            return "connected: false\nunavailable: " + unavailable() + "\n";
        }
        var c = vs().client();
        var st = c.status();
        return "remote: " + st.remote() + "\nremotes: " + String.join(",", c.options().remotes())
                + "\nconnected: " + st.connected() + "\nsince: " + st.since() + "\nconnections: " + st.connections()
                + "\nleader.only: " + c.options().leaderOnly()
                + "\nlast error: " + (st.lastError() == null ? "none" : st.lastError()) + "\n";
    }

    /** @return ovs-vsctl show style tree */
    public String show() {
        StringBuilder sb = new StringBuilder();
        var r = vs().replica();
        r.sync();
        for (Row ovs : r.rows("Open_vSwitch")) {
            sb.append(ovs.uuid()).append('\n');
            List<Row> bridges = new ArrayList<>();
            for (Object u : ovs.getSet("bridges")) {
                r.row("Bridge", (UUID) u).ifPresent(bridges::add);
            }
            bridges.sort(Comparator.comparing(b -> b.getString("name")));
            for (Row b : bridges) {
                sb.append("    Bridge ").append(b.getString("name")).append('\n');
                if (b.getString("fail_mode") != null) {
                    sb.append("        fail_mode: ").append(b.getString("fail_mode")).append('\n');
                }
                if (!b.getString("datapath_type").isEmpty()) {
                    sb.append("        datapath_type: ").append(b.getString("datapath_type")).append('\n');
                }
                List<Row> ports = new ArrayList<>();
                for (Object u : b.getSet("ports")) {
                    r.row("Port", (UUID) u).ifPresent(ports::add);
                }
                ports.sort(Comparator.comparing(p -> p.getString("name")));
                for (Row p : ports) {
                    sb.append("        Port ").append(p.getString("name")).append('\n');
                    if (p.getLong("tag") != null) {
                        sb.append("            tag: ").append(p.getLong("tag")).append('\n');
                    }
                    if (!p.getSet("trunks").isEmpty()) {
                        sb.append("            trunks: ").append(p.getSet("trunks")).append('\n');
                    }
                    for (Object iu : p.getSet("interfaces")) {
                        r.row("Interface", (UUID) iu).ifPresent(i -> {
                            sb.append("            Interface ").append(i.getString("name")).append('\n');
                            if (!i.getString("type").isEmpty()) {
                                sb.append("                type: ").append(i.getString("type")).append('\n');
                            }
                            if (!i.getMap("options").isEmpty()) {
                                sb.append("                options: ").append(i.getMap("options")).append('\n');
                            }
                            if (i.getString("error") != null) {
                                sb.append("                error: \"").append(i.getString("error")).append("\"\n");
                            }
                        });
                    }
                }
            }
            if (ovs.getString("ovs_version") != null) {
                sb.append("    ovs_version: \"").append(ovs.getString("ovs_version")).append("\"\n");
            }
        }
        return sb.toString();
    }

    /** @param args [--may-exist] BR [datapath_type=T] [fail_mode=M] @return empty string */
    public String addbr(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--may-exist"), seen);
        if (pos.isEmpty()) {
            throw new IllegalArgumentException("usage: add-br [--may-exist] BRIDGE [datapath_type=T] [fail_mode=M]");
        }
        BridgeOptions o = BridgeOptions.NONE;
        for (String kv : pos.subList(1, pos.size())) {
            String[] p = kv.split("=", 2);
            if (p.length != 2) {
                throw new IllegalArgumentException("option '" + kv + "': expected KEY=VALUE");
            }
            switch (p[0]) {
                case "datapath_type" -> o = o.withDatapathType(p[1]);
                case "fail_mode" -> o = o.withFailMode(p[1]);
                default -> throw new IllegalArgumentException("option '" + p[0] + "': allowed datapath_type, fail_mode");
            }
        }
        vs().addBridge(pos.get(0), o, seen.contains("--may-exist"));
        return "";
    }

    /** @param args [--if-exists] BR @return empty string */
    public String delbr(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--if-exists"), seen);
        if (pos.size() != 1) {
            throw new IllegalArgumentException("usage: del-br [--if-exists] BRIDGE");
        }
        vs().deleteBridge(pos.get(0), seen.contains("--if-exists"));
        return "";
    }

    /** @return bridge names, one per line */
    public String listbr() {
        return lines(vs().listBridges());
    }

    private static String lines(List<String> l) {
        return l.isEmpty() ? "" : String.join("\n", l) + "\n";
    }

    /** @param args [--may-exist] BR PORT [tag=N] [trunks=A,B] [vlan_mode=M] [type=T] [mtu_request=N] @return "" */
    public String addport(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--may-exist"), seen);
        if (pos.size() < 2) {
            throw new IllegalArgumentException("usage: add-port [--may-exist] BRIDGE PORT [tag=N] [trunks=A,B] [vlan_mode=M] [type=T] [mtu_request=N]");
        }
        PortOptions o = PortOptions.NONE;
        for (String kv : pos.subList(2, pos.size())) {
            String[] p = kv.split("=", 2);
            if (p.length != 2) {
                throw new IllegalArgumentException("option '" + kv + "': expected KEY=VALUE");
            }
            try {
                switch (p[0]) {
                    case "tag" -> o = o.withTag(dev.ovs.ovsdb.vswitch.VlanTag.parse("tag", p[1]));
                    case "trunks" -> {
                        Set<dev.ovs.ovsdb.vswitch.VlanTag> t = new LinkedHashSet<>();
                        for (String x : p[1].replace("[", "").replace("]", "").split(",")) {
                            if (!x.isBlank()) {
                                t.add(dev.ovs.ovsdb.vswitch.VlanTag.parse("trunks", x));
                            }
                        }
                        o = o.withTrunks(t);
                    }
                    case "vlan_mode" -> o = o.withVlanMode(dev.ovs.ovsdb.vswitch.VlanMode.of("vlan_mode", p[1]));
                    case "type" -> o = o.withInterfaceType(p[1]);
                    case "mtu_request" -> o = o.withMtuRequest(Integer.parseInt(p[1]));
                    default -> throw new IllegalArgumentException("option '" + p[0]
                            + "': allowed tag, trunks, vlan_mode, type, mtu_request");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option '" + p[0] + "': not a number: " + p[1]);
            }
        }
        vs().addPort(pos.get(0), pos.get(1), o, seen.contains("--may-exist"));
        return "";
    }

    /** @param args [--if-exists] [BR] PORT @return "" */
    public String delport(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--if-exists"), seen);
        if (pos.isEmpty() || pos.size() > 2) {
            throw new IllegalArgumentException("usage: del-port [--if-exists] [BRIDGE] PORT");
        }
        vs().deletePort(pos.size() == 2 ? pos.get(0) : null, pos.get(pos.size() - 1), seen.contains("--if-exists"));
        return "";
    }

    /** @param args BR @return port names, one per line */
    public String listports(String... args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: list-ports BRIDGE");
        }
        return lines(vs().listPorts(args[0]));
    }

    private static String[] kv(String arg) {
        String[] p = arg.split("=", 2);
        if (p.length != 2 || p[0].isEmpty()) {
            throw new IllegalArgumentException("argument '" + arg + "': expected KEY=VALUE");
        }
        return p;
    }

    private static Set<String> list(String v) {
        Set<String> out = new LinkedHashSet<>();
        for (String x : v.replace("[", "").replace("]", "").split(",")) {
            if (!x.isBlank()) {
                out.add(x.trim());
            }
        }
        return out;
    }

    private static int integer(String field, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": not a number: " + v);
        }
    }

    private static long longValue(String field, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": not a number: " + v);
        }
    }

    /**
     * @param args [--may-exist] BR NAME [select_all=true] [select_src_port=P,..] [select_dst_port=P,..]
     *             [select_vlan=V,..] output_port=P|output_vlan=V
     * @return the Mirror uuid
     */
    public String addmirror(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--may-exist"), seen);
        if (pos.size() < 3) {
            throw new IllegalArgumentException("usage: add-mirror [--may-exist] BRIDGE NAME [select_all=true] [select_src_port=P,..] "
                    + "[select_dst_port=P,..] [select_vlan=V,..] output_port=P|output_vlan=V");
        }
        boolean all = false;
        Set<String> src = Set.of();
        Set<String> dst = Set.of();
        Set<dev.ovs.ovsdb.vswitch.VlanTag> vlans = new LinkedHashSet<>();
        String outPort = null;
        dev.ovs.ovsdb.vswitch.VlanTag outVlan = null;
        for (String a : pos.subList(2, pos.size())) {
            String[] p = kv(a);
            switch (p[0]) {
                case "select_all" -> all = Boolean.parseBoolean(p[1]);
                case "select_src_port" -> src = list(p[1]);
                case "select_dst_port" -> dst = list(p[1]);
                case "select_vlan" -> list(p[1]).forEach(v -> vlans.add(dev.ovs.ovsdb.vswitch.VlanTag.parse("select_vlan", v)));
                case "output_port" -> outPort = p[1];
                case "output_vlan" -> outVlan = dev.ovs.ovsdb.vswitch.VlanTag.parse("output_vlan", p[1]);
                default -> throw new IllegalArgumentException("argument '" + p[0]
                        + "': allowed select_all, select_src_port, select_dst_port, select_vlan, output_port, output_vlan");
            }
        }
        return vs().addMirror(pos.get(0), new dev.ovs.ovsdb.vswitch.MirrorSpec(pos.get(1), all, src, dst, vlans, outPort, outVlan,
                null), seen.contains("--may-exist")) + "\n";
    }

    /** @param args [--if-exists] BR NAME @return "" */
    public String delmirror(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--if-exists"), seen);
        if (pos.size() != 2) {
            throw new IllegalArgumentException("usage: del-mirror [--if-exists] BRIDGE NAME");
        }
        vs().deleteMirror(pos.get(0), pos.get(1), seen.contains("--if-exists"));
        return "";
    }

    /** @param args BR @return one line per mirror */
    public String listmirrors(String... args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: list-mirrors BRIDGE");
        }
        StringBuilder sb = new StringBuilder();
        for (var m : vs().listMirrors(args[0])) {
            sb.append(m.name()).append(" select_all=").append(m.selectAll()).append(" select_src_port=").append(m.selectSrcPort())
                    .append(" select_dst_port=").append(m.selectDstPort()).append(" select_vlan=").append(m.selectVlan());
            if (m.outputPort() != null) {
                sb.append(" output_port=").append(m.outputPort());
            }
            if (m.outputVlan() != null) {
                sb.append(" output_vlan=").append(m.outputVlan());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** @param args PORT TYPE [KEY=VALUE ...] [qN:KEY=VALUE ...] [qN:dscp=D] @return the QoS uuid */
    public String setqos(String... args) {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: set-qos PORT TYPE [KEY=VALUE ...] [qN:KEY=VALUE ...] [qN:dscp=D]"
                    + " (e.g. set-qos p1 linux-htb max-rate=10000000 q0:max-rate=1000000)");
        }
        Map<String, String> other = new LinkedHashMap<>();
        Map<Long, Map<String, String>> qcfg = new java.util.TreeMap<>();
        Map<Long, Integer> dscp = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] p = kv(args[i]);
            if (p[0].matches("q[0-9]+:.+")) {
                int colon = p[0].indexOf(':');
                long id = longValue("queue", p[0].substring(1, colon));
                String key = p[0].substring(colon + 1);
                Map<String, String> m = qcfg.computeIfAbsent(id, k -> new LinkedHashMap<>());
                if ("dscp".equals(key)) {
                    dscp.put(id, integer("dscp", p[1]));
                } else {
                    m.put(key, p[1]);
                }
            } else {
                other.put(p[0], p[1]);
            }
        }
        Map<Long, dev.ovs.ovsdb.vswitch.QueueSpec> queues = new LinkedHashMap<>();
        qcfg.forEach((id, m) -> queues.put(id, new dev.ovs.ovsdb.vswitch.QueueSpec(dscp.get(id), m, null)));
        return vs().setQos(args[0], new dev.ovs.ovsdb.vswitch.QosSpec(args[1], other, queues, null)) + "\n";
    }

    /** @param args [--if-exists] PORT @return "" */
    public String clearqos(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--if-exists"), seen);
        if (pos.size() != 1) {
            throw new IllegalArgumentException("usage: clear-qos [--if-exists] PORT");
        }
        vs().clearQos(pos.get(0), seen.contains("--if-exists"));
        return "";
    }

    /** @param args PORT @return the port's QoS and queues, or "no QoS" */
    public String qos(String... args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: qos PORT");
        }
        var q = vs().qos(args[0]);
        if (q.isEmpty()) {
            return "no QoS\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(q.get().uuid()).append(" type=").append(q.get().type()).append(" other_config=").append(q.get().otherConfig())
                .append(" ports=").append(q.get().ports()).append('\n');
        q.get().queues().forEach((id, qu) -> sb.append("    queue ").append(id).append(": ").append(qu.uuid())
                .append(qu.dscp() == null ? "" : " dscp=" + qu.dscp()).append(" other_config=").append(qu.otherConfig()).append('\n'));
        return sb.toString();
    }

    /** @param args PORT N [dscp=D] [KEY=VALUE ...] @return the Queue uuid */
    public String setqueue(String... args) {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: set-queue PORT N [dscp=D] [KEY=VALUE ...] (e.g. max-rate=1000000)");
        }
        Integer d = null;
        Map<String, String> other = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] p = kv(args[i]);
            if ("dscp".equals(p[0])) {
                d = integer("dscp", p[1]);
            } else {
                other.put(p[0], p[1]);
            }
        }
        return vs().setQueue(args[0], longValue("queue", args[1]), new dev.ovs.ovsdb.vswitch.QueueSpec(d, other, null)) + "\n";
    }

    /** @param args [--if-exists] PORT N @return "" */
    public String delqueue(String... args) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> pos = positional(args, Set.of("--if-exists"), seen);
        if (pos.size() != 2) {
            throw new IllegalArgumentException("usage: del-queue [--if-exists] PORT N");
        }
        vs().deleteQueue(pos.get(0), longValue("queue", pos.get(1)), seen.contains("--if-exists"));
        return "";
    }

    /** @param args TABLE NAME COLUMN=VALUE|COLUMN:KEY=VALUE ... @return "" */
    public String set(String... args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: set TABLE NAME COLUMN=VALUE|COLUMN:KEY=VALUE ...");
        }
        String table = args[0];
        String name = args[1];
        TableSchema ts = vs().client().schema(VSwitch.DB).table(table);
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + a + "': expected COLUMN=VALUE or COLUMN:KEY=VALUE");
            }
            String lhs = a.substring(0, eq);
            String value = a.substring(eq + 1);
            int colon = lhs.indexOf(':');
            if (colon > 0) {
                String column = lhs.substring(0, colon);
                vs().updateMapColumn(table, name, column, Map.of(lhs.substring(colon + 1), unquote(value)), Set.of());
            } else {
                vs().setColumn(table, name, lhs, parse(ts.columnType(lhs), value, table + "." + lhs));
            }
        }
        return "";
    }

    /** Parses ovs-vsctl-like text for a column type: atoms, [a,b] / a,b sets, {k=v,...} maps. */
    static Object parse(ColumnType t, String text, String field) {
        String s = text.trim();
        if (t.isMap()) {
            if (!s.startsWith("{") || !s.endsWith("}")) {
                throw new IllegalArgumentException(field + ": map value must look like {key=value,...}");
            }
            Map<Object, Object> m = new LinkedHashMap<>();
            String body = s.substring(1, s.length() - 1).trim();
            if (!body.isEmpty()) {
                for (String kv : body.split(",")) {
                    String[] p = kv.split("=", 2);
                    if (p.length != 2) {
                        throw new IllegalArgumentException(field + ": '" + kv + "' is not key=value");
                    }
                    m.put(atom(t.key(), unquote(p[0].trim()), field), atom(t.value(), unquote(p[1].trim()), field));
                }
            }
            return m;
        }
        if (t.isScalar()) {
            return atom(t.key(), unquote(s), field);
        }
        String body = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1).trim() : s;
        List<Object> l = new ArrayList<>();
        if (!body.isEmpty()) {
            for (String x : body.split(",")) {
                l.add(atom(t.key(), unquote(x.trim()), field));
            }
        }
        return l;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static Object atom(BaseType b, String s, String field) {
        try {
            return switch (b.type()) {
                case INTEGER -> Long.parseLong(s);
                case REAL -> Double.parseDouble(s);
                case BOOLEAN -> {
                    if (!"true".equals(s) && !"false".equals(s)) {
                        throw new IllegalArgumentException(field + ": expected true or false, got '" + s + "'");
                    }
                    yield Boolean.parseBoolean(s);
                }
                case UUID -> UUID.fromString(s);
                default -> s;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": expected " + b.type().keyword() + ", got '" + s + "'");
        }
    }

    /** @param json RFC 7047 transact params array @return result JSON */
    public String transact(String json) {
        return vs().transact(json);
    }

    /**
     * Prints replica changes (Bridge, Port, Interface, ...) for a while.
     *
     * @param args [SECONDS] (default 10, max 3600)
     * @return summary line
     * @throws InterruptedException if interrupted (Ctrl-C)
     */
    public String monitor(String... args) throws InterruptedException {
        long secs = args.length > 0 ? Long.parseLong(args[0]) : 10;
        if (secs < 1 || secs > 3600) {
            throw new IllegalArgumentException("seconds: must be 1..3600");
        }
        LinkedBlockingQueue<RowEvent> q = new LinkedBlockingQueue<>(10000);
        ReplicaListener l = evs -> evs.forEach(q::offer);
        vs().replica().addListener(l);
        int n = 0;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                RowEvent e = q.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    break;
                }
                n++;
                Map<String, Object> changed = new HashMap<>();
                if (e.type() == RowEvent.Type.UPDATE) {
                    e.changedColumns().forEach(c -> changed.put(c, e.newRow().get(c)));
                }
                System.out.println(e.type() + " " + e.table() + " " + e.row().getString("name") + " " + e.uuid()
                        + (changed.isEmpty() ? "" : " " + changed));
            }
        } finally {
            vs().replica().removeListener(l);
        }
        return n + " change(s)";
    }

}
