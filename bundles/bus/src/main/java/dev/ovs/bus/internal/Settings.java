package dev.ovs.bus.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.io.IOException;
import java.util.Map;

/**
 * Validated bus settings (see {@link BusConfig}): the one reader of the bus's configuration keys. All checks
 * happen in {@code of}, before any side effect; an error names the key and the rule.
 *
 * @param socket socket path, or null for no socket server
 * @param group group principal for the socket file, or null
 * @param queueSize per-subscriber queue capacity, events
 * @param queueBytes per-subscriber queue capacity, bytes of the queued events ({@link Msg#size()})
 * @param heartbeatSeconds heartbeat period, 0 = off
 * @param enabled false = null bus
 * @param permissions what socket clients may publish and subscribe to
 */
public record Settings(Path socket, GroupPrincipal group, int queueSize, int queueBytes, int heartbeatSeconds,
        boolean enabled, Permissions permissions) {
    /** Default of {@code queue.bytes}: 8 MiB. */
    static final int DEFAULT_QUEUE_BYTES = 8 << 20;
    /** Smallest {@code queue.bytes}: 1 KiB. */
    static final int MIN_QUEUE_BYTES = 1 << 10;
    /** Largest {@code queue.bytes}: 1 GiB. */
    static final int MAX_QUEUE_BYTES = 1 << 30;

    /** sun_path is 108 bytes including the terminating NUL (unix(7)). */
    static final int MAX_SOCKET_PATH = 107;

    /**
     * Reads the keys of {@code dev.ovs.bus.cfg} ({@link BusConfig}) from configuration properties; a missing key
     * takes its default. A missing {@code socket} means no socket server: the bus serves a socket only at a path
     * its configuration names (the shipped {@code etc/dev.ovs.bus.cfg} names {@code /run/patchbay/bus.sock}), so a
     * framework that runs the bundle without that configuration (none yet, the file deleted, a test framework)
     * never binds a path of the host's. Values may be strings (as Felix fileinstall passes them from a {@code .cfg} file) or the
     * typed values ({@code Integer}, {@code Boolean}).
     *
     * @param props configuration properties (other keys are ignored)
     * @return the validated settings
     * @throws IllegalArgumentException naming the key and the rule broken (for example
     *         {@code queue.size: must be between 1 and 1048576, got 0})
     */
    public static Settings of(Map<String, ?> props) {
        Settings s = of(string(props, "socket", ""), string(props, "group", ""),
                integer(props, "queue.size", 1024), integer(props, "heartbeat.seconds", 30),
                bool(props, "enabled", true));
        int bytes = integer(props, "queue.bytes", DEFAULT_QUEUE_BYTES);
        if (bytes < MIN_QUEUE_BYTES || bytes > MAX_QUEUE_BYTES) {
            throw new IllegalArgumentException("queue.bytes: must be between " + MIN_QUEUE_BYTES + " and "
                    + MAX_QUEUE_BYTES + ", got " + bytes);
        }
        return new Settings(s.socket, s.group, s.queueSize, bytes, s.heartbeatSeconds, s.enabled,
                Permissions.of(props));
    }

    private static String string(Map<String, ?> props, String key, String def) {
        Object v = props.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof String[] a && a.length == 1) {
            return a[0];
        }
        if (!(v instanceof String)) {
            throw new IllegalArgumentException(key + ": must be a string, got " + v.getClass().getSimpleName());
        }
        return (String) v;
    }

    private static int integer(Map<String, ?> props, String key, int def) {
        Object v = props.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        if (v instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        String s = String.valueOf(v).trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": must be an integer, got '" + v + "'");
        }
    }

    private static boolean bool(Map<String, ?> props, String key, boolean def) {
        Object v = props.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + ": must be true or false, got '" + v + "'");
    }

    static Settings of(String socket, String group, int queueSize, int heartbeatSeconds, boolean enabled) {
        Path path = null;
        if (socket != null && !socket.isBlank()) {
            path = Path.of(socket.trim());
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("socket: must be an absolute path or empty, got '" + socket + "'");
            }
            path = path.normalize();
            if (path.getParent() == null || path.getFileName() == null) {
                throw new IllegalArgumentException("socket: must name a file below a directory, got '" + socket + "'");
            }
            int len = path.toString().getBytes(StandardCharsets.UTF_8).length;
            if (len > MAX_SOCKET_PATH) {
                throw new IllegalArgumentException("socket: path must be at most " + MAX_SOCKET_PATH
                        + " bytes (unix(7) sun_path), got '" + socket + "'");
            }
        }
        GroupPrincipal gp = null;
        if (group != null && !group.isBlank()) {
            try {
                gp = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group.trim());
            } catch (IOException e) {
                throw new IllegalArgumentException("group: no such group '" + group + "' (getgrnam(3))", e);
            }
        }
        if (queueSize < 1 || queueSize > 1 << 20) {
            throw new IllegalArgumentException("queue.size: must be between 1 and 1048576, got " + queueSize);
        }
        if (heartbeatSeconds < 0 || heartbeatSeconds > 86400) {
            throw new IllegalArgumentException("heartbeat.seconds: must be between 0 (off) and 86400, got " + heartbeatSeconds);
        }
        return new Settings(path, gp, queueSize, DEFAULT_QUEUE_BYTES, heartbeatSeconds, enabled,
                Permissions.defaults());
    }
}
