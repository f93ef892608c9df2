package dev.ovs.ovsdb;

import java.util.Locale;

/**
 * RFC 7047 §3.2 {@code <atomic-type>}. Java representation of atoms: integer = {@link Long}, real =
 * {@link Double}, boolean = {@link Boolean}, string = {@link String}, uuid = {@link java.util.UUID} (or
 * {@link NamedUuid} inside a transaction).
 */
public enum AtomicType {
    /** 64-bit signed integer. */
    INTEGER,
    /** IEEE 754 double. */
    REAL,
    /** true/false. */
    BOOLEAN,
    /** UTF-8 string. */
    STRING,
    /** RFC 4122 UUID. */
    UUID;

    /** @return the schema keyword ("integer", "real", ...) */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param keyword schema keyword
     * @return the type
     * @throws IllegalArgumentException for an unknown keyword
     */
    public static AtomicType of(String keyword) {
        for (AtomicType t : values()) {
            if (t.keyword().equals(keyword)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown atomic type '" + keyword + "'");
    }
}
