package dev.ovs.dbus.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The identity lines of {@code /proc/<pid>/status} (proc(5)): {@code Uid:} and {@code Gid:} (real, effective,
 * saved, filesystem) and {@code Groups:} (supplementary group ids).
 *
 * @param effectiveUid the effective uid (second field of {@code Uid:})
 * @param groups       the effective gid and the supplementary groups, ascending
 */
record ProcStatus(long effectiveUid, List<Long> groups) {
    /**
     * @param pid a process id in this JVM's PID namespace, or 0 for this process ({@code /proc/self})
     * @return the status, or empty if the process does not exist or the file cannot be read or parsed
     */
    static Optional<ProcStatus> of(long pid) {
        Path p = Path.of("/proc", pid == 0 ? "self" : Long.toString(pid), "status");
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return parse(text);
    }

    /** Parses the text of a status file (package-private for tests). */
    static Optional<ProcStatus> parse(String text) {
        long euid = -1;
        TreeSet<Long> groups = new TreeSet<>();
        try {
            for (String line : text.split("\n")) {
                if (line.startsWith("Uid:")) {
                    euid = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                } else if (line.startsWith("Gid:")) {
                    groups.add(Long.parseLong(line.substring(4).trim().split("\\s+")[1]));
                } else if (line.startsWith("Groups:")) {
                    String rest = line.substring(7).trim();
                    if (!rest.isEmpty()) {
                        for (String g : rest.split("\\s+")) {
                            groups.add(Long.parseLong(g));
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return euid < 0 ? Optional.empty() : Optional.of(new ProcStatus(euid, List.copyOf(groups)));
    }
}
