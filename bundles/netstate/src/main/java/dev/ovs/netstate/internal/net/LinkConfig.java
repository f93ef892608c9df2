package dev.ovs.netstate.internal.net;

import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.networkd.NetworkdFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code .network} file Patchbay owns for one link ({@code 10-patchbay-<link>.network}, systemd.network(5)) as
 * the document sees it: the static addresses and DHCP of each IP family ({@code [Network] Address=}, {@code DHCP=}),
 * the VLAN netdevs on the link ({@code [Network] VLAN=}) and its static routes ({@code [Route]} sections with
 * {@code Destination=}, {@code Gateway=}, {@code Metric=}). Every other key and section of the file (e.g. what
 * {@code net:configure} writes: {@code Gateway=}, {@code ConfigureWithoutCarrier=}) is kept as it is, in its
 * place. Mutable; not thread-safe.
 */
final class LinkConfig {
    /** A static route of the link. */
    record Route(String destination, String gateway, Long metric) {
        /** @return {@code DESTINATION [via GATEWAY] [metric M]} */
        @Override
        public String toString() {
            return destination + (gateway == null ? "" : " via " + gateway) + (metric == null ? "" : " metric " + metric);
        }
    }

    private final String link;
    private final List<NetworkdFile.Entry> network = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    /** Sections other than Match, Network and Route, in order. */
    private final List<NetworkdFile.Section> other = new ArrayList<>();
    /** [Match] entries when they are not exactly {@code Name=<link>}. */
    private final List<NetworkdFile.Entry> match = new ArrayList<>();

    private LinkConfig(String link) {
        this.link = link;
    }

    /**
     * @param link the link
     * @return the configuration of a new file: {@code [Match] Name=link}, {@code [Network] LinkLocalAddressing=no},
     *         {@code IPv6AcceptRA=no} (only what the document asks for)
     */
    static LinkConfig create(String link) {
        LinkConfig c = new LinkConfig(link);
        c.match.add(new NetworkdFile.Entry("Name", link));
        c.network.add(new NetworkdFile.Entry("LinkLocalAddressing", "no"));
        c.network.add(new NetworkdFile.Entry("IPv6AcceptRA", "no"));
        return c;
    }

    /**
     * @param link the link
     * @param f    its file
     * @return the configuration the file holds
     */
    static LinkConfig parse(String link, NetworkdFile f) {
        LinkConfig c = new LinkConfig(link);
        for (NetworkdFile.Section s : f.sections()) {
            switch (s.name()) {
                case "Match" -> c.match.addAll(s.entries());
                case "Network" -> c.network.addAll(s.entries());
                case "Route" -> {
                    List<String> keys = s.entries().stream().map(NetworkdFile.Entry::key).toList();
                    if (keys.stream().allMatch(k -> k.equals("Destination") || k.equals("Gateway") || k.equals("Metric"))
                            && keys.stream().distinct().count() == keys.size() && keys.contains("Destination")) {
                        String metric = s.values("Metric").stream().findFirst().orElse(null);
                        c.routes.add(new Route(s.values("Destination").get(0), s.values("Gateway").stream().findFirst().orElse(null),
                                metric == null || !metric.matches("[0-9]{1,10}") ? null : Long.valueOf(metric)));
                    } else {
                        c.other.add(s);
                    }
                }
                default -> c.other.add(s);
            }
        }
        return c;
    }

    /** @return the file ({@link NetworkdFile#network()}, validated) */
    NetworkdFile render() {
        NetworkdFile.Builder b = NetworkdFile.network().section("Match");
        for (NetworkdFile.Entry e : match) {
            b.add(e.key(), e.value());
        }
        if (!network.isEmpty()) {
            b.section("Network");
            for (NetworkdFile.Entry e : network) {
                b.add(e.key(), e.value());
            }
        }
        for (Route r : routes) {
            b.section("Route").add("Destination", r.destination());
            if (r.gateway() != null) {
                b.add("Gateway", r.gateway());
            }
            if (r.metric() != null) {
                b.add("Metric", Long.toString(r.metric()));
            }
        }
        for (NetworkdFile.Section s : other) {
            b.section(s.name());
            for (NetworkdFile.Entry e : s.entries()) {
                b.add(e.key(), e.value());
            }
        }
        return b.build();
    }

    private List<String> values(String key) {
        return network.stream().filter(e -> e.key().equals(key)).map(NetworkdFile.Entry::value).toList();
    }

    private boolean dhcp(int family) {
        List<String> d = values("DHCP");
        String v = d.isEmpty() ? "no" : d.get(d.size() - 1);
        return v.equals("yes") || v.equals("ipv" + family);
    }

    /**
     * @param family 4 or 6
     * @return the family's addresses and DHCP as the document shows them; null when the file has neither
     */
    Doc.Ip ip(int family) {
        List<String> a = addresses(family);
        boolean dhcp = dhcp(family);
        return a.isEmpty() && !dhcp ? null : new Doc.Ip(true, dhcp, a);
    }

    private List<String> addresses(int family) {
        return values("Address").stream().filter(x -> (x.indexOf(':') >= 0) == (family == 6)).toList();
    }

    /**
     * Sets one family exactly: its {@code Address=} lines (the other family's stay) and its part of {@code DHCP=}.
     *
     * @param family 4 or 6
     * @param ip     the document's {@code ipv4}/{@code ipv6}
     */
    void setIp(int family, Doc.Ip ip) {
        boolean d4 = family == 4 ? ip.dhcp() : dhcp(4);
        boolean d6 = family == 6 ? ip.dhcp() : dhcp(6);
        List<String> keep = addresses(family == 4 ? 6 : 4);
        int at = firstIndex("Address");
        network.removeIf(e -> e.key().equals("Address") || e.key().equals("DHCP"));
        List<NetworkdFile.Entry> add = new ArrayList<>();
        if (d4 || d6) {
            add.add(new NetworkdFile.Entry("DHCP", d4 && d6 ? "yes" : d4 ? "ipv4" : "ipv6"));
        }
        List<String> v4 = family == 4 ? ip.addresses() : keep;
        List<String> v6 = family == 6 ? ip.addresses() : keep;
        v4.forEach(a -> add.add(new NetworkdFile.Entry("Address", a)));
        v6.forEach(a -> add.add(new NetworkdFile.Entry("Address", a)));
        network.addAll(Math.min(at < 0 ? network.size() : at, network.size()), add);
    }

    private int firstIndex(String key) {
        for (int i = 0; i < network.size(); i++) {
            if (network.get(i).key().equals(key) || network.get(i).key().equals("DHCP")) {
                return i;
            }
        }
        return -1;
    }

    /** @return the VLAN netdevs listed on this link ({@code VLAN=}) */
    List<String> vlans() {
        return values("VLAN");
    }

    /** @param vlan a VLAN netdev to list ({@code VLAN=}); nothing when listed */
    void addVlan(String vlan) {
        if (!vlans().contains(vlan)) {
            network.add(new NetworkdFile.Entry("VLAN", vlan));
        }
    }

    /** @param vlan a VLAN netdev no longer listed */
    void removeVlan(String vlan) {
        network.removeIf(e -> e.key().equals("VLAN") && e.value().equals(vlan));
    }

    /** @return the static routes */
    List<Route> routes() {
        return List.copyOf(routes);
    }

    /** @param r a route to have (nothing when it is there) */
    void addRoute(Route r) {
        if (!routes.contains(r)) {
            routes.add(r);
        }
    }

    /**
     * @param destination destination
     * @param gateway     gateway to match, or null: any
     * @param metric      metric to match, or null: any
     */
    void removeRoutes(String destination, String gateway, Long metric) {
        routes.removeIf(r -> r.destination().equals(destination) && (gateway == null || gateway.equals(r.gateway()))
                && (metric == null || metric.equals(r.metric())));
    }

    /** @return true when the file sets nothing for the link beyond its [Match] and the defaults of {@link #create} */
    boolean isEmpty() {
        return routes.isEmpty() && other.isEmpty() && network.stream().allMatch(e -> (e.key().equals("LinkLocalAddressing")
                || e.key().equals("IPv6AcceptRA")) && e.value().equals("no"));
    }

    /** @return what a change reports: {@code ipv4.address}, {@code ipv4.dhcp}, the same for ipv6, {@code vlans}, {@code routes} */
    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int f : new int[] {4, 6}) {
            m.put("ipv" + f + ".address", addresses(f));
            m.put("ipv" + f + ".dhcp", dhcp(f));
        }
        m.put("vlans", vlans());
        m.put("routes", routes.stream().map(Route::toString).toList());
        return m;
    }

    /** @return the link */
    String link() {
        return link;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkConfig c && c.render().equals(render());
    }

    @Override
    public int hashCode() {
        return Objects.hash(link);
    }
}
