package dev.ovs.netstate.internal.doc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.portagent.Cidr;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.Validate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses and validates a state document (YAML, docs/state.md) into a {@link Doc}. The whole document is
 * checked; the first error found (document order) is thrown as {@link InvalidArgumentException} whose
 * argument is the document path ({@code interfaces[2].bridge.port[0].vlan.tag}) and whose rule says what is
 * allowed and what was found. Unknown keys are errors (a typo must not be silently ignored). Thread-safe.
 */
public final class DocParser {
    /** Interface types of Open vSwitch tunnels accepted under {@code tunnel.type} (ovs-vswitchd.conf.db(5)). */
    public static final Set<String> TUNNEL_TYPES = Set.of("vxlan", "geneve", "gre", "ip6gre", "erspan", "ip6erspan",
            "stt", "lisp", "gtpu", "bareudp");
    /** Port {@code vlan_mode} values (ovs-vswitchd.conf.db(5), Port table). */
    public static final Set<String> VLAN_MODES = Set.of("access", "trunk", "native-tagged", "native-untagged",
            "dot1q-tunnel");
    /** Longest document accepted, in characters: {@value}. */
    public static final int MAX_CHARS = 16 * 1024 * 1024;

    private final ObjectMapper yaml;
    private final ObjectMapper json;

    /** Creates a parser (duplicate keys are errors). */
    public DocParser() {
        YAMLFactory f = YAMLFactory.builder().build();
        f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.yaml = new ObjectMapper(f);
        this.json = new ObjectMapper();
        json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * @param text the document; null, empty or only comments: an empty document
     * @return the validated document
     * @throws InvalidArgumentException for the first error, naming its path and rule
     */
    public Doc parse(String text) {
        if (text != null && text.length() > MAX_CHARS) {
            throw new InvalidArgumentException("document", "must be at most " + MAX_CHARS + " characters, got " + text.length());
        }
        JsonNode root = null;
        if (text != null && text.stripLeading().startsWith("{")) {
            // a JSON document (JSON is YAML): Jackson's JSON parser reads it several times faster; anything it does not
            // accept is read as YAML below, so the result and the errors are the YAML reading's
            try {
                root = json.readTree(text);
            } catch (JsonProcessingException e) {
                root = null;
            }
        }
        try {
            if (root == null) {
                root = text == null || text.isBlank() ? null : yaml.readTree(text);
            }
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? "" : " at line " + l.getLineNr() + " column " + l.getColumnNr();
            throw new InvalidArgumentException("document", "must be valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new Doc(List.of());
        }
        Obj top = Obj.of(root, "document", "");
        top.allow("interfaces", "routes", "container-ports");
        List<Doc.Entry> entries = new ArrayList<>();
        List<Doc.Link> links = new ArrayList<>();
        JsonNode list = top.get("interfaces");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new InvalidArgumentException("interfaces", "must be a list, got " + kind(list));
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode n = list.get(i);
                String path = "interfaces[" + i + "]";
                if (n != null && n.isObject() && Doc.Link.VLAN.equals(n.path("type").asText(null))) {
                    links.add(vlanLink(n, path));
                    continue;
                }
                Doc.Entry e = entry(n, path);
                entries.add(e);
                if (e instanceof Doc.Iface f && !f.absent()) {
                    Obj o = Obj.of(n, path, path + ".");
                    if (o.has("ipv4") || o.has("ipv6")) {
                        links.add(new Doc.Link(path, f.name(), f.kind(), false, null, null, ip(o, "ipv4", 4), ip(o, "ipv6", 6)));
                    }
                }
            }
        }
        List<Doc.ContainerPort> cports = new ArrayList<>();
        JsonNode cl = top.get("container-ports");
        if (cl != null && !cl.isNull()) {
            if (!cl.isArray()) {
                throw new InvalidArgumentException("container-ports", "must be a list, got " + kind(cl));
            }
            Map<String, String> seen = new HashMap<>();
            for (int i = 0; i < cl.size(); i++) {
                Doc.ContainerPort c = containerPort(cl.get(i), "container-ports[" + i + "]");
                String first = seen.putIfAbsent(c.key(), c.path());
                if (first != null) {
                    throw new InvalidArgumentException(c.path(), "container '" + c.container() + "' interface '" + c.iface()
                            + "' listed twice (also " + first + ")");
                }
                cports.add(c);
            }
        }
        List<Doc.Route> routes = new ArrayList<>();
        JsonNode rt = top.get("routes");
        if (rt != null && !rt.isNull()) {
            Obj r = Obj.of(rt, "routes", "routes.");
            r.allow("config");
            JsonNode cfg = r.get("config");
            if (cfg != null && !cfg.isNull()) {
                if (!cfg.isArray()) {
                    throw new InvalidArgumentException("routes.config", "must be a list, got " + kind(cfg));
                }
                Map<String, String> seen = new HashMap<>();
                for (int i = 0; i < cfg.size(); i++) {
                    Doc.Route route = route(cfg.get(i), "routes.config[" + i + "]");
                    String key = route.destination() + " " + route.nextHopInterface() + " " + route.nextHopAddress() + " "
                            + route.metric();
                    String first = seen.putIfAbsent(key, route.path());
                    if (first != null) {
                        throw new InvalidArgumentException(route.path(), "route listed twice (also " + first + ")");
                    }
                    routes.add(route);
                }
            }
        }
        Doc d = new Doc(entries, cports, links, routes);
        crossCheck(d);
        return d;
    }

    /**
     * One {@code container-ports[]} entry. The port agent sets one address per port: {@code ipv4} or
     * {@code ipv6}, not both; {@code gateway} must lie in that address's subnet.
     */
    private static Doc.ContainerPort containerPort(JsonNode n, String path) {
        Obj o = Obj.of(n, path, path + ".");
        String container = o.requiredText("container");
        ContainerRef.parse(o.path("container"), container);
        String iface = InterfaceName.check(o.path("interface"), o.requiredText("interface"));
        boolean absent = o.absent();
        String bridge = o.text("bridge");
        if (bridge != null) {
            InterfaceName.check(o.path("bridge"), bridge);
        }
        if (absent) {
            o.allow("container", "interface", "state", "bridge");
            return new Doc.ContainerPort(path, container, iface, true, bridge, null, null, null, null, null, false, null);
        }
        o.allow("container", "interface", "state", "bridge", "ipv4", "ipv6", "mac", "mtu", "gateway", "vlan");
        if (bridge == null) {
            throw new InvalidArgumentException(o.path("bridge"), "required (the bridge the port is on)");
        }
        if (o.has("ipv4") && o.has("ipv6")) {
            throw new InvalidArgumentException(path, "give ipv4 or ipv6, not both (the port agent sets one address per port)");
        }
        Cidr address = null;
        String ipv4 = o.text("ipv4");
        if (ipv4 != null) {
            address = Validate.cidr(o.path("ipv4"), ipv4);
            if (!address.isIpv4() || ipv4.indexOf('/') < 0) {
                throw new InvalidArgumentException(o.path("ipv4"), "must be an IPv4 ADDRESS/PREFIX (e.g. 10.0.0.2/24), got '" + ipv4 + "'");
            }
            ipv4 = address.toString();
        }
        String ipv6 = o.text("ipv6");
        if (ipv6 != null) {
            address = Validate.cidr(o.path("ipv6"), ipv6);
            if (address.isIpv4() || ipv6.indexOf('/') < 0) {
                throw new InvalidArgumentException(o.path("ipv6"), "must be an IPv6 ADDRESS/PREFIX (e.g. fd00::2/64), got '" + ipv6 + "'");
            }
            ipv6 = address.toString();
        }
        String mac = o.text("mac");
        if (mac != null) {
            mac = Validate.mac(o.path("mac"), mac);
        }
        Long mtu = o.integer("mtu", 68, 65535);
        String gateway = o.text("gateway");
        if (gateway != null) {
            gateway = Validate.format(Validate.gateway(o.path("gateway"), gateway, address));
        }
        boolean vlanGiven = n.has("vlan");
        Long vlan = o.integer("vlan", 0, 4095);
        Set<String> cleared = new TreeSet<>();
        for (String k : Doc.ContainerPort.SETTINGS) {
            if (o.isNull(k)) {
                cleared.add(k);
            }
        }
        return new Doc.ContainerPort(path, container, iface, false, bridge, ipv4, ipv6, mac, mtu, gateway, vlanGiven, vlan, cleared);
    }

    private static Doc.Entry entry(JsonNode n, String path) {
        Obj o = Obj.of(n, path, path + ".");
        String name = InterfaceName.check(path + ".name", o.requiredText("name"));
        String type = o.requiredText("type");
        boolean absent = o.absent();
        switch (type) {
            case "ovs-bridge":
                return bridge(o, path, name, absent);
            case Doc.Iface.OVS_INTERFACE:
            case Doc.Iface.ETHERNET:
                return iface(o, path, name, type, absent);
            case "linux-bridge":
            case "bond":
            case "veth":
            case "dummy":
                throw new InvalidArgumentException(path + ".type", "type '" + type
                        + "' is not supported by this version (ovs-bridge, ovs-interface, ethernet, vlan)");
            default:
                throw new InvalidArgumentException(path + ".type", "must be ovs-bridge, ovs-interface, ethernet or vlan, got '" + type
                        + "'");
        }
    }

    private static Doc.Bridge bridge(Obj o, String path, String name, boolean absent) {
        if (absent) {
            o.allow("name", "type", "state");
            return new Doc.Bridge(path, name, true, null, null, null, null);
        }
        o.allow("name", "type", "state", "bridge", "ovs-db");
        String datapath = null;
        String failMode = null;
        List<Doc.Port> ports = null;
        Obj br = o.obj("bridge");
        if (br != null) {
            br.allow("options", "port");
            Obj opts = br.obj("options");
            if (opts != null) {
                opts.allow("datapath", "fail-mode");
                datapath = opts.text("datapath");
                if (datapath != null && !datapath.isEmpty() && !datapath.matches("[A-Za-z0-9_-]{1,64}")) {
                    throw new InvalidArgumentException(opts.path("datapath"),
                            "must be 1..64 letters, digits, '-' or '_' (e.g. system, netdev) or empty, got '" + datapath + "'");
                }
                failMode = opts.text("fail-mode");
                if (failMode != null && !failMode.isEmpty() && !failMode.equals("standalone") && !failMode.equals("secure")) {
                    throw new InvalidArgumentException(opts.path("fail-mode"), "must be standalone, secure or empty, got '" + failMode + "'");
                }
            }
            JsonNode pl = br.get("port");
            if (pl != null && !pl.isNull()) {
                if (!pl.isArray()) {
                    throw new InvalidArgumentException(br.path("port"), "must be a list, got " + kind(pl));
                }
                ports = new ArrayList<>();
                for (int i = 0; i < pl.size(); i++) {
                    ports.add(port(pl.get(i), br.path("port") + "[" + i + "]"));
                }
            }
        }
        return new Doc.Bridge(path, name, false, datapath, failMode, ports, ovsDb(o));
    }

    private static Map<String, String> ovsDb(Obj o) {
        Obj db = o.obj("ovs-db");
        if (db == null) {
            return null;
        }
        db.allow("external_ids");
        return db.stringMap("external_ids", true);
    }

    private static Doc.Port port(JsonNode n, String path) {
        Obj o = Obj.of(n, path, path + ".");
        o.allow("name", "vlan", "ovs-db");
        String name = InterfaceName.check(path + ".name", o.requiredText("name"));
        Doc.Vlan vlan = null;
        Obj v = o.obj("vlan");
        if (v != null) {
            v.allow("mode", "tag", "trunk-tags", "enable-native");
            String mode = v.text("mode");
            if (mode != null && !VLAN_MODES.contains(mode)) {
                throw new InvalidArgumentException(v.path("mode"),
                        "must be access, trunk, native-tagged, native-untagged or dot1q-tunnel, got '" + mode + "'");
            }
            Long tag = v.integer("tag", 0, 4095);
            TreeSet<Long> trunks = new TreeSet<>();
            JsonNode tl = v.get("trunk-tags");
            if (tl != null && !tl.isNull()) {
                if (!tl.isArray()) {
                    throw new InvalidArgumentException(v.path("trunk-tags"), "must be a list, got " + kind(tl));
                }
                for (int i = 0; i < tl.size(); i++) {
                    String tp = v.path("trunk-tags") + "[" + i + "]";
                    Obj t = Obj.of(tl.get(i), tp, tp + ".");
                    t.allow("id", "id-range");
                    if (t.has("id") == t.has("id-range")) {
                        throw new InvalidArgumentException(tp, "must have exactly one of id and id-range");
                    }
                    if (t.has("id")) {
                        trunks.add(t.integer("id", 0, 4095));
                    } else {
                        Obj r = t.obj("id-range");
                        r.allow("min", "max");
                        Long min = r.integer("min", 0, 4095);
                        Long max = r.integer("max", 0, 4095);
                        if (min == null || max == null) {
                            throw new InvalidArgumentException(t.path("id-range"), "must have min and max");
                        }
                        if (min > max) {
                            throw new InvalidArgumentException(t.path("id-range"), "min must be <= max, got " + min + " > " + max);
                        }
                        for (long x = min; x <= max; x++) {
                            trunks.add(x);
                        }
                    }
                }
            }
            Boolean enableNative = v.bool("enable-native");
            if (enableNative != null) {
                if (!"trunk".equals(mode) || tag == null) {
                    throw new InvalidArgumentException(v.path("enable-native"), "only with mode trunk and a tag (the native VLAN)");
                }
                // nmstate's spelling of a native VLAN; without enable-native the mode is the column's value
                mode = enableNative ? "native-untagged" : "native-tagged";
            }
            vlan = new Doc.Vlan(mode, tag, trunks);
        }
        return new Doc.Port(path, name, vlan, ovsDb(o));
    }

    private static Doc.Iface iface(Obj o, String path, String name, String type, boolean absent) {
        if (absent) {
            o.allow("name", "type", "state");
            return new Doc.Iface(path, name, type, true, null, null, null, null);
        }
        Long mtu;
        if (type.equals(Doc.Iface.ETHERNET)) {
            o.allow("name", "type", "state", "mtu", "ovs-db", "ingress-policing", "ipv4", "ipv6");
            mtu = o.integer("mtu", 68, 65535);
            return new Doc.Iface(path, name, type, false, "", null, mtu, ovsDb(o), ingressPolicing(o), o.isNull("mtu"));
        }
        o.allow("name", "type", "state", "mtu", "ovs-db", "ingress-policing", "patch", "tunnel", "ipv4", "ipv6");
        mtu = o.integer("mtu", 68, 65535);
        boolean mtuCleared = o.isNull("mtu");
        Doc.IngressPolicing ingressPolicing = ingressPolicing(o);
        Obj patch = o.obj("patch");
        Obj tunnel = o.obj("tunnel");
        String ovsType = "internal";
        Map<String, String> options = Map.of();
        if (patch != null && tunnel != null) {
            throw new InvalidArgumentException(path, "must not have both patch and tunnel");
        }
        if (patch != null) {
            patch.allow("peer");
            String peer = InterfaceName.check(patch.path("peer"), patch.requiredText("peer"));
            if (peer.equals(name)) {
                throw new InvalidArgumentException(patch.path("peer"), "must not be the interface itself");
            }
            ovsType = "patch";
            options = Map.of("peer", peer);
        } else if (tunnel != null) {
            tunnel.allow("type", "options");
            ovsType = tunnel.requiredText("type");
            if (!TUNNEL_TYPES.contains(ovsType)) {
                throw new InvalidArgumentException(tunnel.path("type"), "must be one of " + new TreeSet<>(TUNNEL_TYPES)
                        + ", got '" + ovsType + "'");
            }
            Map<String, String> opts = tunnel.stringMap("options", false);
            if (opts == null || !opts.containsKey("remote_ip")) {
                throw new InvalidArgumentException(tunnel.path("options") + ".remote_ip",
                        "required (the tunnel's remote endpoint, an IP address or 'flow')");
            }
            options = opts;
        }
        return new Doc.Iface(path, name, type, false, ovsType, options, mtu, ovsDb(o), ingressPolicing, mtuCleared);
    }

    /** Largest {@code ingress-policing} rate and burst: Open vSwitch keeps both as 32-bit unsigned kbit values. */
    static final long POLICING_MAX = 4294967295L;

    /** {@code ingress-policing: {rate-kbps, burst-kb}}; rate-kbps required, burst-kb 0 when not given; null: not given. */
    private static Doc.IngressPolicing ingressPolicing(Obj o) {
        Obj e = o.obj("ingress-policing");
        if (e == null) {
            return null;
        }
        e.allow("rate-kbps", "burst-kb");
        Long rate = e.integer("rate-kbps", 0, POLICING_MAX);
        if (rate == null) {
            throw new InvalidArgumentException(e.path("rate-kbps"), "required (kbit/s, 0 for no limit)");
        }
        Long burst = e.integer("burst-kb", 0, POLICING_MAX);
        return new Doc.IngressPolicing(rate, burst == null ? 0 : burst);
    }

    /** A {@code type: vlan} entry: a VLAN netdev of systemd-networkd on {@code vlan.base-iface}. */
    private static Doc.Link vlanLink(JsonNode n, String path) {
        Obj o = Obj.of(n, path, path + ".");
        String name = InterfaceName.check(path + ".name", o.requiredText("name"));
        if (o.absent()) {
            o.allow("name", "type", "state");
            return new Doc.Link(path, name, Doc.Link.VLAN, true, null, null, null, null);
        }
        o.allow("name", "type", "state", "vlan", "ipv4", "ipv6");
        Obj v = o.obj("vlan");
        if (v == null) {
            throw new InvalidArgumentException(path + ".vlan", "required (base-iface and id)");
        }
        v.allow("base-iface", "id");
        String base = InterfaceName.check(v.path("base-iface"), v.requiredText("base-iface"));
        if (base.equals(name)) {
            throw new InvalidArgumentException(v.path("base-iface"), "must not be the VLAN itself");
        }
        Long id = v.integer("id", 0, 4094);
        if (id == null) {
            throw new InvalidArgumentException(v.path("id"), "required (the VLAN ID, 0..4094)");
        }
        return new Doc.Link(path, name, Doc.Link.VLAN, false, base, id, ip(o, "ipv4", 4), ip(o, "ipv6", 6));
    }

    /** {@code ipv4} / {@code ipv6}: {@code enabled}, {@code dhcp}, {@code address[]} of {@code ip} + {@code prefix-length}. */
    private static Doc.Ip ip(Obj o, String key, int family) {
        Obj ip = o.obj(key);
        if (ip == null) {
            return null;
        }
        ip.allow("enabled", "dhcp", "address");
        Boolean enabled = ip.bool("enabled");
        boolean dhcp = Boolean.TRUE.equals(ip.bool("dhcp"));
        List<String> addresses = new ArrayList<>();
        JsonNode al = ip.get("address");
        if (al != null && !al.isNull()) {
            if (!al.isArray()) {
                throw new InvalidArgumentException(ip.path("address"), "must be a list, got " + kind(al));
            }
            for (int i = 0; i < al.size(); i++) {
                String ap = ip.path("address") + "[" + i + "]";
                Obj a = Obj.of(al.get(i), ap, ap + ".");
                a.allow("ip", "prefix-length");
                String literal = a.requiredText("ip");
                Long prefix = a.integer("prefix-length", 0, family == 4 ? 32 : 128);
                if (prefix == null) {
                    throw new InvalidArgumentException(a.path("prefix-length"), "required");
                }
                Cidr c = Validate.cidr(a.path("ip"), literal + "/" + prefix);
                if (c.isIpv4() != (family == 4)) {
                    throw new InvalidArgumentException(a.path("ip"), "must be an IPv" + family + " address, got '" + literal + "'");
                }
                if (addresses.contains(c.toString())) {
                    throw new InvalidArgumentException(ap, "address " + c + " listed twice");
                }
                addresses.add(c.toString());
            }
        }
        if (Boolean.FALSE.equals(enabled) && (dhcp || !addresses.isEmpty())) {
            throw new InvalidArgumentException(ip.path("enabled"), "is false: no address and no dhcp are allowed");
        }
        return new Doc.Ip(!Boolean.FALSE.equals(enabled), dhcp, addresses);
    }

    /** One {@code routes.config[]} entry. */
    private static Doc.Route route(JsonNode n, String path) {
        Obj o = Obj.of(n, path, path + ".");
        o.allow("destination", "next-hop-address", "next-hop-interface", "metric", "state");
        String state = o.text("state");
        if (state != null && !state.equals("absent")) {
            throw new InvalidArgumentException(path + ".state", "must be absent (or not given), got '" + state + "'");
        }
        String dest = o.requiredText("destination");
        int slash = dest.indexOf('/');
        if (slash < 0) {
            throw new InvalidArgumentException(o.path("destination"), "must be ADDRESS/PREFIX (e.g. 10.60.0.0/16, 0.0.0.0/0), got '"
                    + dest + "'");
        }
        java.net.InetAddress net = Validate.ipLiteral(o.path("destination"), dest.substring(0, slash));
        int max = net instanceof java.net.Inet4Address ? 32 : 128;
        String pl = dest.substring(slash + 1);
        if (!pl.matches("[0-9]{1,3}") || Integer.parseInt(pl) > max) {
            throw new InvalidArgumentException(o.path("destination"), "prefix length must be 0.." + max + ", got '" + pl + "'");
        }
        Cidr c = new Cidr(net, Integer.parseInt(pl));
        byte[] b = net.getAddress();
        for (int bit = c.prefixLength(); bit < b.length * 8; bit++) {
            if ((b[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                throw new InvalidArgumentException(o.path("destination"), "must be a network address (no host bits after the prefix), "
                        + "got '" + dest + "'");
            }
        }
        String via = o.text("next-hop-address");
        if (via != null) {
            java.net.InetAddress g = Validate.ipLiteral(o.path("next-hop-address"), via);
            if ((g instanceof java.net.Inet4Address) != (net instanceof java.net.Inet4Address)) {
                throw new InvalidArgumentException(o.path("next-hop-address"), "must be of the destination's address family, got '"
                        + via + "'");
            }
            via = Validate.format(g);
        }
        String dev = InterfaceName.check(o.path("next-hop-interface"), o.requiredText("next-hop-interface"));
        Long metric = o.integer("metric", 0, 4294967295L);
        return new Doc.Route(path, Validate.format(net) + "/" + pl, via, dev, metric, "absent".equals(state));
    }

    /** Checks across entries: unique names, ports listed once, ports not both listed and absent. */
    private static void crossCheck(Doc d) {
        Map<String, String> entryPath = new HashMap<>();
        for (Doc.Entry e : d.interfaces()) {
            String first = entryPath.putIfAbsent(e.name(), e.path());
            if (first != null) {
                throw new InvalidArgumentException(e.path() + ".name", "duplicate name '" + e.name() + "' (also " + first + ")");
            }
        }
        for (Doc.Link l : d.links()) {
            if (l.kind().equals(Doc.Link.VLAN)) {
                String first = entryPath.putIfAbsent(l.name(), l.path());
                if (first != null) {
                    throw new InvalidArgumentException(l.path() + ".name", "duplicate name '" + l.name() + "' (also " + first + ")");
                }
            }
        }
        Map<String, Doc.Entry> byName = new HashMap<>();
        for (Doc.Entry e : d.interfaces()) {
            byName.putIfAbsent(e.name(), e);
        }
        Map<String, String> portPath = new HashMap<>();
        for (Doc.Entry e : d.interfaces()) {
            if (e instanceof Doc.Bridge b && b.ports() != null) {
                for (Doc.Port p : b.ports()) {
                    String pp = p.path() + ".name";
                    String first = portPath.putIfAbsent(p.name(), p.path());
                    if (first != null) {
                        throw new InvalidArgumentException(pp, "port '" + p.name() + "' listed twice (also " + first + ")");
                    }
                    if (p.name().equals(b.name())) {
                        throw new InvalidArgumentException(pp, "must not be the bridge's own local port '" + b.name() + "'");
                    }
                    String other = entryPath.get(p.name());
                    if (other != null) {
                        Doc.Entry oe = byName.get(p.name());
                        if (oe == null) {
                            throw new InvalidArgumentException(pp, "'" + p.name() + "' is a vlan link of systemd-networkd (" + other + ")");
                        }
                        if (oe instanceof Doc.Bridge) {
                            throw new InvalidArgumentException(pp, "'" + p.name() + "' is a bridge (" + other + ")");
                        }
                        if (oe.absent()) {
                            throw new InvalidArgumentException(pp, "port '" + p.name() + "' is also state: absent (" + other + ")");
                        }
                    }
                }
            }
        }
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isTextual()) {
            return "'" + n.asText() + "'";
        }
        return n.asText();
    }

    /** A mapping of the document with its path, giving typed values or errors naming the path. */
    private static final class Obj {
        private final JsonNode node;
        private final String path;
        private final String prefix;

        private Obj(JsonNode node, String path, String prefix) {
            this.node = node;
            this.path = path;
            this.prefix = prefix;
        }

        static Obj of(JsonNode n, String path, String prefix) {
            if (n == null || !n.isObject()) {
                throw new InvalidArgumentException(path, "must be a mapping, got " + kind(n));
            }
            return new Obj(n, path, prefix);
        }

        String path(String key) {
            return prefix + key;
        }

        boolean has(String key) {
            return node.has(key) && !node.get(key).isNull();
        }

        JsonNode get(String key) {
            return node.get(key);
        }

        /** @return whether the key is given with an explicit {@code null} (YAML {@code null} or {@code ~}, JSON {@code null}) */
        boolean isNull(String key) {
            return node.has(key) && node.get(key).isNull();
        }

        void allow(String... keys) {
            Set<String> ok = Set.of(keys);
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!ok.contains(k)) {
                    throw new InvalidArgumentException(path(k), "unknown key (allowed here: " + String.join(", ", keys) + ")");
                }
            }
        }

        String text(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw new InvalidArgumentException(path(key), "must be a string, got " + kind(v));
            }
            return v.asText();
        }

        /** @return {@code state}: false for {@code up} or not given, true for {@code absent} */
        boolean absent() {
            String state = text("state");
            if (state != null && !state.equals("up") && !state.equals("absent")) {
                throw new InvalidArgumentException(path("state"), "must be up or absent, got '" + state + "'");
            }
            return "absent".equals(state);
        }

        String requiredText(String key) {
            String t = text(key);
            if (t == null) {
                throw new InvalidArgumentException(path(key), "required");
            }
            return t;
        }

        Long integer(String key, long min, long max) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            long x;
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                x = v.asLong();
            } else if (v.isTextual() && v.asText().matches("-?[0-9]{1,18}")) {
                x = Long.parseLong(v.asText());
            } else {
                throw new InvalidArgumentException(path(key), "must be an integer " + min + ".." + max + ", got " + kind(v));
            }
            if (x < min || x > max) {
                throw new InvalidArgumentException(path(key), "must be " + min + ".." + max + ", got " + x);
            }
            return x;
        }

        Boolean bool(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isBoolean()) {
                throw new InvalidArgumentException(path(key), "must be true or false, got " + kind(v));
            }
            return v.asBoolean();
        }

        Obj obj(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            return Obj.of(v, path(key), path(key) + ".");
        }

        /** A map of strings (scalars as their text); null values only where {@code nullRemoves}. */
        Map<String, String> stringMap(String key, boolean nullRemoves) {
            Obj m = obj(key);
            if (m == null) {
                return null;
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : m.node.properties()) {
                String k = e.getKey();
                JsonNode v = e.getValue();
                String kp = m.path(k);
                if (k.isEmpty()) {
                    throw new InvalidArgumentException(kp, "key must not be empty");
                }
                if (v == null || v.isNull()) {
                    if (!nullRemoves) {
                        throw new InvalidArgumentException(kp, "must be a string, got null");
                    }
                    out.put(k, null);
                } else if (v.isValueNode()) {
                    out.put(k, v.asText());
                } else {
                    throw new InvalidArgumentException(kp, "must be a string, got " + kind(v));
                }
            }
            return out;
        }
    }
}
