package dev.ovs.netstate.internal.ports;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.ovsdb.vswitch.VlanTag;
import dev.ovs.portagent.PortSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings a container port is attached with (the port agent's add-port settings without the VLAN, which is
 * the Port {@code tag} and read back from OVSDB). The network state records them in the host interface's
 * {@code external_ids:}{@value #KEY} when it attaches a port, because only the container's namespace holds
 * them otherwise. Text form: {@code ipv4=10.0.0.2/24,mac=02:00:00:00:00:02,mtu=1400,gateway=10.0.0.1} (keys in
 * that order, only the given ones; empty: none). Every field is in canonical form (see {@link Doc.ContainerPort}).
 *
 * @param ipv4    IPv4 {@code ADDRESS/PREFIX}, or null
 * @param ipv6    IPv6 {@code ADDRESS/PREFIX}, or null
 * @param mac     MAC address, or null
 * @param mtu     MTU 68..65535, or null
 * @param gateway default gateway, or null
 */
public record Attachment(String ipv4, String ipv6, String mac, Long mtu, String gateway) {
    /** Interface {@code external_ids} key of the record: {@value}. */
    public static final String KEY = "netstate_settings";
    /** No settings. */
    public static final Attachment NONE = new Attachment(null, null, null, null, null);

    /**
     * @param c a document entry
     * @return its given settings (null fields: not given)
     */
    public static Attachment of(Doc.ContainerPort c) {
        return new Attachment(c.ipv4(), c.ipv6(), c.mac(), c.mtu(), c.gateway());
    }

    /** @return the text form (see class comment) */
    public String encode() {
        List<String> parts = new ArrayList<>();
        fields().forEach((k, v) -> {
            if (v != null) {
                parts.add(k + "=" + v);
            }
        });
        return String.join(",", parts);
    }

    /**
     * @param text the text form; null: not recorded
     * @return the settings, or null when {@code text} is null
     * @throws InvalidArgumentException naming {@value #KEY} for text that is not a record
     */
    public static Attachment decode(String text) {
        if (text == null) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : text.isEmpty() ? new String[0] : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidArgumentException(KEY, "must be KEY=VALUE pairs separated by ',', got '" + text + "'");
            }
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        Long mtu;
        try {
            mtu = m.containsKey("mtu") ? Long.valueOf(m.get("mtu")) : null;
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(KEY, "mtu must be a number, got '" + m.get("mtu") + "'");
        }
        return new Attachment(m.get("ipv4"), m.get("ipv6"), m.get("mac"), mtu, m.get("gateway"));
    }

    /** @return the fields by document key, in document order (values may be null) */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ipv4", ipv4);
        m.put("ipv6", ipv6);
        m.put("mac", mac);
        m.put("mtu", mtu);
        m.put("gateway", gateway);
        return m;
    }

    /**
     * @param given settings whose non-null fields replace this one's
     * @return this with the given fields replaced (an address of the other family replaces the address)
     */
    public Attachment with(Attachment given) {
        boolean newAddress = given.ipv4 != null || given.ipv6 != null;
        return new Attachment(newAddress ? given.ipv4 : ipv4, newAddress ? given.ipv6 : ipv6, given.mac != null ? given.mac : mac,
                given.mtu != null ? given.mtu : mtu, given.gateway != null ? given.gateway : gateway);
    }

    /**
     * @param keys document keys ({@link Doc.ContainerPort#SETTINGS}) of settings to drop
     * @return this without those settings (their fields null)
     */
    public Attachment without(java.util.Collection<String> keys) {
        return new Attachment(keys.contains("ipv4") ? null : ipv4, keys.contains("ipv6") ? null : ipv6,
                keys.contains("mac") ? null : mac, keys.contains("mtu") ? null : mtu, keys.contains("gateway") ? null : gateway);
    }

    /**
     * @param keys document keys ({@link Doc.ContainerPort#SETTINGS})
     * @return those of the keys whose setting this one has, in document order
     */
    public List<String> having(java.util.Collection<String> keys) {
        List<String> out = new ArrayList<>();
        fields().forEach((k, v) -> {
            if (v != null && keys.contains(k)) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * @param given settings whose non-null fields are compared
     * @return the document keys whose given value differs from this one's, in document order
     */
    public List<String> differingGiven(Attachment given) {
        List<String> out = new ArrayList<>();
        Map<String, Object> mine = fields();
        given.fields().forEach((k, v) -> {
            if (v != null && !Objects.equals(v, mine.get(k))) {
                out.add(k);
            }
        });
        if ((given.ipv4 != null && ipv6 != null) || (given.ipv6 != null && ipv4 != null)) {
            out.add(given.ipv4 != null ? "ipv6" : "ipv4");
        }
        return out;
    }

    /**
     * @param other settings compared field by field
     * @return the document keys where the two differ, in document order
     */
    public List<String> differing(Attachment other) {
        List<String> out = new ArrayList<>();
        Map<String, Object> theirs = other.fields();
        fields().forEach((k, v) -> {
            if (!Objects.equals(v, theirs.get(k))) {
                out.add(k);
            }
        });
        return out;
    }

    /** @return true when no field is given */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * @param vlan access VLAN, or null
     * @return the port agent's add-port settings
     */
    public PortSettings settings(Long vlan) {
        return new PortSettings(ipv4 != null ? ipv4 : ipv6, mac, gateway, mtu == null ? null : mtu.intValue(),
                vlan == null ? null : VlanTag.of(vlan));
    }
}
