package dev.ovs.portagent.internal;

import dev.ovs.portagent.ContainerRef;
import dev.ovs.portagent.netlink.NetNamespace;
import java.util.Map;

/**
 * A resolved, running container (or plain namespace).
 *
 * @param ref    the reference it was resolved from
 * @param id     full container ID (64 hex digits) for Docker/podman; the reference text for
 *               {@code pid:}/{@code netns:}
 * @param name   container name without the leading '/', or the reference text
 * @param pid    PID of the container's init process (in this PID namespace), 0 for {@code netns:}
 * @param netns  its network namespace
 * @param labels container labels (empty for {@code pid:}/{@code netns:})
 */
public record Container(ContainerRef ref, String id, String name, long pid, NetNamespace netns, Map<String, String> labels) {
    /** Defensive copy of labels. */
    public Container {
        labels = Map.copyOf(labels);
    }
}
