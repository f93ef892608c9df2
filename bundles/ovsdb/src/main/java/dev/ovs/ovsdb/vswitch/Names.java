package dev.ovs.ovsdb.vswitch;

import java.nio.charset.StandardCharsets;

/**
 * Validation of bridge, port and interface names before anything is sent. Rules (Linux IFNAMSIZ and what
 * ovs-vswitchd can create as a network device): non-empty, at most 15 bytes in UTF-8, no '/', no
 * whitespace, no control characters, not "." or "..".
 */
public final class Names {
    /** Maximum name length in bytes (IFNAMSIZ - 1). */
    public static final int MAX_BYTES = 15;

    private Names() {
    }

    /**
     * @param field what the name is for (e.g. "bridge", "port"), used in the message
     * @param name  the name
     * @return name
     * @throws IllegalArgumentException naming the field and the rule that failed
     */
    public static String require(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(field + ": name must not be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(field + ": name '" + name + "' is " + bytes + " bytes, at most "
                    + MAX_BYTES + " allowed");
        }
        if (".".equals(name) || "..".equals(name)) {
            throw new IllegalArgumentException(field + ": name must not be '.' or '..'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException(field + ": name '" + name + "' must not contain '/'");
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                throw new IllegalArgumentException(field + ": name '" + name + "' must not contain whitespace");
            }
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(field + ": name must not contain control characters");
            }
        }
        return name;
    }
}
