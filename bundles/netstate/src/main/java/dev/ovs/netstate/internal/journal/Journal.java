package dev.ovs.netstate.internal.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The checkpoint journal: one JSON file {@code <id>.json} per checkpoint in a directory. Every write is
 * durable before it returns: the new content goes to {@code <id>.json.tmp}, which is fsync'ed
 * ({@code FileChannel.force}), renamed over the old file (atomic rename, rename(2)), and the directory is
 * fsync'ed, so after a crash each file is either its old or its new content. Not thread-safe (the engine
 * serializes writes).
 */
public final class Journal {
    private static final String SUFFIX = ".json";
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param dir the journal directory; created (mode per umask) when missing
     * @throws UncheckedIOException if it cannot be created
     */
    public Journal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal directory " + dir, e);
        }
    }

    /** @return the directory */
    public Path dir() {
        return dir;
    }

    /**
     * Writes an entry durably (see class comment).
     *
     * @param e the entry
     * @throws UncheckedIOException if it cannot be written
     */
    public void write(JournalEntry e) {
        Path file = dir.resolve(e.id() + SUFFIX);
        Path tmp = dir.resolve(e.id() + SUFFIX + ".tmp");
        try {
            byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(e);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDir();
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write the journal entry " + file, x);
        }
    }

    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Reads every entry (leftover {@code .tmp} files of an interrupted write are deleted: the entry's previous
     * content is still in place).
     *
     * @return entries, oldest first
     * @throws UncheckedIOException if the directory cannot be read or a file is not a journal entry
     */
    public List<JournalEntry> readAll() {
        List<JournalEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(SUFFIX + ".tmp")) {
                    Files.deleteIfExists(p);
                } else if (n.endsWith(SUFFIX)) {
                    out.add(json.readValue(p.toFile(), JournalEntry.class));
                }
            }
        } catch (IOException x) {
            throw new UncheckedIOException("cannot read the journal in " + dir, x);
        }
        out.sort(Comparator.comparingLong(JournalEntry::createdMicros).thenComparing(JournalEntry::id));
        return out;
    }

    /**
     * @param id an entry to delete (retention of settled entries)
     */
    public void delete(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + SUFFIX));
        } catch (IOException x) {
            throw new UncheckedIOException("cannot delete the journal entry " + id, x);
        }
    }
}
