package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * RFC 7047 §3.2 {@code <base-type>}: an atomic type with optional constraints (enum, minInteger/maxInteger,
 * minReal/maxReal, minLength/maxLength, refTable/refType). Immutable.
 */
public final class BaseType {
    private final AtomicType type;
    private final Set<Object> enumValues;
    private final long minInteger;
    private final long maxInteger;
    private final double minReal;
    private final double maxReal;
    private final long minLength;
    private final long maxLength;
    private final String refTable;
    private final boolean strongRef;

    private BaseType(AtomicType type, Set<Object> enumValues, long minInteger, long maxInteger, double minReal,
            double maxReal, long minLength, long maxLength, String refTable, boolean strongRef) {
        this.type = type;
        this.enumValues = enumValues;
        this.minInteger = minInteger;
        this.maxInteger = maxInteger;
        this.minReal = minReal;
        this.maxReal = maxReal;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.refTable = refTable;
        this.strongRef = strongRef;
    }

    /**
     * @param type atomic type
     * @return an unconstrained base type
     */
    public static BaseType of(AtomicType type) {
        return new BaseType(type, null, Long.MIN_VALUE, Long.MAX_VALUE, Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY, 0, Long.MAX_VALUE, null, true);
    }

    /**
     * Parses a schema {@code <base-type>} (a string or an object).
     *
     * @param json the JSON
     * @return the base type
     * @throws IllegalArgumentException if malformed
     */
    public static BaseType parse(JsonNode json) {
        if (json.isTextual()) {
            return of(AtomicType.of(json.asText()));
        }
        if (!json.isObject() || !json.has("type")) {
            throw new IllegalArgumentException("base type must be a string or an object with \"type\": " + json);
        }
        AtomicType t = AtomicType.of(json.get("type").asText());
        BaseType proto = of(t);
        Set<Object> en = null;
        if (json.has("enum")) {
            Object v = Values.decode(json.get("enum"), ColumnType.set(proto, 1, Long.MAX_VALUE));
            Set<Object> s = new LinkedHashSet<>();
            if (v instanceof Set<?> set) {
                s.addAll(set);
            } else {
                s.add(v);
            }
            en = Collections.unmodifiableSet(s);
        }
        return new BaseType(t, en,
                json.has("minInteger") ? json.get("minInteger").asLong() : Long.MIN_VALUE,
                json.has("maxInteger") ? json.get("maxInteger").asLong() : Long.MAX_VALUE,
                json.has("minReal") ? json.get("minReal").asDouble() : Double.NEGATIVE_INFINITY,
                json.has("maxReal") ? json.get("maxReal").asDouble() : Double.POSITIVE_INFINITY,
                json.has("minLength") ? json.get("minLength").asLong() : 0,
                json.has("maxLength") ? json.get("maxLength").asLong() : Long.MAX_VALUE,
                json.has("refTable") ? json.get("refTable").asText() : null,
                !json.has("refType") || "strong".equals(json.get("refType").asText()));
    }

    /** @return the atomic type */
    public AtomicType type() {
        return type;
    }

    /** @return allowed values (Java atoms), or null when unconstrained */
    public Set<Object> enumValues() {
        return enumValues;
    }

    /** @return minimum integer (inclusive), Long.MIN_VALUE if none */
    public long minInteger() {
        return minInteger;
    }

    /** @return maximum integer (inclusive), Long.MAX_VALUE if none */
    public long maxInteger() {
        return maxInteger;
    }

    /** @return minimum real (inclusive) */
    public double minReal() {
        return minReal;
    }

    /** @return maximum real (inclusive) */
    public double maxReal() {
        return maxReal;
    }

    /** @return minimum string length in Unicode code points */
    public long minLength() {
        return minLength;
    }

    /** @return maximum string length in Unicode code points */
    public long maxLength() {
        return maxLength;
    }

    /** @return referenced table name for uuid types, or null */
    public String refTable() {
        return refTable;
    }

    /** @return true for a strong reference (default), false for "weak" */
    public boolean strongRef() {
        return strongRef;
    }

    /**
     * Converts a Java value to this type's canonical Java atom and checks all constraints.
     *
     * @param value the value (Long/Integer/Short/Byte for integer, any Number for real, Boolean, String,
     *              UUID or NamedUuid for uuid; a String that parses as a UUID is accepted for uuid)
     * @param field field name used in error messages
     * @return canonical atom
     * @throws InvalidArgumentException naming the field and the violated rule
     */
    public Object check(Object value, String field) {
        if (value == null) {
            throw new InvalidArgumentException(field, "null is not a valid " + type.keyword());
        }
        Object atom;
        switch (type) {
            case INTEGER:
                if (!(value instanceof Long || value instanceof Integer || value instanceof Short
                        || value instanceof Byte)) {
                    throw new InvalidArgumentException(field, "expected integer, got " + describe(value));
                }
                long l = ((Number) value).longValue();
                if (l < minInteger || l > maxInteger) {
                    throw new InvalidArgumentException(field, "integer " + l + " outside range ["
                            + minInteger + ", " + maxInteger + "]");
                }
                atom = l;
                break;
            case REAL:
                if (!(value instanceof Number)) {
                    throw new InvalidArgumentException(field, "expected real, got " + describe(value));
                }
                double d = ((Number) value).doubleValue();
                if (!Double.isFinite(d) || d < minReal || d > maxReal) {
                    throw new InvalidArgumentException(field, "real " + d + " outside range [" + minReal
                            + ", " + maxReal + "]");
                }
                atom = d;
                break;
            case BOOLEAN:
                if (!(value instanceof Boolean)) {
                    throw new InvalidArgumentException(field, "expected boolean, got " + describe(value));
                }
                atom = value;
                break;
            case STRING:
                if (!(value instanceof String s)) {
                    throw new InvalidArgumentException(field, "expected string, got " + describe(value));
                }
                long n = s.codePointCount(0, s.length());
                if (n < minLength || n > maxLength) {
                    throw new InvalidArgumentException(field, "string length " + n + " outside ["
                            + minLength + ", " + maxLength + "]");
                }
                atom = s;
                break;
            case UUID:
                if (value instanceof UUID || value instanceof NamedUuid) {
                    atom = value;
                } else if (value instanceof String s) {
                    try {
                        atom = UUID.fromString(s);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidArgumentException(field, "'" + s + "' is not a UUID");
                    }
                } else {
                    throw new InvalidArgumentException(field, "expected uuid, got " + describe(value));
                }
                break;
            default:
                throw new AssertionError(type);
        }
        if (enumValues != null && !enumValues.contains(atom)) {
            throw new InvalidArgumentException(field, atom + " is not one of " + enumValues);
        }
        return atom;
    }

    private static String describe(Object v) {
        return v.getClass().getSimpleName() + " " + v;
    }

    @Override
    public String toString() {
        return type.keyword() + (refTable != null ? "->" + refTable : "") + (enumValues != null ? " " + enumValues : "");
    }
}
