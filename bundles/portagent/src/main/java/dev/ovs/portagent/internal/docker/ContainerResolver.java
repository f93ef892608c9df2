package dev.ovs.portagent.internal.docker;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.portagent.internal.Container;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Resolves a {@link ContainerRef} to a running {@link Container}: Docker/podman references through
 * {@link DockerClient#inspect(String)} ({@code State.Pid}, like ovs-docker's
 * {@code docker inspect -f '{{.State.Pid}}'}), {@code pid:N} and {@code netns:NAME} by checking that
 * the namespace file exists.
 *
 * <p>Docker answers are cached per reference text for at most {@link #MAX_AGE_NANOS} (5 s), and an entry is
 * only used while the container's init process still runs: {@code /proc/PID/stat} must exist and show the
 * same start time (field 22, proc(5)) as when the container was inspected, so a stopped, restarted or
 * removed container (its PID gone or reused) is inspected again. {@link #forget(String)} and
 * {@link #forgetAll()} drop entries (the automatic mode calls them on container events). Thread-safe.
 */
public final class ContainerResolver {
    /** How long a Docker answer is reused at most, in nanoseconds (5 s). */
    public static final long MAX_AGE_NANOS = 5_000_000_000L;
    private final DockerClient docker;
    private final LongSupplier nanoClock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** A Docker answer with the start time of its init process and when it was taken. */
    private record Cached(Container container, long startTime, long at) {
    }

    /** @return the Docker API client */
    public DockerClient docker() {
        return docker;
    }

    /** @param docker the Docker API client */
    public ContainerResolver(DockerClient docker) {
        this(docker, System::nanoTime);
    }

    /**
     * @param docker    the Docker API client
     * @param nanoClock monotonic clock in nanoseconds (tests)
     */
    public ContainerResolver(DockerClient docker, LongSupplier nanoClock) {
        this.docker = docker;
        this.nanoClock = nanoClock;
    }

    /**
     * Drops cached answers for a container.
     *
     * @param idOrName full ID, ID prefix or name as the event names it; every entry whose reference text
     *                 or resolved ID or name equals it or is a prefix of the full ID is dropped
     */
    public void forget(String idOrName) {
        if (idOrName == null || idOrName.isEmpty()) {
            return;
        }
        cache.entrySet().removeIf(e -> e.getKey().equals(idOrName) || e.getValue().container.id().equals(idOrName)
                || e.getValue().container.name().equals(idOrName) || idOrName.startsWith(e.getKey())
                || e.getValue().container.id().startsWith(idOrName));
    }

    /** Drops every cached answer. */
    public void forgetAll() {
        cache.clear();
    }

    /**
     * @param pid process ID
     * @return start time of the process in clock ticks since boot (field 22 of {@code /proc/PID/stat}), or -1
     *         if there is no such process or the file cannot be parsed
     */
    static long startTime(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = s.lastIndexOf(')'); // comm may contain spaces and parentheses
            if (close < 0) {
                return -1;
            }
            String[] f = s.substring(close + 2).split(" ");
            // f[0] is field 3 (state); starttime is field 22
            return f.length > 19 ? Long.parseLong(f[19]) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Resolves a reference.
     *
     * @param ref the reference
     * @return the running container and its namespace
     * @throws InvalidArgumentException for an unknown container, a stopped one, a missing process or
     *                                  namespace (message starts with {@code "container: "})
     * @throws PortAgentException       {@code Unavailable}/{@code Timeout}/{@code Failed} when the Docker
     *                                  API cannot answer
     */
    public Container resolve(ContainerRef ref) {
        switch (ref.kind()) {
            case PID: {
                long pid = Long.parseLong(ref.value());
                NetNamespace ns = NetNamespace.ofPid(pid);
                if (!ns.exists()) {
                    throw new InvalidArgumentException("container", "no process " + pid + " (" + ns.path() + " missing)");
                }
                return new Container(ref, ref.text(), ref.text(), pid, ns, Map.of());
            }
            case NETNS: {
                NetNamespace ns = NetNamespace.ofName(ref.value());
                if (!ns.exists()) {
                    throw new InvalidArgumentException("container", "no network namespace '" + ref.value() + "' (" + ns.path()
                            + " missing)");
                }
                return new Container(ref, ref.text(), ref.text(), 0, ns, Map.of());
            }
            default: {
                Cached c = cache.get(ref.text());
                if (c != null) {
                    if (nanoClock.getAsLong() - c.at < MAX_AGE_NANOS && startTime(c.container.pid()) == c.startTime) {
                        return c.container;
                    }
                    cache.remove(ref.text(), c);
                }
                long at = nanoClock.getAsLong();
                DockerClient.ContainerInfo info;
                try {
                    info = docker.inspect(ref.value());
                } catch (PortAgentException e) {
                    if (e.kind() == dev.ovs.base.ErrorKind.NotFound) {
                        throw (InvalidArgumentException) new InvalidArgumentException("container", e.getMessage()).initCause(e);
                    }
                    throw e;
                }
                if (!info.running() || info.pid() <= 0) {
                    throw new InvalidArgumentException("container", "'" + ref.text() + "' (" + info.id() + ") is not running");
                }
                Container found = new Container(ref, info.id(), info.name(), info.pid(), NetNamespace.ofPid(info.pid()), info.labels());
                long start = startTime(info.pid());
                if (start >= 0) {
                    cache.put(ref.text(), new Cached(found, start, at));
                }
                return found;
            }
        }
    }
}
