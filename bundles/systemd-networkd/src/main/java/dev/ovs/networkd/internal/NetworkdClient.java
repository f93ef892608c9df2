package dev.ovs.networkd.internal;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.networkd.LinkDescription;
import dev.ovs.networkd.LinkInfo;
import dev.ovs.networkd.LinkState;
import dev.ovs.networkd.LinkStateChange;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.base.ErrorKind;
import dev.ovs.networkd.NetworkdFile;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusSigHandler;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.Variant;
import org.freedesktop.network1.Link;
import org.freedesktop.network1.Manager;

/**
 * {@link Networkd} over a {@link BusLink}, plus link events: on every (re)connection a handler for
 * {@code PropertiesChanged} under {@code /org/freedesktop/network1/link} is added (the match rule has no
 * sender, so it keeps working when networkd restarts); each signal for interface
 * {@code org.freedesktop.network1.Link} is handed to one private thread ({@code dev.ovs.networkd-links},
 * which keeps signal order and may call networkd to learn the link's name) and becomes a
 * {@link LinkStateChange} for the sink.
 */
final class NetworkdClient implements Networkd, BusLink.Listener {
    private static final System.Logger LOG = System.getLogger(NetworkdClient.class.getName());
    static final String LINK_PREFIX = Manager.PATH + "/link/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BusLink link;
    private final Consumer<LinkStateChange> sink;
    private final ExecutorService events;
    private final Map<Integer, String> names = new HashMap<>();
    private final Map<Integer, LinkState> states = new HashMap<>();
    /** Smallest interval between two {@code ListLinks} calls made to learn a new link's name: {@value} ms. */
    static final long LIST_LINKS_INTERVAL_MS = 100;
    /** {@link System#nanoTime()} of the last {@code ListLinks} of {@link #learnName}; event thread only. */
    private long lastListLinks = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
    private AutoCloseable handler;

    NetworkdClient(BusLink link, Consumer<LinkStateChange> sink) {
        this.link = link;
        this.sink = sink;
        ThreadPoolExecutor ex = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(4096),
                r -> {
                    Thread t = new Thread(r, "dev.ovs.networkd-links");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardOldestPolicy());
        this.events = ex;
        link.addListener(this);
    }

    void close() {
        link.removeListener(this);
        synchronized (this) {
            closeHandler();
        }
        events.shutdownNow();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void connected(DBusConnection c) {
        closeHandler();
        try {
            DBusSigHandler<DBusSignal> h = this::onSignal;
            handler = c.addGenericSigHandler(DBusMatchRuleBuilder.create().withType("signal")
                    .withInterface("org.freedesktop.DBus.Properties").withMember("PropertiesChanged")
                    .withPathNamespace(Manager.PATH + "/link").build(), h);
        } catch (DBusException | RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.networkd: cannot listen for link PropertiesChanged: " + e);
        }
        events.execute(this::primeCache);
    }

    @Override
    public synchronized void disconnected() {
        // Forgotten, not closed: closing sends RemoveMatch, a blocking call that on a connection the bus daemon
        // has dropped waits for dbus-java's reply timeout (20 s) on the connector thread of dev.ovs.dbus, which
        // reconnects only after every listener returned. The match rule went away with the connection.
        handler = null;
    }

    private void closeHandler() {
        if (handler != null) {
            try {
                handler.close();
            } catch (Exception e) {
                // gone
            }
            handler = null;
        }
    }

    /** Learns names and current states, so the first event has an "old" state. Runs on the event thread. */
    private void primeCache() {
        try {
            for (LinkInfo l : links()) {
                names.put(l.index(), l.name());
                states.put(l.index(), stateOf(l.path()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "dev.ovs.networkd: link cache not primed (networkd not on the bus?): " + e);
        }
    }

    /**
     * A generic signal (dbus-java does not map generic match rules to signal classes): PropertiesChanged's
     * body is {@code (s interface, a{sv} changed, as invalidated)}.
     */
    void onSignal(DBusSignal s) {
        Object[] args;
        try {
            args = s.getParameters();
        } catch (DBusException e) {
            return;
        }
        if (args == null || args.length < 2 || !Link.INTERFACE.equals(args[0]) || !(args[1] instanceof Map<?, ?> m)
                || s.getPath() == null || !s.getPath().startsWith(LINK_PREFIX)) {
            return;
        }
        Map<String, String> changed = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue() instanceof Variant<?> var ? var.getValue() : e.getValue();
            changed.put(String.valueOf(e.getKey()), v == null ? null : String.valueOf(v));
        }
        String path = s.getPath();
        events.execute(() -> handle(path, changed));
    }

    private void handle(String path, Map<String, String> changed) {
        int index;
        try {
            index = Integer.parseInt(unescapeLabel(path.substring(LINK_PREFIX.length())));
        } catch (RuntimeException e) {
            return;
        }
        String name = names.get(index);
        if (name == null) {
            try {
                name = learnName(index);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "dev.ovs.networkd: no name for link " + index + ": " + e);
                return;
            }
        }
        LinkState before = states.getOrDefault(index, LinkState.of(Map.of()));
        LinkState after = before.with(changed);
        states.put(index, after);
        List<String> keys = new ArrayList<>(changed.keySet());
        try {
            sink.accept(new LinkStateChange(name, index, before, after, List.copyOf(keys)));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dev.ovs.networkd: link event sink failed: " + e);
        }
    }

    /**
     * The name of a link not seen before. Links come in bursts (an OVS bridge with many internal ports): one
     * {@code ListLinks} learns every link networkd knows at that moment, so the signals of the rest of the burst find
     * their name in the cache instead of costing one {@code GetLinkByIndex} round trip each. {@code ListLinks} is asked
     * at most once per {@value #LIST_LINKS_INTERVAL_MS} ms (its reply grows with the number of links); in between, for
     * a link that {@code ListLinks} did not return, and when {@code ListLinks} fails, {@code GetLinkByIndex}.
     * Runs on the event thread.
     *
     * @throws RuntimeException (a D-Bus failure) if networkd does not know the link
     */
    private String learnName(int index) {
        long now = System.nanoTime();
        if (now - lastListLinks >= TimeUnit.MILLISECONDS.toNanos(LIST_LINKS_INTERVAL_MS)) {
            lastListLinks = now;
            try {
                for (LinkInfo l : links()) {
                    names.put(l.index(), l.name());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "dev.ovs.networkd: ListLinks failed, asking for link " + index + " alone: " + e);
            }
            String name = names.get(index);
            if (name != null) {
                return name;
            }
        }
        String name = link(index).name();
        names.put(index, name);
        return name;
    }

    /**
     * Reverses sd-bus' object path label escaping ({@code sd_bus_path_encode}: every byte other than
     * [A-Za-z0-9], and a leading digit, is written {@code _xx}).
     */
    static String unescapeLabel(String label) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < label.length(); i++) {
            char ch = label.charAt(i);
            if (ch == '_' && i + 2 < label.length()) {
                sb.append((char) Integer.parseInt(label.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private Manager manager(DBusConnection c) {
        return Calls.NETWORKD.run("networkd Manager", () -> c.getRemoteObject(Manager.BUS_NAME, Manager.PATH, Manager.class));
    }

    @Override
    public List<LinkInfo> links() {
        DBusConnection c = link.connection();
        List<LinkInfo> out = new ArrayList<>();
        for (Manager.LinkEntry e : Calls.NETWORKD.get("ListLinks", () -> manager(c).ListLinks())) {
            out.add(new LinkInfo(e.ifindex, e.name, e.path.getPath()));
        }
        out.sort(Comparator.comparingInt(LinkInfo::index));
        return out;
    }

    @Override
    public LinkInfo link(String name) {
        NetworkdFile.checkIfname("link", name);
        DBusConnection c = link.connection();
        Manager.IndexAndPath<Integer, DBusPath> r = Calls.NETWORKD.get("GetLinkByName(" + name + ")",
                () -> manager(c).GetLinkByName(name));
        return new LinkInfo(r.ifindex, name, r.path.getPath());
    }

    @Override
    public LinkInfo link(int index) {
        if (index <= 0) {
            throw new InvalidArgumentException("index", "must be > 0, got " + index);
        }
        DBusConnection c = link.connection();
        Manager.NameAndPath<String, DBusPath> r = Calls.NETWORKD.get("GetLinkByIndex(" + index + ")",
                () -> manager(c).GetLinkByIndex(index));
        return new LinkInfo(index, r.name, r.path.getPath());
    }

    private LinkState stateOf(String path) {
        DBusConnection c = link.connection();
        Map<String, Variant<?>> props = Calls.NETWORKD.run("GetAll(" + Link.INTERFACE + ") of " + path,
                () -> c.getRemoteObject(Manager.BUS_NAME, path, Properties.class).GetAll(Link.INTERFACE));
        Map<String, String> m = new HashMap<>();
        props.forEach((k, v) -> m.put(k, v == null ? null : String.valueOf(v.getValue())));
        return LinkState.of(m);
    }

    @Override
    public LinkState linkState(String name) {
        return stateOf(link(name).path());
    }

    @Override
    public LinkDescription describe(String name) {
        LinkInfo l = link(name);
        DBusConnection c = link.connection();
        String json = Calls.NETWORKD.get("DescribeLink(" + name + ")", () -> manager(c).DescribeLink(l.index()));
        return parseLink(json);
    }

    @Override
    public JsonNode describeManager() {
        DBusConnection c = link.connection();
        return parse(Calls.NETWORKD.get("Describe", () -> manager(c).Describe()));
    }

    @Override
    public void reload() {
        DBusConnection c = link.connection();
        Calls.NETWORKD.get("Reload", () -> {
            manager(c).Reload();
            return null;
        });
    }

    @Override
    public void reconfigure(String name) {
        LinkInfo l = link(name);
        DBusConnection c = link.connection();
        Calls.NETWORKD.get("ReconfigureLink(" + name + ")", () -> {
            manager(c).ReconfigureLink(l.index());
            return null;
        });
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new NetworkdException(ErrorKind.Failed, "networkd sent JSON that cannot be parsed: " + e.getMessage(),
                    null, e);
        }
    }

    /** Parses one link object of networkd's JSON (DescribeLink, or an element of Describe's Interfaces). */
    static LinkDescription parseLink(String json) {
        return parseLink(parse(json));
    }

    static LinkDescription parseLink(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new NetworkdException(ErrorKind.Failed, "networkd link description is not a JSON object");
        }
        List<String> alt = new ArrayList<>();
        n.path("AlternativeNames").forEach(x -> alt.add(x.asText()));
        Map<String, String> st = new HashMap<>();
        for (String p : LinkState.PROPERTIES) {
            if (n.hasNonNull(p)) {
                st.put(p, n.get(p).asText());
            }
        }
        List<LinkDescription.Address> addrs = new ArrayList<>();
        for (JsonNode a : n.path("Addresses")) {
            addrs.add(new LinkDescription.Address(a.path("Family").asInt(), ip(a.path("Address")),
                    a.path("PrefixLength").asInt(), text(a, "ConfigSource"), text(a, "ConfigState")));
        }
        return new LinkDescription(n.path("Index").asInt(), text(n, "Name"), List.copyOf(alt), text(n, "Type"),
                text(n, "Kind"), text(n, "Driver"), mac(n.path("HardwareAddress")), n.path("MTU").asInt(),
                text(n, "NetworkFile"), LinkState.of(st), List.copyOf(addrs), n);
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asText() : null;
    }

    /** networkd writes addresses as arrays of byte values (4 or 16). */
    static String ip(JsonNode a) {
        if (a.isTextual()) {
            return a.asText();
        }
        if (!a.isArray() || (a.size() != 4 && a.size() != 16)) {
            return null;
        }
        byte[] b = new byte[a.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) a.get(i).asInt();
        }
        try {
            String s = java.net.InetAddress.getByAddress(b).getHostAddress();
            return b.length == 16 ? compressV6(s) : s;
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** Java prints IPv6 uncompressed (0:0:...); this gives the RFC 5952 form. */
    static String compressV6(String s) {
        String[] g = s.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return s;
        }
        String left = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return left + "::" + right;
    }

    private static String mac(JsonNode a) {
        if (a.isTextual()) {
            return a.asText();
        }
        if (!a.isArray() || a.size() == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode x : a) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", x.asInt() & 0xff));
        }
        return sb.toString();
    }
}
