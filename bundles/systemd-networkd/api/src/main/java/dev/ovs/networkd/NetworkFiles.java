package dev.ovs.networkd;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Patchbay-owned systemd-networkd configuration files in {@code network.dir} (config PID
 * {@code dev.ovs.networkd}, default {@code /etc/systemd/network}; systemd.network(5), systemd.netdev(5)).
 *
 * <p>Files are written atomically (temporary file in the same directory, fsync, rename, fsync of the
 * directory) with {@link NetworkdFile#OWNER_HEADER} as their first line. A file that exists without that
 * header was not written by Patchbay and is never overwritten or removed ({@link FileNotOwnedException}).
 * File names: 1..255 chars of {@code [A-Za-z0-9_.@+-]}, not starting with '.', ending in {@code .network} or
 * {@code .netdev} matching the file's kind. Everything is validated before anything is written.
 */
@ProviderType
public interface NetworkFiles {
    /** @return the configured directory */
    Path directory();

    /**
     * Writes (creates or replaces) an owned file, then, if {@code reload}, calls networkd's Reload.
     *
     * @param fileName e.g. {@code 10-patchbay-br0.network}
     * @param file     validated content
     * @param reload   whether to call {@link Networkd#reload()} afterwards
     * @return the path written
     * @throws dev.ovs.base.InvalidArgumentException bad name, kind/suffix mismatch (nothing written)
     * @throws FileNotOwnedException an existing file of that name is not Patchbay's
     * @throws NetworkdException     Failed (I/O), or the Reload's error (the file stays written)
     */
    Path write(String fileName, NetworkdFile file, boolean reload);

    /**
     * Removes an owned file, then, if it existed and {@code reload}, calls Reload.
     *
     * @param fileName file name
     * @param reload   whether to reload afterwards
     * @return true if a file was removed, false if there was none
     * @throws dev.ovs.base.InvalidArgumentException bad name
     * @throws FileNotOwnedException the file is not Patchbay's
     * @throws NetworkdException     Failed (I/O)
     */
    boolean remove(String fileName, boolean reload);

    /** @return names of the files in the directory that Patchbay owns, sorted */
    List<String> owned();

    /**
     * @param fileName file name
     * @return the parsed file (owned or not), or empty if it does not exist
     * @throws dev.ovs.base.InvalidArgumentException a bad name
     * @throws NetworkdException     Failed for I/O errors or unparsable content
     */
    Optional<NetworkdFile> read(String fileName);

    /**
     * Writes {@code 10-patchbay-<link>.network} matching {@code Name=<link>} with the given static addresses
     * (and optional gateway), {@code LinkLocalAddressing=no}, {@code IPv6AcceptRA=no}; then Reload.
     *
     * @param link      interface name
     * @param addresses one or more CIDRs, e.g. {@code 10.0.0.1/24}
     * @param gateway   gateway address or null
     * @return the path written
     */
    Path configureStatic(String link, List<String> addresses, String gateway);

    /**
     * Writes {@code 10-patchbay-<link>.network} matching {@code Name=<link>} with {@code DHCP=<mode>}; then
     * Reload.
     *
     * @param link interface name
     * @param mode yes, ipv4, ipv6 (no is refused: use {@link #unconfigure(String)})
     * @return the path written
     */
    Path configureDhcp(String link, String mode);

    /**
     * Removes {@code 10-patchbay-<link>.network} (if owned) and reloads.
     *
     * @param link interface name
     * @return true if a file was removed
     */
    boolean unconfigure(String link);

    /**
     * @param link interface name (validated)
     * @return the file name used by {@link #configureStatic}/{@link #configureDhcp} for the link
     */
    static String fileNameFor(String link) {
        NetworkdFile.checkIfname("link", link);
        return "10-patchbay-" + link + ".network";
    }
}
