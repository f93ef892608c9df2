package dev.ovs.itests.harness;

import java.util.List;

/**
 * Command prefixes that run a tool as another user with {@code setpriv(1)} (util-linux), for tests of who may call
 * what: {@code setpriv} changes the real and effective uid and gid and the supplementary groups before it executes
 * the rest of the command line. Needs root (CI runs the tests as root).
 */
public final class Setpriv {
    /** The uid and gid of {@code nobody} on Debian: 65534. */
    public static final long NOBODY = 65534;

    private Setpriv() {
    }

    /**
     * @return {@code setpriv --reuid=65534 --regid=65534 --clear-groups}: uid and gid 65534, no supplementary group
     */
    public static List<String> nobody() {
        return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
    }

    /**
     * @param gid a supplementary group id, e.g. the gid a test gives group {@code patchbay} in a bus's group file
     * @return {@code setpriv --reuid=65534 --regid=65534 --groups=GID}: uid and gid 65534 with one supplementary group
     */
    public static List<String> nobodyInGroup(long gid) {
        return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--groups=" + gid);
    }
}
