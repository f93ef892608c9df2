package dev.ovs.bus;

/**
 * Who published an event (its provenance), set by the bus, never by the publisher: a bundle in this framework
 * (through the {@link EventBus} service, or the bus itself), or a client of the bus's Unix socket, identified by
 * the peer credentials the kernel gives for the connection ({@code SO_PEERCRED}, socket(7)).
 *
 * <p>A socket event is never a domain event: anybody allowed to connect to the socket may publish (within the
 * permissions of {@code dev.ovs.bus.cfg}, see {@code docs/bus.md}), so consumers that act on what Patchbay's own
 * bundles report (D-Bus faces, fleet export) check {@link #isSocket()} and refuse such events.
 *
 * @param kind where the event came from
 * @param bundle for {@link Kind#BUNDLE}: the publishing bundle's symbolic name, {@code bus} for the bus's own
 *        events (heartbeat, bundle events); for {@link Kind#SOCKET}: empty
 * @param uid for {@link Kind#SOCKET}: the peer's effective user id at connect time, -1 if the kernel gave none;
 *        for {@link Kind#BUNDLE}: -1
 * @param gid for {@link Kind#SOCKET}: the peer's effective group id at connect time, -1 if unknown; else -1
 * @param pid for {@link Kind#SOCKET}: the peer's process id at connect time (in the bus's pid namespace), -1 if
 *        unknown; else -1
 * @since 2.0
 */
public record Origin(Kind kind, String bundle, long uid, long gid, long pid) {
    /** Prefix of {@link #source()} for socket clients: {@value}. */
    public static final String SOCKET_PREFIX = "unix:";

    /** Where an event came from. */
    public enum Kind {
        /** Published in this framework by a bundle (through its {@link EventBus} service) or by the bus itself. */
        BUNDLE,
        /** Published by a client of the bus's Unix socket. */
        SOCKET
    }

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if {@code kind} or {@code bundle} is null, a bundle origin has an empty
     *         name, a name containing {@code ':'} or ids other than -1, or a socket origin has a bundle name
     */
    public Origin {
        if (kind == null) {
            throw new IllegalArgumentException("kind: must not be null");
        }
        if (bundle == null) {
            throw new IllegalArgumentException("bundle: must not be null (empty for a socket origin)");
        }
        if (kind == Kind.BUNDLE) {
            if (bundle.isEmpty() || bundle.indexOf(':') >= 0) {
                throw new IllegalArgumentException("bundle: must be a non-empty symbolic name without ':', got '"
                        + bundle + "'");
            }
            if (uid != -1 || gid != -1 || pid != -1) {
                throw new IllegalArgumentException("uid, gid, pid: must be -1 for a bundle origin");
            }
        } else if (!bundle.isEmpty()) {
            throw new IllegalArgumentException("bundle: must be empty for a socket origin");
        }
    }

    /**
     * @param symbolicName the publishing bundle's symbolic name ({@code bus} for the bus itself)
     * @return a {@link Kind#BUNDLE} origin
     * @throws IllegalArgumentException if the name is null, empty or contains {@code ':'}
     */
    public static Origin bundle(String symbolicName) {
        return new Origin(Kind.BUNDLE, symbolicName == null ? "" : symbolicName, -1, -1, -1);
    }

    /**
     * @param uid peer user id, -1 if unknown
     * @param gid peer group id, -1 if unknown
     * @param pid peer process id, -1 if unknown
     * @return a {@link Kind#SOCKET} origin
     */
    public static Origin socket(long uid, long gid, long pid) {
        return new Origin(Kind.SOCKET, "", uid, gid, pid);
    }

    /** @return true for an event of a socket client: not a domain event of Patchbay's bundles */
    public boolean isSocket() {
        return kind == Kind.SOCKET;
    }

    /**
     * @return the origin as the text of {@link Event#source()} and of the {@code source} field of the line
     *         protocol: the bundle's symbolic name, or {@code unix:pid=P,uid=U,gid=G} for a socket client
     */
    public String source() {
        return kind == Kind.BUNDLE ? bundle : SOCKET_PREFIX + "pid=" + pid + ",uid=" + uid + ",gid=" + gid;
    }

    /**
     * Reads the text form {@link #source()} back (what a socket client gets in an event frame).
     *
     * @param source {@code unix:pid=P,uid=U,gid=G} (decimal, -1 allowed) or a bundle symbolic name
     * @return the origin
     * @throws IllegalArgumentException if {@code source} is null or empty, starts with {@code unix:} but is not of
     *         that exact form, or is a bundle name containing {@code ':'}
     */
    public static Origin ofSource(String source) {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("source: must be a non-empty string");
        }
        if (!source.startsWith(SOCKET_PREFIX)) {
            return bundle(source);
        }
        String[] parts = source.substring(SOCKET_PREFIX.length()).split(",", -1);
        String[] names = {"pid=", "uid=", "gid="};
        long[] v = new long[3];
        if (parts.length != 3) {
            throw new IllegalArgumentException("source: expected unix:pid=P,uid=U,gid=G, got '" + source + "'");
        }
        for (int i = 0; i < 3; i++) {
            if (!parts[i].startsWith(names[i])) {
                throw new IllegalArgumentException("source: expected unix:pid=P,uid=U,gid=G, got '" + source + "'");
            }
            try {
                v[i] = Long.parseLong(parts[i].substring(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("source: " + names[i] + " must be a decimal number, got '" + source
                        + "'");
            }
        }
        return socket(v[1], v[2], v[0]);
    }

    @Override
    public String toString() {
        return source();
    }
}
