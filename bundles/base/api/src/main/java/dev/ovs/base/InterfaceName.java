package dev.ovs.base;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for network interface names (bridges, ports, interfaces, container interfaces, links):
 * the Linux kernel's {@code dev_valid_name()} (net/core/dev.c) with {@code IFNAMSIZ} 16 (include/uapi/linux/if.h):
 * 1 to {@value #MAX_BYTES} bytes in UTF-8, not {@code "."} or {@code ".."}, and no {@code '/'}, {@code ':'}
 * or whitespace. Open vSwitch rejects the same names for its ports (they become kernel or tap devices), so
 * OVSDB names, D-Bus arguments, the port agent and the examples all use this class.
 */
public final class InterfaceName {
    /** Longest name in bytes ({@code IFNAMSIZ - 1}, the kernel keeps a NUL): {@value}. */
    public static final int MAX_BYTES = 15;

    private InterfaceName() {
    }

    /**
     * @param name a candidate name, may be null
     * @return the broken rule (e.g. {@code "must be 1..15 bytes, got 17"}), or null when {@code name} is valid
     */
    public static String violation(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "must be 1.." + MAX_BYTES + " bytes (IFNAMSIZ), got " + bytes;
        }
        if (name.equals(".") || name.equals("..")) {
            return "must not be '.' or '..'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0) {
                return "must not contain '/', ':', NUL or whitespace";
            }
        }
        return null;
    }

    /**
     * @param name a candidate name, may be null
     * @return whether {@code name} is a valid interface name
     */
    public static boolean isValid(String name) {
        return violation(name) == null;
    }

    /**
     * Checks a name before any side effect.
     *
     * @param argument the argument or document path to name in the error, e.g. {@code bridge}
     * @param name     the candidate name
     * @return {@code name}
     * @throws InvalidArgumentException naming {@code argument} and the rule when the name is not valid
     */
    public static String check(String argument, String name) {
        String v = violation(name);
        if (v != null) {
            throw new InvalidArgumentException(argument, v);
        }
        return name;
    }
}
