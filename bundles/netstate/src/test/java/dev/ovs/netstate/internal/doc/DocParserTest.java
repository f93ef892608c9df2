package dev.ovs.netstate.internal.doc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DocParserTest {
    final DocParser parser = new DocParser();
    final DocWriter writer = new DocWriter();

    static final String FULL = """
            interfaces:
            - name: br0
              type: ovs-bridge
              state: up
              bridge:
                options:
                  datapath: netdev
                  fail-mode: secure
                port:
                - name: p1
                  vlan:
                    mode: access
                    tag: 10
                - name: p2
                  vlan:
                    mode: trunk
                    trunk-tags:
                    - id: 5
                    - id-range: {min: 100, max: 103}
                - name: eth1
              ovs-db:
                external_ids:
                  owner: patchbay
                  stale: null
            - name: p1
              type: ovs-interface
              mtu: 1400
              ovs-db:
                external_ids: {role: "10"}
            - name: p2
              type: ovs-interface
              patch:
                peer: p3
            - name: vx0
              type: ovs-interface
              tunnel:
                type: vxlan
                options: {remote_ip: 192.0.2.1, key: 100}
            - name: old
              type: ovs-bridge
              state: absent
            """;

    @Test
    void parsesEveryKind() {
        Doc d = parser.parse(FULL);
        assertThat(d.interfaces()).hasSize(5);
        Doc.Bridge b = (Doc.Bridge) d.interfaces().get(0);
        assertThat(b.datapath()).isEqualTo("netdev");
        assertThat(b.failMode()).isEqualTo("secure");
        assertThat(b.externalIds()).containsEntry("owner", "patchbay").containsEntry("stale", null);
        assertThat(b.ports()).extracting(Doc.Port::name).containsExactly("p1", "p2", "eth1");
        assertThat(b.ports().get(0).vlan()).isEqualTo(new Doc.Vlan("access", 10L, new TreeSet<>()));
        assertThat(b.ports().get(1).vlan().trunks()).containsExactly(5L, 100L, 101L, 102L, 103L);
        assertThat(b.ports().get(1).vlan().mode()).isEqualTo("trunk");
        assertThat(b.ports().get(2).vlan()).isNull();
        Doc.Iface p1 = (Doc.Iface) d.interfaces().get(1);
        assertThat(p1.ovsType()).isEqualTo("internal");
        assertThat(p1.options()).isEmpty();
        assertThat(p1.mtu()).isEqualTo(1400L);
        assertThat(p1.externalIds()).isEqualTo(Map.of("role", "10"));
        assertThat(((Doc.Iface) d.interfaces().get(2)).options()).isEqualTo(Map.of("peer", "p3"));
        Doc.Iface vx = (Doc.Iface) d.interfaces().get(3);
        assertThat(vx.ovsType()).isEqualTo("vxlan");
        assertThat(vx.options()).isEqualTo(Map.of("remote_ip", "192.0.2.1", "key", "100"));
        assertThat(d.interfaces().get(4).absent()).isTrue();
    }

    @Test
    void writesWhatItReads() {
        Doc d = parser.parse(FULL);
        String text = writer.write(d);
        assertThat(parser.parse(text)).isEqualTo(d);
        assertThat(text).contains("id-range").contains("fail-mode: secure").doesNotContain("---");
    }

    @Test
    void nativeVlanLikeNmstate() {
        Doc d = parser.parse("""
                interfaces:
                - name: br0
                  type: ovs-bridge
                  bridge:
                    port:
                    - {name: a, vlan: {mode: trunk, tag: 7, enable-native: true, trunk-tags: [{id: 8}]}}
                    - {name: b, vlan: {mode: trunk, tag: 7, enable-native: false}}
                    - {name: c, vlan: {tag: 9}}
                    - {name: d, vlan: {mode: trunk, tag: 9}}
                """);
        List<Doc.Port> ports = ((Doc.Bridge) d.interfaces().get(0)).ports();
        assertThat(ports.get(0).vlan().mode()).isEqualTo("native-untagged");
        assertThat(ports.get(1).vlan().mode()).isEqualTo("native-tagged");
        assertThat(ports.get(2).vlan().mode()).isNull();
        assertThat(ports.get(3).vlan()).isEqualTo(new Doc.Vlan("trunk", 9L, new TreeSet<>()));
        assertThat(parser.parse(writer.write(d))).isEqualTo(d);
    }

    @Test
    void emptyDocuments() {
        assertThat(parser.parse("").interfaces()).isEmpty();
        assertThat(parser.parse("# nothing\n").interfaces()).isEmpty();
        assertThat(parser.parse("interfaces: []").interfaces()).isEmpty();
        assertThat(parser.parse("{}").interfaces()).isEmpty();
    }

    static void rejects(DocParser p, String doc, String path, String rulePart) {
        assertThatThrownBy(() -> p.parse(doc)).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
            assertThat(e.argument()).isEqualTo(path);
            assertThat(e.rule()).contains(rulePart);
        });
    }

    @Test
    void errorsNameThePathAndTheRule() {
        String head = "interfaces:\n- name: br0\n  type: ovs-bridge\n  bridge:\n    port:\n    - name: p0\n    - name: p1\n      vlan: ";
        rejects(parser, head + "{mode: access, tag: 5000}", "interfaces[0].bridge.port[1].vlan.tag", "must be 0..4095, got 5000");
        rejects(parser, head + "{mode: acces}", "interfaces[0].bridge.port[1].vlan.mode", "got 'acces'");
        rejects(parser, head + "{tagg: 1}", "interfaces[0].bridge.port[1].vlan.tagg", "unknown key");
        rejects(parser, head + "{trunk-tags: [{id-range: {min: 9, max: 3}}]}",
                "interfaces[0].bridge.port[1].vlan.trunk-tags[0].id-range", "min must be <= max");
        rejects(parser, head + "{tag: x}", "interfaces[0].bridge.port[1].vlan.tag", "must be an integer");
        rejects(parser, head + "{enable-native: true}", "interfaces[0].bridge.port[1].vlan.enable-native", "only with mode trunk");
        rejects(parser, "interfaces:\n- name: this-name-is-too-long\n  type: ovs-bridge\n", "interfaces[0].name", "must be 1..15 bytes");
        rejects(parser, "interfaces:\n- name: a\n  type: ovs-interface\n  mtu: 10\n", "interfaces[0].mtu", "must be 68..65535, got 10");
        rejects(parser, "interfaces:\n- name: a\n  type: wifi\n", "interfaces[0].type", "got 'wifi'");
        rejects(parser, "interfaces:\n- name: a\n  type: bond\n", "interfaces[0].type", "not supported");
        rejects(parser, "interfaces:\n- name: a\n  type: ovs-interface\n  state: down\n", "interfaces[0].state", "up or absent");
        rejects(parser, "interfaces:\n- name: a\n  type: ovs-interface\n- name: a\n  type: ovs-interface\n", "interfaces[1].name", "duplicate");
        rejects(parser, "interfaces:\n- name: a\n  type: ovs-interface\n  tunnel: {type: vxlan}\n", "interfaces[0].tunnel.options.remote_ip", "required");
        rejects(parser, "interfaces:\n- name: a\n  type: ovs-interface\n  patch: {peer: a}\n", "interfaces[0].patch.peer", "itself");
        rejects(parser, "interfaces:\n- name: b\n  type: ovs-bridge\n  state: absent\n  bridge: {}\n", "interfaces[0].bridge", "unknown key");
        rejects(parser, "interfaces:\n- name: b\n  type: ovs-bridge\n  bridge: {port: [{name: p}]}\n- name: p\n  type: ovs-interface\n  state: absent\n",
                "interfaces[0].bridge.port[0].name", "absent");
        rejects(parser, "interfaces:\n- name: b\n  type: ovs-bridge\n  bridge: {port: [{name: b}]}\n", "interfaces[0].bridge.port[0].name", "local port");
        rejects(parser, "interfaces: {a: 1}\n", "interfaces", "must be a list");
        rejects(parser, "interfaces:\n- name: a\n  name: b\n  type: ovs-bridge\n", "document", "must be valid YAML");
        rejects(parser, "interfaces: [\n", "document", "must be valid YAML");
        rejects(parser, "interfaces:\n- name: b\n  type: ovs-bridge\n  ovs-db: {external_ids: {k: [1]}}\n",
                "interfaces[0].ovs-db.external_ids.k", "must be a string");
    }

    @Test
    void ingressPolicingParsesWithItsRangesAndRoundTrips() {
        Doc d = parser.parse("""
                interfaces:
                - name: a
                  type: ovs-interface
                  ingress-policing: {rate-kbps: 10000, burst-kb: 1000}
                - name: eth1
                  type: ethernet
                  ingress-policing: {rate-kbps: 4294967295}
                - name: c
                  type: ovs-interface
                  ingress-policing: {rate-kbps: 0}
                """);
        assertThat(d.interfaces()).extracting(e -> ((Doc.Iface) e).ingressPolicing()).containsExactly(
                new Doc.IngressPolicing(10000, 1000), new Doc.IngressPolicing(4294967295L, 0), new Doc.IngressPolicing(0, 0));
        assertThat(parser.parse(writer.write(d))).isEqualTo(d);
        String head = "interfaces:\n- {name: b, type: ovs-bridge}\n- {name: x, type: ovs-interface}\n- name: a\n  type: ovs-interface\n"
                + "  ingress-policing: ";
        rejects(parser, head + "{rate-kbps: -1}\n", "interfaces[2].ingress-policing.rate-kbps", "must be 0..4294967295, got -1");
        rejects(parser, head + "{rate-kbps: 4294967296}\n", "interfaces[2].ingress-policing.rate-kbps",
                "must be 0..4294967295, got 4294967296");
        rejects(parser, head + "{rate-kbps: 1.5}\n", "interfaces[2].ingress-policing.rate-kbps", "must be an integer");
        rejects(parser, head + "{rate-kbps: 10, burst-kb: -5}\n", "interfaces[2].ingress-policing.burst-kb", "must be 0..4294967295, got -5");
        rejects(parser, head + "{burst-kb: 5}\n", "interfaces[2].ingress-policing.rate-kbps", "required");
        rejects(parser, head + "{rate: 5}\n", "interfaces[2].ingress-policing.rate", "unknown key");
        rejects(parser, head + "100\n", "interfaces[2].ingress-policing", "must be a mapping");
        rejects(parser, "interfaces:\n- {name: a, type: ovs-interface, state: absent, ingress-policing: {rate-kbps: 1}}\n",
                "interfaces[0].ingress-policing", "unknown key");
    }

    @Test
    void containerPortsParseCanonicallyAndRoundTrip() {
        Doc d = parser.parse("""
                container-ports:
                - container: web-1
                  interface: eth1
                  bridge: br0
                  ipv4: 10.0.0.2/24
                  mac: "12:34:56:78:9A:BC"
                  mtu: 1400
                  gateway: 10.0.0.1
                  vlan: 50
                - {container: "pid:42", interface: eth2, bridge: br0, ipv6: "FD00:0:0::2/64", vlan: null}
                - {container: "netns:c3", interface: eth1, state: absent}
                """);
        assertThat(d.containerPorts()).containsExactly(
                new Doc.ContainerPort("container-ports[0]", "web-1", "eth1", false, "br0", "10.0.0.2/24", null, "12:34:56:78:9a:bc",
                        1400L, "10.0.0.1", true, 50L),
                new Doc.ContainerPort("container-ports[1]", "pid:42", "eth2", false, "br0", null, "fd00::2/64", null, null, null, true,
                        null),
                new Doc.ContainerPort("container-ports[2]", "netns:c3", "eth1", true, null, null, null, null, null, null, false, null));
        // written and read back: the same document (a MAC that YAML 1.1 could read as a number stays a string)
        assertThat(parser.parse(writer.write(d))).isEqualTo(d);
        assertThat(d.containerPorts().get(0).key()).isEqualTo("web-1/eth1");
    }

    @Test
    void explicitNullsClearMtuAndContainerPortSettings() {
        Doc d = parser.parse("""
                interfaces:
                - {name: p1, type: ovs-interface, mtu: null}
                - {name: e1, type: ethernet, mtu: ~}
                - {name: p2, type: ovs-interface}
                container-ports:
                - {container: c1, interface: eth1, bridge: br0, ipv4: null, ipv6: "fd00::2/64", mac: null, mtu: null, gateway: null}
                - {container: c1, interface: eth2, bridge: br0, mtu: 1400}
                """);
        Doc.Iface p1 = (Doc.Iface) d.interfaces().get(0);
        assertThat(p1.mtu()).isNull();
        assertThat(p1.mtuCleared()).isTrue();
        assertThat(((Doc.Iface) d.interfaces().get(1)).mtuCleared()).isTrue();
        assertThat(((Doc.Iface) d.interfaces().get(2)).mtuCleared()).isFalse();
        assertThat(d.containerPorts().get(0)).isEqualTo(new Doc.ContainerPort("container-ports[0]", "c1", "eth1", false, "br0", null,
                "fd00::2/64", null, null, null, false, null, java.util.Set.of("ipv4", "mac", "mtu", "gateway")));
        assertThat(d.containerPorts().get(1).cleared()).isEmpty();
        // written with the nulls and read back: the same document
        String text = writer.write(d);
        assertThat(text).contains("mtu: null").contains("gateway: null");
        assertThat(parser.parse(text)).isEqualTo(d);
        // where mtu is refused, a null is refused the same way
        rejects(parser, "interfaces:\n- {name: v, type: vlan, vlan: {base-iface: e, id: 5}, mtu: null}\n", "interfaces[0].mtu",
                "unknown key");
        rejects(parser, "interfaces:\n- {name: a, type: ovs-interface, state: absent, mtu: null}\n", "interfaces[0].mtu", "unknown key");
        rejects(parser, "interfaces:\n- {name: b, type: ovs-bridge, mtu: null}\n", "interfaces[0].mtu", "unknown key");
        rejects(parser, "container-ports:\n- {container: c1, interface: eth1, state: absent, mac: null}\n", "container-ports[0].mac",
                "unknown key");
        rejects(parser, "interfaces:\n- {name: a, type: ovs-interface}\n- {name: b, type: ovs-interface, mtu: 0}\n",
                "interfaces[1].mtu", "must be 68..65535, got 0");
        // a record cannot both set and clear
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Doc.ContainerPort("p", "c", "i", false, "b", "10.0.0.1/24", null,
                null, null, null, false, null, java.util.Set.of("ipv4"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badContainerPortsNameTheirPath() {
        String head = "container-ports:\n- {container: c1, interface: eth1, bridge: br0";
        rejects(parser, head + ", vlan: 5000}\n", "container-ports[0].vlan", "must be 0..4095, got 5000");
        rejects(parser, head + ", ipv4: 10.0.0.1}\n", "container-ports[0].ipv4", "IPv4 ADDRESS/PREFIX");
        rejects(parser, head + ", ipv4: fd00::1/64}\n", "container-ports[0].ipv4", "IPv4 ADDRESS/PREFIX");
        rejects(parser, head + ", ipv6: 10.0.0.1/24}\n", "container-ports[0].ipv6", "IPv6 ADDRESS/PREFIX");
        rejects(parser, head + ", mac: \"01:00:00:00:00:01\"}\n", "container-ports[0].mac", "unicast");
        rejects(parser, head + ", mtu: 60}\n", "container-ports[0].mtu", "must be 68..65535, got 60");
        rejects(parser, head + ", state: down}\n", "container-ports[0].state", "up or absent");
        rejects(parser, "container-ports:\n- {container: c1, interface: eth1, state: absent, vlan: 3}\n", "container-ports[0].vlan",
                "unknown key");
        rejects(parser, "container-ports:\n- {container: c1, bridge: br0}\n", "container-ports[0].interface", "required");
        rejects(parser, "container-ports:\n- {container: c1, interface: 'a/b', bridge: br0}\n", "container-ports[0].interface", "");
        rejects(parser, head + "}\n- {container: c1, interface: eth1, bridge: br1}\n", "container-ports[1]", "listed twice");
        rejects(parser, "container-ports: {a: 1}\n", "container-ports", "must be a list");
    }

    @Test
    void networkdLinksAndRoutesParseAndRoundTrip() {
        Doc d = parser.parse("""
                interfaces:
                - name: br0
                  type: ovs-bridge
                - name: eth1.50
                  type: vlan
                  vlan: {base-iface: eth1, id: 50}
                  ipv4:
                    enabled: true
                    address: [{ip: 10.50.0.1, prefix-length: 24}]
                  ipv6: {enabled: true, dhcp: true}
                - name: eth2
                  type: ethernet
                  ipv4: {enabled: false}
                - name: old.7
                  type: vlan
                  state: absent
                routes:
                  config:
                  - {destination: 0.0.0.0/0, next-hop-address: 10.50.0.254, next-hop-interface: eth1.50}
                  - {destination: "FD00:60::/64", next-hop-interface: eth2, metric: 10, state: absent}
                """);
        assertThat(d.interfaces()).extracting(Doc.Entry::name).containsExactly("br0", "eth2");
        assertThat(d.links()).containsExactly(
                new Doc.Link("interfaces[1]", "eth1.50", "vlan", false, "eth1", 50L, new Doc.Ip(true, false, List.of("10.50.0.1/24")),
                        new Doc.Ip(true, true, List.of())),
                new Doc.Link("interfaces[2]", "eth2", "ethernet", false, null, null, new Doc.Ip(false, false, List.of()), null),
                new Doc.Link("interfaces[3]", "old.7", "vlan", true, null, null, null, null));
        assertThat(d.routes()).containsExactly(new Doc.Route("routes.config[0]", "0.0.0.0/0", "10.50.0.254", "eth1.50", null, false),
                new Doc.Route("routes.config[1]", "fd00:60::/64", null, "eth2", 10L, true));
        assertThat(parser.parse(writer.write(d))).isEqualTo(d);
    }

    @Test
    void badLinksAndRoutesNameTheirPath() {
        rejects(parser, "interfaces:\n- {name: v, type: vlan, vlan: {base-iface: v, id: 5}}\n", "interfaces[0].vlan.base-iface", "itself");
        rejects(parser, "interfaces:\n- {name: v, type: vlan, vlan: {base-iface: e, id: 4095}}\n", "interfaces[0].vlan.id",
                "must be 0..4094, got 4095");
        rejects(parser, "interfaces:\n- {name: v, type: vlan, vlan: {id: 5}}\n", "interfaces[0].vlan.base-iface", "required");
        rejects(parser, "interfaces:\n- {name: v, type: vlan, vlan: {base-iface: e, id: 5}, mtu: 1400}\n", "interfaces[0].mtu",
                "unknown key");
        rejects(parser, "interfaces:\n- {name: e, type: ethernet, ipv4: {address: [{ip: 10.0.0.1}]}}\n",
                "interfaces[0].ipv4.address[0].prefix-length", "required");
        rejects(parser, "interfaces:\n- {name: e, type: ethernet, ipv4: {address: [{ip: 10.0.0.1, prefix-length: 33}]}}\n",
                "interfaces[0].ipv4.address[0].prefix-length", "must be 0..32, got 33");
        rejects(parser, "interfaces:\n- {name: e, type: ethernet, ipv4: {address: [{ip: 10.0.0.1, prefix-length: 8}, "
                + "{ip: 10.0.0.1, prefix-length: 8}]}}\n", "interfaces[0].ipv4.address[1]", "listed twice");
        rejects(parser, "interfaces:\n- {name: e, type: ovs-bridge, ipv4: {dhcp: true}}\n", "interfaces[0].ipv4", "unknown key");
        rejects(parser, "interfaces:\n- {name: e, type: ethernet}\n- {name: e, type: vlan, vlan: {base-iface: x, id: 1}}\n",
                "interfaces[1].name", "duplicate");
        rejects(parser, "routes:\n  config:\n  - {destination: 10.0.0.0, next-hop-interface: e}\n", "routes.config[0].destination",
                "ADDRESS/PREFIX");
        rejects(parser, "routes:\n  config:\n  - {destination: 10.0.0.0/8}\n", "routes.config[0].next-hop-interface", "required");
        rejects(parser, "routes:\n  config:\n  - {destination: 10.0.0.0/8, next-hop-interface: e, metric: -1}\n",
                "routes.config[0].metric", "must be 0..4294967295");
        rejects(parser, "routes:\n  config:\n  - {destination: 10.0.0.0/8, next-hop-interface: e, state: up}\n",
                "routes.config[0].state", "must be absent");
        rejects(parser, "routes:\n  config:\n  - {destination: 10.0.0.0/8, next-hop-interface: e}\n  - {destination: 10.0.0.0/8, "
                + "next-hop-interface: e}\n", "routes.config[1]", "listed twice");
        rejects(parser, "routes: [1]\n", "routes", "must be a mapping");
    }

    @Test
    void jsonDocumentsReadLikeTheirYaml() throws Exception {
        var yamlMapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(yamlMapper.readTree(FULL));
        assertThat(json).startsWith("{");
        assertThat(parser.parse(json)).isEqualTo(parser.parse(FULL));
        // duplicate keys are errors in JSON too (read as YAML, which names them)
        rejects(parser, "{\"interfaces\": [], \"interfaces\": []}", "document", "must be valid YAML");
        rejects(parser, "{\"interfaces\": [{\"name\": \"b\", \"type\": \"ovs-bridge\", \"state\": \"gone\"}]}",
                "interfaces[0].state", "up or absent");
    }
}
