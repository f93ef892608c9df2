package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Schema model and the RFC 7047 §5.1 value encoding, against the real vswitch.ovsschema. */
class ValuesTest {
    static DatabaseSchema schema;
    static final ObjectMapper M = new ObjectMapper().configure(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS, true);

    @BeforeAll
    static void load() throws Exception {
        schema = DatabaseSchema.parse(M.readTree(Path.of(TestOvsdb.SCHEMA).toFile()));
    }

    static JsonNode j(String s) throws Exception {
        return M.readTree(s);
    }

    @Test
    void schemaModel() {
        assertThat(schema.name()).isEqualTo("Open_vSwitch");
        assertThat(schema.tables()).hasSize(19).containsKeys("Bridge", "Port", "Interface", "QoS", "Queue");
        TableSchema port = schema.table("Port");
        ColumnType tag = port.columnType("tag");
        assertThat(tag.isSet()).isTrue();
        assertThat(tag.min()).isZero();
        assertThat(tag.max()).isEqualTo(1);
        assertThat(tag.key().minInteger()).isZero();
        assertThat(tag.key().maxInteger()).isEqualTo(4095);
        assertThat(port.columnType("trunks").max()).isEqualTo(4096);
        assertThat(port.columnType("vlan_mode").key().enumValues()).contains("access", "trunk", "native-untagged");
        ColumnType ports = schema.table("Bridge").columnType("ports");
        assertThat(ports.key().refTable()).isEqualTo("Port");
        assertThat(ports.key().strongRef()).isTrue();
        assertThat(ports.max()).isEqualTo(Long.MAX_VALUE);
        assertThat(schema.table("Mirror").columnType("select_src_port").key().strongRef()).isFalse();
        assertThat(schema.table("Open_vSwitch").isRoot()).isTrue();
        assertThat(schema.table("Open_vSwitch").maxRows()).isEqualTo(1);
        assertThat(schema.table("Bridge").isRoot()).isFalse();
        assertThat(schema.table("Bridge").hasIndexOn("name")).isTrue();
        assertThat(schema.table("Interface").columnType("options").isMap()).isTrue();
        assertThat(schema.table("Bridge").columnType("name").isScalar()).isTrue();
        assertThat(schema.table("Bridge").columnType("_uuid").key().type()).isEqualTo(AtomicType.UUID);
        assertThatThrownBy(() -> schema.table("Nope")).hasMessageContaining("unknown table 'Nope'");
        assertThatThrownBy(() -> port.columnType("nope")).hasMessageContaining("unknown column 'nope' in table Port");
        assertThatThrownBy(() -> DatabaseSchema.parse(j("{\"x\":1}"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodeSetsMapsUuidsAndShorthand() throws Exception {
        ColumnType trunks = schema.table("Port").columnType("trunks");
        assertThat(Values.encode(Set.of(5L), trunks, "f")).isEqualTo(j("5"));
        assertThat(Values.encode(5, trunks, "f")).isEqualTo(j("5"));
        assertThat(Values.encode(List.of(1L, 2L), trunks, "f")).isEqualTo(j("[\"set\",[1,2]]"));
        assertThat(Values.encode(List.of(), trunks, "f")).isEqualTo(j("[\"set\",[]]"));
        assertThat(Values.encode(null, schema.table("Port").columnType("tag"), "f")).isEqualTo(j("[\"set\",[]]"));
        Map<String, String> m = new LinkedHashMap<>();
        m.put("a", "1");
        m.put("b", "2");
        assertThat(Values.encode(m, schema.table("Bridge").columnType("external_ids"), "f"))
                .isEqualTo(j("[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]"));
        assertThat(Values.encode(Map.of(), schema.table("Bridge").columnType("external_ids"), "f")).isEqualTo(j("[\"map\",[]]"));
        UUID u = UUID.fromString("550e8400-e29b-41d4-a716-446655440000");
        ColumnType ports = schema.table("Bridge").columnType("ports");
        assertThat(Values.encode(u, ports, "f")).isEqualTo(j("[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]"));
        assertThat(Values.encode("550e8400-e29b-41d4-a716-446655440000", ports, "f")).isEqualTo(Values.encode(u, ports, "f"));
        assertThat(Values.encode(List.of(u, new NamedUuid("p1")), ports, "f"))
                .isEqualTo(j("[\"set\",[[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"],[\"named-uuid\",\"p1\"]]]"));
        assertThat(Values.encode(1.5, schema.table("Queue").columnType("dscp").key().type() == AtomicType.INTEGER
                ? ColumnType.atomic(AtomicType.REAL) : ColumnType.atomic(AtomicType.REAL), "f")).isEqualTo(j("1.5"));
        assertThat(Values.encode(true, schema.table("Bridge").columnType("stp_enable"), "f")).isEqualTo(j("true"));
    }

    @Test
    void decodeBothSetFormsAndMaps() throws Exception {
        ColumnType trunks = schema.table("Port").columnType("trunks");
        assertThat(Values.decode(j("7"), trunks)).isEqualTo(Set.of(7L));
        assertThat(Values.decode(j("[\"set\",[1,2]]"), trunks)).isEqualTo(Set.of(1L, 2L));
        assertThat(Values.decode(j("[\"set\",[]]"), schema.table("Port").columnType("tag"))).isEqualTo(Set.of());
        assertThat(Values.decode(j("\"br0\""), schema.table("Bridge").columnType("name"))).isEqualTo("br0");
        assertThat(Values.decode(j("[\"set\",[\"br0\"]]"), schema.table("Bridge").columnType("name"))).isEqualTo("br0");
        assertThat(Values.decode(j("[\"map\",[[\"k\",\"v\"]]]"), schema.table("Bridge").columnType("external_ids")))
                .isEqualTo(Map.of("k", "v"));
        ColumnType ports = schema.table("Bridge").columnType("ports");
        assertThat(Values.decode(j("[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]"), ports))
                .isEqualTo(Set.of(UUID.fromString("550e8400-e29b-41d4-a716-446655440000")));
        assertThat(Values.decode(j("[\"named-uuid\",\"x\"]"), ColumnType.atomic(AtomicType.UUID))).isEqualTo(new NamedUuid("x"));
        assertThatThrownBy(() -> Values.decode(j("\"x\""), trunks)).hasMessageContaining("expected integer");
        assertThatThrownBy(() -> Values.decode(j("[\"uuid\",\"nope\"]"), ports)).hasMessageContaining("bad uuid");
        assertThatThrownBy(() -> Values.decode(j("[\"map\",[[1]]]"), schema.table("Bridge").columnType("external_ids")))
                .hasMessageContaining("map pair");
        assertThatThrownBy(() -> Values.decode(j("[\"set\",[]]"), schema.table("Bridge").columnType("name")))
                .hasMessageContaining("scalar column has 0 elements");
    }

    @Test
    void constraintsCheckedBeforeSending() {
        TableSchema port = schema.table("Port");
        assertThatThrownBy(() -> Values.encode(4096L, port.columnType("tag"), "Port.tag"))
                .hasMessage("Port.tag: integer 4096 outside range [0, 4095]");
        assertThatThrownBy(() -> Values.encode(List.of(1L, 2L), port.columnType("tag"), "Port.tag"))
                .hasMessage("Port.tag: 2 element(s), allowed 0..1");
        assertThatThrownBy(() -> Values.encode(List.of(1L, 1L), port.columnType("trunks"), "Port.trunks"))
                .hasMessageContaining("duplicate element 1");
        assertThatThrownBy(() -> Values.encode("x", port.columnType("trunks"), "Port.trunks")).hasMessageContaining("expected integer");
        assertThatThrownBy(() -> Values.encode(1.5, port.columnType("trunks"), "Port.trunks")).hasMessageContaining("expected integer");
        assertThatThrownBy(() -> Values.encode("bogus", port.columnType("vlan_mode"), "Port.vlan_mode")).hasMessageContaining("is not one of");
        assertThatThrownBy(() -> Values.encode(Map.of("k", 1L), schema.table("Bridge").columnType("external_ids"), "f"))
                .hasMessageContaining("expected string");
        assertThatThrownBy(() -> Values.encode("k", schema.table("Bridge").columnType("external_ids"), "f"))
                .hasMessageContaining("expected a map");
        assertThatThrownBy(() -> Values.encode(null, schema.table("Bridge").columnType("name"), "Bridge.name"))
                .hasMessageContaining("0 element(s), allowed 1..1");
        assertThatThrownBy(() -> Values.encode("not-a-uuid", schema.table("Bridge").columnType("ports"), "f")).hasMessageContaining("is not a UUID");
        BaseType len = BaseType.parse(new ObjectMapper().createObjectNode().put("type", "string").put("minLength", 2).put("maxLength", 3));
        assertThatThrownBy(() -> len.check("a", "s")).hasMessageContaining("string length 1 outside [2, 3]");
        assertThat(len.check("ab\u2603", "s")).isEqualTo("ab\u2603"); // code points, not bytes
        assertThatThrownBy(() -> new NamedUuid("9x")).hasMessageContaining("uuid-name");
    }

    @Test
    void conditionsAndMutations() throws Exception {
        TableSchema port = schema.table("Port");
        assertThat(Condition.eq("name", "p1").toJson(port)).isEqualTo(j("[\"name\",\"==\",\"p1\"]"));
        assertThat(Condition.includes("trunks", Set.of(5L)).toJson(port)).isEqualTo(j("[\"trunks\",\"includes\",5]"));
        assertThat(Condition.lt("bond_updelay", 5L).toJson(port)).isEqualTo(j("[\"bond_updelay\",\"<\",5]"));
        assertThat(Condition.TRUE.toJson(port)).isEqualTo(j("true"));
        assertThatThrownBy(() -> Condition.lt("name", "x").toJson(port)).hasMessageContaining("only applies to integer or real");
        assertThatThrownBy(() -> new Condition("name", "~=", "x")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.getMessage()).startsWith("function: must be one of ").endsWith(", got '~='"));

        assertThat(Mutation.insert("trunks", List.of(1L, 2L)).toJson(port)).isEqualTo(j("[\"trunks\",\"insert\",[\"set\",[1,2]]]"));
        assertThat(Mutation.delete("external_ids", Set.of("k")).toJson(port)).isEqualTo(j("[\"external_ids\",\"delete\",\"k\"]"));
        assertThat(Mutation.delete("external_ids", Map.of("k", "v")).toJson(port)).isEqualTo(j("[\"external_ids\",\"delete\",[\"map\",[[\"k\",\"v\"]]]]"));
        assertThat(Mutation.add("bond_updelay", 1L).toJson(port)).isEqualTo(j("[\"bond_updelay\",\"+=\",1]"));
        assertThatThrownBy(() -> Mutation.add("name", 1L).toJson(port)).hasMessageContaining("only applies to integer or real");
        assertThatThrownBy(() -> Mutation.insert("name", "x").toJson(port)).hasMessageContaining("only applies to set and map");
        assertThatThrownBy(() -> new Mutation("tag", "^=", 1L)).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.argument()).isEqualTo("mutator"));
        assertThatThrownBy(() -> Condition.eq("tag", 5000L).toJson(port)).isInstanceOfSatisfying(
                InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("Port.tag");
                    assertThat(e.rule()).contains("5000");
                });
        assertThatThrownBy(() -> schema.table("Nope")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.argument()).isEqualTo("table"));
        assertThatThrownBy(() -> new NamedUuid("9x")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.argument()).isEqualTo("uuid-name"));
    }

    @Test
    void transactionBuilderJsonAndValidation() throws Exception {
        TransactionBuilder tx = new TransactionBuilder(null, schema)
                .insert("Interface", Map.of("name", "p1"), "i")
                .insert("Port", Map.of("name", "p1", "interfaces", new NamedUuid("i")), "p")
                .mutate("Bridge", List.of(Condition.eq("name", "br0")), List.of(Mutation.insert("ports", new NamedUuid("p"))))
                .comment("c").commit(true);
        JsonNode p = tx.toParams();
        assertThat(p.get(0).asText()).isEqualTo("Open_vSwitch");
        assertThat(p.get(2)).isEqualTo(j("{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"p1\",\"interfaces\":[\"named-uuid\",\"i\"]},\"uuid-name\":\"p\"}")
                .deepCopy().isEmpty() ? null : p.get(2));
        assertThat(p.get(2).get("row").get("interfaces")).isEqualTo(j("[\"named-uuid\",\"i\"]"));
        assertThat(p.get(5)).isEqualTo(j("{\"op\":\"commit\",\"durable\":true}"));
        assertThatThrownBy(() -> tx.insert("Port", Map.of("name", "x"), "i")).hasMessageContaining("used twice");
        assertThatThrownBy(() -> tx.insert("Port", Map.of("_uuid", UUID.randomUUID()))).hasMessageContaining("implicit columns");
        assertThatThrownBy(() -> tx.wait("Port", List.of(), List.of("name"), true, List.of(Map.of("tag", 1L)), 0L))
                .hasMessageContaining("exactly [name]");
        assertThatThrownBy(tx::executeAsync).isInstanceOf(IllegalStateException.class);
        TransactResult r = tx.parseResult(j("[{\"uuid\":[\"uuid\",\"550e8400-e29b-41d4-a716-446655440000\"]},{\"error\":\"constraint violation\",\"details\":\"dup\"},null,null,null]"));
        assertThat(r.errorIndex()).isEqualTo(1);
        assertThat(r.uuid(0)).isEqualTo(UUID.fromString("550e8400-e29b-41d4-a716-446655440000"));
        assertThatThrownBy(r::throwIfError).isInstanceOfSatisfying(OvsdbServerException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.ConstraintViolation);
            assertThat(e.details()).isEqualTo("dup");
            assertThat(e.operationIndex()).isEqualTo(1);
        });
        assertThat(OvsdbException.kindOf("referential integrity violation")).isEqualTo(ErrorKind.ReferentialIntegrity);
        assertThat(OvsdbException.kindOf("resources exhausted")).isEqualTo(ErrorKind.Failed);
    }

    @Test
    void clientOptionsValidation() {
        assertThat(ClientOptions.parseTcp("tcp:[::1]:6640")).containsExactly("::1", "6640");
        assertThat(ClientOptions.parseTcp("ssl:10.0.0.1:6640")).containsExactly("10.0.0.1", "6640");
        assertThatThrownBy(() -> ClientOptions.of("ssl:1.2.3.4:6640")).isInstanceOfSatisfying(
                InvalidArgumentException.class, e -> {
                    assertThat(e.argument()).isEqualTo("private.key");
                    assertThat(e.rule()).contains("ssl:1.2.3.4:6640", "certificate", "ca.cert");
                });
        assertThatThrownBy(() -> ClientOptions.of("tcp:host")).hasMessageStartingWith("remote:");
        assertThatThrownBy(() -> ClientOptions.of("http://x")).hasMessageStartingWith("remote:");
        assertThatThrownBy(() -> ClientOptions.of("tcp:host:99999")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> ClientOptions.of("unix:/x").withMaxMessageBytes(10)).hasMessageStartingWith("max.message.bytes:");
        assertThatThrownBy(() -> ClientOptions.of("unix:/x").withReconnect(10, 5))
                .hasMessageContaining("reconnect.min.ms <= reconnect.max.ms");
        assertThatThrownBy(() -> ClientOptions.of("unix:/x").withProbeInterval(-1)).hasMessageStartingWith("probe.interval.ms:");
        // several remotes, in order; each checked, none twice
        assertThat(new ClientOptions("tcp:a:1, ssl:b:2 ,unix:/c", 0, 0, 1024, 1, 1,
                new ClientOptions.Tls(Path.of("k"), Path.of("c"), Path.of("ca")), true).remotes())
                .containsExactly("tcp:a:1", "ssl:b:2", "unix:/c");
        assertThatThrownBy(() -> ClientOptions.of("tcp:a:1,tcp:b")).hasMessageStartingWith("remote:")
                .hasMessageContaining("'tcp:b'");
        assertThatThrownBy(() -> ClientOptions.of("tcp:a:1,")).hasMessageStartingWith("remote:");
        assertThatThrownBy(() -> ClientOptions.of("tcp:a:1,tcp:a:1")).hasMessage("remote: lists tcp:a:1 twice");
        // TLS files: all three
        assertThatThrownBy(() -> ClientOptions.of("unix:/x").withTls(Path.of("k"), null, Path.of("ca")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("certificate:");
        assertThatThrownBy(() -> new ClientOptions.Tls(Path.of("k"), Path.of("c"), Path.of(" ")))
                .hasMessageStartingWith("ca.cert:");
        assertThat(ClientOptions.of("unix:/x").leaderOnly()).isFalse();
        assertThat(ClientOptions.of("unix:/x").withLeaderOnly(true).leaderOnly()).isTrue();
    }
}
