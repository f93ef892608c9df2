package dev.ovs.bus.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.io.IOException;

/**
 * Validated bus settings (see {@link BusConfig}). All checks happen in the constructor, before any side effect.
 *
 * @param socket socket path, or null for no socket server
 * @param group group principal for the socket file, or null
 * @param queueSize per-subscriber queue capacity
 * @param heartbeatSeconds heartbeat period, 0 = off
 * @param enabled false = null bus
 */
record Settings(Path socket, GroupPrincipal group, int queueSize, int heartbeatSeconds, boolean enabled) {
    /** sun_path is 108 bytes including the terminating NUL (unix(7)). */
    static final int MAX_SOCKET_PATH = 107;

    static Settings of(BusConfig c) {
        return of(c.socket(), c.group(), c.queue_size(), c.heartbeat_seconds(), c.enabled());
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
        return new Settings(path, gp, queueSize, heartbeatSeconds, enabled);
    }
}
