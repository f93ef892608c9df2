package dev.ovs.ovsdb;

import dev.ovs.base.InvalidArgumentException;
/**
 * An RFC 7047 §5.1 {@code <named-uuid>}: a reference, inside one transaction, to a row inserted by an
 * earlier {@code insert} operation of the same transaction with {@code "uuid-name": name}.
 *
 * @param name the uuid-name, matching {@code [_a-zA-Z][_a-zA-Z0-9]*} (RFC 7047 §3.1 {@code <id>})
 */
public record NamedUuid(String name) {
    /** @throws InvalidArgumentException ({@code uuid-name}) if name is not an RFC 7047 id */
    public NamedUuid {
        if (!isId(name)) {
            throw new InvalidArgumentException("uuid-name", "must match [_a-zA-Z][_a-zA-Z0-9]*, got '" + name + "'");
        }
    }

    private static boolean isId(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
