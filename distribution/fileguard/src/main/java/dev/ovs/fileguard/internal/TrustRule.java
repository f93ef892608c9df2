package dev.ovs.fileguard.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which files of {@code etc/} and {@code deploy/} the appliance accepts, after OpenSSH's {@code StrictModes}
 * (sshd_config(5)): a file is trusted when it and the directory that holds it are each
 * <ul>
 * <li>not writable by group or others (no {@code 0022} bit in the mode, stat(2) {@code st_mode}), and</li>
 * <li>owned by root (uid 0) or by the user the appliance runs as.</li>
 * </ul>
 * Symbolic links are followed: the file checked is the one that would be read. Whoever can write such a
 * file or directory could otherwise run code (a bundle) or change configuration as the appliance's user.
 * {@code bin/patchbay run} applies the same rule before the framework starts (docs/security.md).
 */
public final class TrustRule {
    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    private final int ownUid;

    /**
     * @param ownUid the uid the appliance runs as (besides root, the one owner accepted)
     */
    public TrustRule(int ownUid) {
        this.ownUid = ownUid;
    }

    /**
     * The rule for the running process: its own uid is the owner of {@code /proc/self} (proc(5)).
     *
     * @return the rule
     * @throws IOException if {@code /proc/self} cannot be read (not Linux)
     */
    public static TrustRule forThisProcess() throws IOException {
        return new TrustRule((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /** @return the uid accepted as owner besides root */
    public int ownUid() {
        return ownUid;
    }

    /**
     * Checks the directory holding {@code file} (its parent path), then the file.
     *
     * @param file an absolute path of a file in a watched directory
     * @return empty when both are trusted, else the first problem as a sentence naming the path, its mode
     *         (four octal digits) and, for a foreign owner, the owner's uid and name:
     *         {@code "<file> is writable by group or others (mode 0666)"},
     *         {@code "<file> is in <dir>, which is writable by group or others (mode 0777)"}; a path that cannot
     *         be read (e.g. deleted meanwhile) is a problem too ({@code "<file> is unreadable (...)"})
     */
    public Optional<String> check(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Optional<String> problem = dir == null ? Optional.empty() : reason(dir);
        if (problem.isPresent()) {
            return Optional.of(file + " is in " + dir + ", which is " + problem.get());
        }
        return reason(file).map(r -> file + " is " + r);
    }

    /**
     * Checks one path (a directory or a file; a symbolic link is followed).
     *
     * @param path the path
     * @return empty when trusted, else the problem as {@code "<path> is <reason>"} (see {@link #check(Path)})
     */
    public Optional<String> checkPath(Path path) {
        return reason(path).map(r -> path + " is " + r);
    }

    private Optional<String> reason(Path path) {
        int mode;
        int uid;
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid");
            mode = (Integer) a.get("mode") & 07777;
            uid = (Integer) a.get("uid");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("unreadable (" + e + ")");
        }
        String octal = String.format("%04o", mode);
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            return Optional.of("writable by group or others (mode " + octal + ")");
        }
        if (uid != 0 && uid != ownUid) {
            return Optional.of("owned by uid " + uid + " (" + ownerName(path, uid) + "), neither root nor the"
                    + " appliance's user (uid " + ownUid + ") (mode " + octal + ")");
        }
        return Optional.empty();
    }

    private static String ownerName(Path path, int uid) {
        try {
            return Files.getOwner(path).getName();
        } catch (IOException e) {
            return Integer.toString(uid);
        }
    }
}
