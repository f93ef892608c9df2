package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusErrors;
import java.nio.charset.StandardCharsets;

/** Input rules of the D-Bus members; violations are {@code org.freedesktop.DBus.Error.InvalidArgs}. */
final class Names {
    /** IFNAMSIZ - 1 (linux/if.h): the longest Linux interface name, in bytes. */
    static final int MAX_IFNAME_BYTES = 15;

    private Names() {
    }

    /**
     * Checks a bridge/port/interface name against Linux {@code dev_valid_name()} (net/core/dev.c): 1..15 bytes
     * of UTF-8, not {@code .} or {@code ..}, no {@code '/'}, {@code ':'}, whitespace or control characters.
     *
     * @param argument the argument name for the message
     * @param value    the value
     * @return value
     * @throws dev.ovs.dbus.DbusError InvalidArgs naming the argument and the rule
     */
    static String ifName(String argument, String value) {
        if (value == null || value.isEmpty()) {
            throw DbusErrors.invalidArgs(argument, "must not be empty");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IFNAME_BYTES) {
            throw DbusErrors.invalidArgs(argument, "must be at most " + MAX_IFNAME_BYTES
                    + " bytes (Linux IFNAMSIZ-1), got " + bytes + ": '" + printable(value) + "'");
        }
        if (value.equals(".") || value.equals("..")) {
            throw DbusErrors.invalidArgs(argument, "must not be '.' or '..'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                    || Character.isISOControl(c)) {
                throw DbusErrors.invalidArgs(argument, "must not contain '/', ':', whitespace or control characters"
                        + " (Linux dev_valid_name), found U+" + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        return value;
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
