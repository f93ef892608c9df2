package dev.ovs.networkd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A link as described by networkd's {@code DescribeLink(i)} JSON (the format of {@code networkctl --json},
 * systemd 252), parsed into types; unknown fields are kept only in {@link #json()}.
 *
 * @param index               {@code Index}
 * @param name                {@code Name}
 * @param alternativeNames    {@code AlternativeNames} (empty if absent)
 * @param type                {@code Type}, e.g. ether, loopback
 * @param kind                {@code Kind}, e.g. veth, bridge, openvswitch (null if absent)
 * @param driver              {@code Driver} (null if absent)
 * @param hardwareAddress     {@code HardwareAddress} as {@code aa:bb:cc:dd:ee:ff} (null if absent)
 * @param mtu                 {@code MTU} in bytes (0 if absent)
 * @param networkFile         {@code NetworkFile}: path of the matched .network file (null if none)
 * @param state               the state properties ({@code OperationalState} ... {@code AdministrativeState})
 * @param addresses           {@code Addresses}
 * @param json                the whole JSON object as networkd sent it
 */
public record LinkDescription(int index, String name, List<String> alternativeNames, String type, String kind,
        String driver, String hardwareAddress, int mtu, String networkFile, LinkState state,
        List<Address> addresses, JsonNode json) {
    /**
     * One element of {@code Addresses}.
     *
     * @param family       {@code Family}: 2 (AF_INET) or 10 (AF_INET6)
     * @param address      {@code Address} in text form (dotted quad or RFC 5952 IPv6)
     * @param prefixLength {@code PrefixLength}
     * @param configSource {@code ConfigSource}: static, DHCPv4, foreign, ... (null if absent)
     * @param configState  {@code ConfigState}: configured, configuring, ... (null if absent)
     */
    public record Address(int family, String address, int prefixLength, String configSource, String configState) {
        /** @return {@code address/prefixLength} */
        public String cidr() {
            return address + "/" + prefixLength;
        }
    }
}
