package dev.ovs.portagent.netlink;

import dev.ovs.portagent.Validate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A reference to a Linux network namespace by a file that setns(2) accepts: {@code /proc/PID/ns/net}
 * (namespaces(7)), a name bound by {@code ip netns add} under {@code /var/run/netns} (ip-netns(8)), or
 * any other path to such a file. Immutable value; equality is by path. The file is opened only when a
 * netlink socket is opened in the namespace or a link is moved there.
 */
public final class NetNamespace {
    private final Path path;
    private final String label;

    private NetNamespace(Path path, String label) {
        this.path = path;
        this.label = label;
    }

    /**
     * The namespace of a process.
     *
     * @param pid process ID, &gt; 0 (e.g. a container's {@code State.Pid})
     * @return {@code /proc/PID/ns/net}
     * @throws IllegalArgumentException if {@code pid} is not positive
     */
    public static NetNamespace ofPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: must be a positive process ID, got " + pid);
        }
        return new NetNamespace(Path.of("/proc", Long.toString(pid), "ns", "net"), "pid " + pid);
    }

    /**
     * A named namespace as created by {@code ip netns add NAME}.
     *
     * @param name a name as {@link Validate#netnsName(String, String)} accepts it
     * @return {@code /var/run/netns/NAME}
     * @throws dev.ovs.base.InvalidArgumentException if the name breaks a rule (argument {@code netns name})
     */
    public static NetNamespace ofName(String name) {
        Validate.netnsName("netns name", name);
        return new NetNamespace(Path.of("/var/run/netns", name), "netns " + name);
    }

    /**
     * A namespace file given by path (e.g. {@code /run/netns/x} or a bind mount).
     *
     * @param path absolute path
     * @return the namespace reference
     * @throws IllegalArgumentException if the path is null or relative
     */
    public static NetNamespace ofPath(Path path) {
        if (path == null || !path.isAbsolute()) {
            throw new IllegalArgumentException("netns path: must be an absolute path, got " + path);
        }
        return new NetNamespace(path.normalize(), path.normalize().toString());
    }

    /** @return the namespace of this JVM process ({@code /proc/self/ns/net}) */
    public static NetNamespace self() {
        return new NetNamespace(Path.of("/proc/self/ns/net"), "own netns");
    }

    /** @return the file opened for setns(2) / {@code IFLA_NET_NS_FD} */
    public Path path() {
        return path;
    }

    /** @return whether the namespace file currently exists (a dead PID's does not) */
    public boolean exists() {
        return Files.exists(path);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetNamespace n && n.path.equals(path);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path);
    }

    /** @return e.g. {@code "pid 42 (/proc/42/ns/net)"} */
    @Override
    public String toString() {
        return label.equals(path.toString()) ? label : label + " (" + path + ")";
    }
}
