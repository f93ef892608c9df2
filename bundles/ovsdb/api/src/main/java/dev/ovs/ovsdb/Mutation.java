package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import java.util.Set;

/**
 * An RFC 7047 §5.1 {@code <mutation>}: {@code [column, mutator, value]}. Mutators {@code += -= *= /= %=}
 * (integer/real columns, value an atom), {@code insert} and {@code delete} (set and map columns; value a
 * set of elements, a map, or for map delete a set of keys).
 *
 * @param column  column name
 * @param mutator the mutator
 * @param value   Java value
 */
public record Mutation(String column, String mutator, Object value) {
    private static final Set<String> MUTATORS = Set.of("+=", "-=", "*=", "/=", "%=", "insert", "delete");

    /** @throws InvalidArgumentException ({@code mutator}, {@code column}) for an unknown mutator or empty column */
    public Mutation {
        if (!MUTATORS.contains(mutator)) {
            throw new InvalidArgumentException("mutator", "must be one of " + MUTATORS + ", got '" + mutator + "'");
        }
        if (column == null || column.isEmpty()) {
            throw new InvalidArgumentException("column", "must be non-empty in a mutation");
        }
    }

    /** @return set/map insert of value */
    public static Mutation insert(String column, Object value) {
        return new Mutation(column, "insert", value);
    }

    /** @return set/map delete of value (elements, pairs, or keys) */
    public static Mutation delete(String column, Object value) {
        return new Mutation(column, "delete", value);
    }

    /** @return column += delta */
    public static Mutation add(String column, Object delta) {
        return new Mutation(column, "+=", delta);
    }

    /** @return column -= delta */
    public static Mutation subtract(String column, Object delta) {
        return new Mutation(column, "-=", delta);
    }

    /**
     * Validates and encodes against a table.
     *
     * @param table the table schema
     * @return JSON mutation
     * @throws InvalidArgumentException for unknown columns or wrong types
     */
    public JsonNode toJson(TableSchema table) {
        ColumnType t = table.columnType(column);
        String field = table.name() + "." + column;
        ColumnType vt;
        if ("insert".equals(mutator) || "delete".equals(mutator)) {
            if (t.isScalar()) {
                throw new InvalidArgumentException(field, mutator + " only applies to set and map columns");
            }
            if (t.isMap() && "delete".equals(mutator) && !(value instanceof Map)) {
                vt = ColumnType.set(t.key(), 0, Long.MAX_VALUE);
            } else {
                vt = new ColumnType(t.key(), t.value(), 0, Long.MAX_VALUE);
            }
        } else {
            AtomicType a = t.key().type();
            if (t.isMap() || (a != AtomicType.INTEGER && a != AtomicType.REAL)) {
                throw new InvalidArgumentException(field, mutator + " only applies to integer or real columns");
            }
            vt = ColumnType.atomic(a);
        }
        return JsonNodeFactory.instance.arrayNode().add(column).add(mutator).add(Values.encode(value, vt, field));
    }
}
