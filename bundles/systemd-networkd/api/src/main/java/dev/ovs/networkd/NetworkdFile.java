package dev.ovs.networkd;

import dev.ovs.base.InterfaceName;
import dev.ovs.base.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Immutable typed model of a systemd-networkd {@code .network} (systemd.network(5)) or {@code .netdev}
 * (systemd.netdev(5)) file: ordered sections (a section name may repeat, e.g. several {@code [Address]}),
 * each with ordered {@code Key=Value} entries (a key may repeat, e.g. several {@code Address=}).
 *
 * <pre>
 * NetworkdFile f = NetworkdFile.network()
 *         .section("Match").add("Name", "br0")
 *         .section("Network").add("Address", "10.0.0.1/24").add("Gateway", "10.0.0.254")
 *         .build();                      // validated; InvalidArgumentException on a broken rule
 * String text = f.render();            // with OWNER_HEADER first
 * </pre>
 *
 * <p>Syntax rules for every file: section names and keys {@code [A-Za-z][A-Za-z0-9]*} (max 64); values
 * without control characters (no newline injection), max 4096 chars, no leading/trailing whitespace.
 * Semantic rules for the keys Patchbay writes (systemd 252 meanings):
 * <ul>
 * <li>{@code .network} needs a {@code [Match]} section with at least one key (a file without one would match
 * every link, including the host's); {@code [Match] Name=}: space-separated interface names or globs, each
 * 1..15 bytes, no '/' or ':' , not {@code .}/{@code ..}.</li>
 * <li>{@code [Network] Address=}, {@code [Address] Address=}: IPv4 or IPv6 address with prefix
 * ({@code 10.0.0.1/24}, {@code fd00::1/64}); IPv4 prefix 0..32, IPv6 0..128.</li>
 * <li>{@code [Network] Gateway=}, {@code [Route] Gateway=}: an IPv4/IPv6 address, or {@code _dhcp4} /
 * {@code _ipv6ra}; {@code [Network] DNS=}: one or more addresses separated by spaces;
 * {@code [Route] Destination=}: CIDR.</li>
 * <li>{@code [Network] DHCP=}: yes, no, ipv4, ipv6; {@code LinkLocalAddressing=}: yes, no, ipv4, ipv6,
 * fallback, ipv4-fallback; {@code IPv6AcceptRA=}, {@code ConfigureWithoutCarrier=}: a boolean
 * (1/yes/y/true/t/on, 0/no/n/false/f/off).</li>
 * <li>{@code [Link] MTUBytes=}, {@code [NetDev] MTUBytes=}: integer 68..65535 (bytes, no suffix).</li>
 * <li>{@code .netdev} needs {@code [NetDev]} with {@code Name=} (one interface name) and {@code Kind=}
 * (lower-case netdev kind, e.g. bridge, vlan, veth, dummy, bond, vxlan); {@code [VLAN] Id=}: 0..4094.</li>
 * </ul>
 * Other keys are accepted with the syntax rules only.
 */
public final class NetworkdFile {
    /**
     * First line of every file Patchbay writes; a file that does not start with it is not Patchbay's:
     * {@value}.
     */
    public static final String OWNER_HEADER = "# Managed by Patchbay (dev.ovs.networkd): do not edit, "
            + "Patchbay rewrites and removes this file.";

    /** The two file types. */
    public enum Kind {
        /** {@code .network}: systemd.network(5). */
        NETWORK(".network"),
        /** {@code .netdev}: systemd.netdev(5). */
        NETDEV(".netdev");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        /** @return the file name suffix, e.g. {@code .network} */
        public String suffix() {
            return suffix;
        }
    }

    /**
     * One {@code Key=Value} line.
     *
     * @param key   key
     * @param value value (may be empty: resets a list in networkd)
     */
    public record Entry(String key, String value) {
    }

    /**
     * One {@code [Name]} section.
     *
     * @param name    section name
     * @param entries entries in order (unmodifiable)
     */
    public record Section(String name, List<Entry> entries) {
        /**
         * @param key key
         * @return all values of the key in this section, in order
         */
        public List<String> values(String key) {
            List<String> out = new ArrayList<>();
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    out.add(e.value());
                }
            }
            return out;
        }
    }

    private static final Pattern IDENT = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Set<String> BOOLEANS = Set.of("1", "yes", "y", "true", "t", "on", "0", "no", "n",
            "false", "f", "off");
    private static final Set<String> DHCP = Set.of("yes", "no", "ipv4", "ipv6");
    private static final Set<String> LINK_LOCAL = Set.of("yes", "no", "ipv4", "ipv6", "fallback", "ipv4-fallback");
    private static final Pattern NETDEV_KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Kind kind;
    private final List<Section> sections;

    private NetworkdFile(Kind kind, List<Section> sections) {
        this.kind = kind;
        this.sections = Collections.unmodifiableList(sections);
    }

    /** @return a builder for a {@code .network} file */
    public static Builder network() {
        return new Builder(Kind.NETWORK);
    }

    /** @return a builder for a {@code .netdev} file */
    public static Builder netdev() {
        return new Builder(Kind.NETDEV);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the sections in order (unmodifiable) */
    public List<Section> sections() {
        return sections;
    }

    /**
     * @param section section name
     * @param key     key
     * @return all values of the key in all sections of that name, in order
     */
    public List<String> values(String section, String key) {
        List<String> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.name().equals(section)) {
                out.addAll(s.values(key));
            }
        }
        return out;
    }

    /** @return the file text: {@link #OWNER_HEADER}, then the sections separated by blank lines */
    public String render() {
        StringBuilder sb = new StringBuilder(OWNER_HEADER).append('\n');
        for (Section s : sections) {
            sb.append('\n').append('[').append(s.name()).append("]\n");
            for (Entry e : s.entries()) {
                sb.append(e.key()).append('=').append(e.value()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Parses a file (comments {@code #}/{@code ;} and blank lines skipped, no line continuations) and
     * validates it like {@link Builder#build()}.
     *
     * @param kind the file's kind
     * @param text file content
     * @return the model
     * @throws InvalidArgumentException naming the line number and rule
     */
    public static NetworkdFile parse(Kind kind, String text) {
        Objects.requireNonNull(kind, "kind");
        Builder b = new Builder(kind);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            try {
                if (line.startsWith("[") && line.endsWith("]")) {
                    b.section(line.substring(1, line.length() - 1));
                } else {
                    int eq = line.indexOf('=');
                    if (eq <= 0) {
                        throw new InvalidArgumentException("line", "expected [Section] or Key=Value");
                    }
                    b.add(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                }
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("line " + (i + 1), e.getMessage());
            }
        }
        return b.build();
    }

    /**
     * Checks an interface name (netdevice(7), kernel dev_valid_name): 1..15 bytes, no '/', ':' or
     * whitespace, not {@code .} or {@code ..}.
     *
     * @param field field name for the error message
     * @param name  the name
     * @throws InvalidArgumentException
     */
    public static void checkIfname(String field, String name) {
        checkIfname(field, name, false);
    }

    private static void checkIfname(String field, String name, boolean glob) {
        InterfaceName.check(field, name);
        if (!glob && name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == ']')) {
            throw new InvalidArgumentException(field, "interface name must not contain glob characters: " + name);
        }
    }

    /**
     * Checks an address with prefix length, e.g. {@code 10.0.0.1/24} or {@code fd00::1/64}.
     *
     * @param field field name for the error message
     * @param cidr  the value
     * @throws InvalidArgumentException
     */
    public static void checkCidr(String field, String cidr) {
        if (cidr == null) {
            throw new InvalidArgumentException(field, "must be ADDRESS/PREFIX, got null");
        }
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new InvalidArgumentException(field, "must be ADDRESS/PREFIX (e.g. 10.0.0.1/24), got " + cidr);
        }
        String addr = cidr.substring(0, slash);
        String len = cidr.substring(slash + 1);
        int family = checkIp(field, addr);
        int max = family == 4 ? 32 : 128;
        if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > max) {
            throw new InvalidArgumentException(field, "prefix length must be 0.." + max + ", got " + cidr);
        }
    }

    /**
     * Checks an IPv4 (dotted quad) or IPv6 (RFC 4291 text form) address literal; no host names.
     *
     * @param field field name
     * @param ip    the value
     * @return 4 or 6
     * @throws InvalidArgumentException
     */
    public static int checkIp(String field, String ip) {
        if (ip != null && ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            for (String p : ip.split("\\.")) {
                if (Integer.parseInt(p) > 255 || (p.length() > 1 && p.startsWith("0"))) {
                    throw new InvalidArgumentException(field, "IPv4 octets must be 0..255 without leading zeros: " + ip);
                }
            }
            return 4;
        }
        if (ip != null && ip.indexOf(':') >= 0 && ip.matches("[0-9A-Fa-f:.]{2,45}")) {
            try {
                if (java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address) {
                    return 6;
                }
            } catch (java.net.UnknownHostException e) {
                // fall through
            }
        }
        throw new InvalidArgumentException(field, "must be an IPv4 or IPv6 address, got " + ip);
    }

    private static boolean isBool(String v) {
        return BOOLEANS.contains(v.toLowerCase(Locale.ROOT));
    }

    private static void checkMtu(String field, String v) {
        if (!v.matches("[0-9]{1,5}") || Integer.parseInt(v) < 68 || Integer.parseInt(v) > 65535) {
            throw new InvalidArgumentException(field, "must be an integer 68..65535 (bytes), got " + v);
        }
    }

    private void validate() {
        for (Section s : sections) {
            for (Entry e : s.entries()) {
                validateEntry(s.name(), e.key(), e.value());
            }
        }
        if (kind == Kind.NETWORK) {
            boolean match = sections.stream().anyMatch(s -> s.name().equals("Match") && !s.entries().isEmpty());
            if (!match) {
                throw new InvalidArgumentException("[Match]", "a .network file needs a [Match] section with at least "
                        + "one key (otherwise it matches every link)");
            }
        } else {
            List<String> names = values("NetDev", "Name");
            List<String> kinds = values("NetDev", "Kind");
            if (names.size() != 1 || kinds.size() != 1) {
                throw new InvalidArgumentException("[NetDev]", "a .netdev file needs exactly one Name= and one Kind=");
            }
        }
    }

    private void validateEntry(String section, String key, String v) {
        String f = "[" + section + "] " + key;
        switch (kind == Kind.NETWORK ? "N" + section + "." + key : "D" + section + "." + key) {
            case "NMatch.Name":
                if (v.isBlank()) {
                    throw new InvalidArgumentException(f, "must list at least one interface name");
                }
                for (String n : v.trim().split("\\s+")) {
                    checkIfname(f, n, true);
                }
                break;
            case "NNetwork.Address", "NAddress.Address", "NRoute.Destination":
                checkCidr(f, v);
                break;
            case "NNetwork.Gateway", "NRoute.Gateway":
                if (!v.equals("_dhcp4") && !v.equals("_ipv6ra")) {
                    checkIp(f, v);
                }
                break;
            case "NNetwork.DNS":
                for (String a : v.trim().split("\\s+")) {
                    checkIp(f, a);
                }
                break;
            case "NNetwork.DHCP":
                if (!DHCP.contains(v)) {
                    throw new InvalidArgumentException(f, "must be yes, no, ipv4 or ipv6, got " + v);
                }
                break;
            case "NNetwork.LinkLocalAddressing":
                if (!LINK_LOCAL.contains(v)) {
                    throw new InvalidArgumentException(f, "must be one of " + LINK_LOCAL + ", got " + v);
                }
                break;
            case "NNetwork.IPv6AcceptRA", "NNetwork.ConfigureWithoutCarrier":
                if (!isBool(v)) {
                    throw new InvalidArgumentException(f, "must be a boolean (yes/no, true/false, 1/0, on/off), got " + v);
                }
                break;
            case "NLink.MTUBytes", "DNetDev.MTUBytes":
                checkMtu(f, v);
                break;
            case "DNetDev.Name":
                checkIfname(f, v);
                break;
            case "DNetDev.Kind":
                if (!NETDEV_KIND.matcher(v).matches()) {
                    throw new InvalidArgumentException(f, "must be a netdev kind such as bridge, vlan, veth, dummy; got "
                            + v);
                }
                break;
            case "DVLAN.Id":
                if (!v.matches("[0-9]{1,4}") || Integer.parseInt(v) > 4094) {
                    throw new InvalidArgumentException(f, "must be 0..4094, got " + v);
                }
                break;
            default:
                break;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkdFile other && other.kind == kind && other.sections.equals(sections);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, sections);
    }

    @Override
    public String toString() {
        return render();
    }

    /** Builds a file; not thread-safe. */
    public static final class Builder {
        private final Kind kind;
        private final List<Section> sections = new ArrayList<>();
        private String current;
        private List<Entry> entries;

        private Builder(Kind kind) {
            this.kind = kind;
        }

        /**
         * Starts a new section (a name may be used more than once).
         *
         * @param name section name, {@code [A-Za-z][A-Za-z0-9]*}
         * @return this
         * @throws InvalidArgumentException for a bad name
         */
        public Builder section(String name) {
            if (name == null || !IDENT.matcher(name).matches()) {
                throw new InvalidArgumentException("section", "name must match [A-Za-z][A-Za-z0-9]* (max 64), got "
                        + name);
            }
            flush();
            current = name;
            entries = new ArrayList<>();
            return this;
        }

        /**
         * Adds {@code key=value} to the current section (repeating a key adds another line).
         *
         * @param key   key, {@code [A-Za-z][A-Za-z0-9]*}
         * @param value value: no control characters, no leading/trailing whitespace, max 4096 chars
         * @return this
         * @throws InvalidArgumentException if no section was started or key/value break the syntax rules
         */
        public Builder add(String key, String value) {
            if (current == null) {
                throw new InvalidArgumentException("key " + key, "must be inside a section (call section() first)");
            }
            if (key == null || !IDENT.matcher(key).matches()) {
                throw new InvalidArgumentException("[" + current + "] key", "must match [A-Za-z][A-Za-z0-9]* (max 64), got "
                        + key);
            }
            String f = "[" + current + "] " + key;
            if (value == null) {
                throw new InvalidArgumentException(f, "value must not be null");
            }
            if (value.length() > 4096) {
                throw new InvalidArgumentException(f, "value longer than 4096 characters");
            }
            for (int i = 0; i < value.length(); i++) {
                if (Character.isISOControl(value.charAt(i))) {
                    throw new InvalidArgumentException(f, "value must not contain control characters (newline, tab)");
                }
            }
            if (!value.equals(value.strip())) {
                throw new InvalidArgumentException(f, "value must not have leading or trailing whitespace");
            }
            entries.add(new Entry(key, value));
            return this;
        }

        private void flush() {
            if (current != null) {
                sections.add(new Section(current, Collections.unmodifiableList(new ArrayList<>(entries))));
            }
        }

        /**
         * @return the validated file (the builder can be used again afterwards only by starting anew)
         * @throws InvalidArgumentException naming the section, key and rule
         */
        public NetworkdFile build() {
            flush();
            current = null;
            NetworkdFile f = new NetworkdFile(kind, new ArrayList<>(sections));
            f.validate();
            return f;
        }
    }
}
