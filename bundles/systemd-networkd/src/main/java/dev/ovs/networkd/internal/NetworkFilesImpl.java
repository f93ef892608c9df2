package dev.ovs.networkd.internal;

import dev.ovs.base.InvalidArgumentException;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.base.ErrorKind;
import dev.ovs.networkd.FileNotOwnedException;
import dev.ovs.networkd.NetworkdFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@link NetworkFiles} on a directory. Writes: {@code .<name>.patchbay-<uuid>.tmp} (a name networkd ignores:
 * it does not end in .network/.netdev), write + {@code fsync}, mode 0644, atomic rename over the target, then
 * {@code fsync} of the directory. Ownership: the first line is {@link NetworkdFile#OWNER_HEADER}. All methods
 * are serialized on this object.
 */
final class NetworkFilesImpl implements NetworkFiles {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]{0,254}");
    private final Path dir;
    private final Runnable reload;

    NetworkFilesImpl(Path dir, Runnable reload) {
        if (dir == null || !dir.isAbsolute()) {
            throw new InvalidArgumentException("network.dir", "must be an absolute path, got " + dir);
        }
        this.dir = dir;
        this.reload = reload;
    }

    @Override
    public Path directory() {
        return dir;
    }

    private static NetworkdFile.Kind kindOf(String fileName) {
        if (fileName == null || !NAME.matcher(fileName).matches()) {
            throw new InvalidArgumentException("fileName", "must be 1..255 chars of [A-Za-z0-9_.@+-], not starting with "
                    + "'.', got " + fileName);
        }
        for (NetworkdFile.Kind k : NetworkdFile.Kind.values()) {
            if (fileName.endsWith(k.suffix()) && fileName.length() > k.suffix().length()) {
                return k;
            }
        }
        throw new InvalidArgumentException("fileName", "must end in .network or .netdev, got " + fileName);
    }

    static boolean ownedBy(Path p) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            return NetworkdFile.OWNER_HEADER.equals(first);
        } catch (java.nio.charset.MalformedInputException e) {
            return false;
        }
    }

    private void checkOwned(Path p, String verb) throws IOException {
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !ownedBy(p))) {
            throw new FileNotOwnedException(p, "will not " + verb + " " + p
                    + ": it exists and was not written by Patchbay (no owner header)");
        }
    }

    @Override
    public synchronized Path write(String fileName, NetworkdFile file, boolean doReload) {
        NetworkdFile.Kind k = kindOf(fileName);
        if (file == null) {
            throw new InvalidArgumentException("file", "must not be null");
        }
        if (file.kind() != k) {
            throw new InvalidArgumentException("fileName", "suffix does not match the file kind " + file.kind() + ": "
                    + fileName);
        }
        byte[] bytes = file.render().getBytes(StandardCharsets.UTF_8);
        Path target = dir.resolve(fileName);
        Path tmp = dir.resolve("." + fileName + ".patchbay-" + UUID.randomUUID() + ".tmp");
        try {
            if (!Files.isDirectory(dir)) {
                throw new NetworkdException(ErrorKind.Failed, "network.dir " + dir + " is not a directory");
            }
            checkOwned(target, "overwrite");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDir();
        } catch (IOException e) {
            throw new NetworkdException(ErrorKind.Failed, "cannot write " + target + ": " + e, null, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // best effort
            }
        }
        if (doReload) {
            reloadAfter("wrote " + target);
        }
        return target;
    }

    private void reloadAfter(String done) {
        try {
            reload.run();
        } catch (NetworkdException e) {
            throw new NetworkdException(e.kind(), done + ", but networkd Reload failed: " + e.getMessage(),
                    e.dbusError(), e);
        }
    }

    private void syncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system supports fsync on a directory; the rename itself is atomic
        }
    }

    @Override
    public synchronized boolean remove(String fileName, boolean doReload) {
        kindOf(fileName);
        Path target = dir.resolve(fileName);
        try {
            checkOwned(target, "remove");
            boolean removed = Files.deleteIfExists(target);
            if (removed) {
                syncDir();
                if (doReload) {
                    reloadAfter("removed " + target);
                }
            }
            return removed;
        } catch (IOException e) {
            throw new NetworkdException(ErrorKind.Failed, "cannot remove " + target + ": " + e, null, e);
        }
    }

    @Override
    public synchronized List<String> owned() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (NAME.matcher(n).matches() && (n.endsWith(".network") || n.endsWith(".netdev"))
                        && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && ownedBy(p)) {
                    out.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetworkdException(ErrorKind.Failed, "cannot list " + dir + ": " + e, null, e);
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public synchronized Optional<NetworkdFile> read(String fileName) {
        NetworkdFile.Kind k = kindOf(fileName);
        Path p = dir.resolve(fileName);
        try {
            return Optional.of(NetworkdFile.parse(k, Files.readString(p, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkdException(ErrorKind.Failed, "cannot read " + p + ": " + e, null, e);
        }
    }

    @Override
    public Path configureStatic(String link, List<String> addresses, String gateway) {
        String name = NetworkFiles.fileNameFor(link);
        if (addresses == null || addresses.isEmpty()) {
            throw new InvalidArgumentException("addresses", "at least one CIDR address is required");
        }
        NetworkdFile.Builder b = NetworkdFile.network().section("Match").add("Name", link).section("Network");
        for (String a : addresses) {
            NetworkdFile.checkCidr("address", a);
            b.add("Address", a);
        }
        if (gateway != null) {
            NetworkdFile.checkIp("gateway", gateway);
            b.add("Gateway", gateway);
        }
        b.add("LinkLocalAddressing", "no").add("IPv6AcceptRA", "no").add("ConfigureWithoutCarrier", "yes");
        return write(name, b.build(), true);
    }

    @Override
    public Path configureDhcp(String link, String mode) {
        String name = NetworkFiles.fileNameFor(link);
        if (mode == null || !(mode.equals("yes") || mode.equals("ipv4") || mode.equals("ipv6"))) {
            throw new InvalidArgumentException("mode", "must be yes, ipv4 or ipv6, got " + mode);
        }
        NetworkdFile f = NetworkdFile.network().section("Match").add("Name", link).section("Network")
                .add("DHCP", mode).build();
        return write(name, f, true);
    }

    @Override
    public boolean unconfigure(String link) {
        return remove(NetworkFiles.fileNameFor(link), true);
    }
}
