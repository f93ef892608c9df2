package dev.ovs.netstate.internal.net;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.networkd.NetworkdFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the systemd-networkd part of a document (vlan links, {@code ipv4}/{@code ipv6} of links, routes) into the
 * files Patchbay owns: {@code 10-patchbay-<link>.network} (systemd.network(5): addresses, DHCP, {@code VLAN=},
 * {@code [Route]}) and {@code 10-patchbay-<vlan>.netdev} (systemd.netdev(5): {@code Kind=vlan}, {@code [VLAN] Id=}).
 * A file of those names that Patchbay does not own, and a link whose {@code .network} networkd takes from a file
 * Patchbay does not own, are refused: Patchbay never overrides what an administrator configured.
 */
public final class NetPlanner {
    /** Prefix of Patchbay's file names: {@value}. */
    public static final String PREFIX = "10-patchbay-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(.+)\\.(network|netdev)");

    private NetPlanner() {
    }

    /**
     * @param writes      files to write (name → content), netdevs first
     * @param removes     files to remove
     * @param changes     the changes as {@code NetState.diff} reports them
     * @param images      before-images of every file written or removed
     * @param links       links whose {@code .network} changes (to reconfigure)
     * @param vlans       VLAN links that must exist afterwards
     * @param addresses   static addresses each link must have afterwards
     */
    public record Plan(Map<String, NetworkdFile> writes, List<String> removes, List<Change> changes, List<FileImage> images,
            Set<String> links, Set<String> vlans, Map<String, List<String>> addresses) {
        /** @return true when no file changes */
        public boolean isEmpty() {
            return writes.isEmpty() && removes.isEmpty();
        }
    }

    /** An empty plan. */
    public static final Plan EMPTY = new Plan(Map.of(), List.of(), List.of(), List.of(), Set.of(), Set.of(), Map.of());

    static String networkName(String link) {
        return PREFIX + link + ".network";
    }

    static String netdevName(String link) {
        return PREFIX + link + ".netdev";
    }

    /** Working state of a plan: the desired content of every file touched, null for removed. */
    private static final class Work {
        final NetView now;
        final Map<String, LinkConfig> networks = new LinkedHashMap<>();
        final Map<String, String> paths = new LinkedHashMap<>();
        final Map<String, NetworkdFile> netdevs = new LinkedHashMap<>();
        final Set<String> removedNetworks = new LinkedHashSet<>();

        Work(NetView now) {
            this.now = now;
        }

        /** The link's current configuration (null: no file of Patchbay's). */
        LinkConfig load(String link, String path) {
            if (networks.containsKey(link)) {
                return networks.get(link);
            }
            String name = networkName(link);
            String text = now.owned().get(name);
            if (text == null && now.exists(name)) {
                throw new InvalidArgumentException(path, "the file " + name + " exists but is not Patchbay's (no ownership header): "
                        + "it is never overwritten");
            }
            LinkConfig c = text == null ? null : LinkConfig.parse(link, now.parse(name));
            networks.put(link, c);
            paths.putIfAbsent(link, path);
            return c;
        }

        LinkConfig loadOrCreate(String link, String path) {
            LinkConfig c = load(link, path);
            if (c == null) {
                String other = now.networkFileOf(link).orElse(null);
                if (other != null && !other.equals(networkName(link))) {
                    throw new InvalidArgumentException(path, "link '" + link + "' is configured by " + other
                            + ", which Patchbay does not own: Patchbay never overrides it (add it there, or remove that file)");
                }
                c = LinkConfig.create(link);
                networks.put(link, c);
            }
            removedNetworks.remove(link);
            return c;
        }

        /** The owned .network listing VLAN=vlan, or null. */
        String baseOf(String vlan) {
            for (Map.Entry<String, String> f : now.owned().entrySet()) {
                Matcher m = NAME.matcher(f.getKey());
                if (m.matches() && m.group(2).equals("network")) {
                    LinkConfig c = networks.containsKey(m.group(1)) ? networks.get(m.group(1))
                            : LinkConfig.parse(m.group(1), now.parse(f.getKey()));
                    if (c != null && c.vlans().contains(vlan)) {
                        return m.group(1);
                    }
                }
            }
            return null;
        }
    }

    /**
     * @param d   the document
     * @param now the files now
     * @return the plan
     * @throws InvalidArgumentException naming the document path: a file of Patchbay's name that is not Patchbay's, a
     *                                  link configured by another file, a change of an existing VLAN's ID or base
     */
    public static Plan plan(Doc d, NetView now) {
        Work w = new Work(now);
        Map<String, List<String>> addresses = new LinkedHashMap<>();
        Set<String> vlans = new LinkedHashSet<>();
        Map<String, String> vlanPaths = new LinkedHashMap<>();
        for (Doc.Entry e : d.interfaces()) {
            // an Open vSwitch port that is removed: Patchbay's .network of that name goes too
            if (e instanceof Doc.Iface i && i.absent() && w.load(i.name(), i.path()) != null) {
                w.removedNetworks.add(i.name());
            }
        }
        for (Doc.Link l : d.links()) {
            String path = l.path();
            if (l.kind().equals(Doc.Link.VLAN)) {
                String nd = netdevName(l.name());
                if (now.exists(nd) && !now.owned().containsKey(nd)) {
                    throw new InvalidArgumentException(path, "the file " + nd + " exists but is not Patchbay's: it is never changed");
                }
                String base = w.baseOf(l.name());
                if (l.absent()) {
                    if (now.owned().containsKey(nd)) {
                        w.netdevs.put(nd, null);
                        vlanPaths.put(l.name(), path);
                    }
                    if (base != null) {
                        w.load(base, path).removeVlan(l.name());
                    }
                    if (w.load(l.name(), path) != null) {
                        w.removedNetworks.add(l.name());
                    }
                    continue;
                }
                if (now.owned().containsKey(nd)) {
                    List<String> ids = now.parse(nd).values("VLAN", "Id");
                    if (!ids.equals(List.of(Long.toString(l.vlanId())))) {
                        throw new InvalidArgumentException(path + ".vlan.id", "VLAN link '" + l.name() + "' exists with id " + ids
                                + ": systemd-networkd does not change an existing netdev; remove it in another document first");
                    }
                    if (base != null && !base.equals(l.vlanBase())) {
                        throw new InvalidArgumentException(path + ".vlan.base-iface", "VLAN link '" + l.name() + "' exists on '" + base
                                + "': remove it in another document first");
                    }
                }
                w.netdevs.put(nd, NetworkdFile.netdev().section("NetDev").add("Name", l.name()).add("Kind", "vlan").section("VLAN")
                        .add("Id", Long.toString(l.vlanId())).build());
                vlanPaths.put(l.name(), path);
                w.loadOrCreate(l.vlanBase(), path + ".vlan.base-iface").addVlan(l.name());
                vlans.add(l.name());
            }
            if (l.ipv4() != null || l.ipv6() != null) {
                LinkConfig c = w.loadOrCreate(l.name(), path);
                List<String> want = new ArrayList<>();
                if (l.ipv4() != null) {
                    c.setIp(4, l.ipv4());
                    want.addAll(l.ipv4().addresses());
                }
                if (l.ipv6() != null) {
                    c.setIp(6, l.ipv6());
                    want.addAll(l.ipv6().addresses());
                }
                if (!want.isEmpty()) {
                    addresses.put(l.name(), want);
                }
            }
        }
        for (Doc.Route r : d.routes()) {
            if (r.absent()) {
                LinkConfig c = w.load(r.nextHopInterface(), r.path() + ".next-hop-interface");
                if (c != null) {
                    c.removeRoutes(r.destination(), r.nextHopAddress(), r.metric());
                }
            } else {
                w.loadOrCreate(r.nextHopInterface(), r.path() + ".next-hop-interface")
                        .addRoute(new LinkConfig.Route(r.destination(), r.nextHopAddress(), r.metric()));
            }
        }
        return diff(w, vlans, vlanPaths, addresses);
    }

    private static Plan diff(Work w, Set<String> vlans, Map<String, String> vlanPaths, Map<String, List<String>> addresses) {
        Map<String, NetworkdFile> writes = new LinkedHashMap<>();
        List<String> removes = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<FileImage> images = new ArrayList<>();
        Set<String> links = new LinkedHashSet<>();
        for (Map.Entry<String, NetworkdFile> e : w.netdevs.entrySet()) {
            String cur = w.now.owned().get(e.getKey());
            String link = e.getKey().substring(PREFIX.length(), e.getKey().length() - ".netdev".length());
            if (e.getValue() == null) {
                removes.add(e.getKey());
                changes.add(new Change(Change.DELETE, "vlan", link, null, vlanView(w.now.parse(e.getKey()), w.baseOf(link)), null,
                        vlanPaths.get(link)));
                images.add(new FileImage(e.getKey(), true, cur));
            } else if (!e.getValue().render().equals(cur)) {
                writes.put(e.getKey(), e.getValue());
                changes.add(new Change(Change.CREATE, "vlan", link, null, null, vlanView(e.getValue(), null), vlanPaths.get(link)));
                images.add(new FileImage(e.getKey(), cur != null, cur, cur == null && !w.now.linkExists(link)));
            }
        }
        for (Map.Entry<String, LinkConfig> e : w.networks.entrySet()) {
            String link = e.getKey();
            String name = networkName(link);
            String cur = w.now.owned().get(name);
            LinkConfig next = w.removedNetworks.contains(link) || e.getValue() == null || e.getValue().isEmpty() ? null : e.getValue();
            String path = w.paths.get(link);
            if (next == null) {
                if (cur != null) {
                    removes.add(name);
                    changes.add(new Change(Change.DELETE, "link", link, null, shown(LinkConfig.parse(link, w.now.parse(name)).view()), null,
                            path));
                    images.add(new FileImage(name, true, cur));
                    links.add(link);
                }
                continue;
            }
            NetworkdFile f = next.render();
            if (f.render().equals(cur)) {
                continue;
            }
            writes.put(name, f);
            images.add(new FileImage(name, cur != null, cur));
            links.add(link);
            if (cur == null) {
                changes.add(new Change(Change.CREATE, "link", link, null, null, shown(next.view()), path));
            } else {
                Map<String, Object> was = LinkConfig.parse(link, w.now.parse(name)).view();
                next.view().forEach((k, v) -> {
                    if (!Objects.equals(v, was.get(k))) {
                        changes.add(new Change(Change.UPDATE, "link", link, k, was.get(k), v, path));
                    }
                });
                if (changes.stream().noneMatch(c -> c.name().equals(link) && c.kind().equals("link"))) {
                    changes.add(new Change(Change.UPDATE, "link", link, "file", cur, f.render(), path)); // keys the view does not show
                }
            }
        }
        return new Plan(writes, removes, changes, images, links, vlans, addresses);
    }

    private static Map<String, Object> vlanView(NetworkdFile netdev, String base) {
        Map<String, Object> m = new TreeMap<>();
        List<String> id = netdev.values("VLAN", "Id");
        if (!id.isEmpty()) {
            m.put("id", Long.valueOf(id.get(0)));
        }
        if (base != null) {
            m.put("base-iface", base);
        }
        return m;
    }

    /** The non-empty fields of a view. */
    private static Map<String, Object> shown(Map<String, Object> view) {
        Map<String, Object> m = new TreeMap<>();
        view.forEach((k, v) -> {
            if (!(v instanceof List<?> l && l.isEmpty()) && !Boolean.FALSE.equals(v)) {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * @param images before-images from a journal
     * @return the plan that writes every file back as it was and removes the ones that did not exist
     */
    public static Plan restore(List<FileImage> images) {
        Map<String, NetworkdFile> writes = new LinkedHashMap<>();
        List<String> removes = new ArrayList<>();
        Set<String> links = new LinkedHashSet<>();
        for (FileImage i : images) {
            Matcher m = NAME.matcher(i.name());
            if (m.matches() && m.group(2).equals("network")) {
                links.add(m.group(1));
            }
            if (i.existed()) {
                writes.put(i.name(), NetworkdFile.parse(i.name().endsWith(".netdev") ? NetworkdFile.Kind.NETDEV
                        : NetworkdFile.Kind.NETWORK, i.text()));
            } else {
                removes.add(i.name());
            }
        }
        return new Plan(writes, removes, List.of(), List.copyOf(images), links, Set.of(), Map.of());
    }

    /**
     * @param images before-images from a journal
     * @param now    the files now
     * @return the files that differ from their before-image (empty: restored)
     */
    public static List<String> unrestored(List<FileImage> images, NetView now) {
        List<String> out = new ArrayList<>();
        for (FileImage i : images) {
            String cur = now.owned().get(i.name());
            if (!Objects.equals(cur, i.existed() ? i.text() : null)) {
                out.add(i.name());
            }
        }
        return out;
    }

    /**
     * The systemd-networkd part of {@code Show}: for each link with a {@code .network} of Patchbay's, its addresses and
     * DHCP; each VLAN netdev of Patchbay's with its base (the owned {@code .network} that lists it); every
     * {@code [Route]} of those files.
     *
     * @param now       the files now
     * @param ovs       the Open vSwitch entries of the document being shown (links of the same name get the addresses)
     * @param firstPath index of the first new {@code interfaces[]} entry
     * @return the entries to add: new Open vSwitch-less entries (ethernet), links, routes
     */
    public static Shown show(NetView now, List<Doc.Entry> ovs, int firstPath) {
        List<Doc.Entry> entries = new ArrayList<>();
        List<Doc.Link> links = new ArrayList<>();
        List<Doc.Route> routes = new ArrayList<>();
        Map<String, String> ovsPaths = new TreeMap<>();
        for (Doc.Entry e : ovs) {
            if (e instanceof Doc.Iface i && !i.absent()) {
                ovsPaths.put(i.name(), i.path());
            }
        }
        Map<String, LinkConfig> networks = new TreeMap<>();
        Map<String, NetworkdFile> netdevs = new TreeMap<>();
        for (String name : now.owned().keySet()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                continue;
            }
            if (m.group(2).equals("network")) {
                networks.put(m.group(1), LinkConfig.parse(m.group(1), now.parse(name)));
            } else {
                netdevs.put(m.group(1), now.parse(name));
            }
        }
        int next = firstPath;
        Set<String> done = new LinkedHashSet<>();
        for (Map.Entry<String, NetworkdFile> nd : netdevs.entrySet()) {
            String vlan = nd.getKey();
            List<String> kind = nd.getValue().values("NetDev", "Kind");
            List<String> id = nd.getValue().values("VLAN", "Id");
            String base = networks.entrySet().stream().filter(x -> x.getValue().vlans().contains(vlan)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (!kind.equals(List.of("vlan")) || id.size() != 1 || base == null) {
                continue; // not a VLAN the document format describes
            }
            LinkConfig c = networks.get(vlan);
            links.add(new Doc.Link("interfaces[" + next++ + "]", vlan, Doc.Link.VLAN, false, base, Long.valueOf(id.get(0)),
                    c == null ? null : c.ip(4), c == null ? null : c.ip(6)));
            done.add(vlan);
        }
        for (Map.Entry<String, LinkConfig> n : networks.entrySet()) {
            String link = n.getKey();
            LinkConfig c = n.getValue();
            for (LinkConfig.Route r : c.routes()) {
                routes.add(new Doc.Route("routes.config[" + routes.size() + "]", r.destination(), r.gateway(), link, r.metric(), false));
            }
            if (done.contains(link) || (c.ip(4) == null && c.ip(6) == null)) {
                continue;
            }
            String path = ovsPaths.get(link);
            if (path == null) {
                path = "interfaces[" + next++ + "]";
                entries.add(new Doc.Iface(path, link, Doc.Iface.ETHERNET, false, "", null, null, null));
            }
            String kind = ovs.stream().filter(e -> e.name().equals(link) && e instanceof Doc.Iface).map(e -> ((Doc.Iface) e).kind())
                    .findFirst().orElse(Doc.Iface.ETHERNET);
            links.add(new Doc.Link(path, link, kind, false, null, null, c.ip(4), c.ip(6)));
        }
        return new Shown(entries, links, routes);
    }

    /**
     * The systemd-networkd part of a shown document.
     *
     * @param entries new {@code ethernet} entries (links that are no Open vSwitch interface)
     * @param links   link entries
     * @param routes  routes
     */
    public record Shown(List<Doc.Entry> entries, List<Doc.Link> links, List<Doc.Route> routes) {
    }
}
