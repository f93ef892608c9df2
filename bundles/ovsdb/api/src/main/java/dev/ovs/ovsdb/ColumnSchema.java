package dev.ovs.ovsdb;

/**
 * RFC 7047 §3.2 {@code <column-schema>}.
 *
 * @param name      column name
 * @param type      column type
 * @param ephemeral true if not persisted
 * @param mutable   false if the column may only be set on insert
 */
public record ColumnSchema(String name, ColumnType type, boolean ephemeral, boolean mutable) {
}
