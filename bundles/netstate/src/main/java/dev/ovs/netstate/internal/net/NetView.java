package dev.ovs.netstate.internal.net;

import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.networkd.NetworkdFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The systemd-networkd files now: the ones Patchbay owns (name → text), whether any file of a name exists (owned
 * or not), and which {@code .network} file networkd matched for a link. Read once per plan.
 */
public final class NetView {
    private final Map<String, String> owned;
    private final NetworkFiles files;
    private final Networkd networkd;

    private NetView(Map<String, String> owned, NetworkFiles files, Networkd networkd) {
        this.owned = owned;
        this.files = files;
        this.networkd = networkd;
    }

    /**
     * @param files    the files service
     * @param networkd the networkd service, or null (then no link is known to be configured by another file)
     * @return the view
     */
    public static NetView read(NetworkFiles files, Networkd networkd) {
        Map<String, String> m = new TreeMap<>();
        for (String name : files.owned()) {
            if (name.startsWith(NetPlanner.PREFIX)) {
                files.read(name).ifPresent(f -> m.put(name, f.render()));
            }
        }
        return new NetView(m, files, networkd);
    }

    /** @return the owned files of Patchbay's naming ({@code 10-patchbay-*}): name → text */
    Map<String, String> owned() {
        return owned;
    }

    /** @return whether a file of this name exists in the network directory (owned or not; not read) */
    boolean exists(String name) {
        return owned.containsKey(name) || java.nio.file.Files.exists(files.directory().resolve(name),
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * @param name an owned file
     * @return its parsed content
     */
    NetworkdFile parse(String name) {
        return NetworkdFile.parse(name.endsWith(".netdev") ? NetworkdFile.Kind.NETDEV : NetworkdFile.Kind.NETWORK, owned.get(name));
    }

    /**
     * @param link a link name
     * @return true when systemd-networkd knows a link of this name, or when there is no networkd service to ask (a
     *         link that may exist is never taken as created by an apply)
     */
    boolean linkExists(String link) {
        if (networkd == null) {
            return true;
        }
        try {
            networkd.link(link);
            return true;
        } catch (NetworkdException e) {
            if (e.kind() == dev.ovs.base.ErrorKind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    /**
     * @param link a link
     * @return the file name of the {@code .network} networkd applies to it, when networkd knows the link and applies
     *         one; empty otherwise
     */
    Optional<String> networkFileOf(String link) {
        if (networkd == null) {
            return Optional.empty();
        }
        try {
            String f = networkd.describe(link).networkFile();
            return f == null || f.isEmpty() ? Optional.empty() : Optional.of(Path.of(f).getFileName().toString());
        } catch (NetworkdException e) {
            if (e.kind() == dev.ovs.base.ErrorKind.NotFound) {
                return Optional.empty(); // not a link networkd knows (yet)
            }
            throw e;
        }
    }
}
