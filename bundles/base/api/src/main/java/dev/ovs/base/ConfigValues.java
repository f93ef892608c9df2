package dev.ovs.base;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The one reader of a component's configuration properties (OSGi Compendium 8, 104 "Configuration Admin" and
 * 112.8 "Component Property Types"): strict checks of the raw values, each failure an
 * {@link InvalidArgumentException} whose argument is the configuration key and whose rule says what the value
 * must be, e.g. {@code reconnect.max.ms: must be a whole number (Long), got 'abc'}.
 *
 * <p>Declarative Services coerces the raw values of a {@code .cfg} file (strings, as Felix fileinstall passes them)
 * to the element types of a component property type on its own: {@code Boolean.parseBoolean} makes any word but
 * {@code true} false, and a number that does not parse fails the first call of the element with an exception
 * that names neither the key nor the rule. A component therefore calls {@link #check(Map, Class)} with its raw
 * properties first, in {@code @Activate} (or {@code @Modified}) before any side effect, then its own range and
 * option rules ({@link #atLeast}, {@link #oneOf}, {@link #absolutePath}). An exception thrown from
 * {@code @Activate} leaves the component configuration failed with the message as its reason
 * ({@code scr:info NAME}, {@code system:health}).
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    /**
     * The property key of an element of a component property type (Declarative Services 1.4, 112.8.2.1):
     * {@code $$} is {@code $}, {@code $_$} is {@code -}, a lone {@code $} is dropped, {@code __} is {@code _}
     * and {@code _} is {@code .}; e.g. {@code reconnect_max_ms} is {@code reconnect.max.ms} and
     * {@code bridge_datapath__type} is {@code bridge.datapath_type}. The {@code PREFIX_} constant is not applied.
     *
     * @param element the element's method name, not null
     * @return the property key
     */
    public static String key(String element) {
        StringBuilder out = new StringBuilder(element.length());
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '$') {
                if (element.startsWith("$$", i)) {
                    out.append('$');
                    i++;
                } else if (element.startsWith("$_$", i)) {
                    out.append('-');
                    i += 2;
                }
            } else if (c == '_') {
                if (element.startsWith("__", i)) {
                    out.append('_');
                    i++;
                } else {
                    out.append('.');
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Checks that every property that an element of {@code type} reads parses as the element's type: a
     * {@code boolean} only {@code true} or {@code false} (any case), an integral type a whole number within the
     * type's range, {@code double}/{@code float} a decimal number, an enum one of its constant names, a
     * {@code String} anything. A missing property is fine (the element's default applies); a multi-valued one
     * (array or collection) is checked element by element. Properties no element reads are not looked at.
     *
     * @param props the raw configuration properties (as given to {@code @Activate}), not null
     * @param type  the component property type (an annotation with elements, or an interface), not null
     * @throws InvalidArgumentException (argument: the key) for the first value that does not parse, in the order
     *                                  of the element names: {@code must be true or false, got 'maybe'},
     *                                  {@code must be a whole number (Integer, -2147483648..2147483647), got 'abc'}
     */
    public static void check(Map<String, ?> props, Class<?> type) {
        Method[] elements = type.getDeclaredMethods();
        Arrays.sort(elements, (a, b) -> a.getName().compareTo(b.getName()));
        for (Method m : elements) {
            if (m.getParameterCount() != 0 || m.isSynthetic() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String key = key(m.getName());
            Object raw = props.get(key);
            if (raw == null) {
                continue;
            }
            Class<?> t = m.getReturnType().isArray() ? m.getReturnType().getComponentType() : m.getReturnType();
            for (Object v : values(raw)) {
                checkValue(key, t, v);
            }
        }
    }

    private static List<?> values(Object raw) {
        if (raw.getClass().isArray()) {
            Object[] out = new Object[Array.getLength(raw)];
            for (int i = 0; i < out.length; i++) {
                out[i] = Array.get(raw, i);
            }
            return Arrays.asList(out);
        }
        if (raw instanceof Collection<?> c) {
            return List.copyOf(c);
        }
        return List.of(raw);
    }

    private static void checkValue(String key, Class<?> t, Object v) {
        if (v == null) {
            return;
        }
        if (t == boolean.class || t == Boolean.class) {
            bool(key, v);
        } else if (t == long.class || t == Long.class) {
            whole(key, v, Long.MIN_VALUE, Long.MAX_VALUE, "Long");
        } else if (t == int.class || t == Integer.class) {
            whole(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE, "Integer");
        } else if (t == short.class || t == Short.class) {
            whole(key, v, Short.MIN_VALUE, Short.MAX_VALUE, "Short");
        } else if (t == byte.class || t == Byte.class) {
            whole(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE, "Byte");
        } else if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            if (!(v instanceof Number)) {
                try {
                    Double.parseDouble(v.toString().trim());
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException(key, "must be a number, got '" + v + "'");
                }
            }
        } else if (t.isEnum()) {
            String s = v.toString().trim();
            if (Arrays.stream(t.getEnumConstants()).noneMatch(c -> ((Enum<?>) c).name().equals(s))) {
                throw new InvalidArgumentException(key, "must be one of " + Arrays.toString(t.getEnumConstants())
                        + ", got '" + v + "'");
            }
        }
    }

    /**
     * @param key   the configuration key, for the message
     * @param value a {@link Boolean} or text
     * @return the value: {@code true} or {@code false}, any case, surrounding blanks ignored
     * @throws InvalidArgumentException ({@code key}: {@code must be true or false, got '...'}) for anything else
     */
    public static boolean bool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(value).trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidArgumentException(key, "must be true or false, got '" + value + "'");
    }

    private static void whole(String key, Object v, long min, long max, String type) {
        String rule = "must be a whole number (" + type + ", " + min + ".." + max + "), got '" + v + "'";
        if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float) && !(v instanceof BigDecimal)) {
            if (n.longValue() < min || n.longValue() > max) {
                throw new InvalidArgumentException(key, rule);
            }
            return;
        }
        try {
            long l = Long.parseLong(v.toString().trim());
            if (l < min || l > max) {
                throw new InvalidArgumentException(key, rule);
            }
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(key, rule);
        }
    }

    /**
     * @param key   the configuration key, for the message
     * @param value the configured value
     * @param min   the smallest allowed value
     * @return {@code value}
     * @throws InvalidArgumentException ({@code key}: {@code must be >= MIN, got VALUE}) if {@code value < min}
     */
    public static long atLeast(String key, long value, long min) {
        if (value < min) {
            throw new InvalidArgumentException(key, "must be >= " + min + ", got " + value);
        }
        return value;
    }

    /**
     * @param key   the configuration key, for the message
     * @param value the configured value
     * @param min   the smallest allowed value
     * @param max   the largest allowed value
     * @return {@code value}
     * @throws InvalidArgumentException ({@code key}: {@code must be MIN..MAX, got VALUE}) if outside
     */
    public static long between(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidArgumentException(key, "must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /**
     * @param key     the configuration key, for the message
     * @param value   the configured value; compared after stripping surrounding blanks
     * @param allowed the allowed values ({@code ""} for empty)
     * @return the stripped value
     * @throws InvalidArgumentException ({@code key}: {@code must be one of '', 'system', 'netdev', got 'x'}) if
     *                                  it is none of them
     */
    public static String oneOf(String key, String value, String... allowed) {
        String v = value == null ? "" : value.strip();
        if (!Arrays.asList(allowed).contains(v)) {
            StringBuilder list = new StringBuilder();
            for (String a : allowed) {
                list.append(list.length() == 0 ? "" : ", ").append('\'').append(a).append('\'');
            }
            throw new InvalidArgumentException(key, "must be one of " + list + ", got '" + value + "'");
        }
        return v;
    }

    /**
     * @param key        the configuration key, for the message
     * @param value      the configured path; surrounding blanks stripped
     * @param emptyAllowed whether blank means "not set" (returned as null) rather than an error
     * @return the normalized absolute path, or null for a blank value when {@code emptyAllowed}
     * @throws InvalidArgumentException ({@code key}: {@code must be an absolute path, got 'x'}, or
     *                                  {@code must be an absolute path or empty}) if relative, blank where not
     *                                  allowed, or not a path at all (a NUL character)
     */
    public static Path absolutePath(String key, String value, boolean emptyAllowed) {
        String rule = emptyAllowed ? "must be an absolute path or empty" : "must be an absolute path";
        if (value == null || value.isBlank()) {
            if (emptyAllowed) {
                return null;
            }
            throw new InvalidArgumentException(key, rule + ", got '" + (value == null ? "" : value) + "'");
        }
        try {
            Path p = Path.of(value.strip());
            if (!p.isAbsolute()) {
                throw new InvalidArgumentException(key, rule + ", got '" + value + "'");
            }
            return p.normalize();
        } catch (InvalidPathException e) {
            throw new InvalidArgumentException(key, rule + ", got '" + value + "' (" + e.getReason() + ")");
        }
    }

    /** D-Bus transports (D-Bus Specification, "Server Addresses" and "Transports"). */
    private static final List<String> DBUS_TRANSPORTS = List.of("unix", "tcp", "nonce-tcp", "launchd", "autolaunch",
            "unixexec", "systemd", "vsock");

    /**
     * Checks a D-Bus bus address: {@code system}, {@code session}, or a server address list of the D-Bus
     * Specification ("Server Addresses"): {@code transport:key=value,key=value} entries separated by {@code ;},
     * the transport one of unix, tcp, nonce-tcp, launchd, autolaunch, unixexec, systemd, vsock; a {@code unix}
     * address has one of {@code path} (absolute), {@code abstract}, {@code dir}, {@code tmpdir} or
     * {@code runtime}; a {@code tcp} one a numeric {@code port} 0..65535 if it has one.
     *
     * @param key   the configuration key, for the message
     * @param value the configured address; surrounding blanks stripped
     * @return the stripped address
     * @throws InvalidArgumentException ({@code key}: {@code must be system, session or a D-Bus address such as
     *                                  unix:path=/run/dbus/system_bus_socket, got '...'} with the broken part)
     */
    public static String dbusAddress(String key, String value) {
        String v = value == null ? "" : value.strip();
        if (v.equals("system") || v.equals("session")) {
            return v;
        }
        String rule = "must be system, session or a D-Bus address such as unix:path=/run/dbus/system_bus_socket, got '"
                + value + "'";
        if (v.isEmpty()) {
            throw new InvalidArgumentException(key, rule);
        }
        for (String entry : v.split(";")) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || !DBUS_TRANSPORTS.contains(entry.substring(0, colon))) {
                throw new InvalidArgumentException(key, rule + " (transport of '" + entry + "' is none of "
                        + String.join(", ", DBUS_TRANSPORTS) + ")");
            }
            String transport = entry.substring(0, colon);
            Map<String, String> kv = new java.util.HashMap<>();
            String rest = entry.substring(colon + 1);
            if (!rest.isEmpty()) {
                for (String pair : rest.split(",", -1)) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new InvalidArgumentException(key, rule + " ('" + pair + "' is not key=value)");
                    }
                    kv.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            if (transport.equals("unix")) {
                if (kv.keySet().stream().noneMatch(k -> List.of("path", "abstract", "dir", "tmpdir", "runtime").contains(k))) {
                    throw new InvalidArgumentException(key, rule + " (a unix address needs path=, abstract=, dir=, "
                            + "tmpdir= or runtime=)");
                }
                if (kv.containsKey("path") && !kv.get("path").startsWith("/")) {
                    throw new InvalidArgumentException(key, rule + " (path must be absolute)");
                }
            }
            if ((transport.equals("tcp") || transport.equals("nonce-tcp")) && kv.containsKey("port")) {
                try {
                    int port = Integer.parseInt(kv.get("port"));
                    if (port < 0 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException(key, rule + " (port must be 0..65535)");
                }
            }
        }
        return v;
    }
}
