package dev.ovs.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A short temporary directory {@code /tmp/pbt-XXXXXXXX} (8 random hex digits), so that Unix socket
 * paths inside it stay far below the 108-byte {@code sun_path} limit (unix(7)). {@link #close()}
 * deletes it recursively (without following symlinks and without crossing into mount points that
 * are still mounted: it refuses, leaving them for {@link Leftovers} to report).
 */
public final class ShortTempDir implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path path;

    private ShortTempDir(Path path) {
        this.path = path;
    }

    /**
     * Creates a fresh directory {@code /tmp/pbt-XXXXXXXX}, mode 0755 (daemons that drop privileges,
     * e.g. systemd-networkd, must be able to traverse it).
     *
     * @return the directory, registered for {@link Leftovers}
     * @throws UncheckedIOException if it cannot be created
     */
    public static ShortTempDir create() {
        for (int i = 0; i < 10; i++) {
            byte[] b = new byte[4];
            RANDOM.nextBytes(b);
            Path p = Path.of("/tmp", "pbt-" + HexFormat.of().formatHex(b));
            try {
                Files.createDirectory(p);
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
                Registry.addDir(p);
                return new ShortTempDir(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // retry
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + p, e);
            }
        }
        throw new IllegalStateException("cannot find a free /tmp/pbt-XXXXXXXX name");
    }

    /** @return the directory path */
    public Path path() {
        return path;
    }

    /**
     * Resolves a child path.
     *
     * @param name relative name
     * @return {@code path().resolve(name)}
     */
    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** Deletes the directory tree. Idempotent. */
    @Override
    public void close() {
        deleteTree(path);
        Registry.removeDir(path);
    }

    /**
     * Checks that a Unix socket path fits {@code sun_path} (107 bytes + NUL, unix(7)).
     *
     * @param socket the socket path
     * @return the same path
     * @throws IllegalArgumentException if it is 108 bytes or longer
     */
    static Path checkSocketPath(Path socket) {
        int len = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (len >= 108) {
            throw new IllegalArgumentException("socket path: " + len + " bytes, must be < 108 (unix(7) sun_path); "
                    + "use ShortTempDir.create(): " + socket);
        }
        return socket;
    }

    /**
     * Recursively deletes a directory tree, not following symlinks. Best effort on mounted children.
     *
     * @param root the directory (missing is fine)
     */
    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException e) {
                        // e.g. still a mount point: leave it for Leftovers to report
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
