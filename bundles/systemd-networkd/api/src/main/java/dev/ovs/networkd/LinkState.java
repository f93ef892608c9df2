package dev.ovs.networkd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state properties of {@code org.freedesktop.network1.Link} (org.freedesktop.network1(5); values as in
 * networkctl(1)). A property networkd did not report is null.
 *
 * @param operational    {@code OperationalState}: missing, off, no-carrier, dormant, degraded-carrier,
 *                       carrier, degraded, enslaved, routable
 * @param carrier        {@code CarrierState}: off, no-carrier, dormant, degraded-carrier, carrier, enslaved
 * @param address        {@code AddressState}: off, degraded, routable
 * @param ipv4Address    {@code IPv4AddressState}
 * @param ipv6Address    {@code IPv6AddressState}
 * @param online         {@code OnlineState}: offline, partial, online, or empty
 * @param administrative {@code AdministrativeState}: pending, initialized, configuring, configured,
 *                       unmanaged, failed, linger
 */
public record LinkState(String operational, String carrier, String address, String ipv4Address,
        String ipv6Address, String online, String administrative) {
    /** D-Bus property names, in the order of the record components. */
    public static final String[] PROPERTIES = {"OperationalState", "CarrierState", "AddressState",
        "IPv4AddressState", "IPv6AddressState", "OnlineState", "AdministrativeState"};

    /**
     * @param props property name to value (only {@link #PROPERTIES} are read)
     * @return the state
     */
    public static LinkState of(Map<String, String> props) {
        return new LinkState(props.get(PROPERTIES[0]), props.get(PROPERTIES[1]), props.get(PROPERTIES[2]),
                props.get(PROPERTIES[3]), props.get(PROPERTIES[4]), props.get(PROPERTIES[5]),
                props.get(PROPERTIES[6]));
    }

    /**
     * @param changed property name to new value; names not in {@link #PROPERTIES} are ignored
     * @return this state with the changed properties replaced
     */
    public LinkState with(Map<String, String> changed) {
        Map<String, String> m = toMap();
        for (String p : PROPERTIES) {
            if (changed.containsKey(p)) {
                m.put(p, changed.get(p));
            }
        }
        return of(m);
    }

    /** @return D-Bus property name to value, in {@link #PROPERTIES} order (null values included) */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        String[] v = {operational, carrier, address, ipv4Address, ipv6Address, online, administrative};
        for (int i = 0; i < PROPERTIES.length; i++) {
            m.put(PROPERTIES[i], v[i]);
        }
        return m;
    }
}
