package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Set;

/**
 * An RFC 7047 §5.1 {@code <condition>}: {@code [column, function, value]}.
 * Functions: {@code < <= == != >= > includes excludes}; the relational ones only apply to integer and real
 * scalars. The value is encoded with the column's type when the operation is built (validation before
 * sending). A literal boolean condition ({@code true}/{@code false}, ovsdb-server(7) monitor_cond) is
 * {@link #TRUE}/{@link #FALSE}.
 *
 * @param column   column name (may be {@code _uuid})
 * @param function the function
 * @param value    Java value (see {@link Values})
 */
public record Condition(String column, String function, Object value) {
    private static final Set<String> FUNCTIONS = Set.of("<", "<=", "==", "!=", ">=", ">", "includes", "excludes");
    /** Always-true literal condition (monitor_cond). */
    public static final Condition TRUE = new Condition(null, "true", null);
    /** Always-false literal condition (monitor_cond). */
    public static final Condition FALSE = new Condition(null, "false", null);

    /** @throws InvalidArgumentException ({@code function}, {@code column}) for an unknown function or missing column */
    public Condition {
        if (!"true".equals(function) && !"false".equals(function)) {
            if (!FUNCTIONS.contains(function)) {
                throw new InvalidArgumentException("function", "must be one of " + FUNCTIONS + ", got '" + function + "'");
            }
            if (column == null || column.isEmpty()) {
                throw new InvalidArgumentException("column", "must be non-empty in a condition");
            }
        }
    }

    /** @return column == value */
    public static Condition eq(String column, Object value) {
        return new Condition(column, "==", value);
    }

    /** @return column != value */
    public static Condition ne(String column, Object value) {
        return new Condition(column, "!=", value);
    }

    /** @return column < value */
    public static Condition lt(String column, Object value) {
        return new Condition(column, "<", value);
    }

    /** @return column <= value */
    public static Condition le(String column, Object value) {
        return new Condition(column, "<=", value);
    }

    /** @return column > value */
    public static Condition gt(String column, Object value) {
        return new Condition(column, ">", value);
    }

    /** @return column >= value */
    public static Condition ge(String column, Object value) {
        return new Condition(column, ">=", value);
    }

    /** @return column includes value (set/map superset) */
    public static Condition includes(String column, Object value) {
        return new Condition(column, "includes", value);
    }

    /** @return column excludes value */
    public static Condition excludes(String column, Object value) {
        return new Condition(column, "excludes", value);
    }

    /**
     * Validates and encodes against a table.
     *
     * @param table the table schema
     * @return JSON {@code [column, function, value]}
     * @throws InvalidArgumentException for unknown columns, wrong types or functions not valid for the type
     */
    public JsonNode toJson(TableSchema table) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (column == null) {
            return f.booleanNode("true".equals(function));
        }
        ColumnType t = table.columnType(column);
        String field = table.name() + "." + column;
        ColumnType vt;
        switch (function) {
            case "<", "<=", ">", ">=":
                if (!t.isScalar() || (t.key().type() != AtomicType.INTEGER && t.key().type() != AtomicType.REAL)) {
                    throw new InvalidArgumentException(field, "function " + function
                            + " only applies to integer or real scalar columns");
                }
                vt = ColumnType.atomic(t.key().type());
                break;
            case "includes", "excludes":
                vt = new ColumnType(t.key(), t.value(), 0, t.max());
                break;
            default:
                vt = t.isScalar() ? t : new ColumnType(t.key(), t.value(), 0, t.max());
        }
        return f.arrayNode().add(column).add(function).add(Values.encode(value, vt, field));
    }
}
