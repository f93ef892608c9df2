package dev.ovs.shell.internal;

import dev.ovs.base.InvalidArgumentException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Checks a value given as text against an attribute of a MetaType object class definition (OSGi Compendium
 * 8, 105 "Metatype Service Specification", AttributeDefinition): the attribute exists, is single-valued
 * (cardinality 0), parses as its type, is one of its options if it has any, and the definition's own
 * {@link AttributeDefinition#validate(String)} accepts it (the Felix implementation checks min/max there).
 * Every failure is an {@link InvalidArgumentException} naming the key and the rule.
 */
final class MetatypeCheck {
    private MetatypeCheck() {
    }

    /**
     * @param ocd   the object class definition of the PID
     * @param pid   the PID, for the message
     * @param key   the attribute id
     * @return the attribute definition of {@code key}
     * @throws InvalidArgumentException (argument {@code key}) if the OCD has no such attribute; the message lists
     *                                  the known ones
     */
    static AttributeDefinition attribute(ObjectClassDefinition ocd, String pid, String key) {
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (ads != null) {
            for (AttributeDefinition ad : ads) {
                if (ad.getID().equals(key)) {
                    return ad;
                }
            }
        }
        String known = ads == null ? "" : Arrays.stream(ads).map(AttributeDefinition::getID).sorted()
                .collect(Collectors.joining(", "));
        throw new InvalidArgumentException(key, "is not an attribute of " + pid + " (metatype attributes: "
                + (known.isEmpty() ? "none" : known) + ")");
    }

    /**
     * Checks {@code value} for attribute {@code ad}.
     *
     * @param ad    the attribute definition
     * @param value the value as it would be written to the {@code .cfg} file (for Boolean only {@code true} or
     *              {@code false}, any case)
     * @throws InvalidArgumentException (argument: the attribute id) naming the rule that fails: multi-valued
     *                                  attribute, wrong type, not an option, rejected by {@code validate}
     */
    static void check(AttributeDefinition ad, String value) {
        String key = ad.getID();
        if (value == null) {
            throw new InvalidArgumentException(key, "a value is required");
        }
        if (ad.getCardinality() != 0) {
            throw new InvalidArgumentException(key, "is multi-valued (cardinality " + ad.getCardinality()
                    + "); config:set writes single values only: edit the .cfg file");
        }
        String type = typeName(ad.getType());
        String v = value.trim();
        try {
            switch (ad.getType()) {
                case AttributeDefinition.LONG -> Long.parseLong(v);
                case AttributeDefinition.INTEGER -> Integer.parseInt(v);
                case AttributeDefinition.SHORT -> Short.parseShort(v);
                case AttributeDefinition.BYTE -> Byte.parseByte(v);
                case AttributeDefinition.DOUBLE -> Double.parseDouble(v);
                case AttributeDefinition.FLOAT -> Float.parseFloat(v);
                case AttributeDefinition.BIGINTEGER -> new BigInteger(v);
                case AttributeDefinition.BIGDECIMAL -> new BigDecimal(v);
                case AttributeDefinition.BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw new NumberFormatException();
                    }
                }
                case AttributeDefinition.CHARACTER -> {
                    if (value.length() != 1) {
                        throw new NumberFormatException();
                    }
                }
                default -> {
                    // String, Password: any text
                }
            }
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(key, "must be " + article(type) + " " + type
                    + rangeHint(ad.getType()) + ", got '" + value + "'");
        }
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0 && !Arrays.asList(options).contains(value)) {
            throw new InvalidArgumentException(key, "must be one of " + String.join(", ", options) + ", got '"
                    + value + "'");
        }
        String verdict = ad.validate(value);
        if (verdict != null && !verdict.isEmpty()) {
            throw new InvalidArgumentException(key, "'" + value + "' is rejected by the metatype: " + verdict
                    + (ad.getDescription() == null ? "" : " (" + ad.getDescription() + ")"));
        }
    }

    /** @return the Java name of a MetaType type constant, e.g. {@code Integer} */
    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING -> "String";
            case AttributeDefinition.LONG -> "Long";
            case AttributeDefinition.INTEGER -> "Integer";
            case AttributeDefinition.SHORT -> "Short";
            case AttributeDefinition.CHARACTER -> "Character";
            case AttributeDefinition.BYTE -> "Byte";
            case AttributeDefinition.DOUBLE -> "Double";
            case AttributeDefinition.FLOAT -> "Float";
            case AttributeDefinition.BIGINTEGER -> "BigInteger";
            case AttributeDefinition.BIGDECIMAL -> "BigDecimal";
            case AttributeDefinition.BOOLEAN -> "Boolean";
            case AttributeDefinition.PASSWORD -> "Password";
            default -> "type " + type;
        };
    }

    private static String article(String type) {
        return "AEIOU".indexOf(type.toUpperCase(Locale.ROOT).charAt(0)) >= 0 ? "an" : "a";
    }

    private static String rangeHint(int type) {
        return switch (type) {
            case AttributeDefinition.INTEGER -> " (" + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ")";
            case AttributeDefinition.SHORT -> " (" + Short.MIN_VALUE + ".." + Short.MAX_VALUE + ")";
            case AttributeDefinition.BYTE -> " (" + Byte.MIN_VALUE + ".." + Byte.MAX_VALUE + ")";
            case AttributeDefinition.BOOLEAN -> " (true or false)";
            case AttributeDefinition.CHARACTER -> " (one character)";
            default -> "";
        };
    }
}
