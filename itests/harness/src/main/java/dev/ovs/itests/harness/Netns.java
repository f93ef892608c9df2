package dev.ovs.itests.harness;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A fresh network namespace named {@code pbt-XXXXXXXX} (8 random hex digits), created with
 * {@code ip netns add} (ip-netns(8)) so it is bind-mounted at {@code /run/netns/NAME}, with
 * {@code lo} up.
 *
 * <p>{@link #close()} first stops every {@link Daemon} the harness started in it (by PID), then any
 * remaining process in the namespace that is a descendant of this JVM (by PID, from {@code ip netns
 * pids}), then deletes the namespace: the kernel destroys its interfaces, and with them the peers of
 * veth pairs that cross into other namespaces.
 */
public final class Netns implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String name;
    private volatile boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace and brings {@code lo} up.
     *
     * @return the namespace, registered for cleanup
     * @throws org.opentest4j.TestAbortedException if {@code ip} is missing (fails instead under CI=true)
     * @throws Cmd.Failed                          if {@code ip netns add} fails (e.g. not root)
     */
    public static Netns create() {
        Tools.require("ip");
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        String name = "pbt-" + HexFormat.of().formatHex(b);
        Cmd.run("ip", "netns", "add", name);
        Registry.addNamespace(name);
        Netns ns = new Netns(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** @return the namespace name, {@code pbt-XXXXXXXX} */
    public String name() {
        return name;
    }

    /** @return {@code /run/netns/NAME}, usable with setns(2) or {@code nsenter --net=} */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /**
     * Builds a command line that runs {@code argv} inside this namespace.
     *
     * @param argv program and arguments
     * @return {@code ["ip","netns","exec",NAME, argv...]}
     */
    public List<String> wrap(String... argv) {
        List<String> l = new ArrayList<>(argv.length + 4);
        l.add(Tools.require("ip").toString());
        l.add("netns");
        l.add("exec");
        l.add(name);
        l.addAll(List.of(argv));
        return l;
    }

    /**
     * Runs a command inside the namespace ({@link Cmd#DEFAULT_TIMEOUT}).
     *
     * @param argv program and arguments
     * @return stdout
     * @throws Cmd.Failed on non-zero exit or timeout
     */
    public String exec(String... argv) {
        return Cmd.run(wrap(argv), Cmd.DEFAULT_TIMEOUT);
    }

    /**
     * Runs a command inside the namespace with a timeout.
     *
     * @param timeout maximum wall time
     * @param argv    program and arguments
     * @return stdout
     * @throws Cmd.Failed on non-zero exit or timeout
     */
    public String exec(Duration timeout, String... argv) {
        return Cmd.run(wrap(argv), timeout);
    }

    /**
     * Creates a veth pair inside this namespace, both ends up.
     *
     * @param a name of the first end (IFNAMSIZ: at most 15 bytes)
     * @param b name of the peer
     * @throws IllegalArgumentException if a name is empty or longer than 15 bytes
     * @throws Cmd.Failed               if {@code ip link add} fails
     */
    public void addVeth(String a, String b) {
        checkIfName("a", a);
        checkIfName("b", b);
        exec("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        exec("ip", "link", "set", a, "up");
        exec("ip", "link", "set", b, "up");
    }

    /**
     * Moves an interface of this namespace into {@code target} ({@code ip link set IF netns TARGET})
     * and sets it up there. When {@code target} is deleted, the kernel destroys the interface.
     *
     * @param ifname interface in this namespace
     * @param target destination namespace
     * @throws IllegalArgumentException if the name is invalid or target is null
     * @throws Cmd.Failed               if ip fails (e.g. no such interface)
     */
    public void moveLink(String ifname, Netns target) {
        checkIfName("ifname", ifname);
        if (target == null) {
            throw new IllegalArgumentException("target: required");
        }
        exec("ip", "link", "set", ifname, "netns", target.name());
        target.exec("ip", "link", "set", ifname, "up");
    }

    static void checkIfName(String field, String n) {
        if (n == null || n.isEmpty() || n.length() > 15 || n.contains("/") || n.contains(" ")) {
            throw new IllegalArgumentException(field + ": interface name must be 1..15 chars without '/' or space, got '" + n + "'");
        }
    }

    /**
     * PIDs of all processes whose network namespace is this one ({@code ip netns pids}).
     *
     * @return PIDs, possibly empty
     */
    public List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (String s : Cmd.run("ip", "netns", "pids", name).split("\\s+")) {
            if (!s.isBlank()) {
                out.add(Long.parseLong(s.trim()));
            }
        }
        return out;
    }

    /** @return whether the namespace still exists under /run/netns */
    public boolean exists() {
        return java.nio.file.Files.exists(path());
    }

    /**
     * Stops tracked daemons in this namespace, then leftover descendants of this JVM in it (by PID),
     * then deletes the namespace. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            List<Daemon> ds = Registry.daemons();
            for (int i = ds.size() - 1; i >= 0; i--) {
                Daemon d = ds.get(i);
                if (d.netns().filter(name::equals).isPresent()) {
                    d.close();
                }
            }
            if (exists()) {
                List<Long> mine = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
                for (long pid : pids()) {
                    if (mine.contains(pid)) {
                        ProcessHandle.of(pid).ifPresent(Daemon::stop);
                    }
                }
            }
        } finally {
            if (exists()) {
                Cmd.run("ip", "netns", "delete", name);
            }
            Registry.removeNamespace(name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
