package dev.ovs.portagent.internal.docker;

import dev.ovs.portagent.Container;
import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.PortAgentException;
import dev.ovs.portagent.netlink.NetNamespace;
import java.util.Map;

/**
 * Resolves a {@link ContainerRef} to a running {@link Container}: Docker/podman references through
 * {@link DockerClient#inspect(String)} ({@code State.Pid}, like ovs-docker's
 * {@code docker inspect -f '{{.State.Pid}}'}), {@code pid:N} and {@code netns:NAME} by checking that
 * the namespace file exists. Stateless apart from the client.
 */
public final class ContainerResolver {
    private final DockerClient docker;

    /** @return the Docker API client */
    public DockerClient docker() {
        return docker;
    }

    /** @param docker the Docker API client */
    public ContainerResolver(DockerClient docker) {
        this.docker = docker;
    }

    /**
     * Resolves a reference.
     *
     * @param ref the reference
     * @return the running container and its namespace
     * @throws IllegalArgumentException for an unknown container, a stopped one, a missing process or
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
                    throw new IllegalArgumentException("container: no process " + pid + " (" + ns.path() + " missing)");
                }
                return new Container(ref, ref.text(), ref.text(), pid, ns, Map.of());
            }
            case NETNS: {
                NetNamespace ns = NetNamespace.ofName(ref.value());
                if (!ns.exists()) {
                    throw new IllegalArgumentException("container: no network namespace '" + ref.value() + "' (" + ns.path()
                            + " missing)");
                }
                return new Container(ref, ref.text(), ref.text(), 0, ns, Map.of());
            }
            default: {
                DockerClient.ContainerInfo info;
                try {
                    info = docker.inspect(ref.value());
                } catch (PortAgentException e) {
                    if (e.kind() == PortAgentException.Kind.NotFound) {
                        throw new IllegalArgumentException("container: " + e.getMessage(), e);
                    }
                    throw e;
                }
                if (!info.running() || info.pid() <= 0) {
                    throw new IllegalArgumentException("container: '" + ref.text() + "' (" + info.id() + ") is not running");
                }
                return new Container(ref, info.id(), info.name(), info.pid(), NetNamespace.ofPid(info.pid()), info.labels());
            }
        }
    }
}
