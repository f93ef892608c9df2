package dev.ovs.bus.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The bus's last good configuration as a properties file (only the keys of {@code dev.ovs.bus.cfg}): written after a
 * configuration was accepted, read when a new one is rejected. Written to a temporary file and renamed, so a crash
 * leaves the old or the new copy, never half of one.
 */
final class LastGood {
    private LastGood() {
    }

    /**
     * @param file where to keep it, or null (no data area: nothing kept)
     * @param config an accepted configuration
     */
    static void save(Path file, Map<String, ?> config) {
        if (file == null) {
            return;
        }
        Properties p = new Properties();
        for (Map.Entry<String, ?> e : config.entrySet()) {
            String k = e.getKey();
            if (isBusKey(k) && e.getValue() != null) {
                p.setProperty(k, text(e.getValue()));
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "dev.ovs.bus: last good configuration");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            BusEngine.LOG.log(Level.WARNING, "bus: cannot keep the last good configuration in " + file + ": " + e);
        }
    }

    /**
     * @param file where it is kept, or null
     * @return the last good configuration, or null if none is kept (or it cannot be read)
     */
    static Map<String, Object> load(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            BusEngine.LOG.log(Level.WARNING, "bus: cannot read the last good configuration " + file + ": " + e);
            return null;
        }
        Map<String, Object> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    private static boolean isBusKey(String k) {
        return switch (k) {
            case "socket", "group", "queue.size", "queue.bytes", "heartbeat.seconds", "enabled" -> true;
            default -> k.startsWith(Permissions.PREFIX);
        };
    }

    private static String text(Object v) {
        if (v instanceof String[] a) {
            return String.join(",", a);
        }
        if (v instanceof Collection<?> c) {
            return String.join(",", c.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}
