package dev.ovs.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * RFC 7047 §3.2 {@code <type>}: a key base type, an optional value base type (then it is a map), and
 * min/max cardinality ({@code max} {@link Long#MAX_VALUE} for "unlimited"). Java representation of a value
 * of this type ({@link Values}): a scalar (min = max = 1, no value type) is the atom itself; a set is a
 * {@link java.util.Set}; a map is a {@link java.util.Map}.
 *
 * @param key   key (or element) base type
 * @param value value base type for maps, null otherwise
 * @param min   minimum number of elements (0 or 1)
 * @param max   maximum number of elements, Long.MAX_VALUE for unlimited
 */
public record ColumnType(BaseType key, BaseType value, long min, long max) {

    /** Validates min/max. @throws IllegalArgumentException if inconsistent */
    public ColumnType {
        if (key == null || min < 0 || min > 1 || max < 1 || max < min) {
            throw new IllegalArgumentException("invalid column type: key=" + key + " min=" + min + " max=" + max);
        }
    }

    /** @param t atomic type @return the scalar type of exactly one t */
    public static ColumnType atomic(AtomicType t) {
        return new ColumnType(BaseType.of(t), null, 1, 1);
    }

    /** @return a set type of the given key type and bounds */
    public static ColumnType set(BaseType key, long min, long max) {
        return new ColumnType(key, null, min, max);
    }

    /** @return a map type */
    public static ColumnType map(BaseType key, BaseType value, long min, long max) {
        return new ColumnType(key, value, min, max);
    }

    /**
     * Parses a schema {@code <type>}.
     *
     * @param json a string (atomic type) or an object with key/value/min/max
     * @return the type
     * @throws IllegalArgumentException if malformed
     */
    public static ColumnType parse(JsonNode json) {
        if (json.isTextual()) {
            return atomic(AtomicType.of(json.asText()));
        }
        if (!json.isObject() || !json.has("key")) {
            throw new IllegalArgumentException("column type must be a string or an object with \"key\": " + json);
        }
        BaseType k = BaseType.parse(json.get("key"));
        BaseType v = json.has("value") ? BaseType.parse(json.get("value")) : null;
        long min = json.has("min") ? json.get("min").asLong() : 1;
        long max = 1;
        if (json.has("max")) {
            JsonNode m = json.get("max");
            max = m.isTextual() && "unlimited".equals(m.asText()) ? Long.MAX_VALUE : m.asLong();
        }
        return new ColumnType(k, v, min, max);
    }

    /** @return true if this is a map type */
    public boolean isMap() {
        return value != null;
    }

    /** @return true if exactly one atom and not a map (Java value is the atom itself) */
    public boolean isScalar() {
        return value == null && min == 1 && max == 1;
    }

    /** @return true for a set type (not scalar, not map), including optional (0..1) columns */
    public boolean isSet() {
        return value == null && !isScalar();
    }

    /** @return the element type as a scalar type (for conditions and mutations on elements) */
    public ColumnType keyScalar() {
        return new ColumnType(key, null, 1, 1);
    }

    @Override
    public String toString() {
        String m = max == Long.MAX_VALUE ? "unlimited" : Long.toString(max);
        return isMap() ? "map<" + key + "," + value + ">[" + min + ".." + m + "]"
                : isScalar() ? key.toString() : "set<" + key + ">[" + min + ".." + m + "]";
    }
}
