package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The OVSDB JSON value encoding of RFC 7047 §5.1: atoms, {@code ["set", [...]]} (and the one-element
 * shorthand: the atom alone), {@code ["map", [[k, v], ...]]}, {@code ["uuid", "..."]} and
 * {@code ["named-uuid", "..."]}.
 * <p>
 * Java side: a scalar column is its atom; a set is a {@link Set} (any {@link Collection} or a single atom is
 * accepted when encoding); a map is a {@link Map}. Decoded collections are unmodifiable and keep wire order.
 */
public final class Values {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Values() {
    }

    /**
     * Validates a Java value against a column type (cardinality and every base-type constraint) and encodes it.
     *
     * @param value the value (see class doc)
     * @param type  the column type
     * @param field name used in error messages (e.g. "Port.tag")
     * @return the OVSDB JSON encoding
     * @throws InvalidArgumentException naming the field and the rule that failed
     */
    public static JsonNode encode(Object value, ColumnType type, String field) {
        if (type.isMap()) {
            if (!(value instanceof Map<?, ?> m)) {
                throw new InvalidArgumentException(field, "expected a map, got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
            checkCount(m.size(), type, field);
            ArrayNode pairs = F.arrayNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                ArrayNode pair = F.arrayNode();
                pair.add(encodeAtom(type.key().check(e.getKey(), field + " key"), field));
                pair.add(encodeAtom(type.value().check(e.getValue(), field + "[" + e.getKey() + "]"), field));
                pairs.add(pair);
            }
            return F.arrayNode().add("map").add(pairs);
        }
        Collection<?> elems;
        if (value instanceof Collection<?> c) {
            elems = c;
        } else if (value instanceof Map<?, ?>) {
            throw new InvalidArgumentException(field, "expected " + (type.isScalar() ? "an atom" : "a set")
                    + ", got a map");
        } else if (value == null) {
            elems = List.of();
        } else {
            elems = List.of(value);
        }
        checkCount(elems.size(), type, field);
        Set<Object> seen = new LinkedHashSet<>();
        for (Object o : elems) {
            if (!seen.add(type.key().check(o, field))) {
                throw new InvalidArgumentException(field, "duplicate element " + o);
            }
        }
        if (seen.size() == 1 && !type.isMap()) {
            return encodeAtom(seen.iterator().next(), field);
        }
        ArrayNode arr = F.arrayNode();
        for (Object o : seen) {
            arr.add(encodeAtom(o, field));
        }
        return F.arrayNode().add("set").add(arr);
    }

    private static void checkCount(int n, ColumnType type, String field) {
        if (n < type.min() || n > type.max()) {
            throw new InvalidArgumentException(field, n + " element(s), allowed " + type.min() + ".."
                    + (type.max() == Long.MAX_VALUE ? "unlimited" : type.max()));
        }
    }

    /**
     * Encodes one canonical atom (Long, Double, Boolean, String, UUID, NamedUuid).
     *
     * @param atom  the atom
     * @param field name for errors
     * @return JSON
     * @throws InvalidArgumentException for an unsupported Java type
     */
    public static JsonNode encodeAtom(Object atom, String field) {
        if (atom instanceof Long l) {
            return F.numberNode(l);
        } else if (atom instanceof Integer i) {
            return F.numberNode(i.longValue());
        } else if (atom instanceof Double d) {
            return F.numberNode(d);
        } else if (atom instanceof Boolean b) {
            return F.booleanNode(b);
        } else if (atom instanceof String s) {
            return F.textNode(s);
        } else if (atom instanceof UUID u) {
            return F.arrayNode().add("uuid").add(u.toString());
        } else if (atom instanceof NamedUuid n) {
            return F.arrayNode().add("named-uuid").add(n.name());
        }
        throw new InvalidArgumentException(field, "unsupported value type "
                + (atom == null ? "null" : atom.getClass().getName()));
    }

    /**
     * Decodes an OVSDB JSON value of the given type. Constraints are not re-checked (the data came from the
     * server) but the shape is.
     *
     * @param json the JSON value
     * @param type its column type
     * @return atom, unmodifiable Set or unmodifiable Map
     * @throws IllegalArgumentException if the JSON does not have the shape of the type
     */
    public static Object decode(JsonNode json, ColumnType type) {
        if (type.isMap()) {
            if (!json.isArray() || json.size() != 2 || !"map".equals(json.get(0).asText()) || !json.get(1).isArray()) {
                throw new IllegalArgumentException("expected [\"map\", [...]], got " + abbreviate(json));
            }
            Map<Object, Object> m = new LinkedHashMap<>();
            for (JsonNode pair : json.get(1)) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IllegalArgumentException("map pair must be [key, value]: " + abbreviate(pair));
                }
                m.put(decodeAtom(pair.get(0), type.key().type()), decodeAtom(pair.get(1), type.value().type()));
            }
            return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(m);
        }
        boolean isSetForm = json.isArray() && json.size() == 2 && "set".equals(json.get(0).asText());
        if (type.isScalar() && !isSetForm) {
            return decodeAtom(json, type.key().type());
        }
        Set<Object> s = new LinkedHashSet<>();
        if (isSetForm) {
            if (!json.get(1).isArray()) {
                throw new IllegalArgumentException("expected [\"set\", [...]], got " + abbreviate(json));
            }
            for (JsonNode e : json.get(1)) {
                s.add(decodeAtom(e, type.key().type()));
            }
        } else {
            s.add(decodeAtom(json, type.key().type()));
        }
        if (type.isScalar()) {
            if (s.size() != 1) {
                throw new IllegalArgumentException("scalar column has " + s.size() + " elements");
            }
            return s.iterator().next();
        }
        return s.isEmpty() ? Set.of() : Collections.unmodifiableSet(s);
    }

    /**
     * Decodes one atom.
     *
     * @param json JSON atom
     * @param type expected atomic type
     * @return Long, Double, Boolean, String, UUID or NamedUuid
     * @throws IllegalArgumentException on a shape mismatch
     */
    public static Object decodeAtom(JsonNode json, AtomicType type) {
        switch (type) {
            case INTEGER:
                if (json.isIntegralNumber() && json.canConvertToLong()) {
                    return json.longValue();
                }
                break;
            case REAL:
                if (json.isNumber()) {
                    return json.doubleValue();
                }
                break;
            case BOOLEAN:
                if (json.isBoolean()) {
                    return json.booleanValue();
                }
                break;
            case STRING:
                if (json.isTextual()) {
                    return json.textValue();
                }
                break;
            case UUID:
                if (json.isArray() && json.size() == 2 && json.get(1).isTextual()) {
                    String tag = json.get(0).asText();
                    if ("uuid".equals(tag)) {
                        try {
                            return UUID.fromString(json.get(1).textValue());
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("bad uuid " + abbreviate(json));
                        }
                    } else if ("named-uuid".equals(tag)) {
                        return new NamedUuid(json.get(1).textValue());
                    }
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("expected " + type.keyword() + ", got " + abbreviate(json));
    }

    static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
