package dev.ovs.portagent;

import dev.ovs.base.InvalidArgumentException;

/**
 * What a caller names as "the container": a Docker/podman container ID or name (resolved through the
 * Docker Engine API), {@code pid:N} (the network namespace of process N), or {@code netns:NAME} (a
 * namespace made by {@code ip netns add}). Immutable; equality by {@link #text()}.
 *
 * @param kind  which form
 * @param text  the reference exactly as given (ovs-docker stores it as {@code external_ids:container_id})
 * @param value the ID/name, the PID digits, or the namespace name
 */
public record ContainerRef(Kind kind, String text, String value) {
    /** The forms of a reference. */
    public enum Kind {
        /** A container ID (hex, full or prefix) or name, resolved via the Docker Engine API. */
        DOCKER,
        /** {@code pid:N}: {@code /proc/N/ns/net}. */
        PID,
        /** {@code netns:NAME}: {@code /var/run/netns/NAME}. */
        NETNS
    }

    /**
     * Parses a reference.
     *
     * @param field field name for messages (e.g. {@code "container"})
     * @param text  {@code ID-or-NAME}, {@code pid:N} or {@code netns:NAME}
     * @return the reference
     * @throws InvalidArgumentException if the text matches none of the forms: a name must match
     *                                  {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*} and be at most 255 characters;
     *                                  N must be a positive decimal; NAME must be a valid netns name
     */
    public static ContainerRef parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidArgumentException(field, "must be a container ID or name, pid:N or netns:NAME, got empty");
        }
        if (text.startsWith("pid:")) {
            String n = text.substring(4);
            if (!n.matches("[1-9][0-9]{0,9}")) {
                throw new InvalidArgumentException(field, "pid:N needs a positive decimal process ID, got '" + text + "'");
            }
            return new ContainerRef(Kind.PID, text, n);
        }
        if (text.startsWith("netns:")) {
            String n = text.substring(6);
            Validate.netnsName(field, n);
            return new ContainerRef(Kind.NETNS, text, n);
        }
        if (text.length() > 255 || !text.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new InvalidArgumentException(field, "container ID or name must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                    + "(at most 255 characters), or be pid:N or netns:NAME, got '" + text + "'");
        }
        return new ContainerRef(Kind.DOCKER, text, text);
    }

    @Override
    public String toString() {
        return text;
    }
}
